# Shape seen in yt-dlp/yt-dlp, yt_dlp/compat/asyncio/__init__.py (public code, older revision).
# Names that come from `from asyncio import *` are asyncio's: the compat fallback for run()
# makes and drives a private loop.
from asyncio import *

try:
    run
except NameError:
    def run(coro):
        try:
            loop = get_event_loop()  # error: LG105(col=20, where="may create a second loop; call asyncio.get_running_loop() from a coroutine")
        except RuntimeError:
            loop = new_event_loop()  # error: LG101(col=20, call="asyncio.new_event_loop")
            set_event_loop(loop)  # error: LG104(col=13)
        loop.run_until_complete(coro)  # error: LG103(col=9, call="run_until_complete")
