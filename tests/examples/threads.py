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
            new_loop = asyncio.new_event_loop()  # error: LG101(col=24, call="asyncio.new_event_loop")
            asyncio.set_event_loop(new_loop)  # error: LG104(col=13)
            try:
                result = new_loop.run_until_complete(self.service.load())  # error: LG103(col=26, call="run_until_complete")
            finally:
                new_loop.close()
                asyncio.set_event_loop(None)  # error: LG104(col=17)
            self._apply(result)

        thread = threading.Thread(target=load_isolated, daemon=True)  # error: LG401(col=18, func="load_isolated")
        thread.start()

    def _worker(self):
        asyncio.run(self.service.load())  # error: LG102(col=9, call="asyncio.run")

    def start_worker(self):
        Thread(None, self._worker).start()  # error: LG401(col=9, func="_worker")
        with ThreadPoolExecutor() as pool:
            pool.submit(self._worker)  # error: LG401(col=13, func="_worker")

    def _plain(self):
        time.sleep(1)

    def start_plain(self):
        Thread(target=self._plain).start()


class Loader(QThread):
    def run(self):  # error: LG401(col=5, func="Loader.run")
        loop = asyncio.new_event_loop()  # error: LG101(col=16, call="asyncio.new_event_loop")
        loop.run_forever()  # error: LG103(col=9, call="run_forever")


class Job(QRunnable):
    def run(self):
        time.sleep(1)


class Mirror(threading.Thread):
    def run(self):  # error: LG401(col=5, func="Mirror.run")
        asyncio.run(asyncio.sleep(1))  # error: LG102(col=9, call="asyncio.run")


async def mixed(loop, coro):
    asyncio.run_coroutine_threadsafe(coro, loop).result()  # error: LG402(col=5)
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    future.result()  # error: LG402(col=5)
    await loop.run_in_executor(None, blocking_loop)  # error: LG401(col=11, func="blocking_loop")
    await asyncio.to_thread(blocking_loop)  # error: LG401(col=11, func="blocking_loop")

    def write(data):
        asyncio.run_coroutine_threadsafe(coro, loop).result()
        time.sleep(0.1)

    time.sleep(0.5)  # error: LG403(col=5, call="time.sleep", instead="await asyncio.sleep()")
    requests.get("https://example.invalid")  # error: LG403(col=5, call="requests.get", instead="await asyncio.to_thread(...) or an async client")
    urllib.request.urlopen("https://example.invalid")  # error: LG403(col=5, call="urllib.request.urlopen", instead="await asyncio.to_thread(...)")
    input("> ")  # error: LG403(col=5, call="input", instead="await asyncio.to_thread(input, ...)")
    await asyncio.sleep(0.5)
    return write


def blocking_loop():
    loop = asyncio.new_event_loop()  # error: LG101(col=12, call="asyncio.new_event_loop")
    loop.run_until_complete(asyncio.sleep(0))  # error: LG103(col=5, call="run_until_complete")


async def shadowed_input(input):
    input("not the builtin")


import functools
import os
import subprocess
from typing import Optional, Union

import httpx
import urllib3
import websocket


def callables_handed_to_threads(loop, pool, coro):
    Thread(target=loop.run_forever, daemon=True).start()  # error: LG401(col=5, func="loop.run_forever")
    Thread(target=asyncio.run, args=(coro,)).start()  # error: LG401(col=5, func="asyncio.run")
    pool.submit(asyncio.run, coro)  # error: LG401(col=5, func="asyncio.run")
    Thread(target=lambda: asyncio.run(coro)).start()  # error: LG401(col=5, func="<lambda>"), LG102(col=27, call="asyncio.run")
    Thread(target=functools.partial(run_symbol, "KRW-BTC")).start()  # error: LG401(col=5, func="run_symbol")
    Thread(target=functools.partial(print, "no loop")).start()


def run_symbol(symbol):
    asyncio.run(quote(symbol))  # error: LG102(col=5, call="asyncio.run")


async def quote(symbol):
    return symbol


class FeedBase:
    def _pump(self):
        asyncio.run(self.feed())  # error: LG102(col=9, call="asyncio.run")


class Feed(FeedBase):
    def start(self):
        Thread(target=self._pump).start()  # error: LG401(col=9, func="_pump")
        Thread(target=self._defined_later).start()  # error: LG401(col=9, func="_defined_later")

    def _defined_later(self):
        loop = asyncio.new_event_loop()  # error: LG101(col=16, call="asyncio.new_event_loop")
        loop.run_forever()  # error: LG103(col=9, call="run_forever")


class BaseWorker(QThread):
    def stop(self):
        self.quit()


