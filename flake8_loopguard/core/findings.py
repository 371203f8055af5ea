"""What a rule reports: the one type every layer shares (the engine, the adapters, the
project pass, the codemods)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Finding:
    line: int
    col: int  # 0-based, as in ``ast``; adapters show it 1-based
    code: str
    message: str
    # The enclosing definition (``Widget._load_data``; ``""`` at module level): what a
    # baseline fingerprint and a codemod's task name are made of.
    context: str = field(default="", compare=False)

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"
