"""A project's layout, as Python's import system sees it: which folders an absolute import of a
file searches, and which packages a distribution of the project installs.

How a file is run decides what its absolute imports find (``sys.path``):

- a module of an INSTALLED package — a ``src/`` layout (a ``src/`` folder WITHOUT ``__init__.py``,
  or the one ``package-dir`` names; with one, ``src`` is itself a package of the root,
  ``src.core``), or a package at the project root that ``pyproject.toml`` (``[project]``,
  ``[build-system]``, ``[tool.poetry]``), ``setup.py`` or ``setup.cfg`` declares — finds the
  packages the distribution installs, and nothing beside them: ``src/loop_runtime.py`` or a loose
  module at the root is not in the wheel;
- any other file (a script, a test, an example, a package run from the checkout) finds what is
  in the folder above its top-most package (the script's own folder: Python puts it first on
  ``sys.path``, as pytest's rootdir insertion does for a test), and in the folders its own
  imports of project modules are found in (they resolve when it runs, so those folders are on
  ``sys.path``); and the project's installed packages, which the project declares.

The project of a file is the nearest folder above it with ``pyproject.toml``, ``setup.py`` or
``setup.cfg``, looking no higher than the current directory when that holds the file (then the
current directory itself when none is found below it); else the file's own folder.
"""

from __future__ import annotations

