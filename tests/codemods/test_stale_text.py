"""Comments of removed lines are kept where they still mean something; a docstring that still
speaks of the removed thread or loop is pointed out (codemods/stale_text.py)."""

from __future__ import annotations

from loopguard_codemods.running_branch_to_task import RunningBranchToTask
from loopguard_codemods.thread_loop_to_async_slot import ThreadLoopToAsyncSlot
from loopguard_codemods.worker_class_to_task import WorkerClassToTask

from .helpers import FindingCodemodTest


class TestThreadLoopToAsyncSlot(FindingCodemodTest):
    TRANSFORM = ThreadLoopToAsyncSlot
    FILENAME = "panel.py"

    def test_comments_about_the_plumbing_go_with_it_and_the_docstring_is_pointed_out(self):
        """`# fetch from the service` still describes the fetch: it stays. The comments about the
        thread and the loop and the end-of-line comments of removed lines go; they are in the
        diff's removed lines. `# keep the view in sync` ended the method before: it stays.
        The docstring still says "background thread": a comment above it says so."""
        self.assertCodemod(
            """
            import asyncio
            import threading

            from PySide6.QtCore import Signal
            from PySide6.QtWidgets import QWidget


            class Panel(QWidget):
                loaded = Signal(object)

                def refresh(self):
                    \"\"\"Loads the rows in a background thread.\"\"\"
                    # the worker runs off the GUI thread
                    def worker():
                        # a private loop: Qt owns the main one
                        loop = asyncio.new_event_loop()
                        asyncio.set_event_loop(loop)
                        try:
                            # fetch from the service
                            rows = loop.run_until_complete(self.service.load())
                            self.loaded.emit(rows)  # hand the rows to the view
                        finally:
                            loop.close()  # always release it
                    threading.Thread(target=worker, daemon=True).start()  # do not block exit
                    # keep the view in sync
            """,
            """
            from PySide6.QtCore import Signal
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Panel(QWidget):
                loaded = Signal(object)

                @asyncSlot()
                async def refresh(self):
                    # loopguard: the docstring says "background thread"; this now runs as a task on the one loop
                    \"\"\"Loads the rows in a background thread.\"\"\"
                    # fetch from the service
                    rows = await self.service.load()
                    self.loaded.emit(rows)  # hand the rows to the view
                    # keep the view in sync
            """,
        )

    def test_a_docstring_about_the_work_only_gets_no_note(self):
        """"Polls in a loop" is not the event loop: no note."""
        self.assertCodemod(
            """
            import asyncio
            import threading

            from PySide6.QtWidgets import QWidget


            class Panel(QWidget):
                def refresh(self):
                    \"\"\"Reloads the rows; the service polls in a loop.\"\"\"
                    def worker():
                        asyncio.run(self.service.load())
                    threading.Thread(target=worker).start()
            """,
            """
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Panel(QWidget):
                @asyncSlot()
                async def refresh(self):
                    \"\"\"Reloads the rows; the service polls in a loop.\"\"\"
                    await self.service.load()
            """,
        )


class TestWorkerClassToTask(FindingCodemodTest):
    TRANSFORM = WorkerClassToTask
    FILENAME = "loader.py"

    def test_the_class_docstring_about_its_qthread_is_pointed_out(self):
        self.assertCodemod(
            """
            import asyncio

            from PySide6.QtCore import QThread, Signal


            class Loader(QThread):
                \"\"\"Runs fetch() on a QThread with its own event loop.\"\"\"

                loaded = Signal(object)

                def run(self):
                    # each thread needs its own loop
                    loop = asyncio.new_event_loop()
                    asyncio.set_event_loop(loop)
                    try:
                        data = loop.run_until_complete(fetch())  # the slow part
                        self.loaded.emit(data)
                    finally:
                        loop.close()  # release it


            async def fetch():
                return 1


            def start(window):
                window.loader = Loader()
                window.loader.start()
            """,
            """
            from PySide6.QtCore import Signal

            from loop_runtime import QThreadTask


            class Loader(QThreadTask):
                # loopguard: the docstring says "QThread"; this now runs as a task on the one loop
                \"\"\"Runs fetch() on a QThread with its own event loop.\"\"\"

                loaded = Signal(object)

                async def run(self):
                    data = await fetch()  # the slow part
                    self.loaded.emit(data)


            async def fetch():
                return 1


            def start(window):
                window.loader = Loader()
                window.loader.start()
            """,
        )


class TestRunningBranchToTask(FindingCodemodTest):
    TRANSFORM = RunningBranchToTask

    def test_comments_about_the_loop_go_with_the_branch_and_the_getter(self):
        """`# reuse the thread's loop` (above the dropped getter) and `# no loop running yet`
        (the else branch) spoke of what went; `# hand it over` (the running branch) stays."""
        self.assertCodemod(
            """
            import asyncio


            class Publisher:
                def _publish(self, event):
                    # reuse the thread's loop
                    loop = asyncio.get_event_loop()
                    if loop.is_running():
                        # hand it over
                        loop.create_task(self._send(event))
                    else:
                        # no loop running yet
                        loop.run_until_complete(self._send(event))

                async def _send(self, event):
                    pass

                async def relay(self, event):
                    self._publish(event)
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Publisher:
                _task_manager = TaskManager()

                def _publish(self, event):
                    # hand it over
                    self._task_manager.add_task(
                        asyncio.get_running_loop().create_task(self._send(event)), name="service:Publisher:_publish"
                    )

                async def _send(self, event):
                    pass

                async def relay(self, event):
                    self._publish(event)
            """,
        )
