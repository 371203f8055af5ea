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
        self.refresh_button.clicked.connect(self._refresh)  # error: LG501(col=9, func="_refresh")
        self.reload_button.clicked.connect(lambda: self._refresh())  # error: LG501(col=9, func="_refresh")
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

    @slot()  # error: LG502(col=6)
    def _broken(self):
        pass

    @qasync.asyncSlot  # error: LG502(col=6)
    def _broken_too(self):
        pass

    def ask(self):
        dialog = QDialog(self)
        return dialog.exec()


def main():
    app = QApplication(sys.argv)
    window = CoinList(None)
    window.show()
    return app.exec()  # error: LG503(col=12, call="app.exec")


if __name__ == "__main__":
    sys.exit(QApplication.instance().exec_())  # error: LG503(col=14, call="QApplication.instance().exec_")


import functools

from PySide6.QtCore import Qt, QTimer
from myapp.vendor.qasync_copy import asyncSlot


def ui_slot(*types):
    """The application's own decorator that applies qasync's."""
    return qasync.asyncSlot(*types)


class RefreshBase(QWidget):
    async def _refresh(self):
        await self.service.load()


class Orderbook(RefreshBase):
    def __init__(self, service):
        super().__init__()
        self.service = service
        self.symbol_box.currentTextChanged.connect(self._refresh)  # error: LG501(col=9, func="_refresh")
        self.button.clicked.connect(self._refresh, Qt.QueuedConnection)  # error: LG501(col=9, func="_refresh")
        self.button.clicked.connect(slot=self._refresh)  # error: LG501(col=9, func="_refresh")
        self.button.clicked.connect(functools.partial(self._select, "KRW-BTC"))  # error: LG501(col=9, func="_select")
        self.button.clicked.connect(self._vendored)
        self.button.clicked.connect(self._wrapped)
        self.button.clicked.connect(functools.partial(self._wrapped, 1))

    async def _select(self, symbol):
        await self.service.load()

    @asyncSlot()
    async def _vendored(self):
        await self.service.load()

    @ui_slot()
    async def _wrapped(self, *args):
        await self.service.load()

    @ui_slot()  # error: LG502(col=6)
    def _wrapped_plain(self):
        pass


class DesktopApp(QApplication):
    pass


APP = QApplication(sys.argv)


def run_module_app():
    return APP.exec()  # error: LG503(col=12, call="APP.exec")


def run_other_forms():
    DesktopApp(sys.argv).exec()  # error: LG503(col=5, call="DesktopApp().exec")
    QApplication(sys.argv).exec()  # error: LG503(col=5, call="QApplication().exec")
    QApplication.exec()  # error: LG503(col=5, call="QApplication.exec")
    custom = DesktopApp([])
    custom.exec_()  # error: LG503(col=5, call="custom.exec_")
    timer = QTimer()
    timer.singleShot(0, print)
    menu = QDialog()
    menu.exec()


def run_found_app():
    app = QApplication.instance()
    sys.exit(app.exec())  # error: LG503(col=14, call="app.exec")


def run_found_or_made_app():
    app = QApplication.instance() or QApplication(sys.argv)
    return app.exec_()  # error: LG503(col=12, call="app.exec_")


def run_found_or_made_subclass():
    app = DesktopApp.instance()
    app.exec()  # error: LG503(col=5, call="app.exec")
    return (QApplication.instance() or DesktopApp(sys.argv)).exec()  # error: LG503(col=12, call="(QApplication.instance() or DesktopApp()).exec")


def dialogs_found_or_made(parent):
    box = parent.findChild(QDialog) or QDialog(parent)
    box.exec()
    window = QWidget.find(0)
    window.exec()