class PriceWorker(BaseWorker):
    def run(self):  # error: LG401(col=5, func="PriceWorker.run")
        asyncio.run(quote("KRW-ETH"))  # error: LG102(col=9, call="asyncio.run")


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
    session.get(url)  # error: LG403(col=5, call="session.get", instead="await asyncio.to_thread(...) or an async client")
    with requests.Session() as pooled:
        pooled.post(url)  # error: LG403(col=9, call="pooled.post", instead="await asyncio.to_thread(...) or an async client")
    httpx.get(url)  # error: LG403(col=5, call="httpx.get", instead="httpx.AsyncClient")
    async with httpx.AsyncClient() as client:
        await client.get(url)
    pool = urllib3.PoolManager()
    pool.request("GET", url)  # error: LG403(col=5, call="pool.request", instead="await asyncio.to_thread(...) or an async client")
    os.system("sync")  # error: LG403(col=5, call="os.system", instead="asyncio.create_subprocess_exec() or await asyncio.to_thread(...)")
    os.waitpid(0, 0)  # error: LG403(col=5, call="os.waitpid", instead="await asyncio.to_thread(...)")
    subprocess.getoutput("git describe")  # error: LG403(col=5, call="subprocess.getoutput", instead="asyncio.create_subprocess_exec() or await asyncio.to_thread(...)")


async def annotated_clients(
    client: httpx.Client,
    maybe: Optional[requests.Session],
    either: "httpx.Client | None",
    union: Union[urllib3.PoolManager, None],
    pool: urllib3.HTTPSConnectionPool,
    url,
):
    client.get(url)  # error: LG403(col=5, call="client.get", instead="httpx.AsyncClient")
    maybe.post(url)  # error: LG403(col=5, call="maybe.post", instead="await asyncio.to_thread(...) or an async client")
    either.stream("GET", url)  # error: LG403(col=5, call="either.stream", instead="httpx.AsyncClient")
    union.request("GET", url)  # error: LG403(col=5, call="union.request", instead="await asyncio.to_thread(...) or an async client")
    pool.urlopen("GET", url)  # error: LG403(col=5, call="pool.urlopen", instead="await asyncio.to_thread(...) or an async client")
    local: httpx.Client = make_client()
    local.send(url)  # error: LG403(col=5, call="local.send", instead="httpx.AsyncClient")


async def other_annotations(client: httpx.AsyncClient, cache: dict, response: "requests.Response", url):
    await client.get(url)
    cache.get(url)
    response.json()


def synchronous_client(client: httpx.Client, url):
    return client.get(url)


class QuoteApi:
    session: requests.Session

    def __init__(self):
        self.http: httpx.Client = make_client()

    async def quote(self, url):
        self.session.get(url)  # error: LG403(col=9, call="self.session.get", instead="await asyncio.to_thread(...) or an async client")
        return self.http.get(url)  # error: LG403(col=16, call="self.http.get", instead="httpx.AsyncClient")


# A function handed to another process is that process's entry point: its loop is the child's one
# loop (no LG101-LG104 inside it), and the hand-over is no worker thread (no LG401). An executor of
# unknown kind is taken for threads.
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


def crunch(job):
    return asyncio.run(job.solve())


def render(job):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(job.render())


def warm_up():
    asyncio.set_event_loop(asyncio.new_event_loop())


class Renderer(multiprocessing.Process):
    def run(self):
        asyncio.run(self.serve())


def make_pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(initializer=warm_up)


def hand_to_processes(jobs, executor, annotated: Optional[ProcessPoolExecutor], loop):
    multiprocessing.Process(target=crunch, args=(jobs[0],)).start()
    get_context("spawn").Process(target=render, args=(jobs[0],)).start()
    context = multiprocessing.get_context("forkserver")
    context.Process(target=lambda: asyncio.run(jobs[0].solve())).start()
    with ProcessPoolExecutor() as processes:
        processes.submit(crunch, jobs[0])
        list(processes.map(render, jobs))
    with multiprocessing.Pool(4) as workers:
        workers.apply_async(crunch, (jobs[0],))
        workers.starmap(render, [(job,) for job in jobs])
    context.Pool(2).imap_unordered(crunch, jobs)
    annotated.submit(render, jobs[0])
    make_pool().submit(render, jobs[0])
    loop.run_in_executor(annotated, crunch, jobs[0])
    executor.submit(crunch, jobs[0])  # error: LG401(col=5, func="crunch")
    loop.run_in_executor(None, render, jobs[0])  # error: LG401(col=5, func="render")
    ThreadPoolExecutor().submit(render, jobs[0])  # error: LG401(col=5, func="render")


def shared_session() -> requests.Session:
    return requests.Session()


async def through_an_annotated_factory(url):
    shared_session().get(url)  # error: LG403(col=5, call="shared_session.get", instead="await asyncio.to_thread(...) or an async client")
    session = shared_session()
    session.post(url)  # error: LG403(col=5, call="session.post", instead="await asyncio.to_thread(...) or an async client")
