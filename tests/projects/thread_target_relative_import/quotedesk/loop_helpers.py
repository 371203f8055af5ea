"""A helper that hides a private event loop behind a plain function."""

import asyncio


def run_in_private_loop(coroutine):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()
