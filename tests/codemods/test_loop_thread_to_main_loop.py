"""loop_thread_to_main_loop alone (as ``python -m libcst.tool codemod`` runs it): a daemon thread
running ``loop.run_forever`` goes where the module's entry point already runs the one loop, and
each submission to it becomes work on that loop. What it leaves, with its reason:
``test_loop_thread_left_for_human.py``; the programs that must print the same before and after:
``test_loop_thread_programs.py``."""

from loopguard_codemods.loop_thread_to_main_loop import LoopThreadToMainLoop

from .helpers import FindingCodemodTest


class TestLoopThreadsAreRemoved(FindingCodemodTest):
    TRANSFORM = LoopThreadToMainLoop

    def test_module_loop_thread_and_every_submission_kind(self):
        """The loop and its thread go (their comments stay); a dropped submission becomes a
        registered task, `.result()` and `await wrap_future(...)` become awaits (parenthesized
        where an attribute follows), `call_soon_threadsafe` the running loop's `call_soon`."""
        notes = self.assertCodemod(
            """
            import asyncio
            import threading

            # one loop for the network calls
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, daemon=True).start()  # at import


            async def fetch(n):
                return str(n)


            def log(text):
                print(text)


            async def handle(n):
                asyncio.run_coroutine_threadsafe(fetch(0), _loop)
                text = asyncio.run_coroutine_threadsafe(fetch(n), _loop).result().upper()
                _loop.call_soon_threadsafe(log, text)
                return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(fetch(text), _loop))


            async def main():
                print(await handle(1))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()

            # one loop for the network calls
            # at import


            async def fetch(n):
                return str(n)


            def log(text):
                print(text)


            async def handle(n):
                _task_manager.add_task(asyncio.create_task(fetch(0)), name="service:handle")
                text = (await fetch(n)).upper()
                asyncio.get_running_loop().call_soon(log, text)
                return await fetch(text)


            async def main():
                print(await handle(1))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        )
        self.assertEqual(notes, [])

    def test_loop_of_an_instance_made_in_init(self):
        """`self._loop` made in `__init__` with its thread: the class's manager takes the task,
        an `__init__` left empty keeps a `pass`."""
        self.assertCodemod(
            """
            import asyncio
            from threading import Thread


            class Client:
                def __init__(self):
                    self._loop = asyncio.new_event_loop()
                    Thread(target=self._loop.run_forever, daemon=True, name="client").start()

                async def _fetch(self, n):
                    return n

                async def get(self, n):
                    return asyncio.run_coroutine_threadsafe(self._fetch(n), self._loop).result()

                async def ping(self):
                    asyncio.run_coroutine_threadsafe(self._fetch(0), self._loop)


            async def main():
                print(await Client().get(1))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Client:
                _task_manager = TaskManager()

                def __init__(self):
                    pass

                async def _fetch(self, n):
                    return n

                async def get(self, n):
                    return await self._fetch(n)

                async def ping(self):
                    self._task_manager.add_task(asyncio.create_task(self._fetch(0)), name="service:Client:ping")


            async def main():
                print(await Client().get(1))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        )

    def test_function_target_that_sets_and_runs_the_loop(self):
        """`Thread(target=start_loop, args=(loop,))` where `start_loop` only installs and runs the
        loop (the shape of 5wHN28Dg/Direct-Share's linux/directshare/past.py, here fed from a
        coroutine): the function goes too, its comments stay."""
        self.assertCodemod(
            """
            import asyncio
            import threading

            async_loop = asyncio.new_event_loop()


            def start_async_loop(loop):
                \"\"\"Runs the loop for the whole program.\"\"\"
                asyncio.set_event_loop(loop)
                loop.run_forever()  # until the process ends


            threading.Thread(target=start_async_loop, args=(async_loop,), daemon=True).start()


            async def share(name):
                return name


            async def main():
                print(asyncio.run_coroutine_threadsafe(share("a"), async_loop).result())


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            """
            import asyncio


            # until the process ends


            async def share(name):
                return name


            async def main():
                print(await share("a"))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        )

    def test_thread_kept_in_a_name_only_to_start_it(self):
        """`_thread = Thread(...)` then `_thread.start()`, the name used nowhere else (the shape of
        the background-loop helpers real code keeps in a module of its own): both lines go."""
        self.assertCodemod(
            """
            import asyncio
            from threading import Thread

            _loop = asyncio.new_event_loop()


            def _start_event_loop(loop):
                asyncio.set_event_loop(loop)
                loop.run_forever()


            _thread = Thread(target=_start_event_loop, args=(_loop,), daemon=True)
            _thread.start()


            async def job():
                return 1


            async def main():
                print(await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(job(), _loop)))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            """
            import asyncio


            async def job():
                return 1


            async def main():
                print(await job())


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        )

    def test_entry_point_file_running_the_loop_at_its_top_level(self):
        """`main.py` (an entry point by the configuration) runs `asyncio.run(main())` without a
        `__main__` guard: it owns the loop too."""
        self.assertCodemod(
            """
            import asyncio
            import threading

            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, daemon=True).start()


            async def fetch():
                return 1


            async def main():
                print(asyncio.run_coroutine_threadsafe(fetch(), _loop).result())


            asyncio.run(main())
            """,
            """
            import asyncio


            async def fetch():
                return 1


            async def main():
                print(await fetch())


            asyncio.run(main())
            """,
            filename="main.py",
        )

    def test_qasync_entry_point_owns_the_loop_too(self):
        """A Qt program whose `__main__` block runs `qasync.run(main())`: its coroutines run on
        the qasync loop, which takes the thread's work."""
        self.assertCodemod(
            """
            import asyncio
            import threading

            import qasync

            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, daemon=True).start()


            async def fetch(n):
                return n


            async def main():
                print(asyncio.run_coroutine_threadsafe(fetch(1), _loop).result())


            if __name__ == "__main__":
                qasync.run(main())
            """,
            """
            import asyncio

            import qasync


            async def fetch(n):
                return n


            async def main():
                print(await fetch(1))


            if __name__ == "__main__":
                qasync.run(main())
            """,
        )


