"""Fetch an index, then every page in a worker thread with a loop of its own."""

import asyncio
import threading


async def get_index():
    await asyncio.sleep(0)
    return ["a", "bb", "ccc"]


async def get_page(url):
    await asyncio.sleep(0)
    return len(url) * 10


def worker(url, results):
    results[url] = asyncio.run(get_page(url))


def crawl():
    urls = asyncio.run(get_index())
    results = {}
    threads = []
    for url in urls:
        thread = threading.Thread(target=worker, args=(url, results))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return results


if __name__ == "__main__":
    print(sorted(crawl().items()))
