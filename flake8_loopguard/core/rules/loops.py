"""Invariants 1 and 2: one event loop per process, and no loop boundaries."""

from __future__ import annotations

from typing import Iterator, Tuple

from ..apis import LOOP_RUNNERS
from ..findings import Finding
from ..model import Module
from ..project_facts import HandOverKind, ProjectFacts
from .base import Rule, chain_text, example, register


@register
class LoopCreatedOutsideEntryPoint(Rule):
    """An event loop is created outside the entry point.

    Why: every loop-bound object (sessions, channels, futures, locks) belongs to the
    loop that was running when it was made. A second loop made in a widget or a service
    splits the program in two worlds, and awaiting across them fails with "attached to a
    different loop" or hangs. Only the entry point creates the one loop (qasync's
    `QEventLoop` in a Qt app). Instantiating an event loop class of the same file (a subclass
    of `asyncio.SelectorEventLoop`, `qasync.QEventLoop`, `uvloop.Loop`...) makes a loop too;
    an event loop policy making its loop in `new_event_loop()`/`get_event_loop()` is doing
    its job and is not reported.

    Fix: delete the private loop and make the caller a coroutine that awaits the work on
    the running loop; from a Qt signal, use an `@asyncSlot()` method.
    """

    code = "LG101"
    codemods = ("thread_loop_to_async_slot", "worker_class_to_task", "run_to_await", "loop_thread_to_main_loop")
    name = "loop-created-outside-entry-point"
    message = "event loop created with {call}() outside the entry point; await on the running loop instead"
    invalid = [
        example("""
            import asyncio

            def load_prices():
                loop = asyncio.new_event_loop()
                return loop
        """),
        example("""
            import asyncio as aio

            class Widget:
                def refresh(self):
                    self._loop = aio.new_event_loop()
        """),
        example("""
            from qasync import QEventLoop

            def attach(app):
                return QEventLoop(app)
        """),
        example("""
            import uvloop

            LOOP = uvloop.new_event_loop()
        """),
        example("""
            import asyncio

            class TracingLoop(asyncio.SelectorEventLoop):
                pass

            def start_worker():
                return TracingLoop()
        """),
    ]
    valid = [
        example("""
            import asyncio

            async def load_prices(service):
                return await service.prices()
        """),
        example("""
            import asyncio
            from qasync import QEventLoop

            class QtLoopPolicy(asyncio.DefaultEventLoopPolicy):
                def new_event_loop(self):
                    return QEventLoop(self.app)
        """),
        example("""
            import asyncio

            if __name__ == '__main__':
                loop = asyncio.new_event_loop()
                loop.run_until_complete(main())
        """),
        example("""
            import asyncio

            def main():
                loop = asyncio.new_event_loop()
                loop.run_forever()

            if __name__ == '__main__':
                main()
        """),
        example("""
            def new_event_loop():
                return None

            new_event_loop()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.loop_creations:
            if not module.in_entry_point(site):
                yield self.report(site, call=site.qualified or site.function_name)


@register
class LoopRunOutsideEntryPoint(Rule):
    """`asyncio.run()`, `asyncio.Runner` or `qasync.run()` is called outside the entry point.

    Why: `asyncio.run()` creates a fresh loop, runs one coroutine in it and closes it.
    Called from a widget, a service or a request handler it either fails ("cannot be
    called from a running event loop") or silently builds a second loop whose objects
    cannot be used from the main one (a `grpc.aio` channel made under one `asyncio.run`
    is dead in the next).

    Fix: make the caller `async def` and `await` the coroutine; in Qt code, turn the
    slot into an `@asyncSlot()` coroutine. Only the entry point runs the loop:
    `qasync.run(main())` or `asyncio.run(main(), loop_factory=QEventLoop)`.
    `run_to_await` does this up the callers, across modules, to the entry point.
    """

    code = "LG102"
    codemods = ("thread_loop_to_async_slot", "worker_class_to_task", "run_to_await")
    name = "loop-run-outside-entry-point"
    message = "{call}() starts a new event loop outside the entry point; await the coroutine instead"
    # A coroutine whose chain of calls reaches this call in another module (project pass).
    cross_module_message = (
        "{chain} ({where}) starts a new event loop with {call}() inside a coroutine; await the coroutine instead"
    )
    invalid = [
        example("""
            import asyncio

            def fetch_all(coroutines):
                return asyncio.run(gather(coroutines))
        """),
        example("""
            from asyncio import run as arun

            class ApiKeyService:
                def test_key(self):
                    return arun(self._probe())
        """),
        example("""
            import qasync

            def restart():
                qasync.run(main())
        """),
        example("""
            import asyncio

            def run_many():
                with asyncio.Runner() as runner:
                    runner.run(job())
        """),
    ]
    valid = [
        example("""
            import asyncio

            async def fetch_all(coroutines):
                return await asyncio.gather(*coroutines)
        """),
        example("""
            import asyncio, qasync

            if __name__ == '__main__':
                asyncio.run(main(), loop_factory=qasync.QEventLoop)
        """),
        example("""
            import subprocess, trio

            def build():
                subprocess.run(['make'])
                trio.run(main)
        """),
        example("""
            def run(job):
                return job()

            def start(app):
                run(print)
                app.run()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.calls_to(LOOP_RUNNERS):
            if not module.in_entry_point(site):
                yield self.report(site, call=site.qualified)

    def check_project(self, project: ProjectFacts) -> Iterator[Tuple[str, Finding]]:
        for chain in project.cross_module_chains(HandOverKind.COROUTINE):
            call = next((call for code, call in chain.loop_calls if code == self.code), None)
            if call is not None:
                message = self.cross_module_message.format(chain=chain_text(chain), where=chain.where, call=call)
                yield chain.path, Finding(chain.line, chain.col, self.code, message, chain.context)


@register
class LoopDrivenOutsideEntryPoint(Rule):
    """`run_until_complete()` or `run_forever()` is called outside the entry point.

    Why: driving a loop by hand is what the entry point does once. Elsewhere it either
    raises "This event loop is already running" under qasync, or drives a private loop
    in a thread, which is the multi-loop bug this tool exists to prevent. The
    `if loop.is_running(): ... else: loop.run_until_complete(...)` branch only hides it.
    Any receiver may be a loop except one known to be something else (the result of a call
    that makes no loop, such as `websocket.WebSocketApp(...)`, or a name annotated with
    another type); in a module that imports no event-loop library (an import for annotations
    only does not count), only receivers known to be loops count, also from their annotation
    (`ev: Optional[asyncio.AbstractEventLoop]`). An event loop's own implementation (a
    subclass of a loop class, or a class that defines the method it calls) driving itself
    with `self.run_forever()` or `super().run_until_complete(f)` is not reported.

    Fix: await the coroutine from a coroutine; from synchronous code that runs on the
    loop, schedule it with `asyncio.get_running_loop().create_task(...)` and register the
    task with the TaskManager. `run_to_await` makes the function and its callers coroutines
    that await it, up to the entry point.
    """

    code = "LG103"
    codemods = (
        "running_branch_to_task",
        "thread_loop_to_async_slot",
        "worker_class_to_task",
        "run_to_await",
        "loop_thread_to_main_loop",
    )
    name = "loop-driven-outside-entry-point"
    message = "{call}() drives an event loop outside the entry point; await the coroutine instead"
    # A coroutine whose chain of calls reaches this call in another module (project pass).
    cross_module_message = (
        "{chain} ({where}) drives an event loop with {call}() inside a coroutine; await the coroutine instead"
    )
    invalid = [
        example("""
            import asyncio

            def publish(self, event):
                loop = asyncio.get_event_loop()
                loop.run_until_complete(self._publish(event))
        """),
        example("""
            def serve(loop):
                loop.run_forever()
        """),
        example("""
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                import asyncio

            def refresh(ev: "asyncio.AbstractEventLoop", job):
                ev.run_until_complete(job())
        """),
    ]
    valid = [
        example("""
            async def publish(self, event):
                await self._publish(event)
        """),
        example("""
            import asyncio
            from qasync import QEventLoop

            class PatchedLoop(QEventLoop):
                def run_until_complete(self, future):
                    future = asyncio.ensure_future(future, loop=self)
                    self.run_forever()
                    return future.result()
        """),
        example("""
            import asyncio, websocket

            def stream(url):
                websocket.WebSocketApp(url).run_forever()
        """),
        example("""
            import asyncio

            if __name__ == '__main__':
                loop = asyncio.new_event_loop()
                loop.run_until_complete(main())
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.loop_drivings:
            if not module.in_entry_point(site):
                yield self.report(site, call=site.function_name)

    def check_project(self, project: ProjectFacts) -> Iterator[Tuple[str, Finding]]:
        for chain in project.cross_module_chains(HandOverKind.COROUTINE):
            if any(code == "LG102" for code, _call in chain.loop_calls):
                continue  # LG102 reports the chain: starting a loop is the graver of the two
            call = next((call for code, call in chain.loop_calls if code == self.code), None)
            if call is not None:
                message = self.cross_module_message.format(chain=chain_text(chain), where=chain.where, call=call)
                yield chain.path, Finding(chain.line, chain.col, self.code, message, chain.context)


@register
class SetEventLoopOutsideEntryPoint(Rule):
    """`asyncio.set_event_loop()` is called outside the entry point.

    Why: installing a loop, or uninstalling it with `set_event_loop(None)`, changes what
    every later `get_event_loop()` in the thread returns. Outside the entry point it is
    the second half of a private-loop worker, or it unplugs qasync's loop from under
    the application.

    Fix: remove the call; the entry point installs the one loop.
    """

    code = "LG104"
    codemods = ("thread_loop_to_async_slot", "worker_class_to_task", "run_to_await", "loop_thread_to_main_loop")
    name = "set-event-loop-outside-entry-point"
    message = "asyncio.set_event_loop() outside the entry point; only the entry point installs the loop"
    invalid = [
        example("""
            import asyncio

            def worker():
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
        """),
        example("""
            import asyncio

            def cleanup():
                asyncio.set_event_loop(None)
        """),
    ]
    valid = [
        example("""
            import asyncio, qasync

            if __name__ == '__main__':
                app = qasync.QApplication([])
                asyncio.set_event_loop(qasync.QEventLoop(app))
        """),
        example("""
            import asyncio

            async def current():
                return asyncio.get_running_loop()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.calls_to(("asyncio.set_event_loop",)):
            if not module.in_entry_point(site):
                yield self.report(site)


@register
class GetEventLoop(Rule):
    """`asyncio.get_event_loop()` is called.

    Why: its behaviour depends on the Python version and on whether a loop runs: it may
    return the running loop, a loop set earlier, or create a brand-new one (deprecated
    since 3.10, an error since 3.14 where no loop is set). Code that works under qasync
    breaks in a test or a worker thread, and the other way round.

    Fix: inside a coroutine, `asyncio.get_running_loop()`; in synchronous code, receive the loop from the
    entry point or make the function a coroutine.
    """

    code = "LG105"
    codemods = ("get_event_loop_to_running_loop",)
    name = "get-event-loop"
    message = "asyncio.get_event_loop() {where}"
    invalid = [
        example("""
            import asyncio

            async def tail(handle):
                loop = asyncio.get_event_loop()
                return await loop.run_in_executor(None, handle.readline)
        """),
        example("""
            from asyncio import get_event_loop

            def publish(event):
                get_event_loop().call_soon(print, event)
        """),
    ]
    valid = [
        example("""
            import asyncio

            async def tail(handle):
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(None, handle.readline)
        """),
        example("""
            class Bus:
                def get_event_loop(self):
                    return self._loop

                def publish(self):
                    self.get_event_loop()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.calls_to(("asyncio.get_event_loop",)):
            where = (
                "in a coroutine; use asyncio.get_running_loop()"
                if site.in_coroutine
                else "may create a second loop; call asyncio.get_running_loop() from a coroutine"
            )
            yield self.report(site, where=where)
