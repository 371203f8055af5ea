# Shape seen in sycomix/scrapecrow, content/examples/async-callbacks.py (public code): tasks are
# created in a loop and only kept long enough to attach a done callback.
import asyncio


async def scrape(url, client):
    return await client.get(url)


async def crawl(client, urls, collect):
    for url in urls:
        task = asyncio.create_task(scrape(url, client))
        task.add_done_callback(collect)
    await asyncio.sleep(5)
