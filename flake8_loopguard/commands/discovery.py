"""Which files ``loopguard check`` reads.

flake8's rules for the paths and patterns: a path given on the command line is checked whatever
its name, a directory is walked for ``*.py`` files, and an ``exclude`` pattern matches a file
or folder by its base name or, for a pattern that names a path, by its absolute path. Like ruff,
a walk also skips what git ignores (``.gitignore``, ``.git/info/exclude``, the global excludes)
inside a git work tree, and the usual environment and build folders.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

# flake8's default exclude plus the folders ruff skips by default, and our own cache.
DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".loopguard_cache",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "CVS",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "*.egg",
)
PYTHON_FILE = "*.py"
GIT_TIMEOUT_SECONDS = 60


class GitError(Exception):
    """``--diff-against`` cannot be answered: not a revision, or a git command it needs failed."""


class PatternSet:
    """flake8's ``matches_filename``: a pattern matches the base name, or the absolute path."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self._regex: Optional[re.Pattern[str]] = (
            re.compile("|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in self.patterns))
            if self.patterns
            else None
        )

    def matches(self, path: str, absolute: Optional[str] = None) -> bool:
        if self._regex is None:
            return False
        basename = os.path.basename(path)
        if basename not in (".", "..") and self._regex.match(basename):
            return True
        return self._regex.match(absolute or os.path.abspath(path)) is not None


@dataclass
class Discovery:
    files: List[str] = field(default_factory=list)  # as they will be printed: the argument joined with the walk
    errors: List[str] = field(default_factory=list)  # "path: what went wrong"
    warnings: List[str] = field(default_factory=list)
    # (real path of a walked folder, what git listed under it): kept to say what git tracks
    git_listings: List[Tuple[str, "_GitVisible"]] = field(default_factory=list)

    def tracked_by_git(self, path: str) -> Optional[bool]:
        """Whether git tracks ``path`` or a file under it, from what the walk listed; None when
        no walked folder's listing covers it (then ask :func:`tracked_by_git`)."""
        real = os.path.realpath(path)
        for top, visible in self.git_listings:
            if real.startswith(top + os.sep):
                relative = real[len(top) + 1 :].replace(os.sep, "/")
                parents = relative.split("/")[:-1]
                if any(visible.is_opaque("/".join(parents[: index + 1])) for index in range(len(parents))):
                    return None  # inside a nested repository: its own git knows
                return visible.tracks(relative)
        return None


@dataclass(frozen=True)
class _GitVisible:
    """What ``git ls-files -t --cached --others --exclude-standard`` lists under one walked directory.

    Paths are relative to that directory, with ``/``. A listed directory is a nested repository
    or a submodule: git does not look into it, so neither do we filter inside it.
    """

    files: FrozenSet[str]
    folders: FrozenSet[str]  # every folder that holds a listed path
    whole_folders: FrozenSet[str]
    untracked: FrozenSet[str]  # the listed paths that git does not track (``--others``)

    def allows_folder(self, relative: str) -> bool:
        return relative in self.folders or self.is_opaque(relative)

    def is_opaque(self, relative: str) -> bool:
        """A nested repository (listed with a trailing ``/``) or a submodule (listed like a file)."""
        return relative in self.whole_folders or relative in self.files

    def allows_file(self, relative: str) -> bool:
        return relative in self.files

    def tracks(self, relative: str) -> bool:
        """Whether git tracks ``relative`` or a path under it."""
        if relative in self.files or relative in self.whole_folders:
            return relative not in self.untracked
        if relative not in self.folders:
            return False
        prefix = relative + "/"
        listed = (path for paths in (self.files, self.whole_folders) for path in paths if path.startswith(prefix))
        return any(path not in self.untracked for path in listed)


