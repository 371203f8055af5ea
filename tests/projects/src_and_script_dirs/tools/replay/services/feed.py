import asyncio


def pump_feed(feed):
    loop = asyncio.new_event_loop()
    loop.run_forever()
