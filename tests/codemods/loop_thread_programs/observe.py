"""Run a program (``python observe.py script.py``) and say, on stderr, how many event loops it
made and how many of them ran in a thread other than the main one: what the loop-thread
migration must change, while what the program prints must not."""

import asyncio.base_events
import runpy
import sys
import threading

made = []
off_main = []
make, run_forever = asyncio.base_events.BaseEventLoop.__init__, asyncio.base_events.BaseEventLoop.run_forever


def counted_init(self, *args, **kwargs):
    made.append(self)
    make(self, *args, **kwargs)


def counted_run_forever(self):
    if threading.current_thread() is not threading.main_thread():
        off_main.append(self)
    return run_forever(self)


asyncio.base_events.BaseEventLoop.__init__ = counted_init
asyncio.base_events.BaseEventLoop.run_forever = counted_run_forever
sys.argv = sys.argv[1:]
sys.path.insert(0, ".")  # as `python script.py` run in the program's folder would have it
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    print(f"event loops made: {len(made)}, run off the main thread: {len(off_main)}", file=sys.stderr)
