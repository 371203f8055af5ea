from PySide6.QtCore import QRunnable, QThread, Signal

from ..services.candles import load_candles_blocking


class CandleLoader(QThread):
    loaded = Signal(object)

    def __init__(self, api, market):
        super().__init__()
        self.api = api
        self.market = market

    def run(self):
        self.loaded.emit(load_candles_blocking(self.api, self.market))


class BaseJob(QRunnable):
    pass


class CandleJob(BaseJob):
    def __init__(self, api, market):
        super().__init__()
        self.api = api
        self.market = market

    def run(self):
        load_candles_blocking(self.api, self.market)
