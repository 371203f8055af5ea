"""A network-free stand-in for the parts of ``aiohttp`` that the trading desktop fixture imports.

The driver installs it as ``sys.modules["aiohttp"]`` so that the fixture imports without aiohttp
and can never reach the network: constructing a session or connector works (the fixture's
unmigrated ``UpbitPublicClient`` still builds them in ``__init__``), any request raises.
"""

from __future__ import annotations

import enum


class NetworkDisabled(ConnectionError):
    pass


class ClientTimeout:
    def __init__(self, total=None, **_kwargs):
        self.total = total


class TCPConnector:
    def __init__(self, **kwargs):
        self.options = kwargs


class ClientSession:
    def __init__(self, **kwargs):
        self.options = kwargs
        self.closed = False

    def get(self, url, **_kwargs):
        raise NetworkDisabled(f"GET {url}: the test replaces every network call with a fake")

    async def ws_connect(self, url, **_kwargs):
        raise NetworkDisabled(f"WebSocket {url}: the test replaces every network call with a fake")

    async def close(self):
        self.closed = True


class ClientWebSocketResponse:
    closed = True


class WSMsgType(enum.IntEnum):
    TEXT = 1
    BINARY = 2
    ERROR = 258
