"""Registering a task keeps the program working: each case runs the program before and after the
codemod and compares what it printed (see ``programs.run_program``)."""

from __future__ import annotations

import textwrap

from loopguard_codemods.fire_and_forget_to_task_manager import FireAndForgetToTaskManager

from .helpers import FindingCodemodTest
from .programs import run_program


class RegistrationTest(FindingCodemodTest):
    TRANSFORM = FireAndForgetToTaskManager

    def assertSameRun(self, before: str, expected_output: str) -> str:  # noqa: N802 (unittest style)
        """The codemod's output prints what ``before`` prints, which is ``expected_output``;
        returns the output."""
        before = textwrap.dedent(before)
        after, _ = self.run_codemod(before)
        self.assertEqual(run_program(before), textwrap.dedent(expected_output))
        self.assertEqual(run_program(after), textwrap.dedent(expected_output), f"migrated:\n{after}")
        return after


class TestOnlyTasksAreRegistered(RegistrationTest):
    """``add_task`` names what it registers (``set_name``): a Future that is no Task has no name."""

    GATHERED = """
        import asyncio

        ran_in_a_thread = []


        async def job(n):
            print("job", n)


        class Runner:
            async def start(self, loop):
                asyncio.ensure_future(asyncio.gather(job(1), job(2)))
                asyncio.ensure_future(loop.run_in_executor(None, ran_in_a_thread.append, "executor"))
                pending = asyncio.gather(job(3))
                asyncio.ensure_future(pending)
                await asyncio.sleep(0)
                print("started")


        async def main():
            await Runner().start(asyncio.get_running_loop())


        asyncio.run(main())
        print(ran_in_a_thread)
        """

    def test_futures_are_left_with_the_reason(self):
        notes = self.assertCodemod(self.GATHERED, self.GATHERED)
        self.assertEqual(
            [(note.line, note.code, note.reason) for note in notes],
            [
                (line, "LG201", f"asyncio.ensure_future({what}) returns a Future, not a Task: {FUTURE_ADVICE}")
                for line, what in ((12, "gather(...)"), (13, "run_in_executor(...)"), (15, "gather(...)"))
            ],
        )

    def test_the_program_runs_as_before(self):
        self.assertSameRun(self.GATHERED, "job 1\njob 2\njob 3\nstarted\n['executor']\n")

    def test_a_future_the_codemod_cannot_see_is_kept_by_the_runtime(self):
        """``ensure_future(x)`` with ``x`` a parameter: a coroutine, a Task or a Future. The
        scaffolded TaskManager keeps a Future too (its name goes to the log lines only)."""
        after = self.assertSameRun(
            """
            import asyncio


            async def job():
                print("job")
                return 7


            async def keep(awaitable):
                asyncio.ensure_future(awaitable)


            async def main():
                await keep(job())
                await keep(asyncio.gather(job()))
                await asyncio.sleep(0)
                await asyncio.sleep(0)
                print("done")


            asyncio.run(main())
            """,
            "job\njob\ndone\n",
        )
        self.assertIn('_task_manager.add_task(asyncio.ensure_future(awaitable), name="service:keep")', after)

    def test_a_name_bound_in_a_nested_class_is_not_the_functions(self):
        """Which statement binds ``pending`` is a question of scope: the class body's assignment
        binds the class's attribute, so the function's one binding still says a Future."""
        source = """
            import asyncio


            async def job():
                print("job")


            async def start():
                class Settings:
                    pending = None

                pending = asyncio.gather(job())
                asyncio.ensure_future(pending)
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.line, note.reason) for note in notes],
            [(13, f"asyncio.ensure_future(gather(...)) returns a Future, not a Task: {FUTURE_ADVICE}")],
        )


FUTURE_ADVICE = (
    "add_task() registers tasks; await the future, or keep it and cancel it at shutdown by hand"
)


class TestTheManagerExistsBeforeTheFirstTask(RegistrationTest):
    """The manager is a class attribute: it exists before any ``__init__`` runs, in every subclass,
    whatever the MRO runs or skips."""

    def test_a_hook_called_by_the_base_init(self):
        after = self.assertSameRun(
            """
            import asyncio


            class Base:
                def __init__(self):
                    self.setup()

                def setup(self):
                    pass


            class Screen(Base):
                \"\"\"A screen that loads itself.\"\"\"

                def __init__(self):
                    super().__init__()
                    self.title = "screen"

                def setup(self):
                    asyncio.ensure_future(self.load())

                async def load(self):
                    print("loaded")


            async def main():
                Screen()
                await asyncio.sleep(0)
                print("done")


            asyncio.run(main())
            """,
            "loaded\ndone\n",
        )
        self.assertIn(
            'class Screen(Base):\n    """A screen that loads itself."""\n\n    _task_manager = TaskManager()\n\n'
            "    def __init__(self):\n        super().__init__()\n",
            after,
        )

    def test_a_task_made_before_super_init(self):
        after = self.assertSameRun(
            """
            import asyncio


            class Widget:
                def __init__(self, name):
                    self.name = name


            class Chart(Widget):
                ready = False

                def __init__(self):
                    asyncio.ensure_future(self.draw())
                    super().__init__("chart")

                async def draw(self):
                    print("drawn", self.name)


            async def main():
                Chart()
                await asyncio.sleep(0)


            asyncio.run(main())
            """,
            "drawn chart\n",
        )
        self.assertIn(
            "class Chart(Widget):\n    ready = False\n    _task_manager = TaskManager()\n\n    def __init__(self):\n", after
        )

    def test_a_mixin_whose_init_the_mro_never_runs(self):
        """``Plain.__init__`` does not call ``super().__init__()``: a mixin's own ``__init__`` never runs."""
        after = self.assertSameRun(
            """
            import asyncio


            class Loader:
                def start(self):
                    asyncio.ensure_future(self.load())

                async def load(self):
                    print("loaded", self.source)


            class Plain:
                def __init__(self, source):
                    self.source = source


            class Screen(Plain, Loader):
                pass


            async def main():
                Screen("db").start()
                await asyncio.sleep(0)


            asyncio.run(main())
            """,
            "loaded db\n",
        )
        self.assertIn("class Loader:\n    _task_manager = TaskManager()\n\n    def start(self):\n", after)

    def test_overload_stubs_of_init(self):
        """``@overload`` stubs of ``__init__`` (one-line and multi-line) are left alone: the
        manager goes to the class body, not into the first ``__init__`` the class shows."""
        before = """
            import asyncio
            from typing import overload


            class Feed:
                @overload
                def __init__(self, source: int) -> None: ...
                @overload
                def __init__(self, source: str) -> None:
                    ...
                def __init__(self, source):
                    self.source = source

                def start(self):
                    asyncio.ensure_future(self.poll())

                async def poll(self):
                    print("polled", self.source)


            async def main():
                Feed("ticker").start()
                await asyncio.sleep(0)


            asyncio.run(main())
            """
        after = self.assertSameRun(before, "polled ticker\n")
        self.assertEqual(
            after,
            textwrap.dedent(before)
            .replace("from typing import overload\n", "from typing import overload\n\nfrom loop_runtime import TaskManager\n")
            .replace("class Feed:\n", "class Feed:\n    _task_manager = TaskManager()\n\n")
            .replace(
                "asyncio.ensure_future(self.poll())",
                'self._task_manager.add_task(asyncio.ensure_future(self.poll()), name="service:Feed:start")',
            ),
        )


