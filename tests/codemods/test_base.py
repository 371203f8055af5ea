"""The shared base (finding -> node mapping, outcomes, TaskManager registration) and the pipeline."""

import subprocess
import sys
import textwrap

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, SkipFile
from libcst.metadata import PositionProvider

from flake8_loopguard.core.findings import Finding
from loopguard_codemods import pipeline
from loopguard_codemods.base import (
    SCRATCH_FIXES,
    SCRATCH_LINT,
    SCRATCH_NOTES,
    FindingCodemod,
    HumanNote,
    LeaveForHuman,
    LintedSource,
    char_column,
    module_name_of,
    names_in_use,
    task_name,
    unique_task_name,
)
from loopguard_codemods.get_event_loop_to_running_loop import GetEventLoopToRunningLoop
from loopguard_codemods.pipeline import CODEMODS, MigrationResult, UnsafeRewrite, migrate_source

from ..conftest import REPO
from .helpers import FindingCodemodTest


def source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def run(codemod, text: str, filename: str = "service.py", scratch=None):
    context = CodemodContext(filename=filename, scratch=dict(scratch or {}))
    return codemod(context).transform_module(cst.parse_module(text)).code, context


class SeenCalls(FindingCodemod):
    """Records the code of each call it is offered for LG103, and leaves it."""

    NAME = "seen_calls"
    fixes = ("LG103",)

    def __init__(self, context):
        super().__init__(context)
        self.seen = []

    def rewrite(self, node, finding):
        self.seen.append(cst.Module([]).code_for_node(node))
        return LeaveForHuman("probe")


class OuterCall(SeenCalls):
    def is_target(self, node, finding):
        return isinstance(node.func, cst.Attribute) and node.func.attr.value == "run_until_complete"


class RegisterDroppedTask(FindingCodemod):
    """LG201 fixed the simplest way, to exercise ``register_task`` in every kind of scope."""

    NAME = "register_dropped_task"
    fixes = ("LG201",)

    def rewrite(self, node, finding):
        problem = self.registration_problem(finding)
        if problem is not None:
            return LeaveForHuman(problem)
        return self.register_task(node, finding)


# ----- finding -> node ---------------------------------------------------------------------


def test_calls_sharing_a_start_are_offered_innermost_first():
    """`asyncio.get_event_loop().run_until_complete(x)`: both calls start at the same column."""
    text = source("""
        import asyncio

        def drive(job):
            asyncio.get_event_loop().run_until_complete(job())
    """)
    seen = {}
    for codemod in (SeenCalls, OuterCall):
        context = CodemodContext(filename="service.py")
        instance = codemod(context)
        instance.transform_module(cst.parse_module(text))
        seen[codemod.__name__] = instance.seen
    assert seen == {
        "SeenCalls": ["asyncio.get_event_loop()"],
        "OuterCall": ["asyncio.get_event_loop().run_until_complete(job())"],
    }


def test_byte_columns_become_character_columns():
    """ast's col_offset counts UTF-8 bytes; libcst counts characters."""
    assert char_column('x = "루프"; y = f()', len('x = "루프"; y = '.encode())) == len('x = "루프"; y = ')
    assert char_column("\tloop.run_forever()", 1) == 1


def test_a_finding_with_no_call_at_its_place_is_still_reported():
    """Every fixable finding ends fixed or noted: none silently disappears."""
    text = "import asyncio\n\nx = 1\n"
    stray = Finding(3, 0, "LG103", "run_until_complete() drives an event loop", "")
    _, context = run(SeenCalls, text, scratch={SCRATCH_LINT: LintedSource(text, (stray,))})
    assert context.scratch[SCRATCH_NOTES] == [
        HumanNote(3, "LG103", "seen_calls", "the codemod did not find code it could rewrite here")
    ]


def test_findings_given_by_the_pipeline_are_used_as_they_are():
    """Chained, the codemod trusts the findings in scratch and does not lint again."""
    text = source("""
        import asyncio

        async def f():
            return asyncio.get_event_loop()
    """)
    with pytest.raises(SkipFile):
        run(GetEventLoopToRunningLoop, text, scratch={SCRATCH_LINT: LintedSource(text, ())})


