"""A fake Upbit back end: canned markets, tickers, orderbooks, candles and accounts.

``FakeUpbit.install()`` replaces the network methods of the trading desktop's own client classes
(``UpbitPublicClient``, ``UpbitPrivateClient``, ``WebSocketManager``) and the trigger store, so
the widgets are built and driven exactly as in the application while no byte leaves the process.
Every fake coroutine yields to the loop once (``await asyncio.sleep(0)``, as a real reply would)
and records which loop and which thread ran it.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from typing import Any, Dict, List

MARKETS = [
    {"market": "KRW-BTC", "korean_name": "비트코인"},
    {"market": "KRW-ETH", "korean_name": "이더리움"},
    {"market": "KRW-XRP", "korean_name": "리플"},
]
TRADE_PRICES = {"KRW-BTC": 143250000.0, "KRW-ETH": 5120000.0, "KRW-XRP": 3125.0}
ORDERBOOK_UNITS = {
    "KRW-BTC": [{"ask_price": 143260000.0, "bid_price": 143250000.0}],
    "KRW-ETH": [{"ask_price": 5121000.0, "bid_price": 5120000.0}, {"ask_price": 5122000.0, "bid_price": 5119000.0}],
    "KRW-XRP": [{"ask_price": 3126.0, "bid_price": 3125.0}],
}
ACCOUNTS = [{"currency": "KRW", "balance": "1234567.0"}, {"currency": "BTC", "balance": "0.05"}]
TRIGGERS = [{"id": "t1", "name": "BTC 저점", "condition": "< 140000000"}]

PUBLIC_CLIENT = "upbit_auto_trading.infrastructure.external_apis.upbit.upbit_public_client"
PRIVATE_CLIENT = "upbit_auto_trading.infrastructure.external_apis.upbit.upbit_private_client"
WEBSOCKET_MANAGER = "upbit_auto_trading.infrastructure.external_apis.upbit.websocket.core.websocket_manager"
TRIGGER_SERVICE = "upbit_auto_trading.application.services.trigger_service"


class FakeUpbit:
    def __init__(self, failing_account_calls: int = 1) -> None:
        self.calls: List[Dict[str, Any]] = []
        # The first get_accounts() calls fail, so the API key check goes through its retry path.
        self._failures_left = failing_account_calls

    async def _reply(self, name: str, *args: Any) -> None:
        self.calls.append(
            {
                "call": name,
                "args": [list(arg) if isinstance(arg, (list, tuple)) else arg for arg in args],
                "loop": id(asyncio.get_running_loop()),
                "thread": threading.get_ident(),
            }
        )
        await asyncio.sleep(0)

    def install(self) -> None:
        fake = self
        public = importlib.import_module(PUBLIC_CLIENT).UpbitPublicClient
        private = importlib.import_module(PRIVATE_CLIENT).UpbitPrivateClient
        websocket = importlib.import_module(WEBSOCKET_MANAGER).WebSocketManager
        triggers = importlib.import_module(TRIGGER_SERVICE).TriggerService

        async def get_krw_markets(self):
            await fake._reply("get_krw_markets")
            return [dict(market) for market in MARKETS]

        async def get_tickers(self, markets):
            await fake._reply("get_tickers", markets)
            return [{"market": market, "trade_price": TRADE_PRICES[market]} for market in markets]

        async def get_orderbook(self, symbol):
            await fake._reply("get_orderbook", symbol)
            return {"market": symbol, "orderbook_units": ORDERBOOK_UNITS[symbol]}

        async def get_candles(self, symbol, unit="minutes/1", count=200):
            await fake._reply("get_candles", symbol, unit)
            return [{"market": symbol, "trade_price": TRADE_PRICES[symbol]}] * 3

        async def close_public(self):
            await fake._reply("public_client.close")

        async def get_accounts(self):
            await fake._reply("get_accounts")
            if fake._failures_left:
                fake._failures_left -= 1
                raise ConnectionError("upbit is busy")
            return [dict(account) for account in ACCOUNTS]

        async def close_private(self):
            await fake._reply("private_client.close")

        async def start(self):
            await fake._reply("websocket.start")

        async def subscribe(self, channel, symbols, handler):
            await fake._reply("websocket.subscribe", channel, symbols)
            for symbol in symbols:
                handler({"code": symbol, "timestamp": 1700000000000, "orderbook_units": ORDERBOOK_UNITS[symbol]})

        async def list_triggers(self):
            await fake._reply("list_triggers")
            return [dict(trigger) for trigger in TRIGGERS]

        public.get_krw_markets = get_krw_markets
        public.get_tickers = get_tickers
        public.get_orderbook = get_orderbook
        public.get_candles = get_candles
        public.close = close_public
        private.get_accounts = get_accounts
        private.close = close_private
        websocket.start = start
        websocket.subscribe = subscribe
        # The trigger store offloads SQLite to a worker thread by design (asyncio.to_thread); the
        # scenario does not exercise it, so its one read is canned too.
        triggers.list_triggers = list_triggers
