"""Invariant 4: loop-bound resources are created lazily, on the running loop."""

from __future__ import annotations

from typing import Iterator

from ..apis import ASYNCIO_PRIMITIVES, LOOP_BOUND_FACTORIES
from ..findings import Finding
from ..model import CallSite, Module
from .base import Rule, example, register

def loop_bound_calls(module: Module) -> list:
    return module.calls_to(LOOP_BOUND_FACTORIES + module.config.extra_loop_bound)


def runs_at_import(site: CallSite) -> bool:
    """Module-level or class-body code, except the ``__main__`` block (it runs as a script)."""
    return site.scope.runs_at_import and not site.in_main_block


@register
class LoopResourceInInit(Rule):
    """A loop-bound I/O resource is constructed in `__init__`.

    Why: an `aiohttp.ClientSession`, a `grpc.aio` channel or an `httpx.AsyncClient`
    binds to the loop that exists when it is built. Built in `__init__`, it binds to
    whatever loop the constructor happened to run under (often none yet, or a private
    one), and using it later from the main loop fails with "attached to a different
    loop" or "Event loop is closed".

    Fix: set the attribute to `None` in `__init__` and create the resource in an
    `async def _ensure_session(self)` awaited by its users, so it is made on the running
    loop. Add factories of your own with
    `--loopguard-loop-bound`.
    """

    code = "LG301"
    codemods = ("lazy_loop_resource",)
    name = "loop-resource-in-init"
    message = "{call}() in __init__ binds to whatever loop runs now; create it lazily in an async method"
    invalid = [
        example("""
            import aiohttp

            class UpbitPublicClient:
                def __init__(self):
                    self._session = aiohttp.ClientSession()
        """),
        example("""
            import grpc

            class StatsProvider:
                def __init__(self, target):
                    self.aio_channel = grpc.aio.insecure_channel(target)
        """),
    ]
    valid = [
        example("""
            import aiohttp

            class UpbitPublicClient:
                def __init__(self):
                    self._session = None

                async def _ensure_session(self):
                    if self._session is None:
                        self._session = aiohttp.ClientSession()
                    return self._session
        """),
        example("""
            import grpc, httpx

            class StatsProvider:
                def __init__(self, target):
                    self.channel = grpc.insecure_channel(target)
                    self.http = httpx.Client()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in loop_bound_calls(module):
            if site.scope.is_init:
                yield self.report(site, call=site.qualified)


@register
class LoopResourceAtImport(Rule):
    """A loop-bound I/O resource is constructed at import time.

    Why: module-level and class-body code runs when the module is first imported, before
    the entry point has started the one loop. The resource binds to no loop, or to the
    wrong one, and is shared by everything that imports the module.

    Fix: create it lazily inside a coroutine (or in the application's start-up
    coroutine) and hand it to its users. A module-level `session = Factory(...)`
    becomes `session = None` plus an `async def _ensure_session()` that creates it on
    the running loop, awaited first by the coroutines that use it.
    """

    code = "LG302"
    codemods = ("lazy_loop_resource",)
    name = "loop-resource-at-import"
    message = "{call}() at import time binds to no running loop; create it lazily in an async method"
    invalid = [
        example("""
            import grpc

            STATS_CHANNEL = grpc.aio.insecure_channel('stats:50051')
        """),
        example("""
            import aiohttp

            class Client:
                session = aiohttp.ClientSession()
        """),
    ]
    valid = [
        example("""
            import grpc

            async def open_stats_channel():
                return grpc.aio.insecure_channel('stats:50051')
        """),
        example("""
            import aiohttp

            if __name__ == '__main__':
                session = aiohttp.ClientSession()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in loop_bound_calls(module):
            if runs_at_import(site):
                yield self.report(site, call=site.qualified)


@register
class AsyncioPrimitiveCreatedEagerly(Rule):
    """An asyncio primitive is created in `__init__` or at import time (strict invariant 4, opt-in).

    Why: before Python 3.10, `asyncio.Lock()`, `Queue()` (also `Queue[bytes]()`) and friends
    bind to the current
    loop when constructed; since 3.10 they bind on first use, which still ties a shared
    instance to the first loop that touches it. Under one loop this is harmless, which is
    why the rule is opt-in; turn it on when the code must also run where a second loop may
    exist (tests, worker threads).

    Fix: create the primitive lazily on the running loop, next to the resource it guards.
    """

    code = "LG303"
    name = "asyncio-primitive-created-eagerly"
    message = "{call}() created {where}; create it lazily on the running loop"
    default_enabled = False
    invalid = [
        example("""
            import asyncio

            class WebSocketManager:
                def __init__(self):
                    self._lock = asyncio.Lock()
        """),
        example("""
            import asyncio

            QUEUE = asyncio.Queue()
        """),
    ]
    valid = [
        example("""
            import asyncio

            class WebSocketManager:
                async def start(self):
                    self._lock = asyncio.Lock()
        """),
        example("""
            import threading

            class Broker:
                def __init__(self):
                    self._lock = threading.Lock()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.calls_to(ASYNCIO_PRIMITIVES):
            if site.scope.is_init:
                yield self.report(site, call=site.qualified, where="in __init__")
            elif runs_at_import(site):
                yield self.report(site, call=site.qualified, where="at import time")
