# Shape seen in Lumabyte/Cronus, cronus/reloader.py (public code): a guard disabled by
# renaming it (`"__123main__"`) is no entry point, its code runs at import time.
import asyncio


async def consume(queue):
    while await queue.get() is not None:
        pass


if __name__ == "__123main__":
    loop = asyncio.get_event_loop()  # error: LG105(col=12, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")
    queue = asyncio.Queue()  # error: LG303(col=13, call="asyncio.Queue", where="at import time")
    loop.run_until_complete(consume(queue))  # error: LG103(col=5, call="run_until_complete")

if __name__ == "__main__":
    asyncio.get_event_loop().run_forever()  # error: LG105(col=5, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")
