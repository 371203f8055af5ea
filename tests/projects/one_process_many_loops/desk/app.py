import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication

from desk import panels
from desk.quotes import warm_cache


def main():
    app = QApplication(sys.argv)
    loop = qasync.QEventLoop(app)  # the process's loop: LG107 names every other owner here
    asyncio.set_event_loop(loop)
    panels.refresh()
    with loop:
        loop.run_until_complete(panels.load_all())


if __name__ == "__main__":
    asyncio.run(warm_cache())  # a second loop in the entry code itself
    main()