def discover(paths: Sequence[str], exclude: Sequence[str]) -> Discovery:
    """The files to check under ``paths``, each once, in a stable order."""
    excluded = PatternSet(exclude)
    found = Discovery()
    seen: Set[str] = set()
    for path in paths:
        absolute = os.path.abspath(path)
        if excluded.matches(path, absolute):
            continue
        if os.path.isdir(path):
            visible = _git_visible(path, found)
            if visible is not None:
                found.git_listings.append((os.path.realpath(path), visible))
            candidates: Iterator[Tuple[str, str]] = _walk(path, absolute, excluded, visible, found)
        elif os.path.lexists(path):
            candidates = iter([(path, absolute)])
        else:
            found.errors.append(f"{path}: no such file or directory")
            continue
        for display, absolute_file in candidates:
            if absolute_file not in seen:
                seen.add(absolute_file)
                found.files.append(display)
    return found


def listed_path(path: str, given: Sequence[str]) -> str:
    """``path`` as ``discover(given)`` lists it, and so as ``loopguard check`` reports it: the first
    of ``given`` that holds it, as given, joined with the rest (``.`` -> ``./app/x.py``). A path
    under none of them: relative to the current directory when below it, else absolute."""
    real = os.path.realpath(path)
    for top in given:
        real_top = os.path.realpath(top)
        if real == real_top:
            return top
        if real.startswith(real_top.rstrip(os.sep) + os.sep):
            return os.path.join(top, os.path.relpath(real, real_top))
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return absolute if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative


def _walk(
    top: str, absolute_top: str, excluded: PatternSet, visible: Optional[_GitVisible], found: Discovery
) -> Iterator[Tuple[str, str]]:
    """(display path, absolute path) of the Python files under ``top``; unreadable folders become errors."""
    stack: List[Tuple[str, str, str, Optional[_GitVisible]]] = [(top, absolute_top, "", visible)]
    while stack:
        folder, absolute_folder, relative_folder, filter_ = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            found.errors.append(f"{folder}: cannot list the folder: {error.strerror or error}")
            continue
        subfolders = []
        for entry in entries:
            display = entry.path
            absolute = os.path.join(absolute_folder, entry.name)
            relative = f"{relative_folder}{entry.name}"
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                if excluded.matches(display, absolute):
                    continue
                if filter_ is not None and not filter_.allows_folder(relative):
                    continue
                inner = None if filter_ is None or filter_.is_opaque(relative) else filter_
                subfolders.append((display, absolute, relative + "/", inner))
            elif fnmatch.fnmatchcase(entry.name, PYTHON_FILE) and not _is_symlink_to_folder(entry):
                if excluded.matches(display, absolute):
                    continue
                if filter_ is not None and not filter_.allows_file(relative):
                    continue
                yield display, absolute
        # Depth first, in name order: push in reverse so the first name comes out first.
        stack.extend(reversed(subfolders))


def _is_symlink_to_folder(entry: os.DirEntry) -> bool:  # type: ignore[type-arg]
    try:
        return entry.is_symlink() and entry.is_dir()
    except OSError:
        return False


