# Shape seen in abersheeran/a2wsgi, a2wsgi/asgi.py, and sycomix/scrapecrow,
# content/examples/async-callbacks.py (public code): the task's only reader is
# add_done_callback, so nothing holds it (LG202); a task that is also returned is kept (LG203).
import asyncio


class Responder:
    def __init__(self, loop):
        self.loop = loop

    def on_app_done(self, future):
        if future.exception() is not None:
            task = asyncio.create_task(self.lock.acquire())  # error: LG202(col=20, name="task")
            task.add_done_callback(lambda _: self.event.set())

    async def start(self, coro):
        runner: asyncio.Task = self.loop.create_task(coro)  # error: LG203(col=32, call="create_task")
        runner.add_done_callback(self.on_app_done)
        return runner


async def crawl(urls, fetch, collect):
    for url in urls:
        task = asyncio.create_task(fetch(url))  # error: LG202(col=16, name="task")
        task.add_done_callback(collect)
    await asyncio.sleep(5)
