"""LG501-LG503: Qt reaches async code only through @asyncSlot."""
import sys

import qasync
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from qasync import asyncSlot as slot


class CoinList(QWidget):
    def __init__(self, service):
        super().__init__()
        self.service = service
        self.db = Database()
        self.refresh_button.clicked.connect(self._refresh)  # error: LG501
        self.reload_button.clicked.connect(lambda: self._refresh())  # error: LG501
        self.load_button.clicked.connect(self._load)
        self.sync_button.clicked.connect(self._sync)
        self.db.connect(self._refresh)

    async def _refresh(self):
        await self.service.load()

    @slot()
    async def _load(self):
        await self.service.load()

    def _sync(self):
        pass

    @slot()  # error: LG502
    def _broken(self):
        pass

    @qasync.asyncSlot  # error: LG502
    def _broken_too(self):
        pass

    def ask(self):
        dialog = QDialog(self)
        return dialog.exec()


def main():
    app = QApplication(sys.argv)
    window = CoinList(None)
    window.show()
    return app.exec()  # error: LG503


if __name__ == "__main__":
    sys.exit(QApplication.instance().exec_())  # error: LG503
