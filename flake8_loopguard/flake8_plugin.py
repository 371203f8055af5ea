"""The flake8 adapter: options in, findings out. No rule logic lives here."""

from __future__ import annotations

import ast
import configparser
import os
from typing import Any, ClassVar, Iterator, List, Optional, Tuple, Type

from . import __version__
from .core.config import DEFAULT_CONFIG, OPTIONS, Config, Option
from .core.engine import check_tree


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
        root = _project_root(getattr(options, "config", None))
        cls.config = Config(**settings, opt_in_codes=selected, project_root=root)

    def run(self) -> Iterator[Tuple[int, int, str, Type["LoopGuardPlugin"]]]:
        source = "".join(self.lines)
        for finding in check_tree(self.tree, source, self.filename, self.config):
            yield finding.line, finding.col, finding.text, type(self)


def _attribute(option: Option) -> str:
    return "loopguard_" + option.name.replace("-", "_")


def _project_root(config_file: Optional[str]) -> str:
    """The directory of the flake8 configuration in force (``--config``, else the first of
    ``setup.cfg``, ``tox.ini``, ``.flake8`` with a ``[flake8]`` section from the current
    directory up, as flake8 looks), else the current directory: entry-point globs are relative
    to it, wherever flake8 runs from."""
    if config_file:
        return os.path.dirname(os.path.abspath(config_file))
    directory = os.path.abspath(os.curdir)
    while True:
        for name in ("setup.cfg", "tox.ini", ".flake8"):
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and _has_flake8_section(candidate):
                return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return os.path.abspath(os.curdir)
        directory = parent


def _has_flake8_section(path: str) -> bool:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return False
    return parser.has_section("flake8") or parser.has_section("flake8:local-plugins")
