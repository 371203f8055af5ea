# Shape seen in diego9621/Mangareader, desktop/controllers/reader_controller.py (public code): a
# PySide6 controller method that runs a private loop inline (new + set + run_until_complete,
# closed in finally) inside an outer try/except, then updates the view with the result.

from PySide6.QtGui import QPixmap
from qasync import asyncSlot


class PageViewer:
    @asyncSlot()
    async def show_remote_page(self):
        if not self.pages:
            return
        page = self.pages[self.index]
        try:
            pixmap = await (
                self.loader.fetch_pixmap(page)
            )
            self.pixmap = pixmap
            self.redraw()
        except Exception as error:
            self.label.setText(f"could not load page: {error}")
            self.pixmap = QPixmap()
