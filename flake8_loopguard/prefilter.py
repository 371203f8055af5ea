"""Skip, without parsing or walking, the files no rule can fire on.

Every rule needs one of these words in the text: an asyncio/qasync/Qt-thread/loop-bound
library name, a loop-driving or task-creating method, or an ``async def``. Most files
of an ordinary code base mention none of them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Tuple

from .config import Config

TRIGGER_WORDS: Tuple[str, ...] = (
    "asyncio",
    "qasync",
    "qtinter",
    "uvloop",
    "aiohttp",
    "grpc",
    "httpx",
    "redis",
    "QThread",
    "QRunnable",
    "asyncSlot",
    "run_until_complete",
    "run_forever",
    "create_task",
    "ensure_future",
    r"async\s+def",
)


@lru_cache(maxsize=32)
def _pattern(extra_words: Tuple[str, ...]) -> "re.Pattern[str]":
    words = TRIGGER_WORDS + tuple(re.escape(word) for word in extra_words)
    return re.compile("|".join(words))


def may_have_findings(source: str, config: Config) -> bool:
    extra = tuple(sorted({name.rsplit(".", 1)[-1] for name in config.extra_loop_bound}))
    return _pattern(extra).search(source) is not None
