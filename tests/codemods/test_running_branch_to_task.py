from loopguard_codemods.running_branch_to_task import RunningBranchToTask

from .helpers import FindingCodemodTest


class TestRunningBranchToTask(FindingCodemodTest):
    TRANSFORM = RunningBranchToTask
    FILENAME = "bus/publisher.py"

    def test_seed_pattern_in_a_method(self):
        """The seed's publisher: one owned task, the manager a class attribute,
        the now unused `loop = asyncio.get_event_loop()` dropped, the branch's comment kept."""
        self.assertCodemod(
            """
            import asyncio


            class Publisher:
                def publish(self, event):
                    loop = asyncio.get_event_loop()
                    if loop.is_running():
                        loop.create_task(self._async_publish(event))
                    else:
                        loop.run_until_complete(self._async_publish(event))  # QAsync clash!

                async def _async_publish(self, event):
                    await event.send()
            """,
            """
            import asyncio
            from loop_runtime import TaskManager


            class Publisher:
                _task_manager = TaskManager()

                def publish(self, event):
                    # QAsync clash!
                    self._task_manager.add_task(asyncio.get_running_loop().create_task(self._async_publish(event)), name="publisher:Publisher:publish")

                async def _async_publish(self, event):
                    await event.send()
            """,
        )

    def test_manager_after_the_class_docstring(self):
        """The class attribute follows the class's docstring; `__init__` is left as it is; the
        loop name stays while something else still reads it."""
        self.assertCodemod(
            """
            import asyncio

            class Publisher(Base):
                \"\"\"Publishes domain events.\"\"\"

                def __init__(self, bus):
                    \"\"\"Remember the bus.\"\"\"
                    super().__init__()
                    self._bus = bus

                def publish(self, event):
                    loop = asyncio.get_event_loop()
                    if not loop.is_running():
                        loop.run_until_complete(self._send(event))
                    else:
                        loop.create_task(self._send(event))
                    return loop
            """,
            """
            import asyncio
            from loop_runtime import TaskManager

            class Publisher(Base):
                \"\"\"Publishes domain events.\"\"\"

                _task_manager = TaskManager()

                def __init__(self, bus):
                    \"\"\"Remember the bus.\"\"\"
                    super().__init__()
                    self._bus = bus

                def publish(self, event):
                    loop = asyncio.get_event_loop()
                    self._task_manager.add_task(asyncio.get_running_loop().create_task(self._send(event)), name="publisher:Publisher:publish")
                    return loop
            """,
        )

    def test_class_with_a_manager_already_and_its_subclass(self):
        """A class that already creates its `self._task_manager` from the TaskManager keeps it,
        and so does its subclass in the module: no second manager, no second import."""
        self.assertCodemod(
            """
            import asyncio
            from loop_runtime import TaskManager

            class Owner:
                def __init__(self):
                    self._task_manager = TaskManager()

                def kick(self):
                    if self._loop.is_running():
                        self._loop.create_task(self.job())
                    else:
                        self._loop.run_until_complete(self.job())

            class Child(Owner):
                def kick(self):
                    if asyncio.get_event_loop().is_running():
                        asyncio.ensure_future(self.job())
                    else:
                        asyncio.get_event_loop().run_until_complete(self.job())
            """,
            """
            import asyncio
            from loop_runtime import TaskManager

            class Owner:
                def __init__(self):
                    self._task_manager = TaskManager()

                def kick(self):
                    self._task_manager.add_task(asyncio.get_running_loop().create_task(self.job()), name="publisher:Owner:kick")

            class Child(Owner):
                def kick(self):
                    self._task_manager.add_task(asyncio.get_running_loop().create_task(self.job()), name="publisher:Child:kick")
            """,
        )

    def test_plain_function_uses_the_module_manager(self):
        """Outside a class the module-level manager is created after the imports."""
        self.assertCodemod(
            """
            \"\"\"Event publishing.\"\"\"
            import asyncio

            def publish(event):
                if asyncio.get_event_loop().is_running():
                    asyncio.get_event_loop().create_task(send(event))
                else:
                    asyncio.get_event_loop().run_until_complete(send(event))
            """,
            """
            \"\"\"Event publishing.\"\"\"
            import asyncio
            from loop_runtime import TaskManager

            _task_manager = TaskManager()

            def publish(event):
                _task_manager.add_task(asyncio.get_running_loop().create_task(send(event)), name="publisher:publish")
            """,
        )

    def test_configured_task_manager_and_decorated_class(self):
        """`--task-manager app.runtime:Tasks`; a dataclass gets no __init__, it uses the module's."""
        self.TASK_MANAGER = "app.runtime:Tasks"
        self.assertCodemod(
            """
            import asyncio
            from dataclasses import dataclass

            @dataclass
            class Job:
                loop: object

                def start(self):
                    if self.loop.is_running():
                        self.loop.create_task(run(self))
                    else:
                        self.loop.run_until_complete(run(self))
            """,
            """
            import asyncio
            from dataclasses import dataclass
            from app.runtime import Tasks

            _task_manager = Tasks()

            @dataclass
            class Job:
                loop: object

                def start(self):
                    _task_manager.add_task(asyncio.get_running_loop().create_task(run(self)), name="publisher:Job:start")
            """,
        )

    def test_other_shapes_are_left_for_a_human(self):
        """A bare run_until_complete, a branch doing more, or running different coroutines:
        not the seed's shape, unchanged and listed."""
        source = """
            import asyncio

            def drive(loop, job):
                loop.run_until_complete(job())

            def mixed(loop, job):
                if loop.is_running():
                    loop.create_task(job())
                else:
                    print("starting")
                    loop.run_until_complete(job())

            def different(loop):
                if loop.is_running():
                    loop.create_task(first())
                else:
                    loop.run_until_complete(second())

            def returned(loop):
                if loop.is_running():
                    return loop.create_task(first())
                else:
                    return loop.run_until_complete(first())

            def chained(loop, closed):
                if closed:
                    pass
                elif loop.is_running():
                    loop.create_task(first())
                else:
                    loop.run_until_complete(first())
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.line, note.code) for note in notes],
            [(4, "LG103"), (11, "LG103"), (17, "LG103"), (23, "LG103"), (31, "LG103")],
        )
        self.assertTrue(all("is_running" in note.reason for note in notes))

    def test_noqa_keeps_the_branch(self):
        """`# noqa: LG103` on the driving line: the branch is the author's decision."""
        source = """
            import asyncio

            def publish(loop, event):
                if loop.is_running():
                    loop.create_task(send(event))
                else:
                    loop.run_until_complete(send(event))  # noqa: LG103
            """
        self.assertEqual(self.assertCodemod(source, source), [])

    def test_entry_point_is_not_touched(self):
        """In the entry point driving the loop is allowed: no finding, no rewrite."""
        source = """
            import asyncio

            if __name__ == "__main__":
                loop = asyncio.new_event_loop()
                if loop.is_running():
                    loop.create_task(main())
                else:
                    loop.run_until_complete(main())
            """
        self.assertCodemod(source, source)
