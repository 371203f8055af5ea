# Shape seen in sycomix/scrapecrow, content/examples/async-callbacks.py (public code): tasks are
# created in a loop and only kept long enough to attach a done callback.
import asyncio

from loop_runtime import TaskManager

_task_manager = TaskManager()


async def scrape(url, client):
    return await client.get(url)


async def crawl(client, urls, collect):
    for url in urls:
        task = _task_manager.add_task(
            asyncio.create_task(scrape(url, client)), name="task_kept_for_done_callback:crawl"
        )
        task.add_done_callback(collect)
    await asyncio.sleep(5)
