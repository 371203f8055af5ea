# Shape seen in zyq5428/Python_Learn, aio_scapy.py (public code): a module-level semaphore, a
# list of tasks kept for gather (kept, not registered: LG203), get_event_loop() in the entry point.
import asyncio

semaphore = asyncio.Semaphore(5)  # error: LG303(col=13, call="asyncio.Semaphore", where="at import time")


async def scrape(url):
    async with semaphore:
        return url


async def main(urls):
    tasks = [asyncio.ensure_future(scrape(url)) for url in urls]  # error: LG203(col=14, call="ensure_future")
    return await asyncio.gather(*tasks)


if __name__ == "__main__":
    asyncio.get_event_loop().run_until_complete(main([]))  # error: LG105(col=5, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")
