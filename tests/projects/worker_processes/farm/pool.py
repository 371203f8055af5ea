import asyncio
from concurrent.futures import ProcessPoolExecutor

from farm.report import report_sync


def crunch(job):
    asyncio.run(solve(job))  # the child process's loop
    report_sync(job)  # ... and a second one in the same child: LG107


def run_all(jobs):
    with ProcessPoolExecutor() as executor:
        return list(executor.map(crunch, jobs))


async def solve(job):
    return job
