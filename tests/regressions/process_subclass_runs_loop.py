# Shape seen in sharebook-kr/pyupbit, pyupbit/websocket_api.py (public code): a
# multiprocessing.Process subclass whose run() starts asyncio.run in the child process. The SPEC
# names only Thread/QThread/QRunnable for LG401, and run() is not entry-point code, so this is
# LG102 as the SPEC stands (see the helper's report: arguably the child's entry point).
import asyncio
import multiprocessing as mp


class WebSocketManager(mp.Process):
    def __init__(self, queue):
        super().__init__(daemon=True)
        self.queue = queue

    async def _connect(self):
        await asyncio.sleep(0)

    def run(self):
        asyncio.run(self._connect())  # error: LG102(col=9, call="asyncio.run")
