"""The functions a project's console scripts call: each is an entry point its script wrapper calls
synchronously, which ``run_to_await`` ends a chain at.

Read from the project root's packaging metadata: ``pyproject.toml`` (``[project.scripts]``,
``[project.gui-scripts]``, ``[tool.poetry.scripts]``) and ``setup.cfg`` (``console_scripts`` and
``gui_scripts`` of ``[options.entry_points]``). ``setup.py`` is code, not read. A reference that
names no module-level function (``pkg.cli:App.run``, a bare module) is left out.
"""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# `pkg.cli:main`, with an optional `[extra]` after it.
REFERENCE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*:\s*([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*$")


def console_scripts(root: Path) -> Dict[str, str]:
    """``"module:function"`` -> how the project declares it (``the console script `tool` (pyproject.toml
    [project.scripts])``), for the scripts declared at ``root``; unreadable metadata declares none."""
    found: Dict[str, str] = {}
    for name, reference, where in [*_from_pyproject(root / "pyproject.toml"), *_from_setup_cfg(root / "setup.cfg")]:
        matched = REFERENCE.match(reference)
        if matched is not None:
            found.setdefault(f"{matched.group(1)}:{matched.group(2)}", f"the console script `{name}` ({where})")
    return found


def _from_pyproject(path: Path) -> Iterator[Tuple[str, str, str]]:
    try:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return
    project = _table(data, "project")
    poetry = _table(_table(data, "tool"), "poetry")
    for table, where in (
        (_table(project, "scripts"), "pyproject.toml [project.scripts]"),
        (_table(project, "gui-scripts"), "pyproject.toml [project.gui-scripts]"),
        (_table(poetry, "scripts"), "pyproject.toml [tool.poetry.scripts]"),
    ):
        for name, reference in table.items():
            if isinstance(reference, dict):  # poetry's `{ reference = "pkg.cli:main", type = "console" }`
                reference = reference.get("reference") if reference.get("type", "console") == "console" else None
            if isinstance(reference, str):
                yield str(name), reference, where


def _from_setup_cfg(path: Path) -> Iterator[Tuple[str, str, str]]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        if not parser.read(path, encoding="utf-8"):
            return
    except (configparser.Error, OSError, UnicodeDecodeError):
        return
    for group in ("console_scripts", "gui_scripts"):
        value = parser.get("options.entry_points", group, fallback="")
        for line in value.splitlines():
            name, equals, reference = line.partition("=")
            if equals:
                yield name.strip(), reference, f"setup.cfg [options.entry_points] {group}"


def _table(data: Any, key: str) -> Dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}
