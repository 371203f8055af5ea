from concurrent.futures import ThreadPoolExecutor

from tradebot.engine import run_strategy_blocking


def run_all(strategies):
    with ThreadPoolExecutor() as pool:
        return [pool.submit(run_strategy_blocking, s) for s in strategies]