def test_a_file_without_findings_is_skipped():
    """libcst.tool counts it as skipped rather than transformed."""
    with pytest.raises(SkipFile):
        run(GetEventLoopToRunningLoop, "import asyncio\n")


def test_fixes_and_notes_are_counted_in_scratch():
    text = source("""
        import asyncio

        async def f():
            return asyncio.get_event_loop()

        def g():
            return asyncio.get_event_loop()
    """)
    _, context = run(GetEventLoopToRunningLoop, text)
    assert context.scratch[SCRATCH_FIXES] == {"get_event_loop_to_running_loop": 1}
    assert [(n.line, n.code) for n in context.scratch[SCRATCH_NOTES]] == [(7, "LG105")]
    assert context.warnings == [
        "line 7: LG105 left for a human: synchronous code: pass the loop in from a coroutine, or make this a coroutine"
    ]


def test_task_names():
    assert task_name("publisher", "Publisher.publish") == "publisher:Publisher:publish"
    assert task_name("publisher", "") == "publisher"


def test_the_module_of_a_task_name_is_its_dotted_path_in_its_package(tmp_path):
    """`shop/orders.py` is imported as `shop.orders`; a file in no package by its stem."""
    (tmp_path / "shop" / "cart").mkdir(parents=True)
    for init in ("shop/__init__.py", "shop/cart/__init__.py"):
        (tmp_path / init).write_text("")
    named = lambda path: module_name_of(CodemodContext(filename=str(tmp_path / path)))  # noqa: E731
    assert named("shop/orders.py") == "shop.orders"
    assert named("shop/cart/__init__.py") == "shop.cart"
    assert named("shop/cart/lines.py") == "shop.cart.lines"
    assert named("script.py") == "script"
    assert module_name_of(CodemodContext()) == "module"


def test_a_second_registration_at_one_site_is_numbered():
    taken = names_in_use('m.add_task(t, name="shop.orders:Cart:place")\nf(name=\'other\')\n')
    assert taken == {"shop.orders:Cart:place", "other"}
    assert unique_task_name("shop.orders:Cart:place", taken) == "shop.orders:Cart:place#2"
    assert unique_task_name("shop.orders:Cart:pay", taken) == "shop.orders:Cart:pay"
    assert unique_task_name("x", {"x", "x#2"}) == "x#3"


# ----- register_task --------------------------------------------------------------------------


class TestRegisterTask(FindingCodemodTest):
    TRANSFORM = RegisterDroppedTask
    FILENAME = "app/widgets/coin_list.py"

    def test_static_method_and_nested_function_use_the_module_manager(self):
        """No `self` to hang a manager on: the module-level one, created once after the imports."""
        self.assertCodemod(
            """
            import asyncio

            class Widget:
                @staticmethod
                def kick():
                    asyncio.ensure_future(job())

                def start(self):
                    def later():
                        asyncio.ensure_future(job())
                    return later
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()

            class Widget:
                @staticmethod
                def kick():
                    _task_manager.add_task(asyncio.ensure_future(job()), name="coin_list:Widget:kick")

                def start(self):
                    def later():
                        _task_manager.add_task(asyncio.ensure_future(job()), name="coin_list:Widget:start:later")
                    return later
            """,
        )

    def test_existing_managers_are_reused(self):
        """A module-level `_task_manager` and a class attribute are not created twice."""
        self.assertCodemod(
            """
            import asyncio
            from loop_runtime import TaskManager

            _task_manager = TaskManager()

            class Widget:
                _task_manager = TaskManager()

                def start(self):
                    asyncio.ensure_future(job())

            def kick():
                asyncio.ensure_future(job())
            """,
            """
            import asyncio
            from loop_runtime import TaskManager

            _task_manager = TaskManager()

            class Widget:
                _task_manager = TaskManager()

                def start(self):
                    self._task_manager.add_task(asyncio.ensure_future(job()), name="coin_list:Widget:start")

            def kick():
                _task_manager.add_task(asyncio.ensure_future(job()), name="coin_list:kick")
            """,
        )

    def test_one_manager_for_several_tasks_and_a_non_self_receiver(self):
        """Two tasks in one class: one manager; the receiver's own name is used."""
        self.assertCodemod(
            """
            import asyncio

            class Widget:
                def __init__(this):
                    this.ready = False

                def a(this):
                    asyncio.ensure_future(job())

                def b(this):
                    asyncio.ensure_future(job())
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            class Widget:
                _task_manager = TaskManager()

                def __init__(this):
                    this.ready = False

                def a(this):
                    this._task_manager.add_task(asyncio.ensure_future(job()), name="coin_list:Widget:a")

                def b(this):
                    this._task_manager.add_task(asyncio.ensure_future(job()), name="coin_list:Widget:b")
            """,
        )


