"""A second program of the repository: one loop of its own, reaching no other."""
import asyncio


async def backfill():
    await asyncio.sleep(0)


if __name__ == "__main__":
    asyncio.run(backfill())
