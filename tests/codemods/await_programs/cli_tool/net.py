"""The network helper both commands use: it runs its coroutine on a loop of its own."""

import asyncio


async def _get(url):
    await asyncio.sleep(0)
    return f"<{url}>"


def fetch(url):
    return asyncio.run(_get(url))