# ----- the pipeline -------------------------------------------------------------------------


LEGACY = source("""
    import asyncio
    import time


    class Publisher:
        def _publish(self, event):
            loop = asyncio.get_event_loop()
            if loop.is_running():
                loop.create_task(self._send(event))
            else:
                loop.run_until_complete(self._send(event))

        async def _send(self, event):
            loop = asyncio.get_event_loop()
            time.sleep(0.1)
            await loop.sock_sendall(self._socket, event)

        async def relay(self, event):
            self._publish(event)


    def legacy(job):
        asyncio.get_event_loop().run_until_complete(job())


    async def deadlock(coro, loop):
        return asyncio.run_coroutine_threadsafe(coro, loop).result()
""")

MIGRATED = source("""
    import asyncio

    from loop_runtime import TaskManager


    class Publisher:
        _task_manager = TaskManager()

        def _publish(self, event):
            self._task_manager.add_task(
                asyncio.get_running_loop().create_task(self._send(event)), name="publisher:Publisher:_publish"
            )

        async def _send(self, event):
            loop = asyncio.get_running_loop()
            await asyncio.sleep(0.1)
            await loop.sock_sendall(self._socket, event)

        async def relay(self, event):
            self._publish(event)


    def legacy(job):
        asyncio.get_event_loop().run_until_complete(job())


    async def deadlock(coro, loop):
        return asyncio.run_coroutine_threadsafe(coro, loop).result()
""")


def test_pipeline_chains_the_codemods_on_one_file():
    """Each codemod sees the code the previous one left; notes point into the result."""
    result = migrate_source(LEGACY, "bus/publisher.py")
    assert result.source_after == MIGRATED
    assert result.changed
    assert result.fixes == {"running_branch_to_task": 1, "get_event_loop_to_running_loop": 1, "blocking_to_async": 1}
    assert [(f.line, f.code) for f in result.findings_before] == [
        (7, "LG105"),
        (9, "LG201"),
        (11, "LG103"),
        (14, "LG105"),
        (15, "LG403"),
        (23, "LG103"),
        (23, "LG105"),
        (27, "LG402"),
    ]
    assert [(f.line, f.code) for f in result.findings_after] == [(24, "LG103"), (24, "LG105"), (28, "LG402")]
    notes = [(note.line, note.code, note.codemod, note.reason) for note in result.left_for_human]
    # One note per finding: for LG103, thread_loop_to_async_slot's "no Qt" and running_branch_to_task's
    # "not the branch" give way to run_to_await's, which names what stops the chain.
    assert notes == [
        (
            24,
            "LG103",
            "run_to_await",
            "bus/publisher.py:22 legacy() stops the chain: nothing in the project calls legacy(): code outside it "
            "(a framework, a callback's caller, a library's users) calls it synchronously",
        ),
        (24, "LG105", "get_event_loop_to_running_loop", GetEventLoopToRunningLoop.SYNCHRONOUS),
        (28, "LG402", "", "no codemod fixes LG402"),
    ]


def test_pipeline_is_idempotent():
    """A second migration of the result changes nothing."""
    again = migrate_source(MIGRATED, "bus/publisher.py")
    assert not again.changed
    assert again.fixes == {}


def test_selected_codemods_only():
    """`--select get_event_loop_to_running_loop`: the others' findings are left, saying so."""
    result = migrate_source(LEGACY, "bus/publisher.py", selected=["get_event_loop_to_running_loop"])
    assert result.fixes == {"get_event_loop_to_running_loop": 1}
    reasons = {(note.line, note.code): note.reason for note in result.left_for_human}
    assert reasons[(15, "LG403")] == "codemod blocking_to_async is not selected"
    assert reasons[(27, "LG402")] == "no codemod fixes LG402"


