# Shape seen in KGBcomrade/Puller, main.py and nordeim/SG-Bookkeeper_v2, app/main.py (public
# code): a start-up script with no __main__ guard. main.py is an entry point by the default glob,
# so the loop it owns is allowed; a thread that runs a second, private loop is still LG401.
import asyncio
import sys
import threading

import qasync
from PyQt6.QtWidgets import QApplication

app = QApplication(sys.argv)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)


def start_background_loop():
    background = asyncio.new_event_loop()
    asyncio.set_event_loop(background)
    background.run_forever()


threading.Thread(target=start_background_loop, daemon=True).start()  # error: LG401(col=1, func="start_background_loop")

with loop:
    loop.run_forever()
