"""loop_thread_to_main_loop on the "background loop" client class: the thread's target is a method
of the class that only installs and runs the loop (``target=self._run_loop``), the thread object is
kept on ``self`` to start it, and a ``close()`` stops the loop and joins the thread. On the one
loop there is nothing to stop: the stop, the join and the loop's ``close()`` go with the thread.
The program that must print the same before and after: ``loop_thread_programs/background_client``."""

from loopguard_codemods.loop_thread_to_main_loop import NOT_A_LOOP_THREAD, LoopThreadToMainLoop

from .helpers import FindingCodemodTest

CLIENT = """
            import asyncio
            import threading


            class Client:
                def __init__(self):
                    self._loop = asyncio.new_event_loop()
                    self._thread = threading.Thread(target=self._run_loop, daemon=True)
                    self._thread.start()

                def _run_loop(self):
                    asyncio.set_event_loop(self._loop)
                    self._loop.run_forever()

                async def _fetch(self, n):
                    return n
"""
MAIN = """

            async def main():
                print(await Client().get(1))


            if __name__ == "__main__":
                asyncio.run(main())
"""
GET = """
                async def get(self, n):
                    return asyncio.run_coroutine_threadsafe(self._fetch(n), self._loop).result()
"""
KEPT = "the thread object is kept and used for more than `start()`: its other uses have no one-loop meaning"


