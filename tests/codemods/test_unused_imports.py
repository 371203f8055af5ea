"""Imports a rewrite leaves unused go; those still used, re-exported or possibly loaded for a side effect stay."""

from __future__ import annotations

from loopguard_codemods.connected_coroutine_to_async_slot import ConnectedCoroutineToAsyncSlot
from loopguard_codemods.import_order import safe_removals
from loopguard_codemods.project_style import style_for
from loopguard_codemods.run_to_await import RunToAwait
from loopguard_codemods.running_branch_to_task import RunningBranchToTask
from loopguard_codemods.thread_loop_to_async_slot import ThreadLoopToAsyncSlot

from .helpers import FindingCodemodTest

QT_WORKER = """
    import asyncio
    from threading import Thread

    from PySide6.QtCore import Signal, Slot
    from PySide6.QtWidgets import QWidget


    class Panel(QWidget):
        loaded = Signal(object)

        @Slot()
        def refresh(self):
            def worker():
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
                try:
                    data = loop.run_until_complete(self.service.load())
                    self.loaded.emit(data)
                finally:
                    loop.close()
            Thread(target=worker, daemon=True).start()
    """


class TestThreadLoopToAsyncSlot(FindingCodemodTest):
    TRANSFORM = ThreadLoopToAsyncSlot
    FILENAME = "panel.py"

    def test_slot_goes_once_the_slot_is_an_async_slot(self):
        """`@Slot()` -> `@asyncSlot()`: `Slot` is no longer used, nor are `asyncio` and `Thread`."""
        self.assertCodemod(
            QT_WORKER,
            """
            from PySide6.QtCore import Signal
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Panel(QWidget):
                loaded = Signal(object)

                @asyncSlot()
                async def refresh(self):
                    data = await self.service.load()
                    self.loaded.emit(data)
            """,
        )

    def test_slot_still_used_elsewhere_stays(self):
        source = QT_WORKER + """
        @Slot(int)
        def resize(self, width):
            self.width = width
    """
        self.assertCodemod(
            source,
            """
            from PySide6.QtCore import Signal, Slot
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Panel(QWidget):
                loaded = Signal(object)

                @asyncSlot()
                async def refresh(self):
                    data = await self.service.load()
                    self.loaded.emit(data)

                @Slot(int)
                def resize(self, width):
                    self.width = width
            """,
        )


class TestRunningBranchToTask(FindingCodemodTest):
    TRANSFORM = RunningBranchToTask

    def test_a_loop_getter_imported_by_name_goes_with_the_branch(self):
        """`from asyncio import get_event_loop`, used only by the branch and the dropped `loop = ...`."""
        self.assertCodemod(
            """
            import asyncio
            from asyncio import get_event_loop


            class Publisher:
                def _publish(self, event):
                    loop = get_event_loop()
                    if loop.is_running():
                        loop.create_task(self._send(event))
                    else:
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
                    self._task_manager.add_task(
                        asyncio.get_running_loop().create_task(self._send(event)), name="service:Publisher:_publish"
                    )

                async def _send(self, event):
                    pass

                async def relay(self, event):
                    self._publish(event)
            """,
        )


class TestRunToAwait(FindingCodemodTest):
    TRANSFORM = RunToAwait

    def test_run_imported_by_name_goes(self):
        """`from asyncio import run`: the awaited call no longer uses it."""
        self.assertCodemod(
            """
            from asyncio import run


            async def fetch():
                return 1


            def load():
                return run(fetch())


            async def main():
                print(load())
            """,
            """
            async def fetch():
                return 1


            async def load():
                return await fetch()


            async def main():
                print(await load())
            """,
        )


class TestReExportedNames(FindingCodemodTest):
    TRANSFORM = ConnectedCoroutineToAsyncSlot
    FILENAME = "panel.py"

    def test_a_name_of_all_stays(self):
        """`Slot` is in `__all__`: other modules may import it from here (libcst's scope analysis
        counts the name in `__all__` as a use; a guard against losing that)."""
        self.assertCodemod(
            """
            from PySide6.QtCore import Slot
            from PySide6.QtWidgets import QWidget

            __all__ = ["Panel", "Slot"]


            class Panel(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button.clicked.connect(self.save)

                @Slot()
                async def save(self):
                    pass
            """,
            """
            from PySide6.QtCore import Slot
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot

            __all__ = ["Panel", "Slot"]


            class Panel(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button.clicked.connect(self.save)

                @asyncSlot()
                async def save(self):
                    pass
            """,
        )


def test_only_side_effect_free_modules_are_removed():
    """The standard library, the Qt bindings and qasync load without a side effect a program
    relies on; a project's or another library's module may register something when imported."""
    requests = [
        ("asyncio", None, None),
        ("threading", "Thread", None),
        ("PyQt5.QtCore", "pyqtSlot", None),
        ("qasync", "asyncSlot", None),
        ("app.plugins", None, None),  # may register plugins when imported
        ("gevent", "monkey", None),
    ]
    assert safe_removals(requests, style_for(None)) == requests[:4]
