import asyncio


async def _get(url):
    await asyncio.sleep(0)
    return url.upper()


def fetch(url):
    # A loop of its own for each page.
    return asyncio.run(_get(url))