def test_the_init_of_a_class_is_the_last_one_it_defines():
    """Python keeps the last ``def __init__``; the ``@overload`` stubs before it are not it."""
    import libcst as cst

    from loopguard_codemods.task_manager import init_of

    class_def = cst.parse_statement(
        "class Feed:\n"
        "    @overload\n"
        "    def __init__(self, source: int) -> None: ...\n"
        "    def __init__(self, source):\n"
        "        self.source = source\n"
    )
    assert isinstance(class_def, cst.ClassDef)
    init = init_of(class_def)
    assert init is not None and not init.decorators


class TestOnlyAManagerThatTakesAddTaskIsCalled(RegistrationTest):
    """A project's own manager with another API, or a class of the project named TaskManager, is
    never called as ``add_task(task, name=...)``."""

    def test_a_manager_with_another_api_is_left(self):
        source = """
            import asyncio


            class Scheduler:
                def __init__(self):
                    self.jobs = []

                def submit(self, coro):
                    self.jobs.append(coro)

                async def run(self):
                    for job in self.jobs:
                        await job


            class Pool:
                def __init__(self, scheduler):
                    self._task_manager = scheduler

                async def start(self):
                    self._task_manager.submit(self.tick("kept"))
                    asyncio.create_task(self.tick("dropped"))
                    await self._task_manager.run()
                    await asyncio.sleep(0)

                async def tick(self, what):
                    print("tick", what)


            asyncio.run(Pool(Scheduler()).start())
            """
        self.assertSameRun(source, "tick kept\ntick dropped\n")
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.line, note.reason) for note in notes],
            [
                (
                    22,
                    "self._task_manager is the code's own manager (line 18), not known to take "
                    "add_task(task, name=...): register the task with it by hand",
                )
            ],
        )

    def test_a_class_of_the_project_named_task_manager_is_left(self):
        """Importing the runtime's TaskManager would shadow the project's, and the project's has no add_task."""
        source = """
            import asyncio


            class TaskManager:
                def __init__(self):
                    self.pending = []

                def spawn(self, coro):
                    self.pending.append(asyncio.ensure_future(coro))


            class Feed:
                def __init__(self):
                    self.tasks = TaskManager()

                async def start(self):
                    self.tasks.spawn(self.tick("spawned"))
                    asyncio.ensure_future(self.tick("dropped"))
                    await asyncio.sleep(0)

                async def tick(self, what):
                    print("tick", what)


            async def start():
                asyncio.create_task(Feed().start())
                await asyncio.sleep(0)
                await asyncio.sleep(0)


            asyncio.run(start())
            """
        self.assertSameRun(source, "tick spawned\ntick dropped\n")
        notes = self.assertCodemod(source, source)
        reason = (
            "the module's own TaskManager (line 4) is not loop_runtime.TaskManager: register the task with it by hand"
        )
        self.assertEqual([(note.line, note.reason) for note in notes], [(18, reason), (26, reason)])

    def test_an_imported_task_manager_of_another_module_is_left(self):
        source = """
            import asyncio

            from app.tasks import TaskManager


            async def start():
                asyncio.create_task(job())
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [note.reason for note in notes],
            ["the module's own TaskManager (line 3) is not loop_runtime.TaskManager: register the task with it by hand"],
        )

    def test_a_manager_the_code_creates_from_the_task_manager_is_used(self):
        """Created from the configured class, or already called as add_task(task, name=...): no new manager, no import."""
        after = self.assertSameRun(
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            class Feed:
                def __init__(self):
                    self._task_manager = TaskManager()

                async def start(self):
                    asyncio.ensure_future(self.tick("feed"))
                    await asyncio.sleep(0)

                async def tick(self, what):
                    print("tick", what)


            async def main():
                asyncio.ensure_future(Feed().start())
                await asyncio.sleep(0)
                await asyncio.sleep(0)


            asyncio.run(main())
            """,
            "tick feed\n",
        )
        self.assertEqual(after.count("TaskManager()"), 2)
        self.assertIn('self._task_manager.add_task(asyncio.ensure_future(self.tick("feed")), name="service:Feed:start")', after)
        self.assertIn('_task_manager.add_task(asyncio.ensure_future(Feed().start()), name="service:main")', after)


