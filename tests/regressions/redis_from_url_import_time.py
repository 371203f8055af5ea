# Shape seen in StimorolBot/wallpaper, back/src/app/redis/config.py (public code); the
# classmethod form `Redis.from_url` is in several FastAPI settings modules of the code-search
# index. Both make a loop-bound client at import time (LG302).
from redis import asyncio as aioredis
from redis.asyncio import Redis

cache = aioredis.from_url("redis://localhost:6379", decode_responses=True)  # error: LG302(col=9, call="redis.asyncio.from_url")
sessions = Redis.from_url("redis://localhost:6379/1")  # error: LG302(col=12, call="redis.asyncio.Redis.from_url")