def test_a_loop_run_forever_with_no_thread_costs_no_libcst_parse(monkeypatch):
    """`loop.run_forever()` in a plain function (LG103), no thread: loop_thread_to_main_loop plans
    loop threads from their LG401 findings only, so it declines from the findings, and no other
    codemod has work here: libcst never parses the file, and the finding keeps run_to_await's
    reason (the loop is not this codemod's shape)."""

    def refuse(*args, **kwargs):
        raise AssertionError("libcst parsed a file every codemod declines")

    monkeypatch.setattr(pipeline.cst, "parse_module", refuse)
    text = source("""
        import asyncio

        def serve_forever(loop):
            loop.run_forever()
    """)
    result = migrate_source(text, "server.py")
    assert not result.changed
    assert {(note.line, note.code, note.codemod) for note in result.left_for_human} == {(4, "LG103", "run_to_await")}


def test_codemods_that_decline_from_the_text_cost_no_libcst_parse(monkeypatch):
    """A private-loop worker outside any Qt module: thread_loop_to_async_slot can see from the
    text alone that @asyncSlot has no place here, so the file is never parsed by libcst, and
    each finding says why."""

    def refuse(*args, **kwargs):
        raise AssertionError("libcst parsed a file every codemod declines")

    monkeypatch.setattr(pipeline.cst, "parse_module", refuse)
    text = source("""
        import asyncio
        import threading

        def start(service):
            def worker():
                asyncio.run(service.load())
            threading.Thread(target=worker).start()
    """)
    result = migrate_source(text, "service.py")
    assert not result.changed
    # run_to_await's plan (made without libcst) says the worker's chain stops at its thread: one
    # note per finding, that reason rather than thread_loop_to_async_slot's "no Qt here".
    assert {(note.line, note.code, note.codemod) for note in result.left_for_human} == {
        (6, "LG102", "run_to_await"),
        (7, "LG401", "run_to_await"),
    }
    assert {note.reason for note in result.left_for_human} == {
        "service.py:5 start.worker() stops the chain: service.py:7 runs it in a thread started by synchronous code",
    }


def test_codemods_on_an_unchanged_tree_share_its_metadata(monkeypatch):
    """running_branch_to_task leaves this file as it was (no is_running branch of the seed's
    shape), so fire_and_forget_to_task_manager gets the same tree and the positions already
    resolved for it: one resolution for two codemods."""
    resolved = []
    resolve_positions = PositionProvider._gen_impl

    def counted(provider, module):
        resolved.append(module)
        return resolve_positions(provider, module)

    monkeypatch.setattr(PositionProvider, "_gen_impl", counted)
    text = source("""
        import asyncio

        class Service:
            def start(self):
                loop = asyncio.new_event_loop()
                if loop.is_running():
                    print("running")
                loop.run_until_complete(self.job())

            async def spawn(self):
                asyncio.create_task(self.job())

            async def job(self):
                pass
    """)
    result = migrate_source(text, "service.py")
    assert result.fixes == {"fire_and_forget_to_task_manager": 1}
    assert ("LG103", "run_to_await") in {(note.code, note.codemod) for note in result.left_for_human}
    assert len(resolved) == 1


def test_unknown_codemod_name_is_an_error():
    with pytest.raises(ValueError, match="unknown codemod.*no_such_codemod"):
        migrate_source(LEGACY, "bus/publisher.py", selected=["no_such_codemod"])


def test_nothing_fixable_means_no_libcst_parse(monkeypatch):
    """The linter decides: a file with no fixable finding never reaches libcst."""

    def refuse(*args, **kwargs):
        raise AssertionError("libcst parsed a file with nothing to fix")

    monkeypatch.setattr(pipeline.cst, "parse_module", refuse)
    text = source("""
        import asyncio

        async def deadlock(coro, loop):
            return asyncio.run_coroutine_threadsafe(coro, loop).result()

        async def fine():
            await asyncio.sleep(1)
    """)
    result = migrate_source(text, "service.py")
    assert result == MigrationResult(
        "service.py",
        text,
        text,
        fixes={},
        left_for_human=[HumanNote(4, "LG402", "", "no codemod fixes LG402")],
        left_for_human_before=[HumanNote(4, "LG402", "", "no codemod fixes LG402")],
        findings_before=result.findings_before,
        findings_after=result.findings_before,
    )
    assert [f.code for f in result.findings_before] == ["LG402"]


