"""The baseline: today's findings, recorded so that ``loopguard check --baseline`` reports only new ones.

A finding is recognised by a fingerprint of its file, its code, the text of its line (whitespace
collapsed) and its enclosing definition, never by its line number: code inserted or deleted
above a finding does not make it new again. Identical findings in the same definition share a
fingerprint and are counted; the baseline records how many there were.

An entry silences only the findings its readable fields describe, and only when those fields
hash to its fingerprint: an entry edited by hand (relabelled, or its fingerprint swapped) is
"mismatched" and silences nothing, so the baseline's diff shows exactly what it silences.

The file is JSON, sorted, one entry per fingerprint::

    {
      "version": 1,
      "findings": [
        {"path": "app/widget.py", "code": "LG201", "context": "Widget.refresh",
         "line_text": "asyncio.create_task(self._load())", "fingerprint": "848585feff443360", "count": 1}
      ]
    }
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import secrets
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Hashable, Iterable, List, Sequence, Tuple, Union

if TYPE_CHECKING:
    from .located import Located

BASELINE_VERSION = 1
ENTRY_TEXT_FIELDS = ("path", "code", "context", "line_text", "fingerprint")

PathLike = Union[str, "os.PathLike[str]"]
# What a fingerprint is made of, normalised: (path, code, line text, enclosing definition).
FindingKey = Tuple[str, str, str, str]


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message names the file."""


def normalized_path(path: str) -> str:
    """``path`` as a POSIX path without ``./`` or ``..`` detours: how reports and baselines spell it."""
    posix = path.replace("\\", "/")
    return posixpath.normpath(posix) if posix else posix


def normalized_line_text(line_text: str) -> str:
    """The line with its whitespace collapsed, so re-indenting or re-spacing it keeps the fingerprint."""
    return " ".join(line_text.split())


def _finding_key(path: str, code: str, line_text: str, context: str) -> FindingKey:
    return (normalized_path(path), code, normalized_line_text(line_text), context)


def _hash(key: FindingKey) -> str:
    return hashlib.sha256("\0".join(key).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def finding_key(located: Located) -> FindingKey:
    return _finding_key(located.path, located.finding.code, located.line_text, located.finding.context)


def fingerprint(located: Located) -> str:
    """A stable hash of (path, code, line text, enclosing definition); the line number is no part of it."""
    return _hash(finding_key(located))


def _occurrences(
    located: Sequence[Located], key: Callable[[Located], Hashable] = fingerprint
) -> Dict[Any, List[int]]:
    """``key`` (by default the fingerprint) -> indexes into ``located`` of its findings, in file order."""
    groups: Dict[Any, List[int]] = defaultdict(list)
    for index, item in enumerate(located):
        groups[key(item)].append(index)
    for indexes in groups.values():
        indexes.sort(key=lambda index: (located[index].finding.line, located[index].finding.col))
    return groups


def occurrence_fingerprints(located: Sequence[Located]) -> List[str]:
    """One distinct fingerprint per finding: ``"<fingerprint>:<n>"``, the n-th identical one in file order.

    The same shape as GitHub's own ``primaryLocationLineHash``.
    """
    labels = [""] * len(located)
    for shared, indexes in _occurrences(located).items():
        for occurrence, index in enumerate(indexes, start=1):
            labels[index] = f"{shared}:{occurrence}"
    return labels


@dataclass(frozen=True)
class BaselineEntry:
    path: str
    code: str
    context: str
    line_text: str
    fingerprint: str
    count: int

    @property
    def key(self) -> FindingKey:
        return _finding_key(self.path, self.code, self.line_text, self.context)

    def matches_its_fingerprint(self) -> bool:
        """Whether its readable fields hash to its fingerprint (false once either was edited by hand)."""
        return _hash(self.key) == self.fingerprint


def _entries(located: Sequence[Located]) -> List[BaselineEntry]:
    entries = []
    for shared, indexes in _occurrences(located).items():
        first = located[indexes[0]]
        entries.append(
            BaselineEntry(
                path=normalized_path(first.path),
                code=first.finding.code,
                context=first.finding.context,
                line_text=normalized_line_text(first.line_text),
                fingerprint=shared,
                count=len(indexes),
            )
        )
    entries.sort(key=lambda entry: (entry.path, entry.code, entry.context, entry.line_text))
    return entries


def write_baseline(path: PathLike, located: Sequence[Located]) -> None:
    """Record ``located`` in the baseline file ``path``, replacing it whole (never half-written).

    The file keeps its mode; a new one gets the mode any new file gets here (0666 less the umask).
    """
    document = {"version": BASELINE_VERSION, "findings": [asdict(entry) for entry in _entries(located)]}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    target = Path(path)
    try:
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            mode = None
        descriptor, temporary = _create_temporary(target)
        try:
            if mode is not None:
                os.fchmod(descriptor, mode)
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.replace(temporary, target)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror or error}") from None


