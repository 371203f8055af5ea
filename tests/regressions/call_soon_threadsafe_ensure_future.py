# Shape seen in josuelopes512/experimento-discord-bot, teste.py (public code); the method form
# is in several Qt/WebSocket bridges of the code-search index.
# `call_soon_threadsafe(asyncio.ensure_future, coro)` schedules a task nobody keeps (LG201).
import asyncio
import threading


def serve_in_thread(start_server):
    asyncio.get_event_loop().call_soon_threadsafe(asyncio.ensure_future, start_server())  # error: LG105(col=5, where="may create a second loop; call asyncio.get_running_loop() from a coroutine"), LG201(col=5, call="ensure_future")


class Bridge:
    def __init__(self, loop):
        self._loop = loop

    def broadcast(self, message):
        self._loop.call_soon_threadsafe(asyncio.ensure_future, self._send_all(message))  # error: LG201(col=9, call="ensure_future")

    def forward(self, message):
        self._loop.call_soon_threadsafe(self._queue.put_nowait, message)

    async def _send_all(self, message):
        return message


threading.Thread(target=serve_in_thread, args=(None,)).start()
