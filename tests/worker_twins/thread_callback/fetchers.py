"""Twin of a threading.Thread subclass that reports through a callback, its loop made in
__init__ and stopped from outside with call_soon_threadsafe (public code often does this)."""

import asyncio
import threading

from PySide6.QtWidgets import QWidget

EXPECTED = 1


class PriceFetcher(threading.Thread):
    def __init__(self, service, symbols, on_prices):
        super().__init__(name="price-fetcher", daemon=True)
        self.service = service
        self.symbols = symbols
        self.on_prices = on_prices
        self.loop = asyncio.new_event_loop()

    def run(self):
        asyncio.set_event_loop(self.loop)
        prices = self.loop.run_until_complete(self.service.quotes(self.symbols))
        self.on_prices(prices)
        self.loop.close()

    def stop(self):
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)


class Window(QWidget):
    def __init__(self, service, report):
        super().__init__()
        self.service = service
        self.report = report
        self.fetchers = []

    def refresh(self):
        fetcher = PriceFetcher(self.service, ["KRW-SOL"], lambda prices: self.report("prices", prices))
        self.fetchers.append(fetcher)
        fetcher.start()

    def stop(self):
        for fetcher in self.fetchers:
            fetcher.stop()

    def running(self):
        return any(fetcher.is_alive() for fetcher in self.fetchers)
