# Shape seen in oonixxxxx/bot_courses, backend/src/http_client.py (public code): an aiohttp
# ClientSession imported by name and built over several lines in __init__ (LG301 at its first line).
from aiohttp import ClientSession


class HttpsClient:
    def __init__(self, base_url, api_key):
        self._session = ClientSession(  # error: LG301(col=25, call="aiohttp.ClientSession")
            base_url=base_url,
            headers={"X-API-KEY": api_key},
        )

    async def listings(self):
        async with self._session.get("/v1/listings/latest") as response:
            return await response.json()
