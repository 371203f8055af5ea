import asyncio
import threading

from jobs import runner


def load(job):
    return runner.run_sync(job.load())


def local_worker(job):
    return asyncio.new_event_loop().run_until_complete(job.load())


def schedule(job):
    threading.Thread(target=load, args=(job,)).start()
    threading.Thread(target=local_worker, args=(job,)).start()
