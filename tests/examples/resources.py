"""LG301-LG303: loop-bound resources are created lazily."""
import asyncio
import aiohttp
import grpc
import httpx
import redis.asyncio as aioredis
from aiohttp import ClientSession as Session
from grpc import aio as grpc_aio

STATS_CHANNEL = grpc.aio.insecure_channel("stats:50051")  # error: LG302
EVENTS = asyncio.Queue()  # error: LG303
SYNC_CHANNEL = grpc.insecure_channel("stats:50051")


class UpbitPublicClient:
    shared = Session()  # error: LG302
    lock = asyncio.Lock()  # error: LG303

    def __init__(self):
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector())  # error: LG301, LG301
        self._channel = grpc_aio.secure_channel("x", None)  # error: LG301
        self._http = httpx.AsyncClient()  # error: LG301
        self._redis = aioredis.from_url("redis://localhost")  # error: LG301
        self._sync_http = httpx.Client()
        self._lock = asyncio.Lock()  # error: LG303
        self._events = asyncio.Event()  # error: LG303
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
        self._redis = aioredis.Redis.from_url(url)  # error: LG301
        self._frames = asyncio.Queue[bytes]()  # error: LG303
        self._plain = dict[str, int]()


RAW_FRAMES = asyncio.Queue[bytes](maxsize=10)  # error: LG303
