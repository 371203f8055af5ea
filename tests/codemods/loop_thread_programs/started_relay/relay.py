"""A relay whose loop thread is started by a function called by main(), the loop a module global
bound to None until then."""

import asyncio
import threading

_loop = None


def start_background():
    global _loop
    _loop = asyncio.new_event_loop()
    threading.Thread(target=_loop.run_forever, daemon=True).start()


async def fetch(n):
    await asyncio.sleep(0.01)
    return n * 2


async def handle(n):
    return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()


async def main():
    start_background()
    print(await handle(1))
    print(await asyncio.gather(handle(2), handle(3)))


if __name__ == "__main__":
    asyncio.run(main())
