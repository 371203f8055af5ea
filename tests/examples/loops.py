"""LG101-LG105: loop creation and loop boundaries outside the entry point."""
import asyncio
import asyncio as aio
import subprocess
from asyncio import new_event_loop, run as arun

import qasync
import trio
import uvloop
from qasync import QEventLoop


def load_isolated(service):
    loop = asyncio.new_event_loop()  # error: LG101
    asyncio.set_event_loop(loop)  # error: LG104
    try:
        return loop.run_until_complete(service.load())  # error: LG103
    finally:
        loop.close()
        asyncio.set_event_loop(None)  # error: LG104


def aliased(coro):
    aio.run(coro)  # error: LG102
    arun(coro)  # error: LG102
    new_event_loop()  # error: LG101
    uvloop.new_event_loop()  # error: LG101
    aio.SelectorEventLoop()  # error: LG101
    with asyncio.Runner() as runner:  # error: LG102
        runner.run(coro)


def qt_loops(app, coro):
    QEventLoop(app)  # error: LG101
    qasync.QEventLoop(app)  # error: LG101
    qasync.run(coro)  # error: LG102


def drives(server, coro):
    server.loop.run_forever()  # error: LG103
    asyncio.get_event_loop().run_until_complete(coro)  # error: LG105, LG103


async def inside_coroutine():
    loop = asyncio.get_event_loop()  # error: LG105
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
    return run(coro)  # error: LG102


def shadowed(coro):
    run = print
    run(coro)


def main():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(asyncio.sleep(0))


def helper_not_called_from_main():
    asyncio.run(asyncio.sleep(0))  # error: LG102


if __name__ == "__main__":
    main()
    asyncio.run(asyncio.sleep(0))
    uvloop.new_event_loop().run_forever()
