# Shape seen in hyeon-BL/Auto_trading_system, bitcoin_GUI/웹소켓/wss_pyqt.py (public code):
# QThread comes from `from PyQt5.QtCore import *`. The private loop in run() is added here to
# check that the star-imported QThread is recognised (LG401); the original's run() has none.
import asyncio

from PyQt5.QtCore import *
from PyQt5.QtWidgets import *


class Worker(QThread):
    received = pyqtSignal(dict)

    def run(self):  # error: LG401(col=5, func="Worker.run")
        loop = asyncio.new_event_loop()  # error: LG101(col=16, call="asyncio.new_event_loop")
        self.received.emit(loop.run_until_complete(self.fetch()))  # error: LG103(col=28, call="run_until_complete")

    async def fetch(self):
        return {}


if __name__ == "__main__":
    app = QApplication([])
    app.exec_()
