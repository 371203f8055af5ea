# Shape seen in diego9621/Mangareader, desktop/controllers/reader_controller.py (public code): a
# PySide6 controller method that runs a private loop inline (new + set + run_until_complete,
# closed in finally) inside an outer try/except, then updates the view with the result.
import asyncio

from PySide6.QtGui import QPixmap


class PageViewer:
    def show_remote_page(self):
        if not self.pages:
            return
        page = self.pages[self.index]
        try:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                pixmap = loop.run_until_complete(
                    self.loader.fetch_pixmap(page)
                )
                self.pixmap = pixmap
                self.redraw()
            finally:
                loop.close()
        except Exception as error:
            self.label.setText(f"could not load page: {error}")
            self.pixmap = QPixmap()
