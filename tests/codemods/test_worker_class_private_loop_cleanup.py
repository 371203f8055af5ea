"""A finally that tidies the private loop (its tasks cancelled and gathered, its async generators
shut down, the loop closed and uninstalled) goes with the loop, in a worker class
(worker_class_to_task) and in the inline thread shape (thread_loop_to_async_slot); what else the
finally does stays. Left, with the reason, when the module spawns tasks the cancelling would have
ended, or when the finally uses the loop or its tasks for more than tidying.

The runnable twin is ``tests/worker_twins/private_loop_cleanup/`` (``tests/test_worker_twins.py``).
"""

from __future__ import annotations

from textwrap import dedent

from loopguard_codemods.thread_loop_to_async_slot import ThreadLoopToAsyncSlot
from loopguard_codemods.worker_class_to_task import WorkerClassToTask
from tests.codemods.helpers import FindingCodemodTest


def code(text: str) -> str:
    return dedent(text).lstrip("\n")


HEADER = code("""
    import asyncio

    from PySide6.QtCore import QThread, Signal


    class Fetch(QThread):
        done = Signal(object)
        failed = Signal(str)

        def run(self):
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                self.done.emit(loop.run_until_complete(self.fetch()))
            except Exception as error:
                self.failed.emit(str(error))
            finally:
    """)

REWRITTEN = code("""
    from PySide6.QtCore import Signal

    from loop_runtime import QThreadTask


    class Fetch(QThreadTask):
        done = Signal(object)
        failed = Signal(str)

        async def run(self):
            try:
                self.done.emit(await self.fetch())
            except Exception as error:
                self.failed.emit(str(error))
    """)

FULL_CLEANUP = """\
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()
"""


class TestWorkerClassCleanupGoes(FindingCodemodTest):
    TRANSFORM = WorkerClassToTask

    def test_cancel_gather_shutdown_close_and_uninstall_go_with_the_loop(self):
        notes = self.assertCodemod(HEADER + FULL_CLEANUP, REWRITTEN)
        self.assertEqual(notes, [])

    def test_the_finally_keeps_what_is_the_workers_own(self):
        """An emit and a log line in the finally are not the loop's: they stay, in place."""
        self.assertCodemod(
            HEADER + FULL_CLEANUP + "            self.failed.emit('over')\n",
            REWRITTEN + "        finally:\n            self.failed.emit('over')\n",
        )

    def test_variants_task_all_tasks_a_closed_guard_and_stop(self):
        """``asyncio.Task.all_tasks(loop)``, ``if not t.done()``, an ``is_closed()`` guard, ``stop()``."""
        self.assertCodemod(
            HEADER
            + """\
            if not loop.is_closed():
                for task in asyncio.Task.all_tasks(loop):
                    if not task.done():
                        task.cancel()
                loop.stop()
                loop.run_until_complete(loop.shutdown_default_executor())
                loop.close()
""",
            REWRITTEN,
        )

    def test_be1k0_yuque_bdt_cleanup_nested_in_try_except_finally(self):
        """Shape of Be1k0/YuQue-BdT, utils/async_worker.py (public code, minimal form): the cleanup
        has its own try whose handler reports a cleanup failure; with the cleanup it goes."""
        self.assertCodemod(
            HEADER
            + """\
            # make sure the loop is always closed
            try:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            except Exception as cleanup_error:
                self.failed.emit(f"cleanup failed: {cleanup_error}")
            finally:
                loop.close()
""",
            REWRITTEN,
        )

    def test_voodoosim_tgcc_loop_in_an_attribute_under_an_if(self):
        """Shape of voodoosim/tgcc, ui/async_worker.py (public code, minimal form): the loop kept in
        ``self.loop``, made inside the try, tidied under ``if self.loop:``; the log line stays."""
        self.assertCodemod(
            code("""
            import asyncio
            import logging

            from PyQt5.QtCore import QThread, pyqtSignal

            logger = logging.getLogger(__name__)


            class AsyncWorker(QThread):
                result = pyqtSignal(object)
                error = pyqtSignal(str)

                def __init__(self, coro):
                    super().__init__()
                    self.coro = coro
                    self.loop = None

                def run(self):
                    try:
                        self.loop = asyncio.new_event_loop()
                        asyncio.set_event_loop(self.loop)
                        self.result.emit(self.loop.run_until_complete(self.coro))
                    except (RuntimeError, ValueError) as e:
                        self.error.emit(str(e))
                    finally:
                        if self.loop:
                            try:
                                pending = asyncio.all_tasks(self.loop)
                                for task in pending:
                                    task.cancel()
                                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                                self.loop.close()
                            except (RuntimeError, OSError) as e:
                                logger.error("cleanup failed: %s", e)
                        logger.info("worker over")


            def start(coro):
                worker = AsyncWorker(coro)
                worker.start()
                return worker
            """),
            code("""
            import logging

            from PyQt5.QtCore import pyqtSignal

            from loop_runtime import QThreadTask

            logger = logging.getLogger(__name__)


            class AsyncWorker(QThreadTask):
                result = pyqtSignal(object)
                error = pyqtSignal(str)

                def __init__(self, coro):
                    super().__init__()
                    self.coro = coro

                async def run(self):
                    try:
                        self.result.emit(await self.coro)
                    except (RuntimeError, ValueError) as e:
                        self.error.emit(str(e))
                    finally:
                        logger.info("worker over")


            def start(coro):
                worker = AsyncWorker(coro)
                worker.start()
                return worker
            """),
        )


