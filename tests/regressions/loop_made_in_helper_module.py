# Shape seen in PopChicken/AcssFrontend, admin/mainwindow.py (public code): the qasync loop is
# made and run by functions of a helper module that main.py calls; that module is not the
# entry point, so those are loop boundaries.
import asyncio
import sys

from PySide6.QtWidgets import QApplication
from qasync import QEventLoop


class Window:
    def __init__(self, loop):
        self.loop = loop


window = None


def create_window():
    global window
    app = QApplication(sys.argv)
    loop = QEventLoop(app)  # error: LG101(col=12, call="qasync.QEventLoop")
    asyncio.set_event_loop(loop)  # error: LG104(col=5)
    window = Window(loop)
    return window


def run_window():
    with window.loop:
        return window.loop.run_forever()  # error: LG103(col=16, call="run_forever")
