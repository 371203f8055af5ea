"""flake8's decision for a code: selected (explicitly, or by default), ignored, or both and the
longer prefix wins; ``per-file-ignores`` adds to ``ignore`` for the files it matches. What
``loopguard check`` reports, and so what ``loopguard migrate`` fixes."""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

from .discovery import PerFileIgnores
from .settings import SYNTAX_ERROR_CODE, Settings

PLUGIN_PREFIX = "LG"  # what flake8 selects by default for this plugin: every default-on rule


class Selection:
    """flake8's decision for a code: selected (explicitly, or by default), ignored, or both and the
    longer prefix wins. ``per-file-ignores`` adds to ``ignore`` for the files it matches."""

    def __init__(self, settings: Settings) -> None:
        self.explicitly_selected = (settings.select or ()) + settings.extend_select
        self.by_default = settings.select is None
        self.ignore = settings.ignore
        self.per_file = PerFileIgnores(settings.per_file_ignores)

    def reports(self, code: str, path: str) -> bool:
        if code == SYNTAX_ERROR_CODE:
            return True  # a file that does not parse is never hidden
        return self._decide(code, self.ignore + self.per_file.codes_for(path))

    def reports_any(self, codes: Iterable[str]) -> bool:
        """Whether some of ``codes`` may be reported in a file that ``per-file-ignores`` leaves alone."""
        return any(self._decide(code, self.ignore) for code in codes)

    def _decide(self, code: str, ignore: Sequence[str]) -> bool:
        ignored = _longest_prefix(code, ignore)
        selected = _longest_prefix(code, self.explicitly_selected)
        if selected is not None:
            return ignored is None or len(selected) > len(ignored)
        return self.by_default and code.startswith(PLUGIN_PREFIX) and ignored is None


def _longest_prefix(code: str, prefixes: Sequence[str]) -> Optional[str]:
    matching = [prefix for prefix in prefixes if code.startswith(prefix)]
    return max(matching, key=len) if matching else None
