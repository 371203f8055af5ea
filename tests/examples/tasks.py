"""LG201-LG203: every task is owned."""
import asyncio
from asyncio import create_task as spawn_task

from PySide6.QtWidgets import QPushButton


async def job():
    pass


async def dropped():
    asyncio.create_task(job())  # error: LG201(col=5, call="create_task")
    _ = asyncio.ensure_future(job())  # error: LG201(col=9, call="ensure_future")
    spawn_task(job())  # error: LG201(col=5, call="create_task")
    await asyncio.create_task(job())  # ok: awaited
    return asyncio.create_task(job())  # error: LG203(col=12, call="create_task")


class Publisher:
    def publish(self, event):
        loop = asyncio.get_event_loop()  # error: LG105(col=16, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")
        if loop.is_running():
            loop.create_task(self._publish(event))  # error: LG201(col=13, call="create_task")
        asyncio.get_running_loop().create_task(self._publish(event))  # error: LG201(col=9, call="create_task")
        self._main = asyncio.get_running_loop()
        self._main.create_task(self._publish(event))  # error: LG201(col=9, call="create_task")

    def annotated(self, ev: asyncio.AbstractEventLoop, worker: "Worker"):
        ev.create_task(self._publish(None))  # error: LG201(col=9, call="create_task")
        worker.create_task(self._publish(None))

    def registered(self, event):
        task = asyncio.get_running_loop().create_task(self._publish(event))
        self._task_manager.add_task(task, name="events:publisher:publish")
        self._task_manager.add_task(asyncio.create_task(job()))
        self.task_manager.create_task(job())
        TaskManager.instance().spawn(job())

    def kept_elsewhere(self):
        self._tasks.add(asyncio.create_task(job()))  # error: LG203(col=25, call="create_task")
        self._refresh_task = asyncio.create_task(job())  # error: LG203(col=30, call="create_task")

    async def _publish(self, event):
        pass


async def unused_names():
    backup = asyncio.create_task(job())  # error: LG202(col=14, name="backup")
    named = asyncio.create_task(job())  # error: LG202(col=13, name="named")
    named.set_name("x")
    watched = asyncio.create_task(job())  # error: LG202(col=15, name="watched")
    watched.add_done_callback(print)
    cancelled = asyncio.create_task(job())  # error: LG203(col=17, call="create_task")
    cancelled.cancel()
    awaited = asyncio.create_task(job())  # error: LG203(col=15, call="create_task")
    await awaited
    closure = asyncio.create_task(job())  # error: LG203(col=15, call="create_task")

    def later():
        return closure

    return later


async def task_groups():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(job())
        tg.create_task(job())


def qt_lambda(button: QPushButton, screen):
    button.clicked.connect(lambda: asyncio.ensure_future(screen.reload()))  # error: LG201(col=36, call="ensure_future")
    button.clicked.connect(lambda: screen.task_manager.create(screen.reload()))


def not_tasks(nursery, scheduler, create_task):
    nursery.create_task(job())
    scheduler.create_task("nightly")
    create_task(job())


from PySide6.QtCore import QTimer


async def dropped_in_other_shapes(loop):
    [asyncio.create_task(job()) for _ in range(3)]  # error: LG201(col=6, call="create_task")
    (asyncio.create_task(job()), asyncio.ensure_future(job()))  # error: LG201(col=6, call="create_task"), LG201(col=34, call="ensure_future")
    asyncio.create_task(job()).add_done_callback(print)  # error: LG201(col=5, call="create_task")
    asyncio.create_task(job()).set_name("poller")  # error: LG201(col=5, call="create_task")
    flag = 1 if asyncio.create_task(job()) else 0  # error: LG201(col=17, call="create_task")
    loop.call_soon(lambda: asyncio.ensure_future(job()))  # error: LG201(col=28, call="ensure_future")
    loop.call_later(1.0, lambda: asyncio.ensure_future(job()))  # error: LG201(col=34, call="ensure_future")
    QTimer.singleShot(0, lambda: asyncio.ensure_future(job()))  # error: LG201(col=34, call="ensure_future")
    loop.call_soon_threadsafe(asyncio.ensure_future, job())  # error: LG201(col=5, call="ensure_future")
    loop.call_soon_threadsafe(lambda: loop.create_task(job()))  # error: LG201(col=39, call="create_task")
    return flag


async def every_binding_form():
    first = second = asyncio.create_task(job())  # error: LG202(col=22, name="first")
    (walrus := asyncio.create_task(job()))  # error: LG202(col=16, name="walrus")
    left, right = asyncio.create_task(job()), asyncio.create_task(job())  # error: LG202(col=19, name="left"), LG203(col=47, call="create_task")
    await right
    rebound = asyncio.create_task(job())  # error: LG202(col=15, name="rebound")
    rebound = asyncio.create_task(job())  # error: LG203(col=15, call="create_task")
    await rebound
    kept = also_kept = asyncio.create_task(job())  # error: LG203(col=24, call="create_task")
    await also_kept
    if right.done():
        branch = asyncio.create_task(job())  # error: LG203(col=18, call="create_task")
    else:
        branch = asyncio.create_task(job())  # error: LG203(col=18, call="create_task")
    await branch
    for _ in range(3):
        if kept.done():
            await looped
        looped = asyncio.create_task(job())  # error: LG203(col=18, call="create_task")


class Registered:
    async def by_keyword(self):
        task = asyncio.create_task(job())
        self._task_manager.add_task(task=task, name="tasks:registered:by_keyword")

    async def through_the_attribute(self):
        self._poll_task = asyncio.create_task(job())
        self._task_manager.add_task(self._poll_task)

    async def through_a_local_alias(self):
        tm = self._task_manager
        task = asyncio.create_task(job())
        tm.add_task(task)
        manager = TaskManager()
        manager.add_task(asyncio.create_task(job()))
