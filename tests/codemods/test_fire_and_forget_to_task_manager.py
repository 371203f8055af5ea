"""fire_and_forget_to_task_manager: LG201, LG202 and LG203 tasks are registered with the TaskManager."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flake8_loopguard.core.config import Config
from loopguard_codemods.fire_and_forget_to_task_manager import FireAndForgetToTaskManager

from .helpers import EVERY_RULE, FindingCodemodTest


class TestFireAndForgetToTaskManager(FindingCodemodTest):
    TRANSFORM = FireAndForgetToTaskManager

    def test_dropped_task_in_a_method(self):
        """The seed's pattern: the task joins the class's manager, named module:Class:method."""
        self.assertCodemod(
            """
            import asyncio


            class Agent:
                def __init__(self):
                    self._pending = {}

                async def subscribe(self, symbol):
                    asyncio.create_task(self._send(symbol))  # fire and forget
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Agent:
                _task_manager = TaskManager()

                def __init__(self):
                    self._pending = {}

                async def subscribe(self, symbol):
                    self._task_manager.add_task(
                        asyncio.create_task(self._send(symbol)), name="service:Agent:subscribe"
                    )  # fire and forget
            """,
        )

    def test_bound_to_underscore(self):
        """`_ = ensure_future(...)` drops the task as surely as a bare statement does."""
        self.assertCodemod(
            """
            import asyncio


            class Feed:
                def __init__(self):
                    pass

                async def start(self):
                    _ = asyncio.ensure_future(self._poll())
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Feed:
                _task_manager = TaskManager()

                def __init__(self):
                    pass

                async def start(self):
                    _ = self._task_manager.add_task(asyncio.ensure_future(self._poll()), name="service:Feed:start")
            """,
        )

    def test_loop_create_task(self):
        """`self._loop.create_task` and a running loop's `create_task` are registered like `asyncio.create_task`."""
        self.assertCodemod(
            """
            import asyncio


            class Publisher:
                def __init__(self, loop):
                    self._loop = loop

                def publish(self, event):
                    self._loop.create_task(self._publish(event))

                async def publish_now(self, event):
                    loop = asyncio.get_running_loop()
                    loop.create_task(self._publish(event))
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Publisher:
                _task_manager = TaskManager()

                def __init__(self, loop):
                    self._loop = loop

                def publish(self, event):
                    self._task_manager.add_task(self._loop.create_task(self._publish(event)), name="service:Publisher:publish")

                async def publish_now(self, event):
                    loop = asyncio.get_running_loop()
                    self._task_manager.add_task(loop.create_task(self._publish(event)), name="service:Publisher:publish_now")
            """,
        )

    def test_unused_name_keeps_its_name_and_its_callbacks(self):
        """LG202: `add_task` returns the task, so the name and its done-callbacks keep working."""
        self.assertCodemod(
            """
            import asyncio


            class Agent:
                def __init__(self):
                    self.symbols = []

                async def connect(self):
                    ping_task = asyncio.create_task(self._ping())
                    ping_task.add_done_callback(self._on_ping_done)
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Agent:
                _task_manager = TaskManager()

                def __init__(self):
                    self.symbols = []

                async def connect(self):
                    ping_task = self._task_manager.add_task(asyncio.create_task(self._ping()), name="service:Agent:connect")
                    ping_task.add_done_callback(self._on_ping_done)
            """,
        )

    def test_chained_done_callback(self):
        """A task dropped after `.add_done_callback(...)` is registered; the chain still works."""
        self.assertCodemod(
            """
            import asyncio


            class Agent:
                def __init__(self):
                    self.symbols = []

                def kick(self):
                    asyncio.create_task(self._run()).add_done_callback(self._done)
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Agent:
                _task_manager = TaskManager()

                def __init__(self):
                    self.symbols = []

                def kick(self):
                    self._task_manager.add_task(asyncio.create_task(self._run()), name="service:Agent:kick").add_done_callback(self._done)
            """,
        )

    def test_tasks_kept_elsewhere_are_also_registered(self):
        """LG203: a task kept in an ad-hoc set or attribute is registered too, and stays where it was kept."""
        self.assertCodemod(
            """
            import asyncio


            class Poller:
                def __init__(self):
                    self._tasks = set()

                def start(self):
                    self._poll_task = asyncio.ensure_future(self._poll())
                    self._tasks.add(asyncio.create_task(self._watch()))
                    task = asyncio.create_task(self._send())
                    self._tasks.add(task)
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Poller:
                _task_manager = TaskManager()

                def __init__(self):
                    self._tasks = set()

                def start(self):
                    self._poll_task = self._task_manager.add_task(asyncio.ensure_future(self._poll()), name="service:Poller:start")
                    self._tasks.add(self._task_manager.add_task(asyncio.create_task(self._watch()), name="service:Poller:start#2"))
                    task = self._task_manager.add_task(asyncio.create_task(self._send()), name="service:Poller:start#3")
                    self._tasks.add(task)
            """,
        )

    def test_lambda_connected_to_a_signal_in_a_method(self):
        """Qt drops what the lambda returns: the lambda now returns a registered task."""
        self.assertCodemod(
            """
            import asyncio


            class Viewer(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button = QPushButton()
                    self.button.clicked.connect(lambda: asyncio.ensure_future(self.reload()))
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Viewer(QWidget):
                _task_manager = TaskManager()

                def __init__(self):
                    super().__init__()
                    self.button = QPushButton()
                    self.button.clicked.connect(lambda: self._task_manager.add_task(asyncio.ensure_future(self.reload()), name="service:Viewer:__init__"))
            """,
        )

    def test_lambda_handed_to_single_shot(self):
        """`QTimer.singleShot(0, lambda: ensure_future(...))` drops the task like a signal does."""
        self.assertCodemod(
            """
            import asyncio

            from PySide6.QtCore import QTimer


            class Screen:
                def __init__(self):
                    self.ready = False

                def show(self):
                    QTimer.singleShot(0, lambda: asyncio.ensure_future(self.load()))
            """,
            """
            import asyncio

            from PySide6.QtCore import QTimer

            from loop_runtime import TaskManager


            class Screen:
                _task_manager = TaskManager()

                def __init__(self):
                    self.ready = False

                def show(self):
                    QTimer.singleShot(0, lambda: self._task_manager.add_task(asyncio.ensure_future(self.load()), name="service:Screen:show"))
            """,
        )

    def test_aliased_factory_and_chained_loop(self):
        """An imported alias of create_task, and `get_running_loop().create_task(...)`, are wrapped whole."""
        self.assertCodemod(
            """
            import asyncio
            from asyncio import create_task as spawn


            async def start():
                spawn(job())
                asyncio.get_running_loop().create_task(job())
            """,
            """
            import asyncio
            from asyncio import create_task as spawn

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            async def start():
                _task_manager.add_task(spawn(job()), name="service:start")
                _task_manager.add_task(asyncio.get_running_loop().create_task(job()), name="service:start#2")
            """,
        )

    def test_comprehension_and_truth_test(self):
        """Tasks dropped inside a comprehension statement or only tested for truth are each registered."""
        self.assertCodemod(
            """
            import asyncio


            async def fan_out(jobs):
                [asyncio.create_task(job) for job in jobs]
                return 1 if asyncio.create_task(jobs[0]) else 0
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            async def fan_out(jobs):
                [_task_manager.add_task(asyncio.create_task(job), name="service:fan_out") for job in jobs]
                return 1 if _task_manager.add_task(asyncio.create_task(jobs[0]), name="service:fan_out#2") else 0
            """,
        )

    def test_every_binding_form_of_an_unused_name(self):
        """LG202 in tuple unpacking, a walrus and a chained assignment: each creation is wrapped."""
        self.assertCodemod(
            """
            import asyncio


            async def fan_out(a, b):
                t, u = asyncio.create_task(a), asyncio.create_task(b)
                if (v := asyncio.create_task(a)):
                    pass
                w = x = asyncio.create_task(b)
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            async def fan_out(a, b):
                t, u = _task_manager.add_task(asyncio.create_task(a), name="service:fan_out"), _task_manager.add_task(asyncio.create_task(b), name="service:fan_out#2")
                if (v := _task_manager.add_task(asyncio.create_task(a), name="service:fan_out#3")):
                    pass
                w = x = _task_manager.add_task(asyncio.create_task(b), name="service:fan_out#4")
            """,
        )

    # ----- left as they are -----------------------------------------------------------

    def test_registered_and_owned_tasks_are_untouched(self):
        """Registered, awaited and TaskGroup tasks: nothing to fix, nothing changes."""
        source = """
            import asyncio


            class Agent:
                def __init__(self):
                    self._task_manager = TaskManager()

                async def run(self):
                    self._task_manager.add_task(asyncio.create_task(self._send()), name="service:Agent:run")
                    task = asyncio.create_task(self._ping())
                    self._task_manager.add_task(task)
                    await asyncio.create_task(self._once())
                    async with asyncio.TaskGroup() as tg:
                        tg.create_task(self._each())
            """
        self.assertCodemod(source, source)

    def test_noqa_line_is_untouched(self):
        """`# noqa: LG201` keeps its line as written; the other line is fixed."""
        self.assertCodemod(
            """
            import asyncio


            async def start():
                asyncio.create_task(job())  # noqa: LG201
                asyncio.create_task(job())
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            async def start():
                asyncio.create_task(job())  # noqa: LG201
                _task_manager.add_task(asyncio.create_task(job()), name="service:start")
            """,
        )

    def test_factory_handed_over_as_a_callback_is_left_for_a_human(self):
        """`call_soon_threadsafe(asyncio.ensure_future, coro)`: no call to wrap; the note says why."""
        source = """
            import asyncio


            def submit(loop, coro):
                loop.call_soon_threadsafe(asyncio.ensure_future, coro)
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual([(note.line, note.code) for note in notes], [(5, "LG201")])
        self.assertIn("handed over as a callback", notes[0].reason)


class TestUnrecognisedManagerName(FindingCodemodTest):
    TRANSFORM = FireAndForgetToTaskManager
    CONFIG = Config(task_managers=("registry",), opt_in_codes=EVERY_RULE.opt_in_codes)

    def test_left_when_the_linter_would_not_see_the_registration(self):
        """With `loopguard-task-manager = registry`, `_task_manager.add_task` would still be flagged."""
        source = """
            import asyncio


            async def start():
                asyncio.create_task(job())
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual([(note.line, note.code) for note in notes], [(5, "LG201")])
        self.assertIn("do not match _task_manager", notes[0].reason)
