# Shape seen in diego9621/Mangareader, desktop/workers/mangadex_discover_worker.py (public code): a
# QRunnable whose run() makes a private loop and emits the result through a signal held by a
# separate QObject. Its pool start is in another module, which the rewrite cannot change with it
# yet: worker_class_to_task leaves it byte for byte and lists it.
import asyncio

from PySide6.QtCore import QObject, QRunnable, Signal


class DiscoverSignals(QObject):
    done = Signal(list, str)


class DiscoverWorker(QRunnable):
    def __init__(self, query, signals):
        super().__init__()
        self.query = query
        self.signals = signals

    def run(self):
        try:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                self.signals.done.emit(loop.run_until_complete(self.search()), "")
            finally:
                loop.close()
        except Exception as error:
            self.signals.done.emit([], str(error))

    async def search(self):
        return [self.query]
