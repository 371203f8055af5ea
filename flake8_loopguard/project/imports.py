"""Module names and imports: what a dotted name in one file means in the project (absolute and
relative imports, package re-exports), read from the tree when the file is modelled and by a
text scan of its import lines when the prefilter skipped it."""

from __future__ import annotations

import ast
import os
import re
from functools import lru_cache
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..core.import_lines import ImportLines


SOURCE_SUFFIXES = (".py", ".pyi", ".pyw")


def module_name_for(path: str, root: str) -> str:
    """The dotted module name of a file: ``pkg/sub/mod.py`` -> ``pkg.sub.mod``,
    ``pkg/__init__.py`` -> ``pkg``, ``src/pkg/mod.py`` -> ``pkg.mod`` (src layout), but
    ``src.pkg.mod`` when ``src/`` has an ``__init__.py`` of its own: then ``src`` is a package of
    the root, imported as ``from src.pkg import mod``, and no src layout.

    A file outside ``root`` is named after its file name alone.
    """
    absolute, top = os.path.abspath(path), os.path.abspath(root)
    inside = top if top.endswith(os.sep) else top + os.sep
    if absolute.startswith(inside):
        relative = absolute[len(inside) :]  # what relpath gives, without its cost (once per file of a run)
    elif os.sep == "/":
        # POSIX compares paths as spelled: a path not under the root is outside it (relpath, ten
        # times slower, would say `..` first).
        relative = os.path.basename(path)
    else:
        relative = os.path.relpath(absolute, top)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            relative = os.path.basename(path)
    parts = [part for part in relative.replace("\\", "/").split("/") if part not in ("", ".")]
    if parts:
        stem, suffix = os.path.splitext(parts[-1])
        if suffix in SOURCE_SUFFIXES:
            parts[-1] = stem
    if parts and parts[-1] == "__init__":
        parts.pop()
    if len(parts) > 1 and parts[0] == "src" and not _is_package_folder(os.path.join(top, "src")):
        parts.pop(0)
    return ".".join(parts)


@lru_cache(maxsize=None)
def _is_package_folder(folder: str) -> bool:
    # Asked once per run and root, not once per file.
    return os.path.isfile(os.path.join(folder, "__init__.py"))


def is_package(path: str) -> bool:
    return os.path.splitext(os.path.basename(path))[0] == "__init__"


# ----- imports -----------------------------------------------------------------


