"""Invariant 5: every task is owned."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

from ..findings import Finding
from ..model import CallSite, Module, Usage
from .base import Rule, example, register


def on_private_loop(finding: Finding, module: Module, site: CallSite) -> Finding:
    """The finding, telling the worker whose private loop runs the task's code (a registration
    there would put a task of another loop and thread into the process-wide TaskManager)."""
    worker = module.private_loop_worker(site.scope)
    return replace(finding, private_loop_worker=worker) if worker else finding


@register
class FireAndForgetTask(Rule):
    """A task is created and its result dropped.

    Why: the event loop keeps only a weak reference to a task. Dropping the result of
    `asyncio.create_task()` lets the task be garbage-collected mid-flight, and its
    exception is never seen. Every way of dropping it counts: an expression statement, an
    element of a list, tuple or comprehension used as a statement, `create_task(...)
    .add_done_callback(...)` as a statement, `_ = ...`, a value only tested for truth, the
    body of a lambda whose result is thrown away (connected to a Qt signal, passed to
    `QTimer.singleShot`, `loop.call_soon`/`call_later`/`call_soon_threadsafe`/
    `add_signal_handler`), and `loop.call_soon_threadsafe(asyncio.ensure_future, coro)`.

    Fix: keep the task in the TaskManager (or an `asyncio.TaskGroup`), which holds it
    until it ends, logs its failure and cancels it at shutdown.
    """

    code = "LG201"
    codemods = ("fire_and_forget_to_task_manager",)
    name = "fire-and-forget-task"
    message = "task created with {call}() is never referenced; keep it in a TaskManager"
    invalid = [
        example("""
            import asyncio

            async def subscribe(self, symbol):
                asyncio.create_task(self._send_subscription(symbol))
        """),
        example("""
            import asyncio

            async def start():
                _ = asyncio.ensure_future(job())
        """),
        example("""
            import asyncio

            def publish(self, event):
                loop = asyncio.get_running_loop()
                loop.create_task(self._publish(event))
        """),
        example("""
            import asyncio

            class Screen:
                def start(self):
                    self._loop.create_task(self._bus.start())
        """),
        example("""
            import asyncio

            def wire(button, screen):
                button.clicked.connect(lambda: asyncio.ensure_future(screen.reload()))
        """),
        example("""
            import asyncio

            async def fan_out(symbols):
                [asyncio.create_task(subscribe(s)) for s in symbols]
        """),
        example("""
            import asyncio

            async def start():
                asyncio.create_task(poll()).add_done_callback(log_failure)
        """),
        example("""
            import asyncio

            def publish(loop, event):
                loop.call_soon_threadsafe(asyncio.ensure_future, send(event))
        """),
    ]
    valid = [
        example("""
            import asyncio

            async def subscribe(self, symbol):
                task = asyncio.create_task(self._send_subscription(symbol))
                self._task_manager.add_task(task, name="ws:agent:subscribe")
        """),
        example("""
            import asyncio

            async def main():
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(job())
        """),
        example("""
            import asyncio

            async def main():
                await asyncio.create_task(job())
                return asyncio.ensure_future(job())
        """),
        example("""
            import asyncio

            class Agent:
                def subscribe(self, symbol):
                    task = asyncio.create_task(self._send(symbol))
                    self._background_tasks.add(task)
        """),
        example("""
            def schedule(nursery, scheduler):
                nursery.create_task(job())
                scheduler.create_task('nightly')
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.task_creations:
            if site.usage in (Usage.DISCARDED, Usage.CALLBACK_LAMBDA):
                yield on_private_loop(self.report(site, call=site.function_name), module, site)
        for scheduling, factory in module.task_factories_handed_to_callbacks:
            yield on_private_loop(self.report(scheduling, call=factory), module, scheduling)


