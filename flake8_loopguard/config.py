"""Settings shared by every adapter (flake8 plugin, command line, codemods)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Tuple

DEFAULT_ENTRY_POINTS = ("main.py", "__main__.py")
DEFAULT_TASK_MANAGERS = ("task_manager", "TaskManager")


@dataclass(frozen=True)
class Config:
    entry_points: Tuple[str, ...] = DEFAULT_ENTRY_POINTS
    task_managers: Tuple[str, ...] = DEFAULT_TASK_MANAGERS
    extra_loop_bound: Tuple[str, ...] = ()
    # Opt-in rules run only when named by their full code (``--extend-select LG203``).
    opt_in_codes: Tuple[str, ...] = ()

    def is_entry_point_file(self, filename: str) -> bool:
        """True when the file matches an entry-point glob.

        A glob without a slash matches the file's base name (``main.py`` matches
        ``app/main.py``); a glob with a slash matches the end of the path.
        """
        path = filename.replace("\\", "/")
        basename = path.rsplit("/", 1)[-1]
        for pattern in self.entry_points:
            if "/" in pattern:
                if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, "*/" + pattern):
                    return True
            elif fnmatch.fnmatchcase(basename, pattern):
                return True
        return False

    def is_task_manager_name(self, name: str) -> bool:
        lowered = name.lower()
        return any(marker.lower() in lowered for marker in self.task_managers)


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
)
