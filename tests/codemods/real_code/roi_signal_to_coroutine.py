# Shape seen in nanographs/Open-Beam-Interface, software/obi/gui/main.py (public code, 2024): a
# microscope window connects a pyqtgraph region's sigRegionChanged to a coroutine method that
# reads the region (the signal passes the region, the method takes only self: qasync drops the
# extra argument), next to an @asyncSlot() scan toggle that disconnects and reconnects itself.
import asyncio

from PyQt6.QtWidgets import QMainWindow
from qasync import asyncSlot


class ScanWindow(QMainWindow):
    def __init__(self, image_display, scan_button):
        super().__init__()
        self.image_display = image_display
        self.scan_button = scan_button
        self.scan_button.clicked.connect(self.toggle_live_scan)

    async def capture_roi(self):
        x_upper, x_lower, y_upper, y_lower = self.image_display.get_roi()
        await self.capture(x_lower, x_upper, y_lower, y_upper)

    @asyncSlot()
    async def toggle_live_scan(self):
        self.stop_scan = asyncio.Event()
        self.scan_button.clicked.disconnect(self.toggle_live_scan)
        self.scan_button.clicked.connect(self.stop_scan.set)
        await self.capture(0, 2048, 0, 2048)
        self.scan_button.clicked.connect(self.toggle_live_scan)

    def add_roi(self):
        self.image_display.add_roi()
        self.image_display.roi.sigRegionChanged.connect(self.capture_roi)

    async def capture(self, x_lower, x_upper, y_lower, y_upper):
        await asyncio.sleep(0)
