"""The window that starts the QThread workers: another module, unchanged by the migration."""

from PySide6.QtWidgets import QWidget

from loaders import Heartbeat, QuoteLoader

EXPECTED = 4  # signals that refresh() brings: loaded and finished, twice


class Window(QWidget):
    def __init__(self, service, report):
        super().__init__()
        self.service = service
        self.report = report
        self.loaders = []
        self.heartbeat = Heartbeat(service)

    def refresh(self):
        for symbols in (["KRW-BTC", "KRW-ETH"], []):
            loader = QuoteLoader(self.service, symbols)
            loader.loaded.connect(lambda quotes: self.report("loaded", quotes))
            loader.failed.connect(lambda error: self.report("failed", error))
            loader.finished.connect(lambda: self.report("finished", None))
            self.loaders.append(loader)
            loader.start()
        self.heartbeat.start()

    def stop(self):
        self.heartbeat.requestInterruption()

    def running(self):
        return any(worker.isRunning() for worker in [*self.loaders, self.heartbeat])
