# Shape seen in abersheeran/a2wsgi, a2wsgi/asgi.py (public code).
# A new loop driven by a thread whose target is the loop's own run_forever.
import asyncio
import threading


class AsgiToWsgi:
    def __init__(self, app, loop=None):
        self.app = app
        if loop is None:
            loop = asyncio.new_event_loop()  # error: LG101
            threading.Thread(target=loop.run_forever, daemon=True).start()  # error: LG401
        self.loop = loop

    def execute(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()
