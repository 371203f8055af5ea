import asyncio

from .ping import ping


def pong(n):
    if n > 10:
        return asyncio.run(settle(n))
    return ping(n - 1)


async def settle(n):
    return n
