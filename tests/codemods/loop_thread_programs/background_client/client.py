"""A client class with a background loop thread run by its `_run_loop` method, kept on `self` and
stopped and joined by `close()`, used by an asyncio application."""

import asyncio
import threading


class QuoteClient:
    def __init__(self, prefix):
        self.prefix = prefix
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, daemon=True)
        self._thread.start()

    def _run_loop(self):
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    async def _quote(self, symbol):
        await asyncio.sleep(0.01)
        return f"{self.prefix}{symbol}=1.0"

    async def quote(self, symbol):
        return asyncio.run_coroutine_threadsafe(self._quote(symbol), self._loop).result()

    def close(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def main():
    client = QuoteClient("q:")
    print(await client.quote("AAA"))
    print(await asyncio.gather(client.quote("BBB"), client.quote("CCC")))
    client.close()
    print("closed")


if __name__ == "__main__":
    asyncio.run(main())
