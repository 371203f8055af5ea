"""Entry-point code: the `__main__` block (also with further `and` conditions), the functions
it calls, and the functions it hands over as callables."""
import asyncio
import os
import sys

import fire
import typer


def main():
    loop = asyncio.new_event_loop()
    loop.run_until_complete(serve())


def cli():
    asyncio.run(serve())


def start():
    asyncio.run(serve())


def helper_of_main():
    asyncio.run(serve())  # error: LG102(col=5, call="asyncio.run")


async def serve():
    pass


def not_called():
    asyncio.set_event_loop(asyncio.new_event_loop())  # error: LG104(col=5), LG101(col=28, call="asyncio.new_event_loop")


if __name__ == "__main__" and not os.environ.get("NO_UI"):
    typer.run(main)
    fire.Fire(cli)
    sys.exit(start())
    asyncio.run(serve())


# A function handed to another process is that process's entry point: its loop is its own.
import multiprocessing


def child_process():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(serve())


def start_child():
    multiprocessing.Process(target=child_process, daemon=True).start()
    child_process_in_this_one()


def child_process_in_this_one():
    asyncio.run(serve())  # error: LG102(col=5, call="asyncio.run")