import configparser
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Not .git: a git clone that is no Python project (pyenv's, which holds Python installations; a
# home folder) would make all of it the project whose files are read for a TaskManager.
PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")
# The folders setuptools' automatic discovery leaves out of a distribution (FlatLayoutPackageFinder),
# and, like it, names starting with "." or "_".
NOT_SHIPPED = frozenset(
    {
        "ci", "bin", "debian", "doc", "docs", "documentation", "manpages", "news", "newsfragments",
        "changelog", "test", "tests", "unit_test", "unit_tests", "example", "examples", "scripts",
        "tools", "util", "utils", "python", "build", "dist", "venv", "env", "requirements", "tasks",
        "fabfile", "site_scons", "benchmark", "benchmarks", "exercise", "exercises", "htmlcov",
    }
)  # fmt: skip
IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b|import[ \t]+([^#\n;]+))", re.M)


@dataclass(frozen=True)
class ImportLocation:
    """A folder an absolute import of some file searches; ``names``: the only top-level names it
    offers (the packages a distribution installs from it), None for any."""

    folder: Path
    names: Optional[FrozenSet[str]] = None

    def offers(self, top_name: str) -> bool:
        return self.names is None or top_name in self.names


def top_package(path: Path) -> Optional[Path]:
    """The top-most package folder holding the file ``path``, None for a file in no package."""
    directory, top = path.parent, None
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        top, directory = directory, directory.parent
    return top


def import_root(path: Path) -> Path:
    """The folder above the top-most package holding ``path`` (a file or a folder)."""
    directory = path if path.is_dir() else path.parent
    directory = directory.resolve()
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory


def dotted_module_name(path: Path) -> str:
    """``pkg/sub/mod.py`` -> ``pkg.sub.mod`` (``pkg/__init__.py`` -> ``pkg``), from its import root."""
    path = path.resolve()
    parts = list(path.relative_to(import_root(path)).with_suffix("").parts)
    if len(parts) > 1 and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def absolute_module(level: int, module: Optional[str], package: str) -> Optional[str]:
    """The absolute name of ``from <level dots><module> import ...`` in ``package``, None if it leaves the package."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or not parts:
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def package_name(path: Path) -> str:
    """The dotted package the relative imports of the file ``path`` start from ("" outside any package)."""
    path = path.resolve()
    if top_package(path) is None:
        return ""
    module = dotted_module_name(path)
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def is_shipped_name(name: str) -> bool:
    return name not in NOT_SHIPPED and not name.startswith((".", "_")) and name.isidentifier()


def project_root(directory: Path, cwd: Path) -> Path:
    return _project_root(directory.resolve(), cwd.resolve())


@lru_cache(maxsize=None)
def _project_root(directory: Path, cwd: Path) -> Path:
    # Never above the current directory when it holds the file: what is above is not what the
    # user asked to migrate.
    inside_cwd = cwd == directory or cwd in directory.parents
    for candidate in (directory, *directory.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
        if inside_cwd and candidate == cwd:
            return cwd
    return directory


@lru_cache(maxsize=None)
def declares_distribution(directory: Path) -> bool:
    """Whether ``directory`` has packaging metadata that builds a distribution of its packages."""
    if (directory / "setup.py").is_file():
        return True
    setup_cfg = directory / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(setup_cfg, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            pass
        else:
            if parser.has_section("metadata") or parser.has_section("options"):
                return True
    pyproject = _toml(directory / "pyproject.toml")
    tool = pyproject.get("tool")
    return "project" in pyproject or "build-system" in pyproject or (isinstance(tool, dict) and "poetry" in tool)


def _toml(path: Path) -> Dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


@lru_cache(maxsize=None)
def declared_package_dir(root: Path) -> Optional[str]:
    """The folder the metadata at ``root`` maps the top-level packages to (setuptools' ``package-dir``
    ``{"" = "lib"}`` in ``pyproject.toml``, ``package_dir = =lib`` in ``setup.cfg``), None when it maps none."""
    setuptools = _toml(root / "pyproject.toml").get("tool", {})
    setuptools = setuptools.get("setuptools", {}) if isinstance(setuptools, dict) else {}
    package_dir = setuptools.get("package-dir") if isinstance(setuptools, dict) else None
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        return package_dir[""]
    setup_cfg = root / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(setup_cfg, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            return None
        for line in parser.get("options", "package_dir", fallback="").splitlines():
            name, equals, folder = line.partition("=")
            if equals and not name.strip():
                return folder.strip()
    return None


def src_layout(root: Path) -> Optional[Path]:
    """The folder of the project at ``root`` that holds its top-level packages apart from it, else None:
    ``src/``, or the folder ``package-dir`` names.

    Only one WITHOUT ``__init__.py`` holds top-level packages (``src/desk`` is ``desk``): with one,
    ``src`` is itself a package of the root (``src/core`` is ``src.core``, imported so by the
    scripts run from the root) and nothing in it is installed on its own.
    """
    mapped = declared_package_dir(root)
    if mapped is not None and Path(mapped) == Path("."):
        return None
    folder = root / (mapped if mapped is not None else "src")
    return folder if folder.is_dir() and not (folder / "__init__.py").is_file() else None


def is_installed_package(package: Path) -> bool:
    """A top-level package a distribution installs: in a src layout, or beside declaring metadata."""
    if not is_shipped_name(package.name):
        return False
    return src_layout(package.parent.parent) == package.parent or declares_distribution(package.parent)


@lru_cache(maxsize=None)
def installed_packages(root: Path) -> Tuple[Path, ...]:
    """The top-level packages of the project at ``root`` that its distribution installs."""
    found: List[Path] = []
    for folder in _package_folders(root):
        if folder.is_dir():
            found += [
                child
                for child in sorted(folder.iterdir())
                if (child / "__init__.py").is_file() and is_installed_package(child)
            ]
    return tuple(found)


def _package_folders(root: Path) -> Tuple[Path, ...]:
    """The folders whose packages are top-level packages of the project at ``root``."""
    src = src_layout(root)
    return (src, root) if src is not None else (root,)


@lru_cache(maxsize=None)
def has_packages(root: Path) -> bool:
    """Whether the project at ``root`` has a package of its own (installed or not)."""
    for folder in _package_folders(root):
        if folder.is_dir() and any(
            (child / "__init__.py").is_file() and is_shipped_name(child.name) for child in folder.iterdir()
        ):
            return True
    return False


def imported_top_names(source: str) -> List[str]:
    """The top-level names of the absolute imports in ``source``, in order (read from the lines)."""
    names: List[str] = []
    for match in IMPORT_LINE.finditer(source):
        if match.group(1):
            found = [match.group(1)]
        else:
            found = [part.split()[0] for part in match.group(2).replace("(", " ").split(",") if part.split()]
        for name in found:
            top = name.split(".")[0]
            if top.isidentifier() and top not in names:
                names.append(top)
    return names


def module_exists_in(folder: Path, top_name: str) -> bool:
    return (folder / f"{top_name}.py").is_file() or (folder / top_name / "__init__.py").is_file()


@dataclass(frozen=True)
class FileLayout:
    """One file as the import system sees it."""

    path: Path
    top_package: Optional[Path]
    project: Path
    installed: Tuple[Path, ...]  # the installed packages of its project (its own included)
    imports: Tuple[str, ...]  # top-level names it imports absolutely, in order
    locations: Tuple[ImportLocation, ...]

    @classmethod
    def of(cls, path: Path, source: str, cwd: Path) -> "FileLayout":
        path = path.resolve()
        package = top_package(path)
        own_root = package.parent if package is not None else path.parent
        project = project_root(own_root, cwd)
        installed = installed_packages(project)
        if package is not None and is_installed_package(package) and package not in installed:
            installed += (package,)
        imports = tuple(imported_top_names(source))
        by_folder: Dict[Path, List[str]] = {}
        for installed_package in installed:
            by_folder.setdefault(installed_package.parent, []).append(installed_package.name)
        locations = [ImportLocation(folder, frozenset(names)) for folder, names in by_folder.items()]
        if package is None or package not in installed:
            locations.append(ImportLocation(own_root))
        installed_names = {installed_package.name for installed_package in installed}
        for name in imports:
            if name in installed_names:
                continue
            folder = _folder_holding(name, path.parent, project)
            if folder is not None and all(location.folder != folder for location in locations):
                locations.append(ImportLocation(folder))
        return cls(path, package, project, installed, imports, tuple(locations))

    @property
    def in_installed_package(self) -> bool:
        return self.top_package is not None and self.top_package in self.installed

    @property
    def own_root(self) -> Path:
        return self.top_package.parent if self.top_package is not None else self.path.parent

    @property
    def package_name(self) -> str:
        """The dotted package its relative imports start from ("" outside any package)."""
        return package_name(self.path)

    def folder_offering(self, top_name: str) -> Optional[Path]:
        """The first folder this file's imports search that holds ``top_name`` (a module or a package)."""
        for location in self.locations:
            if location.offers(top_name) and module_exists_in(location.folder, top_name):
                return location.folder
        return None

    def reaches(self, folder: Path, top_name: str) -> bool:
        """Whether ``top_name`` in ``folder`` is what this file's ``import top_name`` finds."""
        return self.folder_offering(top_name) == folder


def _folder_holding(name: str, start: Path, project: Path) -> Optional[Path]:
    """The nearest folder from ``start`` up to ``project`` holding the module or package ``name``."""
    for folder in (start, *start.parents):
        if module_exists_in(folder, name):
            return folder
        if folder == project or project not in folder.parents:
            return None
    return None
