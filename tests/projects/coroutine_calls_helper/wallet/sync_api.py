import asyncio


def balance_sync():
    return asyncio.run(fetch_balance())


def history_sync():
    return balance_sync()


def drive(loop, coroutine):
    return loop.run_until_complete(coroutine)


def make_loop():
    return asyncio.new_event_loop()


async def fetch_balance():
    return 0
