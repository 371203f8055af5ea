# Shape seen in squarecloudofc/sdk-api-py, squarecloud/cli (public code), and in many Click
# tools: Click calls its commands synchronously, so a helper runs each command's coroutine with
# asyncio.run(). The commands must stay synchronous: the chain stops there, and is listed.
import asyncio

import click


async def fetch_status(app_id):
    await asyncio.sleep(0)
    return "running"


def run_async(coro):
    """Click is synchronous, so async calls are wrapped with this helper."""
    return asyncio.run(coro)


@click.group()
def cli():
    pass


@cli.command()
@click.argument("app_id")
def status(app_id):
    click.echo(run_async(fetch_status(app_id)))
