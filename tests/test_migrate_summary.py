"""The closing summary of ``loopguard migrate``: one plain line per finding left, where
``loopguard check`` reports it (in the file as it is in diff mode, as written with --write), with
check's paths, sorted; a table and a verdict that count the same files. Both commands run in the
test's process (tests/harness.py)."""

import os
import re
from collections import Counter

from flake8_loopguard.commands.discovery import discover, listed_path
from flake8_loopguard.commands.migrate.output import Stderr

from .harness import check, migrate
from .test_migrate_command import make_project


def deadlock(name):
    """A LG402 no codemod fixes, on the second line."""
    return f"async def {name}(coro, loop):\n    return asyncio.run_coroutine_threadsafe(coro, loop).result()\n"


# far.py: findings at lines 100 and 1234, which rich reads as the emoji codes :100: and :1234:.
FAR = "import asyncio\n" + "\n" * 97 + deadlock("deadlock") + "\n" * 1132 + deadlock("again")
# jobs.py: above its leftover LG101/LG103 (line 14), a registration adds four lines and
# blocking_to_async removes `import time`.
JOBS = """\
import asyncio
import time


async def spawn(job):
    asyncio.create_task(job())


async def nap():
    time.sleep(1)


def legacy(job):
    asyncio.new_event_loop().run_until_complete(job())
"""
# Discovered in the order ./far.py, ./jobs.py, ./zz.py, ./app/worker.py (a folder's files before
# its subfolders); shown sorted by path.
PROJECT = {
    "far.py": FAR,
    "jobs.py": JOBS,
    "zz.py": "import asyncio\n\n\nasync def start(job):\n    asyncio.ensure_future(job())\n",
    "app/worker.py": "import asyncio\n\n\nasync def fetch():\n    return asyncio.get_event_loop()\n",
}
# run_to_await's reason, over the thread and branch codemods' generic ones. It names legacy() where
# it is in the file the summary speaks of: as it was (line 13) in diff mode, as written (line 15,
# as its findings are) with --write.
UNCALLED = (
    "jobs.py:{} legacy() stops the chain: nothing in the project calls legacy(): code outside it "
    "(a framework, a callback's caller, a library's users) calls it synchronously [run_to_await]"
)

DIFF_MODE_VERDICT = (
    "3 file(s) would change and 1 would be created: read the diff, then run again with --write. "
    "4 left for a human (listed above)."
)
DIFF_MODE_GOLDEN = f"""\
files
scanned       4
would change  3
would create  1
skipped       0
failed        0

codemod                          fixes
blocking_to_async                    1
fire_and_forget_to_task_manager      2
get_event_loop_to_running_loop       1

left for a human (4):
./far.py:100: LG402 no codemod fixes LG402
./far.py:1234: LG402 no codemod fixes LG402
./jobs.py:14: LG101 {UNCALLED.format(13)}
./jobs.py:14: LG103 {UNCALLED.format(13)}

linter findings  before  after
LG101                 1      1
LG103                 1      1
LG105                 1      0
LG201                 2      0
LG402                 2      2
LG403                 1      0
total                 8      4

would create ./loop_runtime.py: TaskManager, LoopGuard and shutdown()
{DIFF_MODE_VERDICT}
"""
WRITE_MODE_GOLDEN = f"""\
files
scanned  4
changed  3
created  1
skipped  0
failed   0

codemod                          fixes
blocking_to_async                    1
fire_and_forget_to_task_manager      2
get_event_loop_to_running_loop       1

left for a human (4):
./far.py:100: LG402 no codemod fixes LG402
./far.py:1234: LG402 no codemod fixes LG402
./jobs.py:17: LG101 {UNCALLED.format(16)}
./jobs.py:17: LG103 {UNCALLED.format(16)}

linter findings  before  after
LG101                 1      1
LG103                 1      1
LG105                 1      0
LG201                 2      0
LG402                 2      2
LG403                 1      0
total                 8      4

created ./loop_runtime.py: TaskManager, LoopGuard and shutdown()
3 file(s) written and 1 created. 4 left for a human (listed above).
"""
WARNING_OUTSIDE_GIT = (
    "loopguard migrate: warning: no git work tree holds .: nothing written there can be undone "
    "(no git history to restore it from)\n"
)