class TestMethodTargetIsRemoved(FindingCodemodTest):
    TRANSFORM = LoopThreadToMainLoop

    def assertLeft(self, source, reason):  # noqa: N802 (unittest naming)
        notes = self.assertCodemod(source, source)
        self.assertTrue(notes, "nothing was listed for a human")
        self.assertEqual({note.reason for note in notes}, {reason})

    def test_client_with_a_run_loop_method_and_a_close_that_stops_and_joins(self):
        """The loop, the thread kept on self, its runner method and close()'s stop/join/close go
        (close() keeps a `pass`); the waited submission becomes an await."""
        notes = self.assertCodemod(
            CLIENT
            + GET
            + """
                def close(self):
                    self._loop.call_soon_threadsafe(self._loop.stop)
                    self._thread.join(timeout=5)
                    self._loop.close()
                    print("closed")
            """
            + MAIN,
            """
            import asyncio


            class Client:
                def __init__(self):
                    pass

                async def _fetch(self, n):
                    return n

                async def get(self, n):
                    return await self._fetch(n)

                def close(self):
                    print("closed")


            async def main():
                print(await Client().get(1))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        )
        self.assertEqual(notes, [])

    def test_thread_started_at_once_with_a_runner_that_only_runs_the_loop(self):
        """`Thread(target=self._run_loop, daemon=True).start()`, the runner without set_event_loop
        (the loop is named `loop`, as in pywebview bridge classes)."""
        self.assertCodemod(
            """
            import asyncio
            import threading


            class Api:
                def __init__(self):
                    self.loop = asyncio.new_event_loop()
                    threading.Thread(target=self._run_loop, daemon=True).start()

                def _run_loop(self):
                    \"\"\"The loop of the bridge.\"\"\"
                    self.loop.run_forever()

                async def ping(self):
                    asyncio.run_coroutine_threadsafe(asyncio.sleep(0), self.loop)


            async def main():
                await Api().ping()


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Api:
                _task_manager = TaskManager()

                def __init__(self):
                    pass

                async def ping(self):
                    self._task_manager.add_task(asyncio.create_task(asyncio.sleep(0)), name="service:Api:ping")


            async def main():
                await Api().ping()


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        )

    def test_result_waited_for_in_a_synchronous_method(self):
        """A synchronous API over the loop (`def get(...): ....result()` called by the main
        thread): on the one loop the wait would block it; that is run_to_await's chain to make."""
        self.assertLeft(
            CLIENT + GET.replace("async def get", "def get") + MAIN.replace("await Client()", "Client()"),
            "line 19 waits for the loop thread's result from synchronous code that is not only run by a thread a "
            "coroutine starts: on the one loop, that wait would block the loop that must run the coroutine; make the "
            "caller a coroutine that awaits it",
        )

    def test_stop_that_drops_submitted_tasks(self):
        """Stopping the loop left the tasks still pending on it unrun; on the one loop they would run."""
        self.assertLeft(
            CLIENT
            + """
                async def ping(self):
                    asyncio.run_coroutine_threadsafe(self._fetch(0), self._loop)

                def close(self):
                    self._loop.call_soon_threadsafe(self._loop.stop)
                    self._thread.join()
            """
            + MAIN.replace("print(await Client().get(1))", "await Client().ping()"),
            "line 22 stops the loop, which drops the tasks still pending on it (submitted at line 19); on the one "
            "loop they would run on: cancel them by hand",
        )

    def test_stop_while_an_awaited_submission_may_be_pending(self):
        """`await wrap_future(...)` lets other coroutines run, one of which may stop the loop: the
        awaited coroutine was dropped then, and would run on the one loop."""
        self.assertLeft(
            CLIENT
            + """
                async def get(self, n):
                    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._fetch(n), self._loop))

                def close(self):
                    self._loop.call_soon_threadsafe(self._loop.stop)
                    self._thread.join()
            """
            + MAIN,
            "line 22 stops the loop, which drops the tasks still pending on it (submitted at line 19); on the one "
            "loop they would run on: cancel them by hand",
        )

    def test_thread_joined_without_stopping_its_loop(self):
        """A join with no stop before it waited for good: it has no one-loop meaning."""
        self.assertLeft(
            CLIENT
            + GET
            + """
                def close(self):
                    self._thread.join()
            """
            + MAIN,
            KEPT,
        )

    def test_thread_checked_for_being_alive(self):
        self.assertLeft(
            CLIENT
            + GET
            + """
                def running(self):
                    return self._thread.is_alive()
            """
            + MAIN,
            KEPT,
        )

    def test_runner_method_called_elsewhere(self):
        self.assertLeft(
            CLIENT
            + GET
            + """
                def serve(self):
                    self._run_loop()
            """
            + MAIN,
            "the loop's runner _run_loop() is also used at line 22: it stays, and its thread with it",
        )

    def test_runner_method_that_does_more(self):
        """A runner that closes its loop in a `finally:` is not this shape."""
        source = (
            CLIENT.replace(
                "                    self._loop.run_forever()\n",
                "                    try:\n                        self._loop.run_forever()\n"
                "                    finally:\n                        self._loop.close()\n",
            )
            + GET
            + MAIN
        )
        notes = self.assertCodemod(source, source)
        self.assertTrue(notes)
        self.assertEqual({note.reason for note in notes}, {NOT_A_LOOP_THREAD})


def test_real_background_loop_class_is_left_with_the_synchronous_submission_reason():
    """The class of ``real_code/background_event_loop_class.py`` (its source named there) is this
    codemod's shape now; its synchronous `run_coroutine()` keeps it, and every finding says why."""
    from pathlib import Path

    from flake8_loopguard.core.config import Config
    from loopguard_codemods.pipeline import migrate_source

    path = Path(__file__).parent / "real_code" / "background_event_loop_class.py"
    source = path.read_text(encoding="utf-8")
    result = migrate_source(source, "event_loop.py", Config())
    assert result.source_after == source
    reason = (
        "line 21 submits to the loop thread from synchronous code that is not only run by a thread a coroutine "
        "starts: whether it runs on the loop or before the loop is not known here"
    )
    assert [(note.line, note.code, note.codemod, note.reason) for note in result.left_for_human] == [
        (12, "LG101", "loop_thread_to_main_loop", reason),
        (13, "LG401", "loop_thread_to_main_loop", reason),
        (17, "LG104", "loop_thread_to_main_loop", reason),
        (18, "LG103", "loop_thread_to_main_loop", reason),
    ]
