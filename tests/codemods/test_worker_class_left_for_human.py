"""worker_class_to_task: the workers it leaves for a human, each with its reason, and a worker of
the same shape migrated through the whole chain of codemods."""

from __future__ import annotations

from textwrap import dedent

from loopguard_codemods.pipeline import migrate_source
from loopguard_codemods.worker_class_to_task import NO_QT_MODULE, WorkerClassToTask
from tests.codemods.helpers import FindingCodemodTest


def code(text: str) -> str:
    return dedent(text).lstrip("\n")


QT_WORKER = code("""
    import asyncio

    from PySide6.QtCore import QThread, Signal


    class Loader(QThread):
        loaded = Signal(list)

        def run(self):
            loop = asyncio.new_event_loop()
            self.loaded.emit(loop.run_until_complete(self.fetch()))
            loop.close()
    """)


class TestLeftForAHuman(FindingCodemodTest):
    TRANSFORM = WorkerClassToTask

    def assertLeft(self, source: str, reason: str) -> None:  # noqa: N802 (unittest naming)
        notes = self.assertCodemod(source, source)
        self.assertTrue(notes, "nothing was listed for a human")
        self.assertEqual({note.reason for note in notes}, {reason})
        self.assertIn("LG401", {note.code for note in notes})

    def test_a_worker_waited_for(self):
        self.assertLeft(
            QT_WORKER
            + "\n\n"
            + code("""
            class Window:
                def closeEvent(self, event):
                    self.loader.quit()
                    self.loader.wait()

                def load(self):
                    self.loader = Loader()
                    self.loader.start()
            """),
            "Loader.wait() is called at line 18, which blocks until the thread ends; "
            "from synchronous code it has no one-loop meaning",
        )

    def test_workers_kept_in_a_dict_and_joined_in_a_loop(self):
        source = code("""
            import asyncio
            import threading

            from PySide6.QtWidgets import QWidget


            class Sync(threading.Thread):
                def run(self):
                    asyncio.run(self.sync())


            class Panel(QWidget):
                def start_all(self, names):
                    self.syncs = {}
                    for name in names:
                        self.syncs[name] = Sync()
                        self.syncs[name].start()

                def stop_all(self):
                    for sync in self.syncs.values():
                        sync.join()
            """)
        self.assertLeft(
            source,
            "Sync.join() is called at line 21, which blocks until the thread ends; "
            "from synchronous code it has no one-loop meaning",
        )

    def test_move_to_thread_inside_the_class(self):
        self.assertLeft(
            QT_WORKER.replace(
                "    loaded = Signal(list)\n",
                "    loaded = Signal(list)\n\n    def __init__(self, helper):\n"
                "        super().__init__()\n        helper.moveToThread(self)\n        self.moveToThread(self)\n",
            ),
            "__init__() uses self.moveToThread(), which moves the object's slots to another thread",
        )

    def test_an_event_loop_of_qt_in_the_thread(self):
        self.assertLeft(
            QT_WORKER.replace("        loop.close()\n", "        loop.close()\n        self.exec()\n"),
            "run() uses self.exec(), which has no meaning once the worker is a task of the one loop",
        )

    def test_a_module_without_qt(self):
        """The threadpool broker fixture's TokenRefresher: started from synchronous main() before any
        loop runs, so a task has nowhere to run."""
        source = code("""
            import asyncio
            import threading


            class TokenRefresher(threading.Thread):
                def run(self):
                    asyncio.run(self.refresh_forever())
            """)
        self.assertLeft(source, NO_QT_MODULE)

    def test_the_private_loop_is_fed_by_other_code(self):
        self.assertLeft(
            code("""
            import asyncio

            from PySide6.QtCore import QThread


            class LoopThread(QThread):
                def run(self):
                    self.loop = asyncio.new_event_loop()
                    asyncio.set_event_loop(self.loop)
                    self.loop.run_until_complete(self.serve())

                def submit(self, coro):
                    return asyncio.run_coroutine_threadsafe(coro, self.loop)
            """),
            "the private loop self.loop is used in submit() for more than running the work",
        )

    def test_the_private_loop_is_read_from_outside(self):
        self.assertLeft(
            code("""
            import asyncio

            from PySide6.QtCore import QThread


            class LoopThread(QThread):
                def run(self):
                    self.loop = asyncio.new_event_loop()
                    self.loop.run_until_complete(self.serve())


            def feed(thread, coro):
                asyncio.run_coroutine_threadsafe(coro, thread.loop)


            def start():
                thread = LoopThread()
                feed(thread, None)
                print(thread.loop)
            """),
            "the worker's private loop .loop is used at line 19: a loop made for it and used elsewhere",
        )

    def test_an_await_under_a_threading_lock(self):
        self.assertLeft(
            code("""
            import asyncio
            import threading

            from PySide6.QtCore import QThread

            LOCK = threading.Lock()


            class Writer(QThread):
                def run(self):
                    loop = asyncio.new_event_loop()
                    with LOCK:
                        loop.run_until_complete(self.write())
                    loop.close()
            """),
            "an await would run while LOCK is held: the lock would be held across the loop",
        )

    def test_a_thread_base_inherited_through_another_class(self):
        self.assertLeft(
            code("""
            import asyncio

            from PySide6.QtCore import QThread


            class BaseWorker(QThread):
                pass


            class Loader(BaseWorker):
                def run(self):
                    asyncio.run(self.load())
            """),
            "the thread class is inherited through another class: convert the classes together by hand",
        )

    def test_a_subclass_that_overrides_run(self):
        self.assertLeft(
            QT_WORKER
            + "\n\n"
            + code("""
            class CachedLoader(Loader):
                def run(self):
                    self.loaded.emit([])
            """),
            "CachedLoader derives from Loader: convert the classes together by hand",
        )

    def test_a_pool_that_may_be_handed_a_runnable_of_unknown_class(self):
        self.assertLeft(
            code("""
            import asyncio

            from PySide6.QtCore import QRunnable, QThreadPool


            class Job(QRunnable):
                def run(self):
                    asyncio.run(self.work())


            def submit(runnable):
                QThreadPool.globalInstance().start(runnable)


            def start_one():
                QThreadPool.globalInstance().start(Job())
            """),
            "the pool started at line 12 may be handed a Job, which then has to start itself",
        )

    def test_a_blocking_sleep_with_no_later_codemod_to_fix_it(self):
        """Alone, the codemod must not leave LG403 behind; in the chain blocking_to_async fixes it."""
        self.assertLeft(
            QT_WORKER.replace("        loop.close()\n", "        loop.close()\n        time.sleep(1)\n").replace(
                "import asyncio\n", "import asyncio\nimport time\n"
            ),
            "as a coroutine the worker would be flagged LG403 (blocking time.sleep() in a coroutine stalls "
            "the event loop; use await asyncio.sleep())",
        )


def test_in_the_chain_a_blocking_sleep_in_run_becomes_an_awaited_sleep():
    source = QT_WORKER.replace("        loop.close()\n", "        loop.close()\n        time.sleep(1)\n").replace(
        "import asyncio\n", "import asyncio\nimport time\n"
    )
    result = migrate_source(source, "loaders.py")
    assert result.fixes == {"worker_class_to_task": 3, "blocking_to_async": 1}
    assert "    async def run(self):\n        self.loaded.emit(await self.fetch())\n        await asyncio.sleep(1)\n" in (
        result.source_after
    )
    assert result.left_for_human == []
