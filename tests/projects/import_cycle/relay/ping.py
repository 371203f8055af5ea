from . import pong


def ping(n):
    return pong.pong(n - 1) if n else 0


async def ping_later(n):
    return ping(n)
