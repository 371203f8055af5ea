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

    def test_one_class_attribute_manager_for_every_task_of_the_class(self):
        """One manager per class, a class attribute: it exists before `__init__` runs (see
        test_task_registration_safety for the programs that need it)."""
        self.assertCodemod(
            """
            import asyncio


            class Screen(Base):
                def __init__(self, bus):
                    \"\"\"A screen.\"\"\"
                    super().__init__()
                    self._bus = bus

                def start(self):
                    asyncio.ensure_future(self._bus.start())

                def stop(self):
                    asyncio.ensure_future(self._bus.stop())
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Screen(Base):
                _task_manager = TaskManager()

                def __init__(self, bus):
                    \"\"\"A screen.\"\"\"
                    super().__init__()
                    self._bus = bus

                def start(self):
                    self._task_manager.add_task(asyncio.ensure_future(self._bus.start()), name="service:Screen:start")

                def stop(self):
                    self._task_manager.add_task(asyncio.ensure_future(self._bus.stop()), name="service:Screen:stop")
            """,
        )

    def test_existing_manager_is_reused(self):
        """A class whose manager is already called as `add_task(task, name=...)` keeps it: no
        second TaskManager, no import."""
        self.assertCodemod(
            """
            import asyncio


            class Presenter:
                def __init__(self, task_manager):
                    self._task_manager = task_manager

                async def start(self):
                    self._task_manager.add_task(asyncio.create_task(self._poll()), name="service:Presenter:start")

                async def refresh(self):
                    backup = asyncio.create_task(self._refresh_backup())
            """,
            """
            import asyncio


            class Presenter:
                def __init__(self, task_manager):
                    self._task_manager = task_manager

                async def start(self):
                    self._task_manager.add_task(asyncio.create_task(self._poll()), name="service:Presenter:start")

                async def refresh(self):
                    backup = self._task_manager.add_task(
                        asyncio.create_task(self._refresh_backup()), name="service:Presenter:refresh"
                    )
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

    def test_functions_use_the_module_manager(self):
        """Outside methods there is no `self`: the module-level manager holds the tasks."""
        self.assertCodemod(
            """
            \"\"\"Wiring.\"\"\"
            import asyncio


            def wire(button, screen):
                button.clicked.connect(lambda: asyncio.ensure_future(screen.reload()))


            async def start():
                asyncio.create_task(job())
            """,
            """
            \"\"\"Wiring.\"\"\"
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            def wire(button, screen):
                button.clicked.connect(lambda: _task_manager.add_task(asyncio.ensure_future(screen.reload()), name="service:wire"))


            async def start():
                _task_manager.add_task(asyncio.create_task(job()), name="service:start")
            """,
        )

    def test_nested_function_is_named_after_its_method(self):
        """A worker nested in a method cannot count on `self`; its task is named after the method."""
        self.assertCodemod(
            """
            import asyncio


            class Widget:
                def __init__(self):
                    self.rows = []

                def load(self):
                    def later():
                        asyncio.create_task(self.fetch())
                    return later
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            class Widget:
                def __init__(self):
                    self.rows = []

                def load(self):
                    def later():
                        _task_manager.add_task(asyncio.create_task(self.fetch()), name="service:Widget:load")
                    return later
            """,
        )

    def test_static_method_and_decorated_class_use_the_module_manager(self):
        """No instance to hold a manager, or a decorator that owns `__init__`: the module's manager."""
        self.assertCodemod(
            """
            import asyncio
            from dataclasses import dataclass


            class Jobs:
                @staticmethod
                def start():
                    asyncio.create_task(job())


            @dataclass
            class Config:
                name: str

                def watch(self):
                    asyncio.create_task(job())
            """,
            """
            import asyncio
            from dataclasses import dataclass

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            class Jobs:
                @staticmethod
                def start():
                    _task_manager.add_task(asyncio.create_task(job()), name="service:Jobs:start")


            @dataclass
            class Config:
                name: str

                def watch(self):
                    _task_manager.add_task(asyncio.create_task(job()), name="service:Config:watch")
            """,
        )

    def test_classes_that_cannot_take_the_attribute_use_the_module_manager(self):
        """`__slots__` refuses a new attribute; NamedTuple refuses an `__init__`; Enum members are
        built by `__new__`: the module's manager keeps their tasks, construction is untouched."""
        self.assertCodemod(
            """
            import asyncio
            from enum import Enum
            from typing import NamedTuple


            class Point:
                __slots__ = ("x", "y")

                def __init__(self, x, y):
                    self.x, self.y = x, y

                def watch(self):
                    asyncio.create_task(job(self))


            class Job(NamedTuple):
                name: str

                def start(self):
                    asyncio.create_task(run(self.name))


            class Mode(Enum):
                FAST = 1

                def apply(self):
                    asyncio.create_task(switch(self))
            """,
            """
            import asyncio
            from enum import Enum
            from typing import NamedTuple

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            class Point:
                __slots__ = ("x", "y")

                def __init__(self, x, y):
                    self.x, self.y = x, y

                def watch(self):
                    _task_manager.add_task(asyncio.create_task(job(self)), name="service:Point:watch")


            class Job(NamedTuple):
                name: str

                def start(self):
                    _task_manager.add_task(asyncio.create_task(run(self.name)), name="service:Job:start")


            class Mode(Enum):
                FAST = 1

                def apply(self):
                    _task_manager.add_task(asyncio.create_task(switch(self)), name="service:Mode:apply")
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

    def test_main_block(self):
        """Module-level code (here the `__main__` block) registers with the module's manager."""
        self.assertCodemod(
            """
            import asyncio


            if __name__ == "__main__":
                loop = asyncio.new_event_loop()
                loop.create_task(serve())
                loop.run_forever()
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            if __name__ == "__main__":
                loop = asyncio.new_event_loop()
                _task_manager.add_task(loop.create_task(serve()), name="service")
                loop.run_forever()
            """,
        )

    def test_project_task_manager(self):
        """`--task-manager app.runtime:Tasks`: the project's own class is imported and created."""

        class ProjectManager(FindingCodemodTest):
            TRANSFORM = FireAndForgetToTaskManager
            TASK_MANAGER = "app.runtime:Tasks"

        output, _ = ProjectManager("run_codemod").run_codemod(
            "import asyncio\n\n\nasync def start():\n    asyncio.create_task(job())\n"
        )
        self.assertEqual(
            output,
            "import asyncio\n\nfrom app.runtime import Tasks\n\n_task_manager = Tasks()\n\n\n"
            'async def start():\n    _task_manager.add_task(asyncio.create_task(job()), name="service:start")\n',
        )

    def test_task_names_carry_the_module_path_and_are_unique_per_site(self):
        """`shop/orders.py` in the package `shop`: names are `shop.orders:Cart:place`, and the second
        registration in the same method is `#2`; a name the module already uses is not reused."""
        with tempfile.TemporaryDirectory() as folder:
            package = Path(folder) / "shop"
            package.mkdir()
            (package / "__init__.py").write_text("")
            orders = package / "orders.py"
            self.assertCodemod(
                """
                import asyncio


                class Cart:
                    def __init__(self):
                        self._task_manager = TaskManager()

                    def restock(self):
                        self._task_manager.add_task(asyncio.create_task(self._load()), name="shop.orders:Cart:place")

                    async def place(self, order):
                        asyncio.create_task(self._send(order))
                        asyncio.create_task(self._audit(order))
                """,
                """
                import asyncio


                class Cart:
                    def __init__(self):
                        self._task_manager = TaskManager()

                    def restock(self):
                        self._task_manager.add_task(asyncio.create_task(self._load()), name="shop.orders:Cart:place")

                    async def place(self, order):
                        self._task_manager.add_task(
                            asyncio.create_task(self._send(order)), name="shop.orders:Cart:place#2"
                        )
                        self._task_manager.add_task(
                            asyncio.create_task(self._audit(order)), name="shop.orders:Cart:place#3"
                        )
                """,
                filename=str(orders),
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
