# Shape seen in prsmhra/streamlit_code_for_multimodel, src/python/app/utils/thread_pool_executer.py
# (public code): "run this coroutine from sync code", falling back to a private loop in a
# pool thread when a loop is already running.
import asyncio
from concurrent.futures import ThreadPoolExecutor

_executor = ThreadPoolExecutor(max_workers=2)


def run_coro(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)  # error: LG102(col=16, call="asyncio.run")
    return _executor.submit(asyncio.run, coro).result()  # error: LG401(col=12, func="asyncio.run")
