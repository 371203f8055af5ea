# Shape seen in lxwang/cryptobot, coinmarketcap.py (public code): a discord command awaits a
# coroutine that makes a requests.Session (imported by name) and calls it: the call blocks the loop.
import asyncio
import json

from requests import Session

HEADERS = {"Accepts": "application/json"}


async def get_quotes(url, parameters):
    session = Session()
    session.headers.update(HEADERS)
    response = session.get(url, params=parameters)  # error: LG403(col=16, call="session.get", instead="await asyncio.to_thread(...) or an async client")
    await asyncio.sleep(0)
    return json.loads(response.text)


def get_quotes_sync(url):
    return Session().get(url)
