# Shape seen in diego9621/Mangareader, desktop/workers/mangadex_discover_worker.py (public code): a
# QRunnable whose run() makes a private loop and emits the result through a signal held by a
# separate QObject. worker_class_to_task makes run() a coroutine on the one loop.

from PySide6.QtCore import QObject, Signal
from loop_runtime import QRunnableTask


class DiscoverSignals(QObject):
    done = Signal(list, str)


class DiscoverWorker(QRunnableTask):
    def __init__(self, query, signals):
        super().__init__()
        self.query = query
        self.signals = signals

    async def run(self):
        try:
            self.signals.done.emit(await self.search(), "")
        except Exception as error:
            self.signals.done.emit([], str(error))

    async def search(self):
        return [self.query]
