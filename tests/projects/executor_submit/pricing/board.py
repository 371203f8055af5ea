import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

from . import quotes
from .quotes import fetch_quote_sync, parse_quote


def refresh_all(api, symbols):
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(fetch_quote_sync, api, symbol) for symbol in symbols]
        parsed = [pool.submit(parse_quote, symbol) for symbol in symbols]
    return futures, parsed


async def refresh_one(api, symbol):
    loop = asyncio.get_running_loop()
    first = await loop.run_in_executor(None, quotes.fetch_quote_sync, api, symbol)
    second = await asyncio.to_thread(functools.partial(fetch_quote_sync, api), symbol)
    return first, second


def refresh_later(pool, api, symbol):
    return pool.submit(lambda: fetch_quote_sync(api, symbol))
