"""LG101-LG105: loop creation and loop boundaries outside the entry point."""
import asyncio
import asyncio as aio
import subprocess
from asyncio import new_event_loop, run as arun
from typing import Any, Optional

import qasync
import trio
import uvloop
from qasync import QEventLoop


def load_isolated(service):
    loop = asyncio.new_event_loop()  # error: LG101(col=12, call="asyncio.new_event_loop")
    asyncio.set_event_loop(loop)  # error: LG104(col=5)
    try:
        return loop.run_until_complete(service.load())  # error: LG103(col=16, call="run_until_complete")
    finally:
        loop.close()
        asyncio.set_event_loop(None)  # error: LG104(col=9)


def aliased(coro):
    aio.run(coro)  # error: LG102(col=5, call="asyncio.run")
    arun(coro)  # error: LG102(col=5, call="asyncio.run")
    new_event_loop()  # error: LG101(col=5, call="asyncio.new_event_loop")
    uvloop.new_event_loop()  # error: LG101(col=5, call="uvloop.new_event_loop")
    aio.SelectorEventLoop()  # error: LG101(col=5, call="asyncio.SelectorEventLoop")
    with asyncio.Runner() as runner:  # error: LG102(col=10, call="asyncio.Runner")
        runner.run(coro)


def qt_loops(app, coro):
    QEventLoop(app)  # error: LG101(col=5, call="qasync.QEventLoop")
    qasync.QEventLoop(app)  # error: LG101(col=5, call="qasync.QEventLoop")
    qasync.run(coro)  # error: LG102(col=5, call="qasync.run")


def drives(server, coro):
    server.loop.run_forever()  # error: LG103(col=5, call="run_forever")
    asyncio.get_event_loop().run_until_complete(coro)  # error: LG103(col=5, call="run_until_complete"), LG105(col=5, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")


async def inside_coroutine():
    loop = asyncio.get_event_loop()  # error: LG105(col=12, where="in a coroutine; use asyncio.get_running_loop()")
    return await loop.run_in_executor(None, print)


def look_alikes(app, job):
    subprocess.run(["make"])
    trio.run(job)
    app.run()
    asyncio.get_running_loop()

    def run(x):
        return x

    run(job)


def run_later(coro):
    from asyncio import run
    return run(coro)  # error: LG102(col=12, call="asyncio.run")


def shadowed(coro):
    run = print
    run(coro)


def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(asyncio.sleep(0))


def helper_not_called_from_main():
    asyncio.run(asyncio.sleep(0))  # error: LG102(col=5, call="asyncio.run")


class PatchedLoop(QEventLoop):
    """An event loop's own implementation drives itself."""

    def run_until_complete(self, future):
        self.run_forever()
        return super().run_until_complete(future)


class SelectorLoop(aio.SelectorEventLoop):
    def run_briefly(self):
        def step():
            self.run_until_complete(asyncio.sleep(0))

        step()


class DrivingMixin:
    """A class that a loop class of this file is made of runs as the loop."""

    def drain(self):
        self.run_until_complete(asyncio.sleep(0))


class MixedLoop(DrivingMixin, SelectorLoop):
    pass


class ForeignBaseLoop:
    """Its loop base is not known here (qasync's own mixin), but it defines what it calls."""

    def run_forever(self):
        pass

    def run_until_complete(self, future):
        self.run_forever()


class Server:
    """Not a loop: its own run_forever() is no loop boundary."""

    def run_forever(self):
        pass

    def start(self):
        self.run_forever()


class Service:
    def fetch(self):
        return self.loop.run_until_complete(self.load())  # error: LG103(col=16, call="run_until_complete")

    def reload(self):
        self.run_until_complete(self.load())  # error: LG103(col=9, call="run_until_complete")


def same_file_loops(coro):
    loop = SelectorLoop()  # error: LG101(col=12, call="SelectorLoop")
    loop.run_until_complete(coro)  # error: LG103(col=5, call="run_until_complete")
    MixedLoop().run_forever()  # error: LG101(col=5, call="MixedLoop"), LG103(col=5, call="run_forever")
    PatchedLoop(None)  # error: LG101(col=5, call="PatchedLoop")
    Server().run_forever()
    DrivingMixin()
    ForeignBaseLoop()


def annotated_receivers(server: Server, process: "subprocess.Popen", anything: Any, coro):
    """A receiver annotated with a type that is no loop is known to be something else."""
    server.run_forever()
    process.run_until_complete(coro)
    anything.run_until_complete(coro)  # error: LG103(col=5, call="run_until_complete")
    typed: Optional[SelectorLoop] = make_loop()
    typed.run_until_complete(coro)  # error: LG103(col=5, call="run_until_complete")


class Host:
    server: Server

    def __init__(self, backend):
        self.backend: Optional[Server] = backend

    def start(self):
        self.server.run_forever()
        self.backend.run_forever()


class QtPolicy(asyncio.DefaultEventLoopPolicy):
    """Making a loop in new_event_loop() is what a policy is for."""

    def new_event_loop(self):
        return QEventLoop(self.app)

    def refresh(self):
        return asyncio.new_event_loop()  # error: LG101(col=16, call="asyncio.new_event_loop")


class DerivedPolicy(QtPolicy):
    def get_event_loop(self):
        return SelectorLoop()


if __name__ == "__main__":
    main()
    SelectorLoop().run_forever()
    asyncio.run(asyncio.sleep(0))
    uvloop.new_event_loop().run_forever()
