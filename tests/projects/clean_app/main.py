import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication

from quotedesk.window import QuoteWindow


async def main():
    window = QuoteWindow()
    window.show()
    await asyncio.Event().wait()


if __name__ == "__main__":
    QApplication(sys.argv)
    sys.exit(qasync.run(main()))
