import asyncio


def fetch_quote_sync(api, symbol):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(api.quote(symbol))
    finally:
        loop.close()


def parse_quote(raw):
    return float(raw)
