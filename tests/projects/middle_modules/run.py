import asyncio

from relay.plainer import refresh_all


async def main():
    refresh_all([])


if __name__ == "__main__":
    asyncio.run(main())
