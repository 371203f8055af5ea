"""Invariants 1-3 seen from threads: no private loop in a worker, no blocking the loop."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional, Tuple

from ..apis import BLOCKING_CALLS, BLOCKING_METHODS, TO_THREAD
from ..findings import Finding
from ..model import CallSite, FunctionInfo, Module, receiver_name
from ..project_facts import HandOverKind, ProjectFacts
from .base import Rule, chain_text, example, register

def _configured_methods(names: Tuple[str, ...]) -> List[Tuple[Tuple[str, ...], Tuple[str, ...], str]]:
    """``mylib.Client.get`` in ``loopguard-blocking-calls``: ``get`` on an object ``mylib.Client()`` made."""
    return [((owner,), (method,), TO_THREAD) for owner, _, method in (name.rpartition(".") for name in names) if owner]


def makes_private_loop(module: Module, function: FunctionInfo) -> bool:
    """The function's own body creates, runs or drives an event loop (LG101-LG103 calls)."""
    return module.creates_or_runs_loop(function.scope)


@register
class ThreadWithPrivateLoop(Rule):
    """A worker thread runs a private event loop.

    Why: the thread-plus-loop worker (`new_event_loop()`, `run_until_complete()` in a
    `threading.Thread`, an executor, a `QThread.run`) is how a second loop enters a Qt
    program. Everything it creates is bound to its loop, results come back to the GUI
    thread unsynchronised, and nothing cancels it at shutdown. The worker may be a function
    or a method (also one defined later in the class or in a same-file base class), a lambda,
    a `functools.partial` of one, or the loop runner itself (`target=loop.run_forever`,
    `pool.submit(asyncio.run, coro)`); thread classes count through same-file intermediate
    bases (`class BaseWorker(QThread)`). A function handed to another process is no worker
    thread: `multiprocessing.Process(target=f)`, a `Process` subclass's `run()`, and what a
    process pool runs are that process's entry point, whose loop is its one loop. An executor
    is a process pool when it is known to be one (`ProcessPoolExecutor(...)`,
    `multiprocessing.Pool(...)` or a context's `Pool`, made there, bound to the name or
    attribute, `with ... as pool`, annotated, or returned by a function annotated so); one of
    unknown kind is taken for threads.

    Fix: turn the worker into an `@asyncSlot()` coroutine (or a plain coroutine awaited
    by one) that awaits the service on the main loop; keep the surrounding logic. A worker
    class keeps its class and signals: its `run()` becomes a coroutine that `start()` runs as
    a task of the main loop. A long-lived loop thread (`Thread(target=loop.run_forever)` fed by
    `run_coroutine_threadsafe`) goes where the entry point runs the one loop, and what was
    submitted to it runs there.
    """

    code = "LG401"
    codemods = ("thread_loop_to_async_slot", "worker_class_to_task", "run_to_await", "loop_thread_to_main_loop")
    name = "thread-with-private-loop"
    message = "{func}() runs a private event loop in a worker thread; make it an @asyncSlot coroutine on the main loop"
    # A worker in one module whose chain of calls reaches a loop helper in another (project pass).
    cross_module_message = (
        "{chain} ({where}) runs a private event loop in a worker thread; make it an @asyncSlot coroutine on the main loop"
    )
    invalid = [
        example("""
            import asyncio, threading

            def _load_data(self):
                def load_isolated():
                    loop = asyncio.new_event_loop()
                    loop.run_until_complete(self.service.load())
                threading.Thread(target=load_isolated, daemon=True).start()
        """),
        example("""
            import asyncio
            from concurrent.futures import ThreadPoolExecutor

            def fetch(symbol):
                return asyncio.run(quote(symbol))

            def fetch_all(symbols):
                with ThreadPoolExecutor() as pool:
                    return [pool.submit(fetch, s) for s in symbols]
        """),
        example("""
            import asyncio
            from PySide6.QtCore import QThread

            class Loader(QThread):
                def run(self):
                    asyncio.run(self.load())
        """),
        example("""
            import asyncio, threading

            def start_background_loop():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, daemon=True).start()
                return loop
        """),
    ]
    valid = [
        example("""
            import qasync

            class Widget:
                @qasync.asyncSlot()
                async def _load_data(self):
                    self._apply(await self.service.load())
        """),
        example("""
            import threading, time

            def tail(handle):
                time.sleep(0.1)

            threading.Thread(target=tail, args=(None,)).start()
        """),
        example("""
            import asyncio

            async def merge(handles):
                await asyncio.gather(*(asyncio.to_thread(h.readline) for h in handles))
        """),
        example("""
            import asyncio
            from concurrent.futures import ProcessPoolExecutor

            def crawl(urls):
                return asyncio.run(fetch_all(urls))

            def crawl_all(batches):
                with ProcessPoolExecutor() as pool:
                    return list(pool.map(crawl, batches))
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site, worker in module.thread_hand_overs:
            yield from self._report_worker(module, site, worker)
        for run in module.thread_run_methods:
            if makes_private_loop(module, run):
                owner = run.parent_scope.class_info
                yield self.report(run.node, run.scope, func=f"{owner.name if owner else run.name}.run")

    def check_project(self, project: ProjectFacts) -> Iterator[Tuple[str, Finding]]:
        for chain in project.cross_module_chains(HandOverKind.THREAD):
            message = self.cross_module_message.format(chain=chain_text(chain), where=chain.where)
            yield chain.path, Finding(chain.line, chain.col, self.code, message, chain.context)

    def _report_worker(self, module: Module, site: CallSite, target: Optional[ast.expr]) -> Iterator[Finding]:
        if target is None:
            return
        runner = module.loop_runner_named(module.unwrap_partial(target, site.scope), site.scope)
        if runner is not None:
            yield self.report(site, func=runner)
            return
        body = module.callable_body(target, site.scope)
        if body is not None and module.creates_or_runs_loop(body):
            yield self.report(site, func=body.name)


@register
class BlockingThreadsafeResult(Rule):
    """`run_coroutine_threadsafe(...).result()` is called inside a coroutine.

    Why: `run_coroutine_threadsafe` schedules the coroutine on a loop and `.result()`
    blocks until it finishes. Called from a coroutine, it blocks the very loop that has
    to run the coroutine: a deadlock, or a frozen UI until the timeout.

    Fix: `await` the coroutine directly (or `await asyncio.wrap_future(future)` when the
    target loop really is another one).
    """

    code = "LG402"
    name = "blocking-threadsafe-result"
    message = (
        "run_coroutine_threadsafe(...).result() in a coroutine blocks the loop that must run it; await the coroutine"
    )
    invalid = [
        example("""
            import asyncio

            async def write(data, loop):
                asyncio.run_coroutine_threadsafe(write_async(data), loop).result()
        """),
        example("""
            import asyncio

            async def write(data, loop):
                future = asyncio.run_coroutine_threadsafe(write_async(data), loop)
                return future.result()
        """),
    ]
    valid = [
        example("""
            async def write(data):
                await write_async(data)
        """),
        example("""
            import asyncio

            def write(data, loop):
                asyncio.run_coroutine_threadsafe(write_async(data), loop).result()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        threadsafe = "asyncio.run_coroutine_threadsafe"
        for site in module.method_calls(("result",)):
            if not site.in_coroutine:
                continue
            receiver = site.receiver
            if isinstance(receiver, ast.Call):
                inner = module.call_site(receiver)
                blocking = inner is not None and inner.qualified == threadsafe
            elif isinstance(receiver, ast.Name):
                blocking = threadsafe in module.bound_call_names((receiver.id,), site.scope)
            else:
                blocking = False
            if blocking:
                yield self.report(site)


@register
class BlockingCallInCoroutine(Rule):
    """A blocking call runs inside a coroutine.

    Why: `time.sleep`, `requests` (module functions and `Session` methods), `httpx`'s
    synchronous functions and `Client` methods, `urlopen`, `urllib3` (its function and its
    pools' methods), `subprocess.run` and friends, `os.system`, `os.popen`, `os.wait*` and
    `input()` hold the thread, and in a coroutine the thread is the event loop: every other
    task, every websocket ping and, under qasync, the whole UI freezes until the call
    returns. A client is known from where it is made (`s = requests.Session()`, `with ... as
    s`, a function of the file annotated `-> requests.Session`) or from its annotation
    (`client: Optional[httpx.Client]`, `self.http: httpx.Client`, `http: httpx.Client` in the
    class body). Add your own with `--loopguard-blocking-calls`
    (`mylib.sync_fetch`, or `mylib.Client.get` for a method of `mylib.Client` objects).

    Fix: `time.sleep(x)` becomes `await asyncio.sleep(x)`; other calls run in a worker
    thread with `await asyncio.to_thread(f, ...)`, or use an async client.
    """

    code = "LG403"
    codemods = ("blocking_to_async",)
    name = "blocking-call-in-coroutine"
    message = "blocking {call}() in a coroutine stalls the event loop; use {instead}"
    invalid = [
        example("""
            import time

            async def reconnect(self):
                time.sleep(0.5)
        """),
        example("""
            import requests

            async def quote(symbol):
                return requests.get(f'https://example.invalid/{symbol}').json()
        """),
        example("""
            from subprocess import check_output as out

            async def version():
                return out(['git', 'describe'])
        """),
        example("""
            import requests

            async def quotes(symbols):
                with requests.Session() as session:
                    return [session.get(f'https://example.invalid/{s}') for s in symbols]
        """),
        example("""
            from typing import Optional

            import httpx

            async def quote(client: Optional[httpx.Client], symbol):
                return client.get(f'https://example.invalid/{symbol}').json()
        """),
    ]
    valid = [
        example("""
            import asyncio

            async def reconnect(self):
                await asyncio.sleep(0.5)
        """),
        example("""
            import time

            def tail_file(handle, interval):
                time.sleep(interval)
        """),
        example("""
            import asyncio, time

            async def work():
                def blocking():
                    time.sleep(1)
                await asyncio.to_thread(blocking)
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        extra = module.config.blocking_calls
        for site in module.calls_to((*BLOCKING_CALLS, *extra)):
            if site.in_coroutine:
                assert site.qualified is not None
                instead = BLOCKING_CALLS.get(site.qualified, TO_THREAD)
                yield self.report(site, call=site.qualified.replace("builtins.", ""), instead=instead)
        for factories, names, instead in (*BLOCKING_METHODS, *_configured_methods(extra)):
            for site in module.method_calls(names):
                assert site.receiver is not None
                if site.in_coroutine and module.is_instance_of(site.receiver, site.scope, factories):
                    call = f"{receiver_name(site.receiver) or site.receiver.__class__.__name__}.{site.attr}"
                    yield self.report(site, call=call, instead=instead)