def test_noqa_findings_are_neither_fixed_nor_listed(monkeypatch):
    monkeypatch.setattr(pipeline.cst, "parse_module", None)  # must not be needed
    text = "import asyncio\n\nasync def f():\n    return asyncio.get_event_loop()  # noqa: LG105\n"
    result = migrate_source(text, "service.py")
    assert (result.changed, result.findings_before, result.left_for_human) == (False, [], [])


def test_syntax_errors_are_the_callers_to_report():
    with pytest.raises(SyntaxError):
        migrate_source("import asyncio\ndef broken(:\n", "broken.py")


class NewLoopInstead(FindingCodemod):
    """A broken codemod: trades LG105 for LG101."""

    NAME = "get_event_loop_to_running_loop"
    fixes = ("LG105",)

    def rewrite(self, node, finding):
        return node.with_changes(func=node.func.with_changes(attr=cst.Name("new_event_loop")))


class AwaitInSyncCode(FindingCodemod):
    """A broken codemod: `await` outside a coroutine parses but does not compile."""

    NAME = "blocking_to_async"
    fixes = ("LG105",)

    def rewrite(self, node, finding):
        return cst.Await(node)


@pytest.mark.parametrize(
    "broken, reason",
    [
        (NewLoopInstead, "the rewrite would introduce LG101; file left unchanged"),
        (
            AwaitInSyncCode,
            "blocking_to_async produced code that does not compile: 'await' outside async function",
        ),
    ],
)
def test_unsafe_rewrites_are_refused(monkeypatch, broken, reason):
    """Never introduce a finding, never produce code that does not compile."""
    monkeypatch.setattr(pipeline, "CODEMODS", (broken,))
    monkeypatch.setattr(pipeline, "CODEMODS_BY_NAME", {broken.NAME: broken})
    with pytest.raises(UnsafeRewrite) as raised:
        migrate_source("import asyncio\n\ndef f():\n    return asyncio.get_event_loop()\n", "service.py")
    assert raised.value.path == "service.py"
    assert raised.value.reason.startswith(reason)


def test_notes_follow_lines_moved_by_later_codemods():
    """blocking_to_async adds `import asyncio` above an LG103 noted earlier: the note moves down."""
    text = source("""
        from asyncio import new_event_loop
        import time

        def legacy(job):
            new_event_loop().run_until_complete(job())

        async def nap():
            time.sleep(1)
    """)
    result = migrate_source(text, "service.py")
    assert "import asyncio\n" in result.source_after
    lines = result.source_after.splitlines()
    noted = [note for note in result.left_for_human if note.code == "LG103"]
    assert [note.codemod for note in noted] == ["run_to_await"]
    assert "run_until_complete" in lines[noted[0].line - 1]


def test_every_codemod_is_named_after_its_module():
    """`--select` and `libcst.tool codemod` use the same name; the pipeline order is fixed."""
    assert [codemod.NAME for codemod in CODEMODS] == [
        "worker_class_to_task",
        "thread_loop_to_async_slot",
        "running_branch_to_task",
        "run_to_await",
        "loop_thread_to_main_loop",
        "qasync_runs_application",
        "connected_coroutine_to_async_slot",
        "async_slot_on_plain_def",
        "fire_and_forget_to_task_manager",
        "lazy_loop_resource",
        "get_event_loop_to_running_loop",
        "blocking_to_async",
    ]
    for codemod in CODEMODS:
        assert codemod.__module__.rpartition(".")[2] == codemod.NAME
        assert codemod.DESCRIPTION and codemod.fixes


# ----- python -m libcst.tool codemod -----------------------------------------------------------


def test_libcst_tool_runs_a_codemod_from_the_repository(tmp_path):
    """The repository's .libcst.codemod.yaml makes the codemods usable alone, formatting kept."""
    target = tmp_path / "service.py"
    target.write_text("import asyncio\n\nasync def f():\n    return  asyncio.get_event_loop( )  # keep\n")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcst.tool",
            "codemod",
            "get_event_loop_to_running_loop.GetEventLoopToRunningLoop",
            str(tmp_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert target.read_text() == "import asyncio\n\nasync def f():\n    return  asyncio.get_running_loop( )  # keep\n"
    assert "Transformed 1 files successfully." in completed.stderr
