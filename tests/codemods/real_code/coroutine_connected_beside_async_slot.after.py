# Shape seen in M-Chan/pyqt5_asyncTesting, multipleButtons.py (public code): a window wires one
# button to a plain handler, one to a coroutine function without a decorator (clicking it creates
# a coroutine nobody awaits) and one to an @asyncSlot() coroutine; the undecorated coroutine gets
# the same @asyncSlot() as its neighbour, from the import the module already has.
from PyQt5.QtWidgets import QMainWindow, QPushButton
from qasync import asyncSlot


class ButtonsWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.add_buttons()

    def add_buttons(self):
        plain = QPushButton("plain", self)
        plain.clicked.connect(self.on_plain)
        bare = QPushButton("coroutine", self)
        bare.clicked.connect(self.on_coroutine)
        decorated = QPushButton("decorated", self)
        decorated.clicked.connect(self.on_decorated)

    def on_plain(self):
        print("plain handler")

    @asyncSlot()
    async def on_coroutine(self):
        print("coroutine handler")

    @asyncSlot()
    async def on_decorated(self):
        print("decorated handler")
