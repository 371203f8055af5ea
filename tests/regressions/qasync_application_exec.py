# Shape seen in a PyQt5 start-up script of the code-search index (public code; index id
# 70978693849, repository not resolved): qasync.QApplication is Qt's QApplication, and its
# exec_() after the qasync loop has run is LG503 even in the entry point.
import asyncio
import sys

import qasync

from main_window import MainWindow

if __name__ == "__main__":
    app = qasync.QApplication(sys.argv)
    window = MainWindow()
    window.show()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_forever()
    sys.exit(app.exec_())  # error: LG503(col=14, call="app.exec_")
