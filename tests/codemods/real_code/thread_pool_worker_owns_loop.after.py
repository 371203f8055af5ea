# Shape seen in tiny_crawler, crawler/worker.py (public code): each worker of a thread pool owns
# an event loop of its own and runs its fetches to completion on it. The worker runs in an
# executor's thread, so its chain stops there and is listed.
import asyncio
from concurrent.futures import ThreadPoolExecutor


async def fetch(url):
    await asyncio.sleep(0)
    return url


def work(urls):
    loop = asyncio.new_event_loop()
    try:
        return [loop.run_until_complete(fetch(url)) for url in urls]
    finally:
        loop.close()


def crawl(batches):
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(work, batches))
