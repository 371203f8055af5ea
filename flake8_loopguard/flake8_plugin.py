"""The flake8 adapter: options in, findings out. No rule logic lives here."""

from __future__ import annotations

import ast
from typing import Any, ClassVar, Iterator, List, Tuple, Type

from . import __version__
from .config import DEFAULT_CONFIG, DEFAULT_ENTRY_POINTS, DEFAULT_TASK_MANAGERS, Config
from .engine import check_tree


class LoopGuardPlugin:
    name = "flake8-loopguard"
    version = __version__
    config: ClassVar[Config] = DEFAULT_CONFIG

    def __init__(self, tree: ast.AST, lines: List[str], filename: str) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--loopguard-entry-points",
            default=",".join(DEFAULT_ENTRY_POINTS),
            parse_from_config=True,
            comma_separated_list=True,
            help="Comma-separated globs of entry-point files, where loops may be created and run "
            "('' for none). (Default: %(default)s)",
        )
        manager.add_option(
            "--loopguard-task-manager",
            default=",".join(DEFAULT_TASK_MANAGERS),
            parse_from_config=True,
            comma_separated_list=True,
            help="Comma-separated names: a receiver whose name contains one of them is a TaskManager. "
            "(Default: %(default)s)",
        )
        manager.add_option(
            "--loopguard-loop-bound",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="Extra dotted factory names of loop-bound resources for LG301/LG302.",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.config = Config(
            entry_points=tuple(options.loopguard_entry_points),
            task_managers=tuple(options.loopguard_task_manager),
            extra_loop_bound=tuple(options.loopguard_loop_bound),
            # As flake8-bugbear does for B9: `--select LG` alone leaves opt-in rules off.
            opt_in_codes=tuple((options.select or []) + (options.extend_select or [])),
        )

    def run(self) -> Iterator[Tuple[int, int, str, Type["LoopGuardPlugin"]]]:
        source = "".join(self.lines)
        for finding in check_tree(self.tree, source, self.filename, self.config):
            yield finding.line, finding.col, finding.text, type(self)
