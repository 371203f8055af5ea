"""The panel that uses the worker, in another module: unchanged by the migration."""

from PySide6.QtWidgets import QWidget

from async_worker import AsyncWorker

EXPECTED = 2


class Window(QWidget):
    def __init__(self, service, report):
        super().__init__()
        self.service = service
        self.report = report
        self.workers = []

    def refresh(self):
        quote = AsyncWorker(self.service.quote, "KRW-DOT")
        quote.task_finished.connect(lambda result: self.report("finished", result))
        broken = AsyncWorker(self.service.broken)
        broken.task_failed.connect(lambda error: self.report("error", error))
        for worker in (quote, broken):
            self.workers.append(worker)
            worker.start()

    def stop(self):
        pass

    def running(self):
        return any(worker.isRunning() for worker in self.workers)
