"""What git says about the paths ``--write`` is given: clean, dirty, in no work tree, or git
cannot tell (then the command refuses)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

GIT_TIMEOUT_SECONDS = 60


class GitFailed(Exception):
    """git cannot say whether a path has uncommitted changes; the message is one line, git's own when it has one."""


@dataclass
class WorkTrees:
    """What git says about the paths ``--write`` is given."""

    dirty: List[str] = field(default_factory=list)  # modified, staged or untracked files
    outside: List[str] = field(default_factory=list)  # paths in no git work tree


def uncommitted_changes(paths: Sequence[str]) -> WorkTrees:
    """The files under ``paths`` that git reports as modified, staged or untracked, and the paths outside git.

    Raises ``GitFailed`` when git cannot tell: it fails for another reason than "not a git
    repository" (dubious ownership, a broken repository, a timeout), or it cannot be run while
    a ``.git`` above the path says there is a repository.
    """
    trees = WorkTrees()
    by_top: Dict[str, List[str]] = {}
    for path in paths:
        top = _git(["rev-parse", "--show-toplevel"], _nearest_folder(path))
        if top is None:
            if os.path.lexists(path):  # a missing path has nothing to write
                trees.outside.append(path)
        else:
            by_top.setdefault(top.rstrip("\n"), []).append(os.path.abspath(path))
    for top, inside in by_top.items():
        status = _git(["status", "--porcelain", "-z", "--untracked-files=all", "--", *inside], top)
        entries = iter((status or "").split("\0"))
        for entry in entries:
            if len(entry) < 4:
                continue
            trees.dirty.append(os.path.relpath(os.path.join(top, entry[3:])))
            if "R" in entry[:2] or "C" in entry[:2]:
                next(entries, None)  # a rename's or copy's original path follows
    return trees


def _nearest_folder(path: str) -> str:
    """``path`` if it is a folder, else the closest existing folder above it (a path may not exist)."""
    folder = os.path.abspath(path)
    while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    return folder


def _git(arguments: List[str], cwd: str) -> Optional[str]:
    """git's stdout, or None when ``cwd`` is in no git work tree; ``GitFailed`` when git cannot answer."""
    command = f"git {arguments[0]}"
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            # Untranslated messages: "not a git repository" is recognised by its words.
            env={**os.environ, "LC_ALL": "C"},
        )
    except subprocess.TimeoutExpired:
        raise GitFailed(f"{command} did not answer within {GIT_TIMEOUT_SECONDS} s") from None
    except OSError as error:
        repository = _repository_marker(cwd)
        if repository is None:
            return None  # no git and no repository: nothing git could restore
        raise GitFailed(f"cannot run git ({error.strerror or error}) although {repository} exists") from None
    if completed.returncode == 0:
        return os.fsdecode(completed.stdout)
    message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
    # Not "not a git repository: <path>", which is a .git that points nowhere: a broken checkout.
    if message and "not a git repository (or any" in message[0]:
        return None
    raise GitFailed(f"{command} failed: {message[0] if message else f'exit code {completed.returncode}'}")


def _repository_marker(folder: str) -> Optional[str]:
    """The ``.git`` (folder or file) at or above ``folder``, if any."""
    while True:
        marker = os.path.join(folder, ".git")
        if os.path.lexists(marker):
            return marker
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
