"""Twin of a generic QThread worker whose finally tidies its private loop: the tasks left on it are
cancelled and gathered, then the loop is closed (shape of Be1k0/YuQue-BdT's utils/async_worker.py
and voodoosim/tgcc's ui/async_worker.py). The emits and the log line in the finally are the
worker's own and stay; the loop's cleanup goes with the loop."""

import asyncio

from PySide6.QtCore import QThread, Signal


class AsyncWorker(QThread):
    task_finished = Signal(object)
    task_failed = Signal(str)

    def __init__(self, func, *args):
        super().__init__()
        self.func = func
        self.args = args
        self.log = []

    def run(self):
        # A loop of the worker's own, for this thread.
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            result = loop.run_until_complete(self.func(*self.args))
            self.task_finished.emit(result)
        except Exception as error:
            self.task_failed.emit(str(error))
        finally:
            # Leave nothing running on the loop.
            try:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            except Exception as cleanup_error:
                self.log.append(f"cleanup failed: {cleanup_error}")
            finally:
                loop.close()
            self.log.append("worker done")
