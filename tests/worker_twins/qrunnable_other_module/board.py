"""The window that starts the jobs, in another module: its pool starts change with the job class.
Jobs are kept in a dict and in a list, and handed to the global pool and to a pool attribute."""

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

import jobs
from jobs import AsyncJob

EXPECTED = 3  # two results, one error


class Window(QWidget):
    def __init__(self, service, report):
        super().__init__()
        self.service = service
        self.report = report
        self.pool = QThreadPool.globalInstance()
        self.by_symbol = {}
        self.others = []

    def refresh(self):
        for symbol in ("KRW-DOGE", "KRW-SOL"):
            job = AsyncJob(self.service.quote, symbol)
            job.signals.result.connect(lambda quote: self.report("result", quote))
            self.by_symbol[symbol] = job
        for job in self.by_symbol.values():
            QThreadPool.globalInstance().start(job)
        broken = jobs.AsyncJob(self.service.broken)
        broken.signals.error.connect(lambda error: self.report("error", error))
        self.others.append(broken)
        self.pool.start(self.others[0])

    def stop(self):
        pass

    def running(self):
        return QThreadPool.globalInstance().activeThreadCount() > 0
