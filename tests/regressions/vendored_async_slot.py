# Shape seen in inst-conductor/inst_conductor, conductor/main_window.py (public code): the
# application vendors qasync as conductor.qasync and imports asyncSlot from its copy. A
# decorator whose own name is asyncSlot makes an async slot (LG501 must not fire).
from PyQt6.QtWidgets import QMainWindow, QPushButton

from conductor.qasync import asyncSlot


class MainWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        button = QPushButton("Go", self)
        button.clicked.connect(self._on_click_go)
        button.toggled.connect(self._on_toggle)  # error: LG501(col=9, func="_on_toggle")

    @asyncSlot()
    async def _on_click_go(self):
        await self.refresh()

    async def _on_toggle(self):
        await self.refresh()

    async def refresh(self):
        pass
