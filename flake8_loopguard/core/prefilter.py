"""Skip, without parsing or walking, the files no rule can fire on.

Every rule needs one of these in the text: a module the model knows only through an import of
it (``asyncio``, ``uvloop``, ``httpx``, ...) as a word of an import line; a qasync or Qt-thread
name; a loop-driving or task-creating method (``run_until_complete``, ``create_task``); a name
the configuration adds. The rules that need only a coroutine (LG403, a blocking call in a
coroutine; LG501, a coroutine connected to a Qt signal) need more beside an ``async def`` that
starts a line: a ``connect`` where a Qt binding is on an import line; or, after the ``async
def``, a call of the builtin ``input`` or the name of one of the blocking calls (``sleep``) of a
module on an import line (``import time``). Most files of an ordinary code base pass neither test.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, Optional, Pattern, Set, Tuple

from .config import Config
from .apis import BLOCKING_CALLS, BLOCKING_METHODS, QT_BINDINGS
from .import_lines import ImportLines

# Searched only in a text that has "async" in it: one search instead of three for most files.
ASYNC_TRIGGER_WORDS: Tuple[str, ...] = ("qasync", "asyncSlot", "asyncslot")
# Searched only in a text with a capital Q, which most lack (one character is found ten times
# faster than a word).
QT_TRIGGER_WORDS: Tuple[str, ...] = ("QThread", "QRunnable")
# Modules the model knows only through an import of them: a word of an import line, not of the
# whole text (prose saying "asyncio" or "redistribute" opens nothing), and one scan of the import
# lines instead of a search of the whole text for each.
IMPORTED_TRIGGER_WORDS = frozenset({"asyncio", "qtinter", "uvloop", "aiohttp", "grpc", "httpx", "redis"})
# Loop-driving and task-creating methods, called on any receiver: searched in the whole text, as
# their tails after an underscore (one scan for the four; a regular expression of the four names
# is ten times slower), then the head before it.
LOOP_METHOD_TAIL = re.compile(r"_(until_complete|forever|task|future)")
LOOP_METHOD_HEAD = {"until_complete": "run", "forever": "run", "task": "create", "future": "ensure"}
COROUTINE = re.compile(r"async\s+def\b")
# The builtin `input` called (the model follows no alias of it); matched where "input" is found.
INPUT_CALL = re.compile(r"input(?:\s|\\|#[^\n]*)*\(")
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
    # Names the user adds open the prefilter: a factory's, a blocking call's or a slot
    # decorator's own name, anywhere in the text.
    extra = {name.rsplit(".", 1)[-1] for name in (*config.extra_loop_bound, *config.blocking_calls)}
    extra.update(name.rsplit(".", 1)[-1] for name in config.async_slot_decorators)
    words = tuple(sorted(word for word in extra if word))
    called = {
        module: re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\b")
        for module, names in _blocking_names(config.blocking_calls).items()
    }
    return words, called


def may_have_findings(source: str, config: Config, imports: Optional[ImportLines] = None) -> bool:
    """Whether a rule may fire on the text; ``imports``, its import lines if already found."""
    configured, called = _patterns(config)
    # One substring search a word is faster than one regular expression of alternatives.
    has_async = "async" in source
    if has_async and any(word in source for word in ASYNC_TRIGGER_WORDS):
        return True
    if "Q" in source and any(word in source for word in QT_TRIGGER_WORDS):
        return True
    if _names_loop_method(source) or any(word in source for word in configured):
        return True
    if imports is None:
        imports = ImportLines(source)
    imported = imports.words()
    if not imported.isdisjoint(IMPORTED_TRIGGER_WORDS):
        return True
    coroutine = first_coroutine(source) if has_async else -1
    if coroutine < 0:
        return False
    if not imported.isdisjoint(QT_BINDINGS) and CONNECT.search(source) is not None:
        return True  # a coroutine may be connected to a signal (LG501)
    # A blocking call in a coroutine's body comes after the first `async def` of the file, and
    # spells the call's name, unless an import renamed it (`check_output as out`).
    if _calls_input(source, coroutine):
        return True
    renaming = imports.renaming()
    return any(
        called[module].search(source, 0 if module in renaming else coroutine) is not None
        for module in imported & called.keys()
    )


def _names_loop_method(source: str) -> bool:
    for match in LOOP_METHOD_TAIL.finditer(source):
        head = LOOP_METHOD_HEAD[match.group(1)]
        if match.start() >= len(head) and source.startswith(head, match.start() - len(head)):
            return True
    return False


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


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"
