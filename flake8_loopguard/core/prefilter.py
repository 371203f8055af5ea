"""Skip, without parsing or walking, the files no rule can fire on.

Every rule needs one of the trigger words (plain substrings) in the text: ``asyncio`` on an
import line, a qasync/Qt-thread/loop-bound library name, a loop-driving or task-creating method. The rules that need only a coroutine
(LG403, a blocking call in a coroutine; LG501, a coroutine connected to a Qt signal) need
more beside an ``async def`` that starts a line: a ``connect`` where a Qt binding is on an
import line; or, after the ``async def``, a call of the builtin ``input`` or the name of one of
the blocking calls (``sleep``) of a module on an import line (``import time``).
Most files of an ordinary code base pass neither test.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, Optional, Pattern, Set, Tuple

from .config import Config
from .apis import BLOCKING_CALLS, BLOCKING_METHODS, QT_BINDINGS

# Searched only in a text that has "async" in it: one search instead of three for most files.
ASYNC_TRIGGER_WORDS: Tuple[str, ...] = ("qasync", "asyncSlot", "asyncslot")
# Searched only in a text with a capital Q, which most lack (one character is found ten times
# faster than a word).
QT_TRIGGER_WORDS: Tuple[str, ...] = ("QThread", "QRunnable")
TRIGGER_WORDS: Tuple[str, ...] = (
    "qtinter",
    "uvloop",
    "aiohttp",
    "grpc",
    "httpx",
    "run_until_complete",
    "run_forever",
    "create_task",
    "ensure_future",
)
# `redis` as a word: "redistribute" is common prose (a word boundary in the main pattern would
# slow every search, so it is a second, rarer test).
REDIS = re.compile(r"\bredis\b")
COROUTINE = re.compile(r"async\s+def\b")
# The builtin `input` called (the model follows no alias of it); matched where "input" is found.
INPUT_CALL = re.compile(r"input(?:\s|\\|#[^\n]*)*\(")
WORD = re.compile(r"[A-Za-z_]\w*")
CONNECT = re.compile(r"\bconnect\b")


def _blocking_names(blocking_calls: Iterable[str]) -> Dict[str, FrozenSet[str]]:
    """module -> the names, one of which a coroutine's blocking call of that module must spell:
    ``time`` -> ``sleep``, ``requests`` -> ``get``, ``post``, ... (a ``Session``'s methods too)."""
    names: Dict[str, Set[str]] = {}
    for call in (*BLOCKING_CALLS, *blocking_calls):
        names.setdefault(call.split(".", 1)[0], set()).add(call.rsplit(".", 1)[-1])
    for factories, methods, _instead in BLOCKING_METHODS:
        for factory in factories:
            names.setdefault(factory.split(".", 1)[0], set()).update(methods)
    return {module: frozenset(called) for module, called in names.items()}


@lru_cache(maxsize=32)
def _patterns(config: Config) -> Tuple[Tuple[str, ...], Dict[str, Pattern[str]]]:
    # Names the user adds open the prefilter too: a factory's, a blocking call's or a slot
    # decorator's own name.
    extra = {name.rsplit(".", 1)[-1] for name in (*config.extra_loop_bound, *config.blocking_calls)}
    extra.update(name.rsplit(".", 1)[-1] for name in config.async_slot_decorators)
    words = tuple(sorted(word for word in extra if word))
    called = {
        module: re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
        for module, names in _blocking_names(config.blocking_calls).items()
    }
    return TRIGGER_WORDS + words, called


def may_have_findings(source: str, config: Config) -> bool:
    triggers, called = _patterns(config)
    # One substring search a word is faster than one regular expression of alternatives.
    has_async = "async" in source
    if has_async and any(word in source for word in ASYNC_TRIGGER_WORDS):
        return True
    imported: Optional[Set[str]] = None
    renaming: Set[str] = set()
    if has_async and "asyncio" in source:
        # The model knows asyncio's names only through an import of it: a text that mentions
        # asyncio in prose or strings alone (and relative imports inside asyncio itself) is
        # not enough to parse the file.
        imported, renaming = _imported_words(source)
        if "asyncio" in imported:
            return True
    if "Q" in source and any(word in source for word in QT_TRIGGER_WORDS):
        return True
    if any(word in source for word in triggers):
        return True
    if "redis" in source and REDIS.search(source) is not None:
        return True
    coroutine = first_coroutine(source) if has_async else -1
    if coroutine < 0:
        return False
    if imported is None:
        imported, renaming = _imported_words(source)
    if not imported.isdisjoint(QT_BINDINGS) and CONNECT.search(source) is not None:
        return True  # a coroutine may be connected to a signal (LG501)
    # A blocking call in a coroutine's body comes after the first `async def` of the file, and
    # spells the call's name, unless an import renamed it (`check_output as out`).
    if _calls_input(source, coroutine):
        return True
    return any(
        called[module].search(source, 0 if module in renaming else coroutine) is not None
        for module in imported & called.keys()
    )


def first_coroutine(source: str) -> int:
    """Where the first ``async def`` of the text is, -1 if none."""
    # A compound statement starts a logical line: `async def` elsewhere is in a string or a comment.
    for match in COROUTINE.finditer(source):
        at = match.start()
        newline = source.rfind("\n", 0, at)
        line_start = max(newline, source.rfind("\r", newline + 1, at)) + 1  # `\r` alone ends a line too
        if source[line_start:at].strip(" \t\f") == "":
            return at
    return -1


def _calls_input(source: str, start: int) -> bool:
    found = source.find("input", start)
    while found >= 0:
        if (found == 0 or not _is_word_character(source[found - 1])) and INPUT_CALL.match(source, found):
            return True
        found = source.find("input", found + 5)
    return False


def _imported_words(source: str) -> Tuple[Set[str], Set[str]]:
    """The words of every import statement, found as the line with ``import`` on it and the
    lines a backslash or an open bracket joins to it: the modules a name of the file can be
    bound to (`import os, time`, `from urllib import request`, `x = 1; import time`), and some
    other words. Then the words of the statements that rename what they import (``as``)."""
    words: Set[str] = set()
    renaming: Set[str] = set()
    found = source.find("import")
    while found >= 0:
        start = source.rfind("\n", 0, found) + 1
        while start > 0 and _continued(source, start - 1):  # `from \` above this line
            start = source.rfind("\n", 0, start - 1) + 1
        end = source.find("\n", found)
        while end > 0 and _continued(source, end):  # `import os, \` goes on below
            end = source.find("\n", end + 1)
        end = len(source) if end < 0 else end
        if source.count("(", start, end) > source.count(")", start, end):  # `from m import (`
            closing = source.find(")", end)
            end = len(source) if closing < 0 else closing
        statement = WORD.findall(source, start, end)
        words.update(statement)
        if "as" in statement:
            renaming.update(statement)
        found = source.find("import", end)
    return words, renaming


def _continued(source: str, newline: int) -> bool:
    """Whether the line ending at ``source[newline]`` ends with a joining backslash."""
    before = source[max(newline - 2, 0) : newline]
    return before.endswith("\\") or before == "\\\r"


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"
