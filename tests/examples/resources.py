"""LG301-LG303: loop-bound resources are created lazily."""
import asyncio
import aiohttp
import grpc
import httpx
import redis.asyncio as aioredis
from aiohttp import ClientSession as Session
from grpc import aio as grpc_aio

STATS_CHANNEL = grpc.aio.insecure_channel("stats:50051")  # error: LG302(col=17, call="grpc.aio.insecure_channel")
EVENTS = asyncio.Queue()  # error: LG303(col=10, call="asyncio.Queue", where="at import time")
SYNC_CHANNEL = grpc.insecure_channel("stats:50051")


class UpbitPublicClient:
    shared = Session()  # error: LG302(col=14, call="aiohttp.ClientSession")
    lock = asyncio.Lock()  # error: LG303(col=12, call="asyncio.Lock", where="at import time")

    def __init__(self):
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector())  # error: LG301(col=25, call="aiohttp.ClientSession"), LG301(col=57, call="aiohttp.TCPConnector")
        self._channel = grpc_aio.secure_channel("x", None)  # error: LG301(col=25, call="grpc.aio.secure_channel")
        self._http = httpx.AsyncClient()  # error: LG301(col=22, call="httpx.AsyncClient")
        self._redis = aioredis.from_url("redis://localhost")  # error: LG301(col=23, call="redis.asyncio.from_url")
        self._sync_http = httpx.Client()
        self._lock = asyncio.Lock()  # error: LG303(col=22, call="asyncio.Lock", where="in __init__")
        self._events = asyncio.Event()  # error: LG303(col=24, call="asyncio.Event", where="in __init__")
        self._later = None

        def factory():
            return aiohttp.ClientSession()

        self._factory = factory

    async def _ensure_session(self):
        if self._later is None:
            self._later = aiohttp.ClientSession()
            self._lock = asyncio.Lock()
        return self._later


if __name__ == "__main__":
    session = aiohttp.ClientSession()


class RedisCache:
    def __init__(self, url):
        self._redis = aioredis.Redis.from_url(url)  # error: LG301(col=23, call="redis.asyncio.Redis.from_url")
        self._frames = asyncio.Queue[bytes]()  # error: LG303(col=24, call="asyncio.Queue", where="in __init__")
        self._plain = dict[str, int]()


RAW_FRAMES = asyncio.Queue[bytes](maxsize=10)  # error: LG303(col=14, call="asyncio.Queue", where="at import time")
