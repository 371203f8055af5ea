import asyncio


def run_strategy_blocking(strategy):
    return asyncio.run(strategy.run())
