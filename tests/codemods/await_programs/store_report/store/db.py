import asyncio


async def _query(sql):
    await asyncio.sleep(0)
    return [sql.lower(), sql.upper()]


def query(sql):
    loop = asyncio.get_event_loop()
    return loop.run_until_complete(_query(sql))