def _create_temporary(target: Path) -> Tuple[int, Path]:
    """A new file next to ``target``, created as any new file is (0666 less the umask, the
    folder's default ACL), not 0600 as ``tempfile.mkstemp`` would."""
    while True:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue


class Baseline:
    """The findings a baseline file records, and what a new run makes of them."""

    def __init__(self, entries: Iterable[BaselineEntry]) -> None:
        # A hand-merged file may list a finding twice: its counts add up.
        merged: Dict[FindingKey, BaselineEntry] = {}
        mismatched: List[BaselineEntry] = []
        for entry in entries:
            if not entry.matches_its_fingerprint():
                mismatched.append(entry)
                continue
            known = merged.get(entry.key)
            merged[entry.key] = entry if known is None else replace(known, count=known.count + entry.count)
        self.entries: Tuple[BaselineEntry, ...] = tuple(merged.values())
        # Entries whose fields do not hash to their fingerprint: they silence nothing.
        self.mismatched: Tuple[BaselineEntry, ...] = tuple(mismatched)

    @classmethod
    def load(cls, path: PathLike) -> Baseline:
        """Read a baseline file; :class:`BaselineError` names the file when it is missing or not a baseline."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BaselineError(
                f"{path}: baseline file not found; create it with `loopguard check --write-baseline {path}`"
            ) from None
        except UnicodeDecodeError:
            raise BaselineError(f"{path}: not a loopguard baseline: the file is not UTF-8 text") from None
        except OSError as error:
            raise BaselineError(f"{path}: cannot read the baseline: {error.strerror or error}") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise BaselineError(
                f"{path}: not a loopguard baseline: invalid JSON at line {error.lineno} column {error.colno}"
                f" ({error.msg})"
            ) from None
        if not isinstance(document, dict) or "version" not in document:
            raise BaselineError(f'{path}: not a loopguard baseline: no "version" field')
        if document["version"] != BASELINE_VERSION:
            raise BaselineError(
                f"{path}: baseline version {document['version']!r} is not supported (this loopguard reads"
                f" version {BASELINE_VERSION}); rewrite it with `loopguard check --write-baseline {path}`"
            )
        findings = document.get("findings")
        if not isinstance(findings, list):
            raise BaselineError(f'{path}: not a loopguard baseline: "findings" is not a list')
        return cls(_entry_from_json(path, number, item) for number, item in enumerate(findings, start=1))

    def filter(self, located: Sequence[Located]) -> Tuple[List[Located], List[BaselineEntry]]:
        """The findings the baseline does not cover, and the entries whose findings are gone.

        A finding is covered by the entry whose path, code, line text and context are its own
        (and hash to the entry's fingerprint: mismatched entries cover nothing). When a
        definition now has more identical findings than recorded, the later ones in the file
        are new. A removable entry's ``count`` is how many of its recorded findings are gone.
        """
        groups = _occurrences(located, key=finding_key)
        recorded = {entry.key: entry.count for entry in self.entries}
        new_indexes = set()
        for key, indexes in groups.items():
            new_indexes.update(indexes[recorded.get(key, 0) :])
        new = [item for index, item in enumerate(located) if index in new_indexes]
        removable = []
        for entry in self.entries:
            gone = entry.count - len(groups.get(entry.key, ()))
            if gone > 0:
                removable.append(replace(entry, count=gone))
        return new, removable


def _entry_from_json(path: PathLike, number: int, item: object) -> BaselineEntry:
    def malformed(reason: str) -> BaselineError:
        return BaselineError(f"{path}: not a loopguard baseline: finding {number} {reason}")

    if not isinstance(item, dict):
        raise malformed("is not an object")
    for name in ENTRY_TEXT_FIELDS:
        if not isinstance(item.get(name), str):
            raise malformed(f'has no text field "{name}"')
    count = item.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise malformed('has no positive whole "count"')
    return BaselineEntry(**{name: item[name] for name in ENTRY_TEXT_FIELDS}, count=count)
