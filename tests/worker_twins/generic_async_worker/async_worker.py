"""Twin of the generic wrapper public Qt code is full of: AsyncWorker(coro_func, *args) runs any
coroutine function in a QThread with asyncio.run() and redeclares QThread's own `finished` to
carry the result (shape of DaisyJewelryCo/Sapphire-Exchange's utils/async_worker.py)."""

import asyncio

from PySide6.QtCore import QThread, Signal


class AsyncWorker(QThread):
    finished = Signal(object)
    error = Signal(str)

    def __init__(self, coro_func, *args, **kwargs):
        super().__init__()
        self.coro_func = coro_func
        self.args = args
        self.kwargs = kwargs

    def run(self):
        try:
            result = asyncio.run(self.coro_func(*self.args, **self.kwargs))
            self.finished.emit(result)
        except Exception as error:
            self.error.emit(str(error))
