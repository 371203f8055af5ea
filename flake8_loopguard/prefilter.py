"""Skip, without parsing or walking, the files no rule can fire on.

Every rule needs one of the trigger words (plain substrings) in the text: an asyncio/qasync/Qt-thread/loop-bound
library name, a loop-driving or task-creating method. The rules that need only a coroutine
(blocking calls in a coroutine, a Qt slot that is a coroutine) also need the name of a blocking
call's module or of a Qt binding next to the ``async def``. Most files of an ordinary code base
pass neither test.
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
    "QThread",
    "QRunnable",
    "asyncSlot",
    "asyncslot",
    "run_until_complete",
    "run_forever",
    "create_task",
    "ensure_future",
)
# What an `async def` needs beside it for LG403 (a blocking call's module, `input`) or LG501
# (a Qt binding) to have anything to find.
COROUTINE_COMPANIONS: Tuple[str, ...] = (
    "time",
    "requests",
    "subprocess",
    "urllib3?",
    "os",
    "input",
    r"PyQt\d",
    r"PySide\d",
    "qtpy",
)
COROUTINE = re.compile(r"async\s+def")
# `redis` as a word: "redistribute" is common prose (a word boundary in the main pattern would
# slow every search, so it is a second, rarer test).
REDIS = re.compile(r"\bredis\b")


@lru_cache(maxsize=32)
def _patterns(config: Config) -> Tuple[Tuple[str, ...], "re.Pattern[str]"]:
    # Names the user adds open the prefilter too: a factory's or a blocking call's own name,
    # and a blocking call's module (`mylib` of `mylib.sync_fetch`).
    extra = {name.rsplit(".", 1)[-1] for name in (*config.extra_loop_bound, *config.blocking_calls)}
    extra.update(name.split(".", 1)[0] for name in config.blocking_calls)
    extra.update(name.rsplit(".", 1)[-1] for name in config.async_slot_decorators)
    words = tuple(sorted(word for word in extra if word))
    companions = re.compile(r"\b(?:" + "|".join(COROUTINE_COMPANIONS + tuple(map(re.escape, words))) + r")\b")
    return TRIGGER_WORDS + words, companions


def may_have_findings(source: str, config: Config) -> bool:
    triggers, companions = _patterns(config)
    # One substring search a word is faster than one regular expression of alternatives.
    if any(word in source for word in triggers):
        return True
    if "redis" in source and REDIS.search(source) is not None:
        return True
    return "async" in source and COROUTINE.search(source) is not None and companions.search(source) is not None
