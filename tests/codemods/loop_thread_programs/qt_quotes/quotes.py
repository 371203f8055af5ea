"""A Qt window whose slot fetches a quote through a background loop thread; the application
runs under qasync."""

import asyncio
import sys
import threading

import qasync
from PySide6.QtWidgets import QApplication, QLabel

_quotes_loop = asyncio.new_event_loop()
threading.Thread(target=_quotes_loop.run_forever, daemon=True).start()


async def fetch_quote(symbol):
    await asyncio.sleep(0.01)
    return f"{symbol}=1.25"


class QuoteLabel(QLabel):
    @qasync.asyncSlot()
    async def refresh(self):
        quote = asyncio.run_coroutine_threadsafe(fetch_quote("AAA"), _quotes_loop).result()
        self.setText(quote)


async def main():
    label = QuoteLabel("...")
    label.show()
    await label.refresh()
    print("label shows", label.text())
    label.close()


if __name__ == "__main__":
    application = QApplication(sys.argv)
    qasync.run(main())
