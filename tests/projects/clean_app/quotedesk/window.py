import asyncio
import threading

from qasync import asyncSlot

from . import tail_file
from .service import QuoteService, format_quote


class QuoteWindow:
    def __init__(self):
        self.service = QuoteService()
        threading.Thread(target=tail_file, args=("app.log", 1.0), daemon=True).start()

    @asyncSlot()
    async def on_quote_clicked(self):
        value = await self.service.quote("KRW-BTC")
        self.label = format_quote(value)
        await asyncio.to_thread(format_quote, value)

    def show(self):
        pass
