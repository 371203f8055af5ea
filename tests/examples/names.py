"""Name resolution and scopes: star imports, import fallbacks, asyncio's submodules,
comprehensions, class bodies in functions, closures."""
import asyncio.events
from asyncio import *
from asyncio.tasks import ensure_future as schedule

from PyQt5.QtCore import *
from PyQt5.QtWidgets import *
from qasync import *

try:
    import uvloop
except ImportError:
    uvloop = None

try:
    import aiohttp
except ImportError:  # the fallback keeps the import's meaning where the import worked
    aiohttp = None


def star_imported(coro):
    new_event_loop()  # error: LG101(col=5, call="asyncio.new_event_loop")
    run(coro)  # error: LG102(col=5, call="qasync.run")
    QEventLoop(QApplication.instance())  # error: LG101(col=5, call="qasync.QEventLoop")


def fallbacks():
    uvloop.new_event_loop()  # error: LG101(col=5, call="uvloop.new_event_loop")
    return aiohttp.ClientSession()


class Client:
    def __init__(self):
        self.session = aiohttp.ClientSession()  # error: LG301(col=24, call="aiohttp.ClientSession")


def submodules(coro):
    asyncio.events.new_event_loop()  # error: LG101(col=5, call="asyncio.new_event_loop")
    asyncio.events.get_event_loop()  # error: LG105(col=5, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")


async def submodule_task():
    schedule(submodule_task())  # error: LG201(col=5, call="ensure_future")


class Worker(QThread):
    def run(self):  # error: LG401(col=5, func="Worker.run")
        run(self.load())  # error: LG102(col=9, call="qasync.run")

    async def load(self):
        pass


def comprehension_variables(items):
    names = [asyncio for asyncio in items]  # a comprehension variable hides nothing outside it
    asyncio.run(names)  # error: LG102(col=5, call="asyncio.run")
    return {run: 1 for run in items}


def class_body_in_a_function():
    class Settings:
        lock = asyncio.Lock()  # runs when the function runs, not at import time

    return Settings


class Shared:
    lock = asyncio.Lock()  # error: LG303(col=12, call="asyncio.Lock", where="at import time")


MAIN_LOOP = asyncio.new_event_loop()  # error: LG101(col=13, call="asyncio.new_event_loop")


def module_loop_everywhere(job):
    MAIN_LOOP.create_task(job())  # error: LG201(col=5, call="create_task")


def closure_sees_the_enclosing_loop(job):
    private = asyncio.new_event_loop()  # error: LG101(col=15, call="asyncio.new_event_loop")

    def schedule_later():
        private.create_task(job())  # error: LG201(col=9, call="create_task")

    return schedule_later


def look_alike_star(items):
    sleep = print
    sleep(items)


def run_star_qapp():
    return qApp.exec_()  # error: LG503(col=12, call="qApp.exec_")
