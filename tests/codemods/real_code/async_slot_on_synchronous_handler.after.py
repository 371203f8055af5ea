# Shape seen in public code (a PyQt6 + pyqtgraph + qasync beam-control panel found by code search;
# the index gave the excerpt without its repository): a handler that only reads spin boxes and
# updates widgets is decorated @asyncSlot() without being a coroutine, so every click runs it and
# then fails in qasync (TypeError). It becomes a plain @pyqtSlot(); its neighbour that returns a
# coroutine for qasync to schedule works as it is and is left for a human.
from PyQt6.QtCore import pyqtSlot
from PyQt6.QtWidgets import QHBoxLayout, QPushButton
from qasync import asyncSlot


class ResolutionBox(QHBoxLayout):
    def __init__(self, x_resolution, y_resolution, display):
        super().__init__()
        self.x_resolution = x_resolution
        self.y_resolution = y_resolution
        self.display = display
        self.apply_button = QPushButton("->")
        self.apply_button.clicked.connect(self.apply)
        self.scan_button = QPushButton("scan")
        self.scan_button.clicked.connect(self.start_scan)

    @pyqtSlot()
    def apply(self):
        height = int(self.y_resolution.cleanText())
        width = int(self.x_resolution.cleanText())
        self.display.set_range(height, width)

    @asyncSlot()
    def start_scan(self):
        self.scan_button.setEnabled(False)
        return self.scan()

    async def scan(self):
        self.scan_button.setEnabled(True)
