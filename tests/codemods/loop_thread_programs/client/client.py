"""A client that keeps a loop of its own in a daemon thread, used by an asyncio application."""

import asyncio
from threading import Thread


class QuoteClient:
    def __init__(self, prefix):
        self.prefix = prefix
        self._loop = asyncio.new_event_loop()
        Thread(target=self._loop.run_forever, daemon=True, name="quotes").start()

    async def _quote(self, symbol):
        await asyncio.sleep(0.01)
        return f"{self.prefix}{symbol}=1.0"

    async def quote(self, symbol):
        return asyncio.run_coroutine_threadsafe(self._quote(symbol), self._loop).result()

    async def quotes(self, symbols):
        return await asyncio.gather(*(self.quote(symbol) for symbol in symbols))

    async def warm_up(self):
        asyncio.run_coroutine_threadsafe(self._quote("warm-up"), self._loop)


async def main():
    client = QuoteClient("q:")
    print(await client.quote("AAA"))
    await client.warm_up()
    print(await client.quotes(["BBB", "CCC"]))


if __name__ == "__main__":
    asyncio.run(main())