def located(text, pattern):
    """Counter of (path, line, code) over the lines of ``text`` that ``pattern`` matches."""
    return Counter(match.groups() for match in re.finditer(pattern, text, re.MULTILINE))


CHECK_LINE = r"^(.+?):(\d+):\d+: (LG\d+) "
SUMMARY_LINE = r"^(.+?):(\d+): (LG\d+) "


def test_diff_mode_golden(tmp_path):
    result = migrate(make_project(tmp_path, PROJECT))
    assert result.status == 1
    assert result.stderr == DIFF_MODE_GOLDEN


def test_write_mode_golden(tmp_path):
    result = migrate(make_project(tmp_path, PROJECT), "--write")
    assert result.status == 1
    assert result.stderr == WARNING_OUTSIDE_GIT + WRITE_MODE_GOLDEN


def test_in_diff_mode_each_line_is_where_check_finds_it_in_the_file_as_it_is(tmp_path):
    project = make_project(tmp_path, PROJECT)
    listed = located(migrate(project).stderr, SUMMARY_LINE)
    found = located(check(project, "--no-cache").stdout, CHECK_LINE)
    assert sum(listed.values()) == 4
    assert not listed - found, "listed where check finds nothing"
    # What check finds and the summary does not list is what the migration fixes.
    assert sorted(code for _, _, code in (found - listed).elements()) == ["LG105", "LG201", "LG201", "LG403"]


def test_with_write_each_line_is_where_check_finds_it_in_the_written_file(tmp_path):
    project = make_project(tmp_path, PROJECT)
    listed = located(migrate(project, "--write").stderr, SUMMARY_LINE)
    assert listed == located(check(project, "--no-cache").stdout, CHECK_LINE)
    assert listed[("./jobs.py", "17", "LG103")] == 1


def test_the_diff_and_the_lines_are_sorted_by_path(tmp_path):
    project = make_project(tmp_path, PROJECT)
    result = migrate(project)
    headers = [line[len("+++ b/"):] for line in result.stdout.splitlines() if line.startswith("+++ ")]
    assert headers == ["app/worker.py", "jobs.py", "loop_runtime.py", "zz.py"]
    listed = re.findall(SUMMARY_LINE, result.stderr, re.MULTILINE)
    assert listed == sorted(listed, key=lambda where: (where[0], int(where[1])))


def test_the_paths_are_those_check_shows_for_the_same_arguments(tmp_path):
    project = make_project(tmp_path, PROJECT)
    absolute = str(project / "jobs.py")
    for paths, expected in (
        (["."], {"./far.py", "./jobs.py"}),
        (["jobs.py"], {"jobs.py"}),
        (["./jobs.py"], {"./jobs.py"}),
        ([absolute], {absolute}),
    ):
        shown = {path for path, _, _ in located(migrate(project, *paths).stderr, SUMMARY_LINE)}
        assert shown == expected
        assert shown <= {path for path, _, _ in located(check(project, "--no-cache", *paths).stdout, CHECK_LINE)}


def test_a_created_file_is_named_as_check_lists_it(tmp_path, monkeypatch):
    """The runtime module's path, like every file's, is the one `discover` lists for the arguments."""
    make_project(tmp_path, {"app/jobs.py": JOBS, "loop_runtime.py": ""})
    monkeypatch.chdir(tmp_path)
    for given in (["."], ["./app/"], [str(tmp_path)], ["app/jobs.py", "."]):
        for path in discover(given, []).files:
            assert listed_path(os.path.abspath(path), given) == path
    assert listed_path(str(tmp_path / "loop_runtime.py"), ["app"]) == "loop_runtime.py"  # under none of them


def test_a_line_printed_above_the_progress_bar_is_printed_as_it_is(capsys):
    err = Stderr()
    err.terminal = True
    err.progress(2)
    err.line("./far.py:100: LG402 [bold]no[/bold] :1234: codemod")
    err.close_progress()
    assert "./far.py:100: LG402 [bold]no[/bold] :1234: codemod\n" in capsys.readouterr().err