class TestNoTaskOfAPrivateLoopIsRegistered(RegistrationTest):
    """A task made by code that a worker's private loop runs, in another thread, belongs to that
    loop: registering it would hide the worker (the real problem) and put a task the main loop's
    shutdown cannot cancel into the process-wide registry, from another thread."""

    WORKER = """
        import asyncio
        import threading


        class Feed:
            def start(self):
                worker = threading.Thread(target=self.run)
                worker.start()
                worker.join()

            def run(self):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(self.main())
                loop.close()

            async def main(self):
                asyncio.ensure_future(self.tick("main"))
                self.later()
                await asyncio.sleep(0)

            def later(self):
                asyncio.get_event_loop().create_task(self.tick("later"))

            async def tick(self, what):
                print("tick", what)


        def on_a_loop_thread():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever).start()
            asyncio.run_coroutine_threadsafe(submitted(), loop).result()
            loop.call_soon_threadsafe(loop.stop)


        async def submitted():
            asyncio.ensure_future(Feed().tick("submitted"))
            await asyncio.sleep(0)


        Feed().start()
        on_a_loop_thread()
        """

    def test_left_with_the_worker_named(self):
        notes = self.assertCodemod(self.WORKER, self.WORKER)
        self.assertEqual(
            [(note.line, note.code, note.reason) for note in notes],
            [
                (17, "LG201", PRIVATE_LOOP.format(worker="Feed.run")),
                (22, "LG201", PRIVATE_LOOP.format(worker="Feed.run")),
                (36, "LG201", PRIVATE_LOOP.format(worker="loop.run_forever")),
            ],
        )

    def test_the_program_runs_as_before(self):
        self.assertSameRun(self.WORKER, "tick main\ntick later\ntick submitted\n")


PRIVATE_LOOP = (
    "the code runs on the private event loop of {worker}() in another thread: "
    "a task registered here would belong to that loop; fix the worker first"
)
