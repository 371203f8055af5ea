# Shape seen in fuglu (Fumail project), its asynchronous process-pool module (public code;
# code-search index id 34542634576, the GitHub mirror fumail/fuglu is now empty).
# `except ImportError: uvloop = None` keeps uvloop's meaning where it is imported.
import asyncio

try:
    import uvloop
except ImportError:
    uvloop = None


def process_worker(jobs):
    loop = None
    try:
        if uvloop:
            loop = uvloop.new_event_loop()  # error: LG101(col=20, call="uvloop.new_event_loop")
            asyncio.set_event_loop(loop)  # error: LG104(col=13)
        else:
            loop = asyncio.get_event_loop()  # error: LG105(col=20, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")
        loop.run_until_complete(asyncio.gather(*jobs))  # error: LG103(col=9, call="run_until_complete")
    finally:
        if loop:
            loop.close()
