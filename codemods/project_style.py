"""How the project formats its code, as far as the lines a codemod writes must follow it: the
line length, and isort's settings (which section an import belongs to, how names sort).

The line length is the formatter's: ``[tool.black]`` or ``[tool.ruff]`` ``line-length`` in
``pyproject.toml``, else flake8's ``max-line-length`` (``.flake8``, ``setup.cfg``, ``tox.ini``),
else black's default, 88. isort's own configuration (``[tool.isort]``, ``.isort.cfg``, ...) is
read by isort; without one the black profile applies, with ruff's ``known-first-party`` /
``known-third-party`` (``[tool.ruff.lint.isort]`` or ``[tool.ruff.isort]``) when the project
sorts its imports with ruff.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, Optional

import isort

from .layout import _toml, project_root

DEFAULT_LINE_LENGTH = 88  # black's
FLAKE8_FILES = (".flake8", "setup.cfg", "tox.ini")


@dataclass(frozen=True)
class ProjectStyle:
    line_length: int
    isort_config: isort.Config

    def section(self, module: str, level: int = 0, first_party: Iterable[str] = ()) -> str:
        """isort's section of ``module`` (``level``: the dots of a relative import).

        ``first_party``: top-level names that are the project's although no file shows it yet
        (the runtime module ``migrate`` is about to scaffold).
        """
        if level:
            return "LOCALFOLDER"
        if module.partition(".")[0] in first_party:
            return "FIRSTPARTY"
        return str(isort.place_module(module, config=self.isort_config))

    def section_rank(self, section: str) -> int:
        sections = tuple(self.isort_config.sections)
        return sections.index(section) if section in sections else len(sections)

    def name_key(self, name: str) -> tuple:
        """The order isort gives the names of ``from x import a, B, C``: with ``order_by_type``
        CONSTANTS, then Classes, then the rest; case-insensitive unless ``case_sensitive``."""
        config = self.isort_config
        kind = 0
        if config.order_by_type:
            kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
        return (kind, name if config.case_sensitive else name.lower())

    def module_key(self, module: str, is_from: bool) -> tuple:
        """The order of two import lines in one section: ``import x`` lines before ``from x
        import`` lines unless ``force_sort_within_sections``, then by module name."""
        config = self.isort_config
        name = module if config.case_sensitive else module.lower()
        return (False if config.force_sort_within_sections else is_from, name)


def style_for(filename: Optional[str]) -> ProjectStyle:
    """The style of the project that holds ``filename`` (the current directory's without one)."""
    directory = Path(filename).parent if filename else Path(".")
    return _style_of(project_root(directory, Path.cwd()))


@lru_cache(maxsize=None)
def _style_of(root: Path) -> ProjectStyle:
    pyproject = _toml(root / "pyproject.toml")
    tool = pyproject.get("tool") if isinstance(pyproject.get("tool"), dict) else {}
    line_length = _line_length(root, tool)
    try:
        found: Optional[isort.Config] = isort.Config(settings_path=str(root))
    except Exception:  # a settings file isort refuses (an unknown profile): sort as if there were none
        found = None
    if found is not None and any(source.get("source") != "defaults" for source in found.sources):
        return ProjectStyle(line_length, found)
    # No isort configuration: the black profile, and ruff's isort settings if it has some.
    overrides: Dict[str, Any] = {"profile": "black", "line_length": line_length, "src_paths": (root / "src", root)}
    ruff = tool.get("ruff") if isinstance(tool.get("ruff"), dict) else {}
    lint = ruff.get("lint") if isinstance(ruff.get("lint"), dict) else {}
    ruff_isort = lint.get("isort") or ruff.get("isort") or {}
    for key in ("known-first-party", "known-third-party"):
        names = ruff_isort.get(key) if isinstance(ruff_isort, dict) else None
        if isinstance(names, list) and all(isinstance(name, str) for name in names):
            overrides[key.replace("-", "_")] = names
    return ProjectStyle(line_length, isort.Config(**overrides))


def _line_length(root: Path, tool: Dict[str, Any]) -> int:
    for formatter in ("black", "ruff"):
        settings = tool.get(formatter)
        length = settings.get("line-length") if isinstance(settings, dict) else None
        if isinstance(length, int) and length > 0:
            return length
    for name in FLAKE8_FILES:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(root / name, encoding="utf-8")
            length = parser.get("flake8", "max-line-length", fallback=None) or parser.get(
                "flake8", "max_line_length", fallback=None
            )
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        if length is not None and length.strip().isdigit():
            return int(length.strip())
    return DEFAULT_LINE_LENGTH
