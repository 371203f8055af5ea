import warnings

from loopguard_codemods.base import SCRATCH_NOTES
from loopguard_codemods.running_branch_to_task import RunningBranchToTask

from .helpers import FindingCodemodTest
from .programs import run_program


class TestRunningBranchToTask(FindingCodemodTest):
    TRANSFORM = RunningBranchToTask
    FILENAME = "bus/publisher.py"

    def test_seed_pattern_in_a_method(self):
        """The seed's publisher, in a private method the module calls from coroutines only (so it
        never runs before the loop): one owned task, the manager a class attribute, the now
        unused `loop = asyncio.get_event_loop()` dropped, the branch's comment kept."""
        self.assertCodemod(
            """
            import asyncio


            class Publisher:
                def _publish(self, event):
                    loop = asyncio.get_event_loop()
                    if loop.is_running():
                        loop.create_task(self._async_publish(event))
                    else:
                        loop.run_until_complete(self._async_publish(event))  # QAsync clash!

                async def _async_publish(self, event):
                    await event.send()

                async def on_event(self, event):
                    self._publish(event)
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Publisher:
                _task_manager = TaskManager()

                def _publish(self, event):
                    # QAsync clash!
                    self._task_manager.add_task(
                        asyncio.get_running_loop().create_task(self._async_publish(event)), name="publisher:Publisher:_publish"
                    )

                async def _async_publish(self, event):
                    await event.send()

                async def on_event(self, event):
                    self._publish(event)
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

                def _publish(self, event):
                    loop = asyncio.get_event_loop()
                    if not loop.is_running():
                        loop.run_until_complete(self._send(event))
                    else:
                        loop.create_task(self._send(event))
                    return loop

                async def relay(self, event):
                    return self._publish(event)
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

                def _publish(self, event):
                    loop = asyncio.get_event_loop()
                    self._task_manager.add_task(
                        asyncio.get_running_loop().create_task(self._send(event)), name="publisher:Publisher:_publish"
                    )
                    return loop

                async def relay(self, event):
                    return self._publish(event)
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

                def _kick(self):
                    if self._loop.is_running():
                        self._loop.create_task(self.job())
                    else:
                        self._loop.run_until_complete(self.job())

                async def tick(self):
                    self._kick()

            class Child(Owner):
                def _kick(self):
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

                def _kick(self):
                    self._task_manager.add_task(asyncio.get_running_loop().create_task(self.job()), name="publisher:Owner:_kick")

                async def tick(self):
                    self._kick()

            class Child(Owner):
                def _kick(self):
                    self._task_manager.add_task(asyncio.get_running_loop().create_task(self.job()), name="publisher:Child:_kick")
            """,
        )

    def test_plain_function_uses_the_module_manager(self):
        """Outside a class the module-level manager is created after the imports."""
        self.assertCodemod(
            """
            \"\"\"Event publishing.\"\"\"
            import asyncio

            def _publish(event):
                if asyncio.get_event_loop().is_running():
                    asyncio.get_event_loop().create_task(send(event))
                else:
                    asyncio.get_event_loop().run_until_complete(send(event))

            async def forward(event):
                _publish(event)
            """,
            """
            \"\"\"Event publishing.\"\"\"
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()

            def _publish(event):
                _task_manager.add_task(asyncio.get_running_loop().create_task(send(event)), name="publisher:_publish")

            async def forward(event):
                _publish(event)
            """,
        )

    def test_configured_task_manager_and_decorated_class(self):
        """`--task-manager app.runtime:Tasks`; a dataclass gets no class attribute, it uses the module's."""
        self.TASK_MANAGER = "app.runtime:Tasks"
        self.assertCodemod(
            """
            import asyncio
            from dataclasses import dataclass

            @dataclass
            class Job:
                loop: object

                def _start(self):
                    if self.loop.is_running():
                        self.loop.create_task(run(self))
                    else:
                        self.loop.run_until_complete(run(self))

                async def restart(self):
                    self._start()
            """,
            """
            import asyncio
            from dataclasses import dataclass

            from app.runtime import Tasks

            _task_manager = Tasks()

            @dataclass
            class Job:
                loop: object

                def _start(self):
                    _task_manager.add_task(asyncio.get_running_loop().create_task(run(self)), name="publisher:Job:_start")

                async def restart(self):
                    self._start()
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


class TestTheElseBranchOfStartUpCode(FindingCodemodTest):
    """Before the loop runs, the ``else`` branch was real: the coroutine ran to completion there.
    ``asyncio.get_running_loop()`` would raise, so only a function that provably runs on the
    loop (private, and called only from coroutines of the module) loses its branch."""

    TRANSFORM = RunningBranchToTask
    FILENAME = "bus/publisher.py"

    PUBLISHER = """
        import asyncio


        class Publisher:
            def publish(self, event):
                loop = asyncio.get_event_loop()
                if loop.is_running():
                    loop.create_task(self._send(event))
                else:
                    loop.run_until_complete(self._send(event))

            def _notify(self, event):
                loop = asyncio.get_event_loop()
                if loop.is_running():
                    loop.create_task(self._send(event))
                else:
                    loop.run_until_complete(self._send(event))

            def _log(self, event):
                if asyncio.get_event_loop().is_running():
                    asyncio.ensure_future(self._send(event))
                else:
                    asyncio.get_event_loop().run_until_complete(self._send(event))

            async def _send(self, event):
                print("sent", event)

            async def relay(self, event):
                self._notify(event)
                self._log(event)
                await asyncio.sleep(0)


        asyncio.set_event_loop(asyncio.new_event_loop())  # as a qasync start-up sets its QEventLoop
        publisher = Publisher()
        publisher.publish("at start-up")
        publisher._log("logged at start-up")


        async def main():
            publisher.publish("while running")
            await publisher.relay("relayed")


        loop = asyncio.get_event_loop()
        loop.run_until_complete(main())
        loop.close()
        asyncio.set_event_loop(None)
        """

    def test_only_a_private_function_called_from_coroutines_is_rewritten(self):
        before = self.make_fixture_data(self.PUBLISHER)
        after, context = self.run_codemod(before)
        self.assertEqual(
            after,
            before.replace("import asyncio\n", "import asyncio\n\nfrom loop_runtime import TaskManager\n", 1)
            .replace("class Publisher:\n", "class Publisher:\n    _task_manager = TaskManager()\n\n")
            .replace(
                """    def _notify(self, event):
        loop = asyncio.get_event_loop()
        if loop.is_running():
            loop.create_task(self._send(event))
        else:
            loop.run_until_complete(self._send(event))
""",
                """    def _notify(self, event):
        self._task_manager.add_task(
            asyncio.get_running_loop().create_task(self._send(event)), name="publisher:Publisher:_notify"
        )
""",
            ),
        )
        notes = [(note.line, note.reason) for note in context.scratch[SCRATCH_NOTES]]
        self.assertEqual(
            notes[:2],
            [
                (
                    10,
                    "publish() is public: code of other modules may call it before the loop runs, where its else "
                    "branch runs the coroutine to completion; make its callers await the coroutine instead",
                ),
                (
                    23,
                    "_log() is called from synchronous code (line 37), which may run before the loop does, where "
                    "its else branch runs the coroutine to completion; make its callers await the coroutine instead",
                ),
            ],
        )

    def test_the_program_runs_as_before(self):
        before = self.make_fixture_data(self.PUBLISHER)
        after, _ = self.run_codemod(before)
        expected = "sent at start-up\nsent logged at start-up\nsent while running\nsent relayed\nsent relayed\n"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # get_event_loop() with no running loop
            self.assertEqual(run_program(before), expected)
            self.assertEqual(run_program(after), expected)
