from desk import quotes


def refresh():
    show(quotes.fetch_sync("BTC"))
    quotes.replay(quotes.private_loop())


def show(price):
    print(price)


async def load_all():
    show(quotes.fetch_sync("ETH"))
