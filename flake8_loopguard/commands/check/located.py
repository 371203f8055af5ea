"""A finding where ``loopguard check`` reports it: what the baseline, the report and its formats
all handle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ...core.findings import Finding


@dataclass(frozen=True)
class Located:
    """A finding and the file it was found in."""

    path: str
    finding: Finding
    # The source text of the finding's line, stripped; "" when unknown.
    line_text: str = ""


def line_text_of(lines: Sequence[str], finding: Finding) -> str:
    """The stripped text of the finding's line; "" when the line is not in ``lines``."""
    return lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""
