# Shape seen in nordeim/SG-Bookkeeper_v2, app/main.py (public code): a PySide6 application keeps
# a global loop running forever in a daemon thread and feeds it with run_coroutine_threadsafe;
# the starter waits for it. Left byte for byte and listed for a human.
import asyncio
import threading

from PySide6.QtWidgets import QApplication

LOOP = None
LOOP_READY = threading.Event()


def run_loop_forever():
    global LOOP
    LOOP = asyncio.new_event_loop()
    asyncio.set_event_loop(LOOP)
    LOOP_READY.set()
    try:
        LOOP.run_forever()
    finally:
        LOOP.close()


def schedule(coro):
    return asyncio.run_coroutine_threadsafe(coro, LOOP)


def start(argv):
    worker = threading.Thread(target=run_loop_forever, daemon=True)
    worker.start()
    LOOP_READY.wait(timeout=5)
    app = QApplication(argv)
    app.aboutToQuit.connect(lambda: LOOP.call_soon_threadsafe(LOOP.stop))
