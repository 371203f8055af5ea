"""A synchronous program that waits for a background loop's results: left for a human."""

import asyncio
import threading

_loop = asyncio.new_event_loop()
threading.Thread(target=_loop.run_forever, daemon=True).start()


async def lookup(key):
    await asyncio.sleep(0)
    return key * 2


def get(key):
    return asyncio.run_coroutine_threadsafe(lookup(key), _loop).result()


def main():
    print(get(2), get(3))


if __name__ == "__main__":
    main()
