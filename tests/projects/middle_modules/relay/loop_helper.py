import asyncio


def run_blocking(coroutine):
    return asyncio.run(coroutine)
