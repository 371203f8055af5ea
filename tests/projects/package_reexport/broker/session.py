import asyncio


def login(credentials):
    return credentials.token


def place_order_sync(api, order):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop.run_until_complete(api.place(order))
