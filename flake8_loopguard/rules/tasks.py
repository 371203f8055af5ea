"""Invariant 5: every task is owned."""

from __future__ import annotations

from typing import Iterator

from ..model import AWAITED, BOUND, DISCARDED, QT_LAMBDA, Module
from .base import Finding, Rule, register


@register
class FireAndForgetTask(Rule):
    """A task is created and its result dropped.

    Why: the event loop keeps only a weak reference to a task. Dropping the result of
    `asyncio.create_task()` lets the task be garbage-collected mid-flight, and its
    exception is never seen. A lambda connected to a Qt signal drops it too: Qt throws
    the lambda's return value away.

    Fix: keep the task in the TaskManager (or an `asyncio.TaskGroup`), which holds it
    until it ends, logs its failure and cancels it at shutdown.
    """

    code = "LG201"
    codemod = "fire_and_forget_to_task_manager"
    name = "fire-and-forget-task"
    message = "task created with {call}() is never referenced; keep it in a TaskManager"
    invalid = [
        "import asyncio\n\nasync def subscribe(self, symbol):\n    asyncio.create_task(self._send_subscription(symbol))\n",
        "import asyncio\n\nasync def start():\n    _ = asyncio.ensure_future(job())\n",
        "import asyncio\n\ndef publish(self, event):\n    loop = asyncio.get_running_loop()\n    loop.create_task(self._publish(event))\n",
        "import asyncio\n\nclass Screen:\n    def start(self):\n        self._loop.create_task(self._bus.start())\n",
        "import asyncio\n\ndef wire(button, screen):\n    button.clicked.connect(lambda: asyncio.ensure_future(screen.reload()))\n",
    ]
    valid = [
        "import asyncio\n\nasync def subscribe(self, symbol):\n    self._task_manager.add_task(asyncio.create_task(self._send_subscription(symbol)), name='ws:agent:subscribe')\n",
        "import asyncio\n\nasync def main():\n    async with asyncio.TaskGroup() as tg:\n        tg.create_task(job())\n",
        "import asyncio\n\nasync def main():\n    await asyncio.create_task(job())\n    return asyncio.ensure_future(job())\n",
        "import asyncio\n\nclass Agent:\n    def subscribe(self, symbol):\n        task = asyncio.create_task(self._send(symbol))\n        self._background_tasks.add(task)\n",
        "def schedule(nursery, scheduler):\n    nursery.create_task(job())\n    scheduler.create_task('nightly')\n",
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.task_creations:
            if site.usage in (DISCARDED, QT_LAMBDA):
                yield self.report(site, call=site.function_name)


@register
class UnusedTaskName(Rule):
    """A task is bound to a local name that is never used again.

    Why: a name that is never read keeps the task alive only until the function returns;
    then the loop's weak reference is all that is left, exactly as with a dropped result.
    A name read only to call `add_done_callback()` or `set_name()` on it is no owner
    either.

    Fix: await the task, return it, store it, or hand it to the TaskManager
    (`self._task_manager.add_task(task)`).
    """

    code = "LG202"
    codemod = "fire_and_forget_to_task_manager"
    name = "unused-task-name"
    message = "task '{name}' is never awaited, cancelled or stored; keep it in a TaskManager"
    invalid = [
        "import asyncio\n\nasync def refresh(self):\n    backup = asyncio.create_task(self._refresh_backup())\n",
        "import asyncio\n\nasync def refresh(self):\n    task = asyncio.create_task(self._poll())\n    task.add_done_callback(print)\n",
    ]
    valid = [
        "import asyncio\n\nasync def refresh(self):\n    backup = asyncio.create_task(self._refresh_backup())\n    self._task_manager.add_task(backup)\n",
        "import asyncio\n\nasync def refresh(self):\n    task = asyncio.create_task(self._poll())\n    await asyncio.sleep(1)\n    task.cancel()\n",
        "import asyncio\n\nasync def refresh(self):\n    task = asyncio.create_task(self._poll())\n    return task\n",
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.task_creations:
            if module.is_unused_task_name(site):
                yield self.report(site, name=site.target)


@register
class TaskOutsideTaskManager(Rule):
    """A task is kept, but not by the TaskManager (strict invariant 5, opt-in).

    Why: a task held in an ad-hoc set or attribute is not cancelled by the shutdown
    sequence and its failure is logged by nobody. With one TaskManager, shutdown can
    cancel and gather every task of the program. Dropped tasks are LG201's and LG202's;
    this rule covers the ones that are kept elsewhere. Tasks of an `asyncio.TaskGroup`
    and tasks awaited where they are created are owned and pass.

    Fix: create or register the task through the TaskManager named by
    `loopguard-task-manager` (`self._task_manager.add_task(task, name="mod:comp:op")`).
    """

    code = "LG203"
    codemod = "fire_and_forget_to_task_manager"
    name = "task-outside-task-manager"
    message = "task created with {call}() is not registered with the TaskManager; pass it to task_manager.add_task()"
    default_enabled = False
    invalid = [
        "import asyncio\n\nclass Agent:\n    def subscribe(self, symbol):\n        task = asyncio.create_task(self._send(symbol))\n        self._background_tasks.add(task)\n",
        "import asyncio\n\nclass Poller:\n    def start(self):\n        self._poll_task = asyncio.ensure_future(self._poll())\n",
    ]
    valid = [
        "import asyncio\n\nclass Screen:\n    def start(self):\n        self._task_manager.add_task(asyncio.create_task(self._bus.start()))\n",
        "import asyncio\n\ndef publish(self, event):\n    task = asyncio.get_running_loop().create_task(self._publish(event))\n    self._task_manager.add_task(task)\n    return task\n",
        "import asyncio\n\nclass TaskManager:\n    def create(self, coro, name):\n        return self.add_task(asyncio.create_task(coro), name)\n",
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for site in module.task_creations:
            if site.usage == AWAITED or module.in_task_manager_class(site):
                continue  # owned by the coroutine that awaits it, or the manager itself
            if site.usage in (DISCARDED, QT_LAMBDA) or module.is_unused_task_name(site):
                continue  # dropped tasks are LG201's and LG202's
            parent = module.parent_call(site)
            if parent is not None and module.is_task_manager_registration(parent):
                continue
            if site.usage == BOUND and site.target in module.names_registered_with_task_manager(site.scope):
                continue
            yield self.report(site, call=site.function_name)
