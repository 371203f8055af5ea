# Shape seen in TracecatHQ/tracecat, tracecat/registry/executor.py at 263d678e3 (public code): a
# ProcessPoolExecutor whose initializer makes and installs a uvloop loop in each worker process,
# kept in an annotated module-level name and returned by a function annotated
# `-> ProcessPoolExecutor`; a coroutine hands a synchronous entry point to it with
# run_in_executor, and that entry point drives the worker's loop. Both run in the worker
# processes (their own entry points): no LG101/LG103/LG104 there, and no LG401 at the hand-over.
# asyncio.get_event_loop() stays LG105 anywhere.
import asyncio
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Optional

import uvloop

_executor: Optional[ProcessPoolExecutor] = None


def _init_worker_process():
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    print("worker", os.getpid())


def get_executor() -> ProcessPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ProcessPoolExecutor(initializer=_init_worker_process)
    return _executor


def sync_entrypoint(job):
    async def run():
        return await job.run()

    loop = asyncio.get_event_loop()  # error: LG105(col=12, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")
    return loop.run_until_complete(run())


async def run_in_pool(job):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(get_executor(), sync_entrypoint, job)


async def run_in_pool_through_the_name(job):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor, sync_entrypoint, job)
