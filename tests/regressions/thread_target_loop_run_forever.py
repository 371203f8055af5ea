# Shape seen in abersheeran/a2wsgi, a2wsgi/asgi.py (public code).
# A new loop driven by a thread whose target is the loop's own run_forever.
import asyncio
import threading


class AsgiToWsgi:
    def __init__(self, app, loop=None):
        self.app = app
        if loop is None:
            loop = asyncio.new_event_loop()  # error: LG101(col=20, call="asyncio.new_event_loop")
            threading.Thread(target=loop.run_forever, daemon=True).start()  # error: LG401(col=13, func="loop.run_forever")
        self.loop = loop

    def execute(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()
