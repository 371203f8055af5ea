"""A third program: its loop factory is a function of the file, handed over by name."""
import asyncio
import sys

from PySide6.QtWidgets import QApplication
from qasync import QEventLoop

app = None


def make_loop():
    return QEventLoop(app)


async def main():
    await asyncio.sleep(0)


if __name__ == "__main__":
    app = QApplication(sys.argv)
    with asyncio.Runner(loop_factory=make_loop) as runner:
        runner.run(main())
