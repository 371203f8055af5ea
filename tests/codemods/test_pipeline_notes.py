"""What the pipeline leaves for a human: one note per finding, its most specific reason, at the
line where the linter finds it (in the result, and in the original for diff mode)."""

import textwrap

from flake8_loopguard.core.engine import check_source
from loopguard_codemods.base import HumanNote
from loopguard_codemods.pipeline import migrate_source, most_specific


def source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def linted(text, path="app/loader.py"):
    return [(finding.line, finding.code) for finding in check_source(text, path)]


# A Qt module: a task registration at the top adds three lines above a private loop that
# thread_loop_to_async_slot recognises but must leave (its value is used), and a LG402 below.
QT_LOADER = source("""
    import asyncio
    from PySide6.QtCore import QObject


    async def spawn(job):
        asyncio.create_task(job())


    def load(service):
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(service.fetch())
        finally:
            loop.close()


    def caller(service):
        data = load(service)
        return data


    async def deadlock(coro, loop):
        return asyncio.run_coroutine_threadsafe(coro, loop).result()
""")
USED_AT = "the value of load() is used at line {}"
UNCALLED = (
    "tools/legacy.py:{} legacy() stops the chain: nothing in the project calls legacy(): code outside it "
    "(a framework, a callback's caller, a library's users) calls it synchronously"
)


def test_one_note_per_finding_the_specific_reason_before_the_generic_one():
    """LG103 is fixed by two codemods. thread_loop_to_async_slot recognised its shape (a private
    loop in a Qt module) and says why it left it; running_branch_to_task only says "not an
    is_running branch". The user reads the first, once."""
    result = migrate_source(QT_LOADER, "app/loader.py")
    notes = [(note.line, note.code, note.codemod, note.reason) for note in result.left_for_human]
    assert notes == [
        (14, "LG101", "thread_loop_to_async_slot", USED_AT.format(22)),
        (16, "LG103", "thread_loop_to_async_slot", USED_AT.format(22)),
        (27, "LG402", "", "no codemod fixes LG402"),
    ]
    assert [(line, code) for line, code, *_ in notes] == linted(result.source_after)


def test_in_diff_mode_the_notes_point_into_the_file_as_it_is():
    """The registration added 4 lines above: the notes of diff mode, and the line their reason
    names, are those of the original, where `loopguard check` finds them now."""
    result = migrate_source(QT_LOADER, "app/loader.py")
    notes = [(note.line, note.code, note.codemod, note.reason) for note in result.left_for_human_before]
    assert notes == [
        (10, "LG101", "thread_loop_to_async_slot", USED_AT.format(18)),
        (12, "LG103", "thread_loop_to_async_slot", USED_AT.format(18)),
        (23, "LG402", "", "no codemod fixes LG402"),
    ]
    assert [(line, code) for line, code, *_ in notes] == [
        (line, code) for line, code in linted(QT_LOADER) if code != "LG201"
    ]
    assert QT_LOADER.splitlines()[18 - 1] == "    data = load(service)"


def test_lines_removed_above_move_the_notes_up_in_the_result_only():
    """blocking_to_async drops `import time` (one line less above): each list matches the
    linter on its own text."""
    text = source("""
        import asyncio
        import time


        async def nap():
            time.sleep(1)


        def legacy(job):
            asyncio.new_event_loop().run_until_complete(job())
    """)
    result = migrate_source(text, "app/legacy.py")
    assert "import time" not in result.source_after
    after = [(note.line, note.code) for note in result.left_for_human]
    before = [(note.line, note.code) for note in result.left_for_human_before]
    assert after == linted(result.source_after, "app/legacy.py")
    assert before == [(10, "LG101"), (10, "LG103")] == [f for f in linted(text, "app/legacy.py") if f[1] != "LG403"]
    assert after == [(9, "LG101"), (9, "LG103")]


def test_a_module_without_qt_lists_each_loop_call_once_with_the_chain_reason():
    """The thread and branch codemods decline here (no Qt; no is_running branch), generic
    reasons: run_to_await's, which names what stops the chain, is the one listed."""
    text = source("""
        import asyncio


        def legacy(job):
            loop = asyncio.new_event_loop()
            loop.run_until_complete(job())
    """)
    result = migrate_source(text, "tools/legacy.py")
    assert [(note.line, note.code, note.codemod, note.reason) for note in result.left_for_human] == [
        (5, "LG101", "run_to_await", UNCALLED.format(4)),
        (6, "LG103", "run_to_await", UNCALLED.format(4)),
    ]


def test_the_order_of_reasons():
    """Specific before generic; a narrower codemod before run_to_await; then the codemod whose
    first code it is; then the pipeline order."""
    generic = {("running_branch_to_task", "not a branch"), ("thread_loop_to_async_slot", "no Qt")}
    branch = HumanNote(3, "LG103", "running_branch_to_task", "not a branch")
    no_qt = HumanNote(3, "LG103", "thread_loop_to_async_slot", "no Qt")
    used = HumanNote(3, "LG103", "thread_loop_to_async_slot", "its value is used")
    elif_branch = HumanNote(3, "LG103", "running_branch_to_task", "an elif")
    assert most_specific([branch, used], "LG103", generic) == used
    assert most_specific([no_qt, branch], "LG103", generic) == branch
    assert most_specific([used, elif_branch], "LG103", generic) == elif_branch
    chain = HumanNote(3, "LG103", "run_to_await", "the chain stops")
    assert most_specific([chain, used], "LG103", generic) == used
    assert most_specific([branch, chain, no_qt], "LG103", generic) == chain
    first = HumanNote(3, "LG201", "fire_and_forget_to_task_manager", "a callback")
    later = HumanNote(3, "LG201", "lazy_loop_resource", "something")
    assert most_specific([later, first], "LG201", generic) == first
