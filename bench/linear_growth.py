"""Cost grows linearly with the file: seconds per MB for generated 1, 5 and 10 MB modules.

Each module is one coroutine holding thousands of tasks bound to names, nested functions and
closures that read them, lambdas handed to the loop, and comprehensions: the shapes whose
checks once multiplied tasks by nested functions. The whole engine runs (prefilter, parse, one
walk, every rule, opt-in ones included), best of ``--repeat`` runs per size.

The script is also a check: it exits 1 when the seconds per MB of the largest module exceed
``SLOPE_BOUND`` times those of the smallest.

Run:  .venv/bin/python bench/linear_growth.py [--sizes 1,5,10] [--repeat 2]
"""

from __future__ import annotations

import argparse
import sys
import time

from flake8_loopguard.core.config import Config
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.rules import all_rules

SLOPE_BOUND = 1.5
EVERY_RULE = Config(opt_in_codes=tuple(rule.code for rule in all_rules()))

HEADER = '''import asyncio


async def job(n):
    return n


async def everything(loop, task_manager):
'''
BLOCK = '''    task_{n} = asyncio.create_task(job({n}))
    kept_{n} = asyncio.ensure_future(job({n}))
    task_manager.add_task(kept_{n}, name="bench:everything:{n}")

    def closure_{n}():
        def deeper_{n}():
            return task_{n}.done()
        return deeper_{n}

    loop.call_soon(lambda: print({n}))
    results_{n} = [value * 2 for value in range({n} % 7)]
    if results_{n}:
        await kept_{n}
'''


def generated_module(megabytes: float) -> str:
    target = int(megabytes * 1024 * 1024)
    parts = [HEADER]
    size = len(HEADER)
    n = 0
    while size < target:
        block = BLOCK.format(n=n)
        parts.append(block)
        size += len(block)
        n += 1
    return "".join(parts)


def seconds_to_check(source: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        check_source(source, "generated.py", EVERY_RULE)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,5,10", help="module sizes in MB, comma-separated")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    sizes = [float(size) for size in args.sizes.split(",")]
    print(f"{'MB':>5} {'lines':>9} {'tasks':>7} {'seconds':>9} {'s/MB':>7}")
    slopes = []
    for megabytes in sizes:
        source = generated_module(megabytes)
        seconds = seconds_to_check(source, args.repeat)
        actual_mb = len(source) / (1024 * 1024)
        slopes.append(seconds / actual_mb)
        tasks = source.count("asyncio.create_task") + source.count("asyncio.ensure_future")
        print(f"{actual_mb:5.1f} {source.count(chr(10)):9,} {tasks:7,} {seconds:9.2f} {slopes[-1]:7.2f}")
    ratio = slopes[-1] / slopes[0]
    print(f"s/MB at {sizes[-1]:g} MB / s/MB at {sizes[0]:g} MB = {ratio:.2f} (bound {SLOPE_BOUND})")
    return 0 if ratio <= SLOPE_BOUND else 1


if __name__ == "__main__":
    sys.exit(main())
