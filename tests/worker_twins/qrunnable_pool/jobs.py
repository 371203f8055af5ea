"""Twin of a QRunnable worker with a separate QObject for its signals, started on the global
QThreadPool and kept in a dict by the window (shape of diego9621/Mangareader's workers)."""

import asyncio

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

EXPECTED = 3  # one result per symbol, one error


class JobSignals(QObject):
    result = Signal(dict)
    error = Signal(str)


class QuoteJob(QRunnable):
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
            self.signals.result.emit(loop.run_until_complete(self.call(*self.args)))
        except Exception as error:
            self.signals.error.emit(str(error))
        finally:
            loop.close()


class Window(QWidget):
    def __init__(self, service, report):
        super().__init__()
        self.service = service
        self.report = report
        self.jobs = {}

    def refresh(self):
        for symbol in ("KRW-BTC", "KRW-XRP"):
            job = QuoteJob(self.service.quote, symbol)
            job.signals.result.connect(lambda quote: self.report("result", quote))
            self.jobs[symbol] = job
            QThreadPool.globalInstance().start(job)
        broken = QuoteJob(self.service.broken)
        broken.signals.error.connect(lambda error: self.report("error", error))
        self.jobs["broken"] = broken
        QThreadPool.globalInstance().start(broken)

    def stop(self):
        pass

    def running(self):
        return QThreadPool.globalInstance().activeThreadCount() > 0
