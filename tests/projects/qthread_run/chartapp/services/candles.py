import asyncio


def load_candles_blocking(api, market):
    return asyncio.run(api.candles(market))