class TestSubmissionsFromOtherThreads(FindingCodemodTest):
    TRANSFORM = LoopThreadToMainLoop

    def test_thread_started_by_a_coroutine_keeps_submitting_to_the_one_loop(self):
        """A function only run by threads that coroutines start keeps `run_coroutine_threadsafe`
        (and its `.result()`, which blocks that thread, not the loop): the name is bound to None at
        import and to the one loop as the entry coroutine starts, after its docstring."""
        self.assertCodemod(
            """
            import asyncio
            import threading

            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, daemon=True).start()


            async def store(item):
                return item


            def producer(items):
                for item in items:
                    print(asyncio.run_coroutine_threadsafe(store(item), loop).result())
                loop.call_soon_threadsafe(print, "end")


            async def main():
                \"\"\"The application.\"\"\"
                await asyncio.to_thread(producer, ["a"])


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            """
            import asyncio

            loop = None


            async def store(item):
                return item


            def producer(items):
                for item in items:
                    print(asyncio.run_coroutine_threadsafe(store(item), loop).result())
                loop.call_soon_threadsafe(print, "end")


            async def main():
                \"\"\"The application.\"\"\"
                global loop
                loop = asyncio.get_running_loop()
                await asyncio.to_thread(producer, ["a"])


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        )

    def test_thread_started_at_import_is_left(self):
        """A producer thread started at import would submit before any loop is captured."""
        source = """
            import asyncio
            import threading

            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, daemon=True).start()


            async def store(item):
                return item


            def producer():
                asyncio.run_coroutine_threadsafe(store(1), loop)


            threading.Thread(target=producer).start()


            async def main():
                pass


            if __name__ == "__main__":
                asyncio.run(main())
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            {(note.code, note.reason) for note in notes},
            {
                (
                    code,
                    "line 13 submits to the loop thread from synchronous code that is not only run by a thread a "
                    "coroutine starts: whether it runs on the loop or before the loop is not known here",
                )
                for code in ("LG101", "LG401")
            },
        )

    def test_entry_coroutine_that_uses_the_name_is_left(self):
        """`global loop` in a main() that binds its own `loop` would change what main() does: that
        binding is a use of the loop's name this codemod does not take."""
        source = """
            import asyncio
            import threading

            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, daemon=True).start()


            async def store(item):
                return item


            def producer():
                asyncio.run_coroutine_threadsafe(store(1), loop)


            async def main():
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, print, 1)
                await asyncio.to_thread(producer)


            if __name__ == "__main__":
                asyncio.run(main())
            """
        notes = self.assertCodemod(source, source)
        self.assertIn(
            "line 17 uses the loop otherwise (`loop = asyncio.get_running_loop()`): it has no one-loop meaning this "
            "codemod can write",
            {note.reason for note in notes},
        )


def test_real_gui_program_is_left_with_the_gui_reason():
    """The Dear PyGui program of ``real_code/gui_callbacks_feed_loop_thread.py`` (its source named
    there): every finding of its loop thread, the runner's included, says why, through the pipeline."""
    from pathlib import Path

    from flake8_loopguard.core.config import Config
    from loopguard_codemods.pipeline import migrate_source

    path = Path(__file__).parent / "real_code" / "gui_callbacks_feed_loop_thread.py"
    source = path.read_text(encoding="utf-8")
    result = migrate_source(source, "app.py", Config())
    assert result.source_after == source
    reason = (
        "the main thread runs a GUI main loop (`dpg.start_dearpygui()`, line 34), which must keep it: the entry "
        "point cannot own an asyncio loop, so the loop thread stays"
    )
    assert [(note.line, note.code, note.codemod, note.reason) for note in result.left_for_human] == [
        (9, "LG101", "loop_thread_to_main_loop", reason),
        (13, "LG104", "loop_thread_to_main_loop", reason),
        (14, "LG103", "loop_thread_to_main_loop", reason),
        (17, "LG401", "loop_thread_to_main_loop", reason),
    ]
