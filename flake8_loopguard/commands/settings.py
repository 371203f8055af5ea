"""``loopguard check`` settings: ``[tool.loopguard]`` in the nearest ``pyproject.toml``, then the command line.

The rule options are the ones the flake8 plugin reads (:data:`flake8_loopguard.core.config.OPTIONS`),
named without their ``loopguard-`` prefix; ``select``, ``ignore``, ``extend-select``,
``exclude``, ``extend-exclude`` and ``per-file-ignores`` mean what they mean to flake8.
A value given on the command line replaces the one in the file.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..core.config import OPTIONS, Config
from .discovery import DEFAULT_EXCLUDE

CODE_LIST_KEYS = ("select", "ignore", "extend-select")
PATTERN_LIST_KEYS = ("exclude", "extend-exclude")
PER_FILE_IGNORES = "per-file-ignores"
OPTION_KEYS = tuple(option.name for option in OPTIONS)
KNOWN_KEYS = OPTION_KEYS + CODE_LIST_KEYS + PATTERN_LIST_KEYS + (PER_FILE_IGNORES,)

# A file that does not parse is reported under flake8's code for it, whatever the selection says.
SYNTAX_ERROR_CODE = "E999"
SELECTOR = re.compile(r"[A-Z]+[0-9]*\Z")
# flake8's list separator: commas and whitespace.
LIST_SEPARATOR = re.compile(r"[,\s]+")
MAPPING_TOKEN = re.compile(r":|[^\s,:]+")


class SettingsError(Exception):
    """A setting that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    root: Path  # the directory of the configuration file, else the current directory
    config_file: Optional[Path]
    rule_options: Tuple[Tuple[str, Tuple[str, ...]], ...]  # (Config field, values), in OPTIONS order
    select: Optional[Tuple[str, ...]]  # None: the rules that are on by default
    ignore: Tuple[str, ...]
    extend_select: Tuple[str, ...]
    # Patterns with a path separator are absolute already (flake8's normalisation).
    exclude: Tuple[str, ...]
    extend_exclude: Tuple[str, ...]
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...]

    def engine_config(self) -> Config:
        """The engine's configuration: the rule options, and the selectors that may switch opt-in rules on."""
        return Config(
            **dict(self.rule_options),
            opt_in_codes=(self.select or ()) + self.extend_select,
            project_root=str(self.root),
        )


def find_config(start: Path) -> Tuple[Optional[Path], object]:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.loopguard]`` table, and the table."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            tool = _read_toml(candidate).get("tool")
            if isinstance(tool, dict) and "loopguard" in tool:
                return candidate, tool["loopguard"]
    return None, None


def load_settings(
    known_codes: Tuple[str, ...],
    command_line: Mapping[str, Optional[str]],
    cwd: Optional[Path] = None,
) -> Settings:
    """Settings from the configuration file, each key replaced by its command-line value when one is given.

    ``known_codes`` are the codes a selector may name (by prefix); ``command_line`` maps a key of
    :data:`KNOWN_KEYS` to the raw flag value, or None when the flag was not given.
    """
    cwd = (cwd or Path.cwd()).resolve()
    config_file, found = find_config(cwd)
    table: Dict[str, Any] = {}
    if config_file is not None:
        if not isinstance(found, dict):
            raise SettingsError(f"{config_file}: [tool.loopguard] must be a table")
        table = found
        for key in table:
            if key not in KNOWN_KEYS:
                raise SettingsError(f"{config_file}: [tool.loopguard]: unknown key {key!r}{_suggestion(key)}")
    root = config_file.parent if config_file is not None else cwd

    def value(key: str) -> Tuple[Optional[object], str, Path]:
        """The raw value of ``key``, where it came from (for messages) and the directory it is relative to."""
        given = command_line.get(key)
        if given is not None:
            return given, f"--{key}", cwd
        if key in table:
            return table[key], f"{config_file}: [tool.loopguard] {key}", root
        return None, "", root

    def code_list(key: str) -> Optional[Tuple[str, ...]]:
        raw, where, _ = value(key)
        return None if raw is None else _codes(_string_list(raw, where), where, known_codes)

    def pattern_list(key: str) -> Optional[Tuple[str, ...]]:
        raw, where, parent = value(key)
        return None if raw is None else tuple(_normalized_pattern(p, parent) for p in _string_list(raw, where))

    rule_options = []
    for option in OPTIONS:
        raw, where, _ = value(option.name)
        rule_options.append((option.field, option.default if raw is None else _string_list(raw, where)))

    raw, where, parent = value(PER_FILE_IGNORES)
    per_file = () if raw is None else _per_file_ignores(raw, where, parent, known_codes)

    exclude = pattern_list("exclude")
    return Settings(
        root=root,
        config_file=config_file,
        rule_options=tuple(rule_options),
        select=code_list("select"),
        ignore=code_list("ignore") or (),
        extend_select=code_list("extend-select") or (),
        exclude=DEFAULT_EXCLUDE if exclude is None else exclude,
        extend_exclude=pattern_list("extend-exclude") or (),
        per_file_ignores=per_file,
    )


