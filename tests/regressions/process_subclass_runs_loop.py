# Shape seen in sharebook-kr/pyupbit, pyupbit/websocket_api.py (public code): a
# multiprocessing.Process subclass whose run() starts asyncio.run in the child process. The
# child's run() is that process's entry point (SPEC, "a function handed to another PROCESS"):
# its asyncio.run is the child's one loop, not LG102.
import asyncio
import multiprocessing as mp


class WebSocketManager(mp.Process):
    def __init__(self, queue):
        super().__init__(daemon=True)
        self.queue = queue

    async def _connect(self):
        await asyncio.sleep(0)

    def run(self):
        asyncio.run(self._connect())
