"""fire_and_forget_to_task_manager: which TaskManager a task joins (the class's attribute, an
existing one, the module's, the project's) and how the task is named after where it is made."""

from __future__ import annotations

from loopguard_codemods.fire_and_forget_to_task_manager import FireAndForgetToTaskManager

from .helpers import FindingCodemodTest


class TestWhichManagerHoldsTheTask(FindingCodemodTest):
    TRANSFORM = FireAndForgetToTaskManager

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
