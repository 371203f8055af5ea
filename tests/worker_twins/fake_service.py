"""A fake async service for the worker twins: fixed answers, and where each call ran.

Each call records the thread it ran in and the loop it ran on, so the driver can tell a
private loop in a worker thread from the one loop of the main thread.
"""

import asyncio
import threading
from typing import Any, Dict, List

CALLS: List[Dict[str, Any]] = []


def _record(name: str) -> None:
    CALLS.append({"call": name, "thread": threading.get_ident(), "loop": id(asyncio.get_running_loop())})


class FakeQuotes:
    async def quote(self, symbol: str) -> Dict[str, Any]:
        _record("quote")
        await asyncio.sleep(0.01)
        return {"symbol": symbol, "price": 100 * len(symbol)}

    async def quotes(self, symbols: List[str]) -> List[Dict[str, Any]]:
        _record("quotes")
        return [await self.quote(symbol) for symbol in symbols]

    async def beat(self) -> int:
        _record("beat")
        await asyncio.sleep(0.01)
        return 1

    async def broken(self) -> None:
        _record("broken")
        await asyncio.sleep(0)
        raise ValueError("service unavailable")