class ImportTable:
    """The project imports of one module, with relative imports resolved against its name."""

    def __init__(self, module_name: str, is_package: bool) -> None:
        self.package_parts = module_name.split(".") if module_name else []
        if not is_package and self.package_parts:
            self.package_parts.pop()
        self.targets: Dict[str, str] = {}
        self.relative: Dict[str, Tuple[int, str]] = {}  # local name -> (import line, target)
        self.star_imports: List[str] = []

    def add(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            self.add_import([(alias.name, alias.asname) for alias in node.names])
        elif isinstance(node, ast.ImportFrom):
            names = [(alias.name, alias.asname) for alias in node.names]
            self.add_from(node.level, node.module or "", names, node.lineno)

    def add_import(self, names: Sequence[Tuple[str, Optional[str]]]) -> None:
        for name, asname in names:
            if asname:
                self.targets[asname] = name
            else:
                head = name.split(".", 1)[0]
                self.targets[head] = head

    def add_from(self, level: int, module: str, names: Sequence[Tuple[str, Optional[str]]], line: int) -> None:
        base = self._base(level, module)
        if base is None:
            return
        for name, asname in names:
            if name == "*":
                if base:
                    self.star_imports.append(base)
                continue
            local = asname or name
            target = f"{base}.{name}" if base else name
            self.targets[local] = target
            if level:
                self.relative[local] = (line, target)

    def _base(self, level: int, module: str) -> Optional[str]:
        """The package a ``from`` import reads from; None when it climbs above the project."""
        if level == 0:
            return module or None
        parts = self.package_parts
        if level - 1 > len(parts) or (parts and level - 1 == len(parts)):
            return None  # above the top-level package (a root-level file may import its siblings)
        parts = parts[: len(parts) - (level - 1)]
        return ".".join([*parts, module] if module else parts)


def module_level_imports(statements: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Import statements run at import time: at module level and in its if/try/with blocks."""
    stack = list(reversed(list(statements)))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            inner: List[ast.stmt] = []
            for name in ("body", "orelse", "finalbody"):
                block = getattr(node, name, None)
                if isinstance(block, list):
                    inner.extend(child for child in block if isinstance(child, ast.stmt))
            for handler in getattr(node, "handlers", ()):
                inner.extend(handler.body)
            stack.extend(reversed(inner))


_DEFINITION_LINE = re.compile(r"(?:async[ \t]+def|def|class)\b|@")
_IMPORT_STATEMENT = re.compile(r"import\s+(.+)", re.S)
_FROM_STATEMENT = re.compile(r"from\s+(\.*)\s*([\w.]*)\s+import\s+(.+)", re.S)
_IMPORTED_NAME = re.compile(r"\s*([\w.]+|\*)(?:\s+as\s+(\w+))?\s*")


def scan_imports(source: str, table: ImportTable, lines: Optional[ImportLines] = None) -> None:
    """Add the module-level import statements of a source text, found without parsing it
    (``lines``: its import lines, if the prefilter found them already).

    A statement is the import line and its continuation lines (open brackets, a trailing
    backslash). An indented import counts unless the nearest line above it at column 0 opens
    a ``def`` or ``class``. Text that merely looks like an import (in a docstring) may count;
    text that does not read as an import statement is skipped.
    """
    if lines is None:
        lines = ImportLines(source)
    # The previous import's line start, and whether it is inside a definition: the walk up from
    # the next indented import stops there, so the whole scan reads each line at most twice.
    previous_start, previous_inside = -1, False
    line_number, counted_to = 1, 0
    for start, body_start, end in lines.statements:
        inside = body_start > start and _inside_definition(source, start, previous_start, previous_inside)
        previous_start, previous_inside = start, inside
        if inside:
            continue
        line_number += source.count("\n", counted_to, start)
        counted_to = start
        for statement in lines.statement_text(body_start, end).split(";"):
            _add_statement(statement.strip(), line_number, table)


_TOP_LEVEL_START = frozenset(" \t\r\n#)]}")  # what a line at column 0 of a statement cannot start with


def _inside_definition(source: str, start: int, stop: int, inside_at_stop: bool) -> bool:
    """Whether the nearest line above ``start`` written at column 0 (not blank, not a comment, not
    a closing bracket) opens a ``def``, a ``class`` or a decorator. The walk up ends early at
    ``stop``, the start of an indented line above whose answer is known: ``inside_at_stop``."""
    line_start = start
    while line_start > 0:
        line_start = source.rfind("\n", 0, line_start - 1) + 1
        if source[line_start] not in _TOP_LEVEL_START:
            return _DEFINITION_LINE.match(source, line_start) is not None
        if line_start <= stop:
            return inside_at_stop
    return False


def _add_statement(statement: str, line: int, table: ImportTable) -> None:
    from_match = _FROM_STATEMENT.fullmatch(statement)
    if from_match is not None:
        names = _imported_names(from_match.group(3))
        if names is not None:
            table.add_from(len(from_match.group(1)), from_match.group(2), names, line)
        return
    import_match = _IMPORT_STATEMENT.fullmatch(statement)
    if import_match is not None:
        names = _imported_names(import_match.group(1))
        if names is not None and all(name != "*" for name, _alias in names):
            table.add_import(names)


def _imported_names(text: str) -> Optional[List[Tuple[str, Optional[str]]]]:
    """``a as b, c`` -> [("a", "b"), ("c", None)]; None when it is not a list of names."""
    names = []
    for item in text.rstrip().rstrip(",").split(","):
        match = _IMPORTED_NAME.fullmatch(item)
        if match is None:
            return None
        names.append((match.group(1), match.group(2)))
    return names
