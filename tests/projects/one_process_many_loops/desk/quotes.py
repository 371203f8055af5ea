import asyncio


def fetch_sync(symbol):
    return asyncio.run(fetch(symbol))


def private_loop():
    loop = asyncio.new_event_loop()
    loop.run_until_complete(fetch("warm-up"))
    return loop


def replay(loop):
    loop.run_until_complete(fetch("replay"))


async def fetch(symbol):
    return symbol


async def warm_cache():
    await fetch("BTC")
