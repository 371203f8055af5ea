"""A finding carries what the model knows of its site, for the codemods: they never read the
message or model the code again."""

from flake8_loopguard.core.engine import check_source

SOURCE = """\
import asyncio, time

class Feed:
    async def poll(self):
        time.sleep(
            1)

    def start(self):
        asyncio.get_event_loop()
"""


def test_a_finding_names_its_call_its_coroutine_its_definition_and_its_span():
    found = {finding.code: finding for finding in check_source(SOURCE, "feed.py")}
    sleep, loop = found["LG403"], found["LG105"]
    assert (sleep.call, sleep.in_coroutine, sleep.context) == ("time.sleep", True, "Feed.poll")
    assert (sleep.line, sleep.col, sleep.end_line, sleep.end_col) == (5, 8, 6, 14)
    assert (loop.call, loop.in_coroutine, loop.context) == ("asyncio.get_event_loop", False, "Feed.start")
    assert (loop.line, loop.col, loop.end_line, loop.end_col) == (9, 8, 9, 32)


def test_an_unresolved_call_is_named_as_written():
    source = "import requests\n\nasync def fetch():\n    s = requests.Session()\n    s.get('u')\n"
    (finding,) = check_source(source)
    assert (finding.code, finding.call) == ("LG403", "s.get")
