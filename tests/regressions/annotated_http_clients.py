# Shapes seen in python-trio/flake8-async, tests/eval_files/async212.py (public code: the test
# file of flake8-async's ASYNC212, which ruff ports): a synchronous HTTP client known only from
# its annotation (a parameter, Optional/Union/`X | None`, an annotated local, an imported alias,
# a urllib3 pool spelled through its submodule) blocks the loop when a coroutine calls it.
from typing import Optional, Union

import httpx
import urllib3
from httpx import Client


async def send_with(client: httpx.Client, request):
    return client.send(request)  # error: LG403(col=12, call="client.send", instead="httpx.AsyncClient")


async def send_with_none_first(client: None | httpx.Client, request):
    return client.send(request)  # error: LG403(col=12, call="client.send", instead="httpx.AsyncClient")


async def send_with_none_last(client: httpx.Client | None, request):
    return client.send(request)  # error: LG403(col=12, call="client.send", instead="httpx.AsyncClient")


async def send_with_optional(client: Optional[httpx.Client], request):
    return client.send(request)  # error: LG403(col=12, call="client.send", instead="httpx.AsyncClient")


async def send_with_union(client: Union[None, httpx.Client], request):
    return client.send(request)  # error: LG403(col=12, call="client.send", instead="httpx.AsyncClient")


async def send_with_annotated_local(make, request):
    client: httpx.Client = make()
    return client.send(request)  # error: LG403(col=12, call="client.send", instead="httpx.AsyncClient")


async def send_with_imported_name(request):
    client: Client = Client()
    return client.send(request)  # error: LG403(col=12, call="client.send", instead="httpx.AsyncClient")


async def pooled(make, url):
    pool: urllib3.connectionpool.HTTPSConnectionPool = make()
    pool.urlopen("GET", url)  # error: LG403(col=5, call="pool.urlopen", instead="await asyncio.to_thread(...) or an async client")
    proxy: urllib3.ProxyManager = make()
    proxy.request("GET", url)  # error: LG403(col=5, call="proxy.request", instead="await asyncio.to_thread(...) or an async client")


async def not_a_client(make, request):
    client: urllib3.Timeout = make()
    client.send(request)
    other: httpx.AsyncClient = make()
    await other.send(request)


def synchronous_caller(client: httpx.Client, request):
    return client.send(request)
