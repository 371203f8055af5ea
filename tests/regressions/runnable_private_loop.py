# Shape seen in diego9621/Mangareader, desktop/workers/mangadex_discover_worker.py (public code):
# a QRunnable whose run() makes, installs and drives a private loop.
import asyncio

from PySide6.QtCore import QObject, QRunnable, Signal


class DiscoverSignals(QObject):
    done = Signal(list, str)


class DiscoverWorker(QRunnable):
    def __init__(self, source, signals):
        super().__init__()
        self.source = source
        self.signals = signals

    def run(self):  # error: LG401(col=5, func="DiscoverWorker.run")
        try:
            loop = asyncio.new_event_loop()  # error: LG101(col=20, call="asyncio.new_event_loop")
            asyncio.set_event_loop(loop)  # error: LG104(col=13)
            try:
                self.signals.done.emit(loop.run_until_complete(self.source.discover()), "")  # error: LG103(col=40, call="run_until_complete")
            finally:
                loop.close()
        except Exception as error:
            self.signals.done.emit([], str(error))