def _read_toml(path: Path) -> Dict[str, Any]:
    # Loaded only where a pyproject.toml is found: a run the cache answers pays for every import.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.9/3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise SettingsError(f"{path}: cannot read: {error.strerror or error}") from None


def _suggestion(key: str) -> str:
    close = difflib.get_close_matches(key.replace("_", "-"), KNOWN_KEYS, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(KNOWN_KEYS)}"


def _string_list(raw: object, where: str) -> Tuple[str, ...]:
    """A TOML list of strings, or one string of comma/whitespace-separated items (flake8's form)."""
    if isinstance(raw, str):
        items: List[object] = list(LIST_SEPARATOR.split(raw))
    elif isinstance(raw, list):
        items = list(raw)
    else:
        raise SettingsError(f"{where}: expected a list of strings or a comma-separated string, got {raw!r}")
    for item in items:
        if not isinstance(item, str):
            raise SettingsError(f"{where}: expected strings, got {item!r}")
    return tuple(item.strip() for item in items if isinstance(item, str) and item.strip())


def _codes(items: Tuple[str, ...], where: str, known_codes: Tuple[str, ...]) -> Tuple[str, ...]:
    codes = tuple(item.upper() for item in items)
    for code in codes:
        if not SELECTOR.match(code) or not any(known.startswith(code) for known in known_codes):
            raise SettingsError(f"{where}: {code!r} is no rule code nor a prefix of one (`loopguard rules` lists them)")
    return codes


def _normalized_pattern(pattern: str, parent: Path) -> str:
    """flake8's ``normalize_path``: a pattern naming a path (it has a separator) is anchored at ``parent``."""
    separators = os.sep + (os.altsep or "")
    if pattern == "." or any(separator in pattern for separator in separators):
        pattern = os.path.abspath(os.path.join(parent, pattern))
    return pattern.rstrip(separators) or pattern


def _per_file_ignores(
    raw: object, where: str, parent: Path, known_codes: Tuple[str, ...]
) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    """A TOML table ``{glob = codes}``, or flake8's text form ``glob[ glob]: codes`` (one mapping per line)."""
    pairs: List[Tuple[str, object]] = []
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, str):
        pairs = [(glob, list(codes)) for glob, codes in _files_to_codes(raw, where)]
    else:
        raise SettingsError(f"{where}: expected a table of glob = codes, got {raw!r}")
    mapping = []
    for glob, codes in pairs:
        listed = _codes(_string_list(codes, f"{where} {glob!r}"), f"{where} {glob!r}", known_codes)
        mapping.append((_normalized_pattern(glob, parent), listed))
    return tuple(mapping)


def _files_to_codes(text: str, where: str) -> List[Tuple[str, Tuple[str, ...]]]:
    """flake8's ``per-file-ignores`` text: ``glob[ glob]: CODE[ CODE]`` mappings, separated by
    whitespace, commas or new lines; a glob after the codes starts the next mapping."""
    mappings: List[Tuple[str, Tuple[str, ...]]] = []
    globs: List[str] = []
    codes: List[str] = []
    after_colon = False

    def unexpected() -> SettingsError:
        return SettingsError(f"{where}: expected `glob: CODES` mappings, got {text.strip()!r}")

    for token in MAPPING_TOKEN.findall(text):
        if token == ":":
            if after_colon or not globs:
                raise unexpected()
            after_colon = True
        elif after_colon and SELECTOR.match(token):
            codes.append(token)
        elif after_colon:  # the next mapping's first glob
            if not codes:
                raise unexpected()
            mappings.extend((glob, tuple(codes)) for glob in globs)
            globs, codes, after_colon = [token], [], False
        else:
            globs.append(token)
    if globs and not codes:
        raise unexpected()
    mappings.extend((glob, tuple(codes)) for glob in globs)
    return mappings
