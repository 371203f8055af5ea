from qasync import asyncSlot

from . import sync_api
from .sync_api import balance_sync, drive, history_sync, make_loop


class WalletWindow:
    @asyncSlot()
    async def on_refresh_clicked(self):
        self.balance = balance_sync()
        self.history = history_sync()

    async def replay(self, loop, coroutine):
        drive(loop, coroutine)
        self.spare_loop = make_loop()
        await sync_api.fetch_balance()

    def show(self):
        pass
