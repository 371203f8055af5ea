"""``# noqa`` comments, read the way flake8 reads them, for the adapters that are not flake8.

``# noqa`` silences every code on its line; ``# noqa: LG201,LG3`` silences the codes named and
those they are a prefix of (flake8 matches ``code.startswith(listed)``). ``# flake8: noqa`` on a
line of its own silences the whole file; with codes after it flake8 ignores it, and so do we.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Optional, Sequence, TypeVar

# flake8's own pattern: `# noqa`, `#noqa:X1,X2`, `# NOQA : X1 X2`.
NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
# flake8's file-level pattern, matched at the start of each line (`[^\S\r\n]`: a blank inside the line).
FILE_NOQA = re.compile(r"^[^\S\r\n]*#[^\S\r\n]*flake8[:=][^\S\r\n]*noqa(?:\s|$)", re.IGNORECASE | re.MULTILINE)
CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

ALL_CODES: FrozenSet[str] = frozenset()
F = TypeVar("F")  # a finding: anything with `code` and `line`  # a bare `# noqa`


def source_lines(source: str) -> List[str]:
    """Physical lines as ``ast`` and flake8 number them (``\\r\\n``, ``\\r`` and ``\\n`` end a
    line; form feeds do not): the numbering findings, ``# noqa`` and rewrites share."""
    return source.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def noqa_lines(lines: Sequence[str]) -> Dict[int, FrozenSet[str]]:
    """1-based line number -> the codes its ``# noqa`` names (empty set: every code)."""
    found: Dict[int, FrozenSet[str]] = {}
    for number, line in enumerate(lines, start=1):
        if "noqa" not in line.lower():
            continue
        match = NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        found[number] = frozenset(code.upper() for code in CODE.findall(codes)) if codes else ALL_CODES
    return found


def is_silenced(code: str, listed: Optional[FrozenSet[str]]) -> bool:
    """Whether a line's ``# noqa`` (``listed``, None when the line has none) covers ``code``."""
    if listed is None:
        return False
    return not listed or any(code.startswith(prefix) for prefix in listed)


def silences_file(source: str) -> bool:
    """Whether a line of ``source`` is a file-level ``# flake8: noqa`` (no codes after it)."""
    return "flake8" in source.lower() and FILE_NOQA.search(source) is not None


def without_noqa(findings: Sequence[F], lines: Sequence[str]) -> List[F]:
    """The findings no ``# noqa`` on their line covers (check reports them, migrate fixes them)."""
    if not findings:
        return []
    silenced = noqa_lines(lines)
    return [finding for finding in findings if not is_silenced(finding.code, silenced.get(finding.line))]
