"""Twin of a generic QRunnable job whose pools are in another module (``board.py``): the shape of
diego9621/Mangareader's desktop/workers/*.py, started by ``QThreadPool.globalInstance().start(w)``
in the window's module. The job runs any coroutine function on a private loop and reports through
a separate QObject."""

import asyncio

from PySide6.QtCore import QObject, QRunnable, Signal, Slot


class JobSignals(QObject):
    result = Signal(object)
    error = Signal(str)


class AsyncJob(QRunnable):
    def __init__(self, call, *args):
        super().__init__()
        self.call = call
        self.args = args
        self.signals = JobSignals()

    @Slot()
    def run(self):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            result = loop.run_until_complete(self.call(*self.args))
        except Exception as error:
            self.signals.error.emit(str(error))
        else:
            self.signals.result.emit(result)
        finally:
            loop.close()
