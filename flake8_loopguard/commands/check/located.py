"""A finding where ``loopguard check`` reports it: what the baseline, the report and its formats
all handle."""

from __future__ import annotations

from dataclasses import dataclass

from ...core.findings import Finding


@dataclass(frozen=True)
class Located:
    """A finding and the file it was found in."""

    path: str
    finding: Finding
    # The source text of the finding's line, stripped; "" when unknown.
    line_text: str = ""
