"""Settings shared by every adapter (flake8 plugin, command line, codemods)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Tuple

DEFAULT_ENTRY_POINTS = ("main.py", "__main__.py")
DEFAULT_TASK_MANAGERS = ("task_manager", "TaskManager")


@dataclass(frozen=True)
class Config:
    entry_points: Tuple[str, ...] = DEFAULT_ENTRY_POINTS
    task_managers: Tuple[str, ...] = DEFAULT_TASK_MANAGERS
    extra_loop_bound: Tuple[str, ...] = ()
    blocking_calls: Tuple[str, ...] = ()
    async_slot_decorators: Tuple[str, ...] = ()
    # Codes and prefixes the user selected; opt-in rules run only when one covers them.
    opt_in_codes: Tuple[str, ...] = ()
    # Entry-point globs with a `/` are relative to this directory ("" = the current directory).
    project_root: str = ""

    def is_entry_point_file(self, filename: str) -> bool:
        """True when the file matches an entry-point glob.

        A glob without a slash matches the file name (``main.py`` matches ``app/main.py``); a
        glob with a slash matches the path relative to the project root, however the path was
        spelled (``./a/b.py``, ``a/b.py``, absolute), and ``**/`` also matches the root itself.
        """
        path = filename.replace("\\", "/")
        basename = path.rsplit("/", 1)[-1]
        relative = None
        for pattern in self.entry_points:
            if "/" not in pattern:
                if _glob(pattern).fullmatch(basename):
                    return True
                continue
            if relative is None:
                relative = self._relative_to_root(filename)
            if _glob(pattern.lstrip("./") if pattern.startswith("./") else pattern).fullmatch(relative):
                return True
        return False

    def _relative_to_root(self, filename: str) -> str:
        if filename.startswith("<"):  # `<stdin>`, `<string>`
            return filename
        root = os.path.abspath(self.project_root or os.curdir)
        path = os.path.abspath(filename)
        try:
            relative = os.path.relpath(path, root)
        except ValueError:  # another drive on Windows
            relative = path
        if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
            relative = path  # outside the project: match against the whole path
        return relative.replace("\\", "/")

    def is_task_manager_name(self, name: str) -> bool:
        lowered = name.lower()
        return any(marker.lower() in lowered for marker in self.task_managers)

    def selects_opt_in(self, code: str) -> bool:
        """An opt-in rule runs when selected by its full code or by a prefix longer than ``LG``
        that covers it (``LG203``, ``LG3``, ``LG30``); ``LG`` alone leaves it off (flake8-bugbear's
        B9 convention)."""
        return any(len(prefix) > 2 and code.startswith(prefix.upper()) for prefix in self.opt_in_codes)


@lru_cache(maxsize=64)
def _glob(pattern: str) -> "re.Pattern[str]":
    """A path glob: ``*`` and ``?`` stay within one directory, ``**/`` spans any (or none)."""
    out = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        elif pattern[index] == "[":
            end = pattern.find("]", index + 1)
            if end == -1:
                out.append(re.escape("["))
                index += 1
            else:
                body = pattern[index + 1 : end].replace("\\", "\\\\")
                out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
                index = end + 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out))


DEFAULT_CONFIG = Config()


@dataclass(frozen=True)
class Option:
    """A user-facing setting: ``--loopguard-<name>`` for flake8, ``<name>`` in ``[tool.loopguard]``."""

    name: str
    field: str  # the Config field it fills
    help: str

    @property
    def default(self) -> Tuple[str, ...]:
        return getattr(DEFAULT_CONFIG, self.field)


OPTIONS = (
    Option(
        "entry-points",
        "entry_points",
        "Comma-separated globs of entry-point files, where loops may be created and run ('' for none).",
    ),
    Option(
        "task-manager",
        "task_managers",
        "Comma-separated names: a receiver whose name contains one of them (case-insensitive) is a TaskManager.",
    ),
    Option("loop-bound", "extra_loop_bound", "Extra dotted factory names of loop-bound resources for LG301/LG302."),
    Option(
        "blocking-calls",
        "blocking_calls",
        "Extra dotted names of blocking calls for LG403 (mylib.sync_fetch, or mylib.Client.get for a method).",
    ),
    Option(
        "async-slot-decorators",
        "async_slot_decorators",
        "Extra dotted names of decorators that make an async Qt slot (LG501/LG502).",
    ),
)

