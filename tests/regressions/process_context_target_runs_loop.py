# Shape seen in omnilib/aiomultiprocess, aiomultiprocess/core.py (public code): a module-level
# multiprocessing context, a wrapper class whose __init__ hands one of its methods to
# `context.Process(target=self.run_async)`, and that method makes, installs and drives the child
# process's event loop. It runs in the child: its loop is that process's one loop (no LG101,
# LG103 or LG104), and the hand-over is no worker thread (no LG401).
import asyncio
import multiprocessing

context = multiprocessing.get_context("spawn")


class ChildProcess:
    def __init__(self, target, args=()):
        self.target = target
        self.args = args
        self.process = context.Process(target=self.run_in_child, daemon=True)

    def run_in_child(self):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(self.target(*self.args))

    def start(self):
        self.process.start()


def helper_in_the_parent(coroutine):
    loop = asyncio.new_event_loop()  # error: LG101(col=12, call="asyncio.new_event_loop")
    return loop.run_until_complete(coroutine)  # error: LG103(col=12, call="run_until_complete")
