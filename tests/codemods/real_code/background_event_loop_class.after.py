# Shape seen in the PyPI package mcp-cyoda-client 0.1.3, common/utils/event_loop.py (public code,
# read through the pypi-data/pypi-mirror-375 mirror): a helper class makes its loop in __init__,
# runs it in a daemon thread whose target is its own _start_loop method, hands coroutines to it
# from a synchronous method that returns the concurrent future, and stops and joins it in stop().
# A synchronous API over the loop: left byte for byte and listed (run_to_await's chain to make).
import asyncio
import threading


class BackgroundEventLoop:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._start_loop, daemon=True)
        self.thread.start()

    def _start_loop(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run_coroutine(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
