# Shape seen in a race-bot's Runner class of the code-search index (public code; index id
# 657672457, repository not resolved), and in wxasync-era examples: loop calls spelled through
# the asyncio.events module.
import asyncio


class Runner:
    def __init__(self):
        self.loop = asyncio.events.new_event_loop()  # error: LG101(col=21, call="asyncio.new_event_loop")
        asyncio.events.set_event_loop(self.loop)  # error: LG104(col=9)

    def run(self):
        self.loop.run_forever()  # error: LG103(col=9, call="run_forever")
