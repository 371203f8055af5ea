"""LG401-LG403: no private loop in a thread, no blocking call in a coroutine."""
import asyncio
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from threading import Thread

import requests
from PyQt5.QtCore import QRunnable, QThread


class CoinListWidget:
    def _load_data(self):
        import asyncio
        import threading

        def load_isolated():
            new_loop = asyncio.new_event_loop()  # error: LG101
            asyncio.set_event_loop(new_loop)  # error: LG104
            try:
                result = new_loop.run_until_complete(self.service.load())  # error: LG103
            finally:
                new_loop.close()
                asyncio.set_event_loop(None)  # error: LG104
            self._apply(result)

        thread = threading.Thread(target=load_isolated, daemon=True)  # error: LG401
        thread.start()

    def _worker(self):
        asyncio.run(self.service.load())  # error: LG102

    def start_worker(self):
        Thread(None, self._worker).start()  # error: LG401
        with ThreadPoolExecutor() as pool:
            pool.submit(self._worker)  # error: LG401

    def _plain(self):
        time.sleep(1)

    def start_plain(self):
        Thread(target=self._plain).start()


class Loader(QThread):
    def run(self):  # error: LG401
        loop = asyncio.new_event_loop()  # error: LG101
        loop.run_forever()  # error: LG103


class Job(QRunnable):
    def run(self):
        time.sleep(1)


class Mirror(threading.Thread):
    def run(self):  # error: LG401
        asyncio.run(asyncio.sleep(1))  # error: LG102


async def mixed(loop, coro):
    asyncio.run_coroutine_threadsafe(coro, loop).result()  # error: LG402
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    future.result()  # error: LG402
    await loop.run_in_executor(None, blocking_loop)  # error: LG401
    await asyncio.to_thread(blocking_loop)  # error: LG401

    def write(data):
        asyncio.run_coroutine_threadsafe(coro, loop).result()
        time.sleep(0.1)

    time.sleep(0.5)  # error: LG403
    requests.get("https://example.invalid")  # error: LG403
    urllib.request.urlopen("https://example.invalid")  # error: LG403
    input("> ")  # error: LG403
    await asyncio.sleep(0.5)
    return write


def blocking_loop():
    loop = asyncio.new_event_loop()  # error: LG101
    loop.run_until_complete(asyncio.sleep(0))  # error: LG103


async def shadowed_input(input):
    input("not the builtin")


import functools
import os
import subprocess

import httpx
import urllib3
import websocket


def callables_handed_to_threads(loop, pool, coro):
    Thread(target=loop.run_forever, daemon=True).start()  # error: LG401
    Thread(target=asyncio.run, args=(coro,)).start()  # error: LG401
    pool.submit(asyncio.run, coro)  # error: LG401
    Thread(target=lambda: asyncio.run(coro)).start()  # error: LG401, LG102
    Thread(target=functools.partial(run_symbol, "KRW-BTC")).start()  # error: LG401
    Thread(target=functools.partial(print, "no loop")).start()


def run_symbol(symbol):
    asyncio.run(quote(symbol))  # error: LG102


async def quote(symbol):
    return symbol


class FeedBase:
    def _pump(self):
        asyncio.run(self.feed())  # error: LG102


class Feed(FeedBase):
    def start(self):
        Thread(target=self._pump).start()  # error: LG401
        Thread(target=self._defined_later).start()  # error: LG401

    def _defined_later(self):
        loop = asyncio.new_event_loop()  # error: LG101
        loop.run_forever()  # error: LG103


class BaseWorker(QThread):
    def stop(self):
        self.quit()


class PriceWorker(BaseWorker):
    def run(self):  # error: LG401
        asyncio.run(quote("KRW-ETH"))  # error: LG102


class QuoteSocket:
    """websocket-client's app is not an event loop, in a thread or not."""

    def __init__(self):
        self._ws = websocket.WebSocketApp("wss://example.invalid")

    def start(self):
        Thread(target=self._ws.run_forever, daemon=True).start()
        websocket.WebSocketApp("wss://example.invalid").run_forever()
        self._ws.run_forever()


async def more_blocking_calls(url):
    session = requests.Session()
    session.get(url)  # error: LG403
    with requests.Session() as pooled:
        pooled.post(url)  # error: LG403
    httpx.get(url)  # error: LG403
    async with httpx.AsyncClient() as client:
        await client.get(url)
    pool = urllib3.PoolManager()
    pool.request("GET", url)  # error: LG403
    os.system("sync")  # error: LG403
    os.waitpid(0, 0)  # error: LG403
    subprocess.getoutput("git describe")  # error: LG403
