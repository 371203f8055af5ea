# Shape seen in randovania/randovania, randovania/game_connection/executor/dread_executor.py
# (public code): a coroutine that connects a socket takes the loop with get_event_loop() to start
# its reader tasks; a synchronous helper of the same module asks for the loop too and stays as is.
import asyncio


class Executor:
    async def connect(self):
        await self.handshake()
        loop = asyncio.get_running_loop()
        self._keep_alive = loop.create_task(self.keep_alive())
        self._reader = loop.create_task(self.read_loop())

    def schedule_retry(self, delay):
        loop = asyncio.get_event_loop()
        return loop.call_later(delay, self.retry)
