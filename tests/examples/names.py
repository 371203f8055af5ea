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
    new_event_loop()  # error: LG101
    run(coro)  # error: LG102
    QEventLoop(QApplication.instance())  # error: LG101


def fallbacks():
    uvloop.new_event_loop()  # error: LG101
    return aiohttp.ClientSession()


class Client:
    def __init__(self):
        self.session = aiohttp.ClientSession()  # error: LG301


def submodules(coro):
    asyncio.events.new_event_loop()  # error: LG101
    asyncio.events.get_event_loop()  # error: LG105


async def submodule_task():
    schedule(submodule_task())  # error: LG201


class Worker(QThread):
    def run(self):  # error: LG401
        run(self.load())  # error: LG102

    async def load(self):
        pass


def comprehension_variables(items):
    names = [asyncio for asyncio in items]  # a comprehension variable hides nothing outside it
    asyncio.run(names)  # error: LG102
    return {run: 1 for run in items}


def class_body_in_a_function():
    class Settings:
        lock = asyncio.Lock()  # runs when the function runs, not at import time

    return Settings


class Shared:
    lock = asyncio.Lock()  # error: LG303


MAIN_LOOP = asyncio.new_event_loop()  # error: LG101


def module_loop_everywhere(job):
    MAIN_LOOP.create_task(job())  # error: LG201


def closure_sees_the_enclosing_loop(job):
    private = asyncio.new_event_loop()  # error: LG101

    def schedule_later():
        private.create_task(job())  # error: LG201

    return schedule_later


def look_alike_star(items):
    sleep = print
    sleep(items)


def run_star_qapp():
    return qApp.exec_()  # error: LG503
