# Shape seen in tateishi/python-async-demo, src/python_async_demo/async_request.py (public code):
# `Fire(async_main)` inside a console-script function, not in a __main__ block, hands nothing
# over to the entry point; the guarded `fire.Fire(cli)` below does.
import asyncio

import fire
from fire import Fire


async def fetch():
    await asyncio.sleep(0)


def async_main():
    asyncio.run(fetch())  # error: LG102(col=5, call="asyncio.run")


def main():
    Fire(async_main)


def cli():
    asyncio.run(fetch())


if __name__ == "__main__":
    fire.Fire(cli)
