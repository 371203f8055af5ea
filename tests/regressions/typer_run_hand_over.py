# Shape seen in fastapi/typer, docs_src/asynchronous/tutorial001.py (public code): the __main__
# block hands `main` to typer.run, which makes `main` entry-point code; the asyncio.run inside
# it is how a typer command usually starts its async body. Another function is not handed over.
import asyncio

import typer


async def greet(name):
    await asyncio.sleep(0)
    typer.echo(f"Hello {name}")


def main(name: str = "World"):
    asyncio.run(greet(name))


def greet_later(name):
    asyncio.run(greet(name))  # error: LG102(col=5, call="asyncio.run")


if __name__ == "__main__":
    typer.run(main)
