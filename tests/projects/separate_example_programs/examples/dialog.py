"""Shape of CabbageDevelopment/qasync, examples/modal_example.py (public code): another program
of the same repository, with a loop of its own made and driven by hand."""
import asyncio
import sys

from PySide6.QtWidgets import QApplication, QMessageBox
from qasync import QEventLoop, asyncWrap


async def master():
    await asyncWrap(lambda: QMessageBox.information(None, "Done", "Finished"))


if __name__ == "__main__":
    app = QApplication(sys.argv)
    event_loop = QEventLoop(app)
    asyncio.set_event_loop(event_loop)
    event_loop.run_until_complete(master())
    event_loop.close()
