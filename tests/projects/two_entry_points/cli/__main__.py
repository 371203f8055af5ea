import asyncio

from core.app import serve


if __name__ == "__main__":
    asyncio.run(serve())
