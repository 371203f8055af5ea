import sys

import qasync
from PySide6.QtWidgets import QApplication

from core.app import serve


def main():
    app = QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    with loop:
        loop.run_until_complete(serve())


if __name__ == "__main__":
    main()