def _git_visible(folder: str, found: Discovery) -> Optional[_GitVisible]:
    """What git does not ignore under ``folder``; None outside a git work tree (nothing is ignored)."""
    if not _in_work_tree(os.path.abspath(folder)) and "GIT_DIR" not in os.environ:
        return None  # no `.git` above it: git would say so, after 5 ms of starting
    import subprocess  # here: a walk outside any git work tree never starts git, nor loads this

    try:
        completed = subprocess.run(
            ["git", "-C", folder, "ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no git: no .gitignore to honour
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" not in message:
            found.warnings.append(f"{folder}: .gitignore not applied: git ls-files failed: {message}")
        return None
    if not completed.stdout and _is_ignored(folder):
        # A folder git ignores, named on the command line: check it whole, as ruff does.
        return None
    files: Set[str] = set()
    whole: Set[str] = set()
    folders: Set[str] = set()
    untracked: Set[str] = set()
    for raw in completed.stdout.split(b"\0"):
        if not raw:
            continue
        # "-t": a status letter and a space first; "?" is a file git does not track.
        listed = os.fsdecode(raw[2:])
        if raw[:1] == b"?":
            untracked.add(listed.rstrip("/"))
        if listed.endswith("/"):
            listed = listed.rstrip("/")
            whole.add(listed)
        else:
            files.add(listed)
        parent = listed.rpartition("/")[0]
        while parent and parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    return _GitVisible(frozenset(files), frozenset(folders), frozenset(whole), frozenset(untracked))


def _is_ignored(folder: str) -> bool:
    import subprocess

    try:
        completed = subprocess.run(
            ["git", "-C", folder, "check-ignore", "-q", "."], capture_output=True, timeout=GIT_TIMEOUT_SECONDS
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return completed.returncode == 0


def changed_files(revision: str) -> FrozenSet[str]:
    """Absolute paths of the files changed since ``revision`` (``git diff --name-only``), plus untracked ones.

    ``revision`` never reaches git as an option (``--output=FILE`` would make git diff write
    there): a value starting with ``-`` is refused, and git diff gets the commit id it resolves to.
    """
    if revision.startswith("-"):
        raise GitError("not a revision: a revision cannot start with '-'")
    top = _git(["rev-parse", "--show-toplevel"]).strip()
    commit = _resolve_commit(revision, top)
    changed = _git(["diff", "--name-only", "-z", commit, "--"], cwd=top)
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], cwd=top)
    names = [name for name in (changed + "\0" + untracked).split("\0") if name]
    return frozenset(os.path.abspath(os.path.join(top, name)) for name in names)


def _resolve_commit(revision: str, top: str) -> str:
    """The id of the commit ``revision`` names in the repository at ``top``."""
    # rev-parse reads --end-of-options since git 2.30; an older one would take it for a revision.
    end_of_options = ["--end-of-options"] if _git_version() >= (2, 30) else []
    try:
        return _git(["rev-parse", "--verify", "--quiet", *end_of_options, f"{revision}^{{commit}}"], cwd=top).strip()
    except GitError:
        raise GitError(f"no commit of that name in the git repository {top}") from None


def _git_version() -> Tuple[int, int]:
    """(major, minor) of git, from ``git version 2.39.5`` (``(0, 0)`` when it does not say)."""
    match = re.search(r"(\d+)\.(\d+)", _git(["version"]))
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def tracked_by_git(path: str) -> bool:
    """Whether git tracks ``path`` or a file under it: False when its folder does not exist or is
    outside any git work tree (no git run then); :class:`GitError` when git is needed and fails."""
    absolute = os.path.abspath(path)
    parent, name = os.path.split(absolute)
    if not os.path.isdir(parent) or not _in_work_tree(absolute):
        return False
    return bool(_git(["ls-files", "-z", "--cached", "--", f":(literal){name}"], cwd=parent))


def _in_work_tree(absolute: str) -> bool:
    """Whether a folder above ``absolute`` (or itself) holds ``.git``: git's own test, without git."""
    folder = absolute
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def _git(arguments: List[str], cwd: Optional[str] = None) -> str:
    import subprocess

    try:
        completed = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError) as error:
        raise GitError(f"cannot run git: {error}") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(arguments[:2])} failed: {message[0] if message else completed.returncode}")
    return os.fsdecode(completed.stdout)


class PerFileIgnores:
    """flake8's ``per-file-ignores``: of the patterns that match a file, the longest one applies."""

    def __init__(self, mapping: Sequence[Tuple[str, Tuple[str, ...]]]) -> None:
        self._entries = [(len(pattern), PatternSet([pattern]), codes) for pattern, codes in mapping]
        self._by_path: Dict[str, Tuple[str, ...]] = {}

    def codes_for(self, path: str) -> Tuple[str, ...]:
        codes = self._by_path.get(path)
        if codes is None:
            codes = self._by_path[path] = self._longest_match(path)
        return codes

    def _longest_match(self, path: str) -> Tuple[str, ...]:
        if not self._entries:
            return ()
        absolute = os.path.abspath(path)
        best: Optional[Tuple[int, Tuple[str, ...]]] = None
        for length, pattern, codes in self._entries:
            if (best is None or length > best[0]) and pattern.matches(path, absolute):
                best = (length, codes)
        return best[1] if best is not None else ()
