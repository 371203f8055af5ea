import asyncio


def blocking_fetch(client, symbol):
    return asyncio.run(client.fetch(symbol))
