import asyncio


class QuoteService:
    async def quote(self, symbol):
        await asyncio.sleep(0)
        return symbol


def format_quote(value):
    return f"{value:.2f}"
