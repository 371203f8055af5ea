"""One loop or the other, never both: only the `else` branch runs a second loop."""
import asyncio
import sys

import qasync

from desk.quotes import fetch_sync


async def render():
    await asyncio.sleep(0)


def run_gui():
    qasync.run(render())


if __name__ == "__main__":
    if "--gui" in sys.argv:
        run_gui()
    else:
        asyncio.run(render())
        print(fetch_sync("BTC"))
