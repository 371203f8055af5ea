"""loop_thread_to_main_loop alone: the loop threads it leaves as they are, each with the reason
the summary gives (the rewrites: ``test_loop_thread_to_main_loop.py``)."""

from loopguard_codemods.loop_thread_to_main_loop import NOT_A_LOOP_THREAD, LoopThreadToMainLoop

from .helpers import FindingCodemodTest

SERVICE = """
            import asyncio
            import threading

            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, daemon=True).start()


            async def fetch(n):
                return n
"""
NON_DAEMON = (
    "the loop thread is not a daemon: the program lived until its loop was stopped, which a task of the one loop "
    "would not do"
)
MAIN = """

            async def main():
                print(await handle(1))


            if __name__ == "__main__":
                asyncio.run(main())
"""


class TestLoopThreadsLeftForAHuman(FindingCodemodTest):
    TRANSFORM = LoopThreadToMainLoop

    def assertLeft(self, source: str, reason: str) -> None:
        """The module is unchanged and its LG101/LG401 (and any LG402 of the shape) carry ``reason``."""
        notes = self.assertCodemod(source, source)
        self.assertTrue(notes)
        self.assertEqual({(note.code, note.reason) for note in notes}, {(note.code, reason) for note in notes})
        self.assertIn("LG401", {note.code for note in notes})

    def test_result_waited_for_in_synchronous_code(self):
        """`.result()` from synchronous code: on the one loop it would block the loop that must run it."""
        self.assertLeft(
            SERVICE
            + """

            def handle(n):
                return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()
            """
            + MAIN,
            "line 13 waits for the loop thread's result from synchronous code that is not only run by a thread a "
            "coroutine starts: on the one loop, that wait would block the loop that must run the coroutine; make the "
            "caller a coroutine that awaits it",
        )

    def test_entry_point_runs_no_loop(self):
        """A library module (no `__main__` block running a loop): nothing here would run the coroutines."""
        self.assertLeft(
            SERVICE
            + """

            async def handle(n):
                return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()
            """,
            "the module's entry point runs no event loop (`asyncio.run(...)` or `qasync.run(...)` in its "
            "`__main__` block, or at the top level of a file named in `entry-points`): nothing here would run the "
            "submitted coroutines once the thread is gone",
        )

    def test_tk_main_loop_keeps_the_main_thread(self):
        """A Tk program whose buttons submit to the loop thread: `root.mainloop()` keeps the main
        thread, so the entry point cannot own an asyncio loop (said before the submissions' reason)."""
        self.assertLeft(
            SERVICE
            + """

            def on_click():
                asyncio.run_coroutine_threadsafe(fetch(1), _loop)


            if __name__ == "__main__":
                import tkinter

                root = tkinter.Tk()
                tkinter.Button(root, command=on_click).pack()
                root.mainloop()
            """,
            "the main thread runs a GUI main loop (`root.mainloop()`, line 21), which must keep it: the entry point "
            "cannot own an asyncio loop, so the loop thread stays",
        )

    def test_loop_stopped_or_handed_on(self):
        """`_loop.stop` handed to the loop: stopping the one loop would end the program."""
        self.assertLeft(
            SERVICE
            + """

            async def close():
                _loop.call_soon_threadsafe(_loop.stop)
            """
            + MAIN.replace("handle(1)", "close()"),
            "line 13 uses the loop otherwise (`_loop.stop`): it has no one-loop meaning this codemod can write",
        )

    def test_thread_joined(self):
        """A thread kept in a name and joined: the join has no one-loop meaning."""
        self.assertLeft(
            SERVICE.replace(
                "threading.Thread(target=_loop.run_forever, daemon=True).start()",
                "_thread = threading.Thread(target=_loop.run_forever, daemon=True)\n            _thread.start()",
            )
            + """

            def stop():
                _thread.join(timeout=1)
            """
            + MAIN.replace("handle(1)", "fetch(1)"),
            "the thread object is kept and used for more than `start()`: its other uses have no one-loop meaning",
        )

    def test_result_with_a_timeout(self):
        """`.result(5)` raised after 5 seconds; an await has no such limit."""
        self.assertLeft(
            SERVICE
            + """

            async def handle(n):
                return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result(5)
            """
            + MAIN,
            "line 13 waits with a timeout (`.result(...)`): an await has no such limit; use asyncio.wait_for by hand",
        )

    def test_result_in_a_generator_expression(self):
        """`sum(... .result() for ...)`: an await there would hand sum() an async generator."""
        self.assertLeft(
            SERVICE
            + """

            async def handle(n):
                return sum(asyncio.run_coroutine_threadsafe(fetch(i), _loop).result() for i in range(n))
            """
            + MAIN,
            "line 13 waits inside a generator expression: an await there would make it an async generator",
        )

    def test_instance_loop_fed_from_a_thread(self):
        """A thread's submissions to `self._loop` would need the loop captured per instance."""
        self.assertLeft(
            """
            import asyncio
            import threading


            class Client:
                def __init__(self):
                    self._loop = asyncio.new_event_loop()
                    threading.Thread(target=self._loop.run_forever, daemon=True).start()

                def push(self, coro):
                    asyncio.run_coroutine_threadsafe(coro, self._loop)


            async def main():
                Client()


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            "line 11 submits to the loop thread from synchronous code that is not only run by a thread a coroutine "
            "starts: whether it runs on the loop or before the loop is not known here",
        )

    def test_another_private_loop_in_the_module(self):
        """A worker thread running `asyncio.run(worker())`: the coroutines that submit may run on
        that loop, where an await or a task would land on the wrong loop."""
        source = (
            SERVICE
            + """

            async def worker():
                asyncio.run_coroutine_threadsafe(fetch(1), _loop)


            async def main():
                threading.Thread(target=asyncio.run, args=(worker(),)).start()


            if __name__ == "__main__":
                asyncio.run(main())
            """
        )
        reason = (
            "line 17 makes or runs another event loop (LG401): the coroutines that submit to this one may run on it, "
            "not on the one loop"
        )
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.line, note.code, note.reason) for note in notes],
            [(4, "LG101", reason), (5, "LG401", reason), (17, "LG401", NOT_A_LOOP_THREAD)],
        )

    def test_runner_function_used_elsewhere(self):
        """The runner is also called by other code: it, and so its thread, stay."""
        self.assertLeft(
            """
            import asyncio
            import threading

            _loop = asyncio.new_event_loop()


            def run_loop(loop):
                asyncio.set_event_loop(loop)
                loop.run_forever()


            threading.Thread(target=run_loop, args=(_loop,), daemon=True).start()
            RUNNERS = [run_loop]


            async def main():
                pass


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            "the loop's runner run_loop() is also used at line 13: it stays, and its thread with it",
        )

    def test_task_the_file_cannot_register(self):
        """A class of the module named TaskManager: the runtime's is never called through that
        name, so the dropped submission cannot become a registered task; nothing is rewritten."""
        self.assertLeft(
            SERVICE
            + """

            class TaskManager:
                pass


            async def handle(n):
                asyncio.run_coroutine_threadsafe(fetch(n), _loop)
            """
            + MAIN,
            "line 17's task cannot be registered: the module's own TaskManager (line 12) is not "
            "loop_runtime.TaskManager: register the task with it by hand; the module is left as it was",
        )

    def test_noqa_on_the_loop_keeps_it(self):
        """`# noqa: LG101` on the loop's line: the user keeps that loop, so its thread stays too."""
        self.assertLeft(
            SERVICE.replace("new_event_loop()", "new_event_loop()  # noqa: LG101")
            + """

            async def handle(n):
                return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()
            """
            + MAIN,
            "line 4 carries a `# noqa` for LG101: the loop it makes or runs stays",
        )

    def test_future_kept(self):
        """The concurrent future is kept: its users (`add_done_callback`, `cancel`) would need a task."""
        self.assertLeft(
            SERVICE
            + """

            async def handle(n):
                future = asyncio.run_coroutine_threadsafe(fetch(n), _loop)
                return future
            """
            + MAIN,
            "line 13 keeps the future run_coroutine_threadsafe returns: its users would need a task of the one "
            "loop instead",
        )

    def test_non_daemon_thread(self):
        """A non-daemon loop thread kept the program alive until its loop was stopped."""
        source = (
            SERVICE.replace(", daemon=True", "")
            + """

            async def handle(n):
                return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()
            """
            + MAIN
        )
        self.assertLeft(source, NON_DAEMON)

    def test_result_under_a_threading_lock(self):
        """`.result()` under a `threading.Lock` held the whole loop; an await there lets another task
        block on the lock."""
        self.assertLeft(
            SERVICE
            + """

            _guard = threading.Lock()


            async def handle(n):
                with _guard:
                    return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()
            """
            + MAIN,
            "line 17: an await here would sit inside `with _guard:` (line 16), which holds a threading lock: "
            "another task that takes it would block the loop's thread (deadlock) or, for an RLock, get in too; "
            "move the call out of the block, or use an asyncio.Lock",
        )

    def test_loop_reached_from_outside_its_class(self):
        """`client._loop` used by other code: that code would lose its loop."""
        self.assertLeft(
            """
            import asyncio
            import threading


            class Client:
                def __init__(self):
                    self._loop = asyncio.new_event_loop()
                    threading.Thread(target=self._loop.run_forever, daemon=True).start()


            async def fetch():
                return 1


            async def main():
                client = Client()
                print(asyncio.run_coroutine_threadsafe(fetch(), client._loop).result())


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            "line 17 reaches the loop from outside its class (`client._loop`)",
        )

    def test_other_private_loops_are_not_its_shape(self):
        """A worker thread that runs a coroutine to completion is another codemod's shape: in a
        module where no thread runs `run_forever`, this codemod says nothing."""
        source = """
            import asyncio
            import threading


            async def job():
                return 1


            def work():
                loop = asyncio.new_event_loop()
                loop.run_until_complete(job())


            threading.Thread(target=work, daemon=True).start()
            """
        self.assertEqual(self.assertCodemod(source, source), [])

    def test_loop_run_forever_without_a_thread(self):
        """`loop.run_forever()` in a plain function starts no thread: not its shape, said generically."""
        source = """
            import asyncio


            def serve():
                loop = asyncio.new_event_loop()
                loop.run_forever()
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.line, note.code, note.reason) for note in notes],
            [(5, "LG101", NOT_A_LOOP_THREAD), (6, "LG103", NOT_A_LOOP_THREAD)],
        )

    def test_other_threads_beside_a_loop_thread_are_not_its_shape(self):
        """Beside a loop thread (left here: not a daemon), another worker's findings get the generic
        reason, which any other codemod's reason outranks in the summary."""
        source = """
            import asyncio
            import threading

            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever).start()


            def work():
                asyncio.set_event_loop(asyncio.new_event_loop())


            threading.Thread(target=work, daemon=True).start()
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.line, note.code, note.reason) for note in notes],
            [
                (4, "LG101", NON_DAEMON),
                (5, "LG401", NON_DAEMON),
                (9, "LG104", NOT_A_LOOP_THREAD),
                (9, "LG101", NOT_A_LOOP_THREAD),
                (12, "LG401", NOT_A_LOOP_THREAD),
            ],
        )
