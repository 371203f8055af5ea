import asyncio
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from farm import pool, report
from farm.render import Renderer


async def main(jobs):
    Renderer().start()
    pool.run_all(jobs)
    with ProcessPoolExecutor() as processes:
        processes.submit(report.report_sync, jobs[0])  # another process: its own loop
    with ThreadPoolExecutor() as threads:
        threads.submit(report.report_sync, jobs[0])  # a worker thread of this process: LG401


asyncio.run(main([]))
