"""A chat relay: messages are handled by coroutines on the main loop, the network calls go to a
background loop thread."""

import asyncio
import threading

# every network call runs on this loop, in a thread of its own
_net_loop = asyncio.new_event_loop()


def _run_net_loop(loop):
    asyncio.set_event_loop(loop)
    loop.run_forever()


threading.Thread(target=_run_net_loop, args=(_net_loop,), daemon=True).start()

audited = []
audit_done = threading.Event()
counted = []
count_done = threading.Event()


async def translate(text):
    await asyncio.sleep(0.01)
    return text.upper()


async def audit(text):
    await asyncio.sleep(0)
    audited.append(text)
    if len(audited) == 2:
        audit_done.set()


def count(text):
    counted.append(len(text))
    if len(counted) == 2:
        count_done.set()


async def relay(text):
    asyncio.run_coroutine_threadsafe(audit(text), _net_loop)
    translated = asyncio.run_coroutine_threadsafe(translate(text), _net_loop).result()
    _net_loop.call_soon_threadsafe(count, translated)
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(translate(translated + "!"), _net_loop))


async def main():
    print(await relay("hello"))
    print(await relay("bye"))
    await asyncio.to_thread(audit_done.wait)
    await asyncio.to_thread(count_done.wait)
    print("audited", sorted(audited), "counted", sorted(counted))


if __name__ == "__main__":
    asyncio.run(main())
