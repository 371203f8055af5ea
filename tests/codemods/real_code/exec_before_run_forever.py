# Shape seen in Th3Tr00p3r/gSTED-sFCS, main.py (public code): the start-up makes the qasync
# QEventLoop, builds the application object around it, runs Qt's own exec_() (no coroutine sees
# a running loop there), and only then runs the loop in `with loop:`. The exec_() becomes the
# loop's run_forever(); the loop is still used after it, so no `with` is added around it.
import asyncio
import sys

from PyQt5.QtWidgets import QApplication
from qasync import QEventLoop

if __name__ == "__main__":
    from logic.app import App

    app = QApplication(sys.argv)
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)

    App(loop)
    app.exec_()

    with loop:
        sys.exit(loop.run_forever())