class TestWorkerClassCleanupLeft(FindingCodemodTest):
    TRANSFORM = WorkerClassToTask

    def assertLeft(self, source: str, reason: str) -> None:  # noqa: N802 (unittest naming)
        notes = self.assertCodemod(source, source)
        self.assertEqual({note.reason for note in notes}, {reason})
        self.assertIn("LG401", {note.code for note in notes})

    def test_a_module_that_spawns_tasks(self):
        """The work may leave a task running that the finally cancelled; on the one loop it would
        outlive run()."""
        self.assertLeft(
            HEADER
            + FULL_CLEANUP
            + code("""

            async def fetch_all(urls):
                for url in urls:
                    asyncio.create_task(download(url))
            """),
            "the finally cancels the tasks left on the private loop, and this module spawns tasks"
            " (create_task() at line 27): on the one loop they would outlive run()",
        )

    def test_the_finally_reads_the_loops_tasks_for_more_than_cancelling(self):
        self.assertLeft(
            HEADER + FULL_CLEANUP + "            self.failed.emit(f'{len(pending)} cancelled')\n",
            "the private loop's tasks 'pending' are used for more than cancelling them",
        )

    def test_the_finally_uses_the_loop_for_other_work(self):
        self.assertLeft(
            HEADER + "            print(len(asyncio.all_tasks(loop)))\n" + FULL_CLEANUP,
            "'loop' is used for more than running coroutines",
        )

    def test_a_gather_that_raises_the_cancellation(self):
        """Without return_exceptions=True the gather raises out of the finally: not only tidying."""
        self.assertLeft(
            HEADER + FULL_CLEANUP.replace(", return_exceptions=True", ""),
            "the private loop's tasks 'pending' are used for more than cancelling them",
        )


INLINE = code("""
    import asyncio
    import threading

    from PySide6.QtCore import Signal
    from PySide6.QtWidgets import QWidget


    class Panel(QWidget):
        loaded = Signal(list)

        def refresh(self):
            def work():
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
                try:
                    self.loaded.emit(loop.run_until_complete(self.service.rows()))
                finally:
                    pending = asyncio.all_tasks(loop)
                    for task in pending:
                        task.cancel()
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                    loop.close()

            threading.Thread(target=work, daemon=True).start()
    """)


class TestInlineThreadCleanup(FindingCodemodTest):
    TRANSFORM = ThreadLoopToAsyncSlot

    def test_the_cleanup_goes_with_the_loop(self):
        notes = self.assertCodemod(
            INLINE,
            code("""
            from PySide6.QtCore import Signal
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Panel(QWidget):
                loaded = Signal(list)

                @asyncSlot()
                async def refresh(self):
                    self.loaded.emit(await self.service.rows())
            """),
        )
        self.assertEqual(notes, [])

    def test_left_when_the_module_spawns_tasks(self):
        source = INLINE + "\n\nasync def poll():\n    asyncio.ensure_future(poll())\n"
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            {note.reason for note in notes},
            {
                "the finally cancels the tasks left on the private loop, and this module spawns tasks"
                " (ensure_future() at line 28): on the one loop they would outlive run()"
            },
        )
