# Shapes seen in tateishi/python-async-demo, src/python_async_demo/await_sample.py and
# lxwang/cryptobot, coinmarketcap.py (public code): time.sleep() inside an async def, and a
# requests Session used from a coroutine.
import asyncio
import json
import time

from requests import Session


async def pause_then_report():
    time.sleep(5)
    print("slept")


async def quotes(url, symbols):
    session = Session()
    try:
        response = session.get(url, params={"symbol": ",".join(symbols)})
        return json.loads(response.text)
    finally:
        session.close()


async def both():
    await asyncio.gather(pause_then_report(), quotes("https://example.invalid", ["BTC"]))
