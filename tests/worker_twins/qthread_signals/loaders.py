"""Twin of a QThread worker with its signals (shape of the seed's loaders and of public code):
run() makes a private loop, results and errors come back through the worker's signals; a
heartbeat polls isInterruptionRequested() and sleeps with msleep()."""

import asyncio

from PySide6.QtCore import QThread, Signal


class QuoteLoader(QThread):
    loaded = Signal(list)
    failed = Signal(str)

    def __init__(self, service, symbols, parent=None):
        super().__init__(parent)
        self.service = service
        self.symbols = symbols

    def run(self):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            quotes = loop.run_until_complete(self.service.quotes(self.symbols))
            self.loaded.emit(quotes)
        except Exception as error:
            self.failed.emit(str(error))
        finally:
            loop.close()


class Heartbeat(QThread):
    beat = Signal(int)

    def __init__(self, service):
        super().__init__()
        self.service = service

    def run(self):
        loop = asyncio.new_event_loop()
        while not self.isInterruptionRequested():
            self.beat.emit(loop.run_until_complete(self.service.beat()))
            self.msleep(20)
        loop.close()
