"""Shape of CabbageDevelopment/qasync, examples/executor_example.py (public code): an example
program whose loop is a QEventLoop made by asyncio.run's loop_factory (one loop, not two)."""
import asyncio
import sys

from PySide6.QtWidgets import QApplication, QProgressBar
from qasync import QEventLoop


async def fill(progress):
    for value in range(100):
        progress.setValue(value)
        await asyncio.sleep(0.01)


async def master():
    progress = QProgressBar()
    progress.show()
    await fill(progress)


if __name__ == "__main__":
    app = QApplication(sys.argv)
    asyncio.run(master(), loop_factory=lambda: QEventLoop(app))
