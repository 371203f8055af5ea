"""The flake8 adapter: options in, findings out. No rule logic lives here."""

from __future__ import annotations

import ast
from typing import Any, ClassVar, Iterator, List, Tuple, Type

from . import __version__
from .config import DEFAULT_CONFIG, OPTIONS, Config, Option
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
        for option in OPTIONS:
            manager.add_option(
                f"--loopguard-{option.name}",
                default=",".join(option.default),
                parse_from_config=True,
                comma_separated_list=True,
                help=f"{option.help} (Default: {','.join(option.default) or 'none'})",
            )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        settings = {option.field: tuple(getattr(options, _attribute(option))) for option in OPTIONS}
        # As flake8-bugbear does for B9: `--select LG` alone leaves opt-in rules off.
        selected = tuple((options.select or []) + (options.extend_select or []))
        cls.config = Config(**settings, opt_in_codes=selected)

    def run(self) -> Iterator[Tuple[int, int, str, Type["LoopGuardPlugin"]]]:
        source = "".join(self.lines)
        for finding in check_tree(self.tree, source, self.filename, self.config):
            yield finding.line, finding.col, finding.text, type(self)


def _attribute(option: Option) -> str:
    return "loopguard_" + option.name.replace("-", "_")