@register
class UnusedTaskName(Rule):
    """A task is bound to a local name that is never used again.

    Why: a name that is never read keeps the task alive only until the function returns;
    then the loop's weak reference is all that is left, exactly as with a dropped result.
    A name read only to call `add_done_callback()` or `set_name()` on it is no owner
    either. Every binding form counts: `t = ...`, `t = u = ...` (when no name is read),
    `(t := ...)`, tuple unpacking, and a name rebound in the same block before it was read.

    Fix: await the task, return it, store it, or hand it to the TaskManager
    (`self._task_manager.add_task(task)`).
    """

    code = "LG202"
    codemods = ("fire_and_forget_to_task_manager",)
    name = "unused-task-name"
    message = "task '{name}' is never awaited, cancelled or stored; keep it in a TaskManager"
    invalid = [
        example("""
            import asyncio

            async def refresh(self):
                backup = asyncio.create_task(self._refresh_backup())
        """),
        example("""
            import asyncio

            async def refresh(self):
                task = asyncio.create_task(self._poll())
                task.add_done_callback(print)
        """),
        example("""
            import asyncio

            async def refresh(self):
                task = asyncio.create_task(self._poll())
                task = asyncio.create_task(self._poll_again())
                await task
        """),
    ]
    valid = [
        example("""
            import asyncio

            async def refresh(self):
                backup = asyncio.create_task(self._refresh_backup())
                self._task_manager.add_task(backup)
        """),
        example("""
            import asyncio

            async def refresh(self):
                task = asyncio.create_task(self._poll())
                await asyncio.sleep(1)
                task.cancel()
        """),
        example("""
            import asyncio

            async def refresh(self):
                task = asyncio.create_task(self._poll())
                return task
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.task_creations:
            if module.is_unused_task_name(site):
                yield on_private_loop(self.report(site, name=site.target), module, site)


@register
class TaskOutsideTaskManager(Rule):
    """A task is kept, but not by the TaskManager (strict invariant 5, opt-in).

    Why: a task held in an ad-hoc set or attribute is not cancelled by the shutdown
    sequence and its failure is logged by nobody. With one TaskManager, shutdown can
    cancel and gather every task of the program. Dropped tasks are LG201's and LG202's;
    this rule covers the ones that are kept elsewhere. Tasks of an `asyncio.TaskGroup`
    and tasks awaited where they are created are owned and pass. A task counts as
    registered when the manager creates it or it is passed to the manager, positionally or
    by keyword, directly, through the name or attribute it was stored in, or through a local
    alias of the manager (`tm = self._task_manager`).

    Fix: create or register the task through the TaskManager named by
    `loopguard-task-manager` (`self._task_manager.add_task(task, name="mod:comp:op")`).
    """

    code = "LG203"
    codemods = ("fire_and_forget_to_task_manager",)
    name = "task-outside-task-manager"
    message = "task created with {call}() is not registered with the TaskManager; pass it to task_manager.add_task()"
    default_enabled = False
    invalid = [
        example("""
            import asyncio

            class Agent:
                def subscribe(self, symbol):
                    task = asyncio.create_task(self._send(symbol))
                    self._background_tasks.add(task)
        """),
        example("""
            import asyncio

            class Poller:
                def start(self):
                    self._poll_task = asyncio.ensure_future(self._poll())
        """),
    ]
    valid = [
        example("""
            import asyncio

            class Screen:
                def start(self):
                    self._task_manager.add_task(asyncio.create_task(self._bus.start()))
        """),
        example("""
            import asyncio

            def publish(self, event):
                task = asyncio.get_running_loop().create_task(self._publish(event))
                self._task_manager.add_task(task)
                return task
        """),
        example("""
            import asyncio

            class TaskManager:
                def create(self, coro, name):
                    return self.add_task(asyncio.create_task(coro), name)
        """),
        example("""
            import asyncio

            class Poller:
                def start(self):
                    self._poll_task = asyncio.ensure_future(self._poll())
                    manager = self._task_manager
                    manager.add_task(task=self._poll_task, name="feed:poller:start")
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.task_creations:
            if site.usage == Usage.AWAITED or module.in_task_manager_class(site):
                continue  # owned by the coroutine that awaits it, or the manager itself
            if site.usage in (Usage.DISCARDED, Usage.CALLBACK_LAMBDA) or module.is_unused_task_name(site):
                continue  # dropped tasks are LG201's and LG202's
            if not module.is_registered_with_task_manager(site):
                yield on_private_loop(self.report(site, call=site.function_name), module, site)
