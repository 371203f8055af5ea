"""Whole-project analysis for ``loopguard check``: LG107 and the cross-module LG401/LG102/LG103.

Each file is summarised once, from the :class:`~flake8_loopguard.model.Module` the engine
already built (the summary is small, picklable and JSON-serialisable, so the check command
caches it and ships it between processes). The project pass then joins the summaries:

- LG107: every loop-owning call of the project (entry points included); more than one is
  reported at each, naming the others.
- A function handed to a worker thread (``threading.Thread(target=...)``, an executor's
  ``submit``/``run_in_executor``, ``asyncio.to_thread``, the ``run()`` of a ``Thread``/
  ``QThread``/``QRunnable`` subclass) that reaches a function of another module which creates,
  runs or drives a loop is LG401 at the hand-over. A coroutine calling such a function is
  LG102 (it runs a loop) or LG103 (it drives one) at the call. Calls are followed through
  the project's imports, aliases and package re-exports, over any depth of plain functions,
  shortest chain first; cycles end the search.

Cases that stay inside one module are the engine's (per-file rules), never reported twice.
"""

from __future__ import annotations

import ast
import os
import re
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from .model import CallSite, FunctionInfo, Module, Scope, dotted_parts
from .prefilter import first_coroutine
from .rules import RULES, Finding
from .rules.threads import THREAD_BASES, makes_private_loop

LG107_MESSAGE = RULES["LG107"].message
CROSS_MODULE_MESSAGES = {
    "LG401": (
        "{chain} ({where}) runs a private event loop in a worker thread; "
        "make it an @asyncSlot coroutine on the main loop"
    ),
    "LG102": "{chain} ({where}) starts a new event loop with {call}() inside a coroutine; await the coroutine instead",
    "LG103": "{chain} ({where}) drives an event loop with {call}() inside a coroutine; await the coroutine instead",
}
MAX_NAMED_SITES = 3  # LG107 names this many other sites, then "and N more"

THREAD = "thread"  # the function runs in a worker thread
COROUTINE = "coroutine"  # the function is called by a coroutine, on the running loop

# (argument position, keyword) of the callable handed to a worker thread
THREAD_CALLS = {"threading.Thread": (1, "target"), "asyncio.to_thread": (0, None)}
EXECUTOR_METHODS = {"submit": (0, "fn"), "run_in_executor": (1, None)}


@dataclass(frozen=True)
class LoopSite:
    """A call that creates or starts an event loop (``Module.loop_owning_calls``)."""

    line: int
    col: int
    call: str
    in_entry_point: bool
    context: str


@dataclass(frozen=True)
class FunctionSummary:
    """A plain (not ``async``) function: the loops its own body makes, the project functions it calls."""

    line: int
    # (code, called name) of each LG101-LG103 call in its own body: ("LG102", "asyncio.run")
    loop_calls: Tuple[Tuple[str, str], ...] = ()
    calls: Tuple[str, ...] = ()  # dotted targets, resolved through this module's imports


@dataclass(frozen=True)
class HandOver:
    """A function handed to a worker thread, or called from a coroutine."""

    kind: str  # THREAD or COROUTINE
    target: str  # dotted target, resolved through this module's imports
    line: int
    col: int
    context: str


@dataclass
class ModuleSummary:
    """What the project pass needs of one module."""

    module: str
    path: str
    imports: Dict[str, str] = field(default_factory=dict)  # local name -> dotted target (module level)
    star_imports: Tuple[str, ...] = ()  # modules whose names `from X import *` brings in
    loop_sites: Tuple[LoopSite, ...] = ()
    functions: Dict[str, FunctionSummary] = field(default_factory=dict)  # qualified name in the module
    hand_overs: Tuple[HandOver, ...] = ()

    def to_json(self) -> Dict[str, Any]:
        return {
            "module": self.module,
            "path": self.path,
            "imports": dict(self.imports),
            "star_imports": list(self.star_imports),
            "loop_sites": [[s.line, s.col, s.call, s.in_entry_point, s.context] for s in self.loop_sites],
            "functions": {
                name: [f.line, [list(call) for call in f.loop_calls], list(f.calls)]
                for name, f in self.functions.items()
            },
            "hand_overs": [[h.kind, h.target, h.line, h.col, h.context] for h in self.hand_overs],
        }

    @staticmethod
    def json_is_valid(data: Any) -> bool:
        """Whether ``data`` has the shape :meth:`to_json` gives, down to every field's type."""
        if not isinstance(data, dict):
            return False
        imports, star_imports, functions = data.get("imports"), data.get("star_imports"), data.get("functions")
        loop_sites, hand_overs = data.get("loop_sites"), data.get("hand_overs")
        return (
            isinstance(data.get("module"), str)
            and isinstance(data.get("path"), str)
            and isinstance(imports, dict)
            and all(isinstance(target, str) for target in imports.values())
            and isinstance(star_imports, list)
            and all(isinstance(module, str) for module in star_imports)
            and isinstance(loop_sites, list)
            and all(is_json_row(site, LOOP_SITE_ROW) for site in loop_sites)
            and isinstance(functions, dict)
            and all(_is_function_json(function) for function in functions.values())
            and isinstance(hand_overs, list)
            and all(is_json_row(hand_over, HAND_OVER_ROW) for hand_over in hand_overs)
        )

    @classmethod
    def from_json(cls, data: Any) -> "ModuleSummary":
        """The summary :meth:`to_json` gave ``data``; ValueError when it has another shape."""
        if not cls.json_is_valid(data):
            raise ValueError("not a module summary")
        return cls(
            module=data["module"],
            path=data["path"],
            imports=dict(data["imports"]),
            star_imports=tuple(data["star_imports"]),
            loop_sites=tuple(LoopSite(*site) for site in data["loop_sites"]),
            functions={
                name: FunctionSummary(line, tuple(tuple(call) for call in loop_calls), tuple(calls))
                for name, (line, loop_calls, calls) in data["functions"].items()
            },
            hand_overs=tuple(HandOver(*hand_over) for hand_over in data["hand_overs"]),
        )


LOOP_SITE_ROW = (int, int, str, bool, str)  # LoopSite's fields, as to_json writes them
HAND_OVER_ROW = (str, str, int, int, str)  # HandOver's
LOOP_CALL_ROW = (str, str)  # FunctionSummary.loop_calls: (code, called name)


def is_json_row(value: Any, types: Tuple[type, ...]) -> bool:
    """Whether ``value`` is a JSON array of exactly these types (a bool is not an int here)."""
    return (
        type(value) is list and len(value) == len(types) and all(type(item) is kind for item, kind in zip(value, types))
    )


def _is_function_json(value: Any) -> bool:
    """A FunctionSummary as to_json writes it: ``[line, [[code, name], ...], [call, ...]]``."""
    return (
        type(value) is list
        and len(value) == 3
        and type(value[0]) is int
        and type(value[1]) is list
        and all(is_json_row(call, LOOP_CALL_ROW) for call in value[1])
        and type(value[2]) is list
        and all(type(call) is str for call in value[2])
    )


# ----- module names ------------------------------------------------------------

SOURCE_SUFFIXES = (".py", ".pyi", ".pyw")


def module_name_for(path: str, root: str) -> str:
    """The dotted module name of a file: ``pkg/sub/mod.py`` -> ``pkg.sub.mod``,
    ``pkg/__init__.py`` -> ``pkg``, ``src/pkg/mod.py`` -> ``pkg.mod`` (src layout).

    A file outside ``root`` is named after its file name alone.
    """
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        relative = os.path.basename(path)
    parts = [part for part in relative.replace("\\", "/").split("/") if part not in ("", ".")]
    if parts:
        stem, suffix = os.path.splitext(parts[-1])
        if suffix in SOURCE_SUFFIXES:
            parts[-1] = stem
    if parts and parts[-1] == "__init__":
        parts.pop()
    if len(parts) > 1 and parts[0] == "src":
        parts.pop(0)
    return ".".join(parts)


def _is_package(path: str) -> bool:
    return os.path.splitext(os.path.basename(path))[0] == "__init__"


# ----- imports -----------------------------------------------------------------


class _ImportTable:
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


def _module_level_imports(statements: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
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


_IMPORT_START = re.compile(r"([ \t]*)(?:import|from)[ \t]")
_DEFINITION_LINE = re.compile(r"(?:async[ \t]+def|def|class)\b|@")
_IMPORT_STATEMENT = re.compile(r"import\s+(.+)", re.S)
_FROM_STATEMENT = re.compile(r"from\s+(\.*)\s*([\w.]*)\s+import\s+(.+)", re.S)
_IMPORTED_NAME = re.compile(r"\s*([\w.]+|\*)(?:\s+as\s+(\w+))?\s*")


def _scan_imports(source: str, table: _ImportTable) -> None:
    """Add the module-level import statements of a source text, found without parsing it.

    A statement is the import line and its continuation lines (open brackets, a trailing
    backslash). An indented import counts unless the nearest line above it at column 0 opens
    a ``def`` or ``class``. Text that merely looks like an import (in a docstring) may count;
    text that does not read as an import statement is skipped.
    """
    # The previous import's line start, and whether it is inside a definition: the walk up from
    # the next indented import stops there, so the whole scan reads each line at most twice.
    previous_start, previous_inside = -1, False
    line_number, counted_to = 1, 0
    # str.find runs far faster than a multi-line regex over the whole text
    found = source.find("import")
    while found >= 0:
        start = source.rfind("\n", 0, found) + 1
        match = _IMPORT_START.match(source, start)
        if match is None:
            found = source.find("import", found + 6)
            continue
        lines = []
        depth = 0
        position = match.end(1)
        while True:
            end = source.find("\n", position)
            end = len(source) if end < 0 else end
            line = source[position:end].split("#", 1)[0]
            lines.append(line)
            depth += line.count("(") - line.count(")")
            position = end + 1
            if position > len(source) or not (depth > 0 or line.rstrip().endswith("\\")):
                break
        found = source.find("import", position)
        inside = bool(match.group(1)) and _inside_definition(source, start, previous_start, previous_inside)
        previous_start, previous_inside = start, inside
        if inside:
            continue
        text = " ".join(lines).replace("\\", " ").replace("(", " ").replace(")", " ")
        line_number += source.count("\n", counted_to, start)
        counted_to = start
        for statement in text.split(";"):
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


def _add_statement(statement: str, line: int, table: _ImportTable) -> None:
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


# A thread hand-over the project pass needs, in a file the prefilter skips: its target can live
# in another module, so no loop word need appear here. The other hand-overs are prefilter words
# (`QRunnable`; `to_thread` is resolved only as `asyncio.to_thread`, so `asyncio` is written).
_HAND_OVER_WORDS = ("Thread", "submit", "run_in_executor")


def may_have_project_sites(source: str) -> bool:
    """A file the prefilter skips may hand a function to a worker thread, or call one from a
    coroutine: parse and :func:`summarize` it anyway if it names a project function that
    reaches a loop (the check command's later phases)."""
    # Substring searches: several times faster than one regex alternation over the text.
    return any(word in source for word in _HAND_OVER_WORDS) or ("async" in source and first_coroutine(source) >= 0)


def summarize_imports_only(source: str, path: str, module_name: str) -> ModuleSummary:
    """The summary of a file the prefilter skips: its imports only (its re-exports still count).

    Trade-off: the file is not parsed, so a function in it that calls a loop helper is not
    a link of a call chain; a file with no trigger word cannot make a loop itself.
    """
    table = _ImportTable(module_name, _is_package(path))
    if "import" in source:
        _scan_imports(source, table)
    return ModuleSummary(module_name, path, imports=table.targets, star_imports=tuple(table.star_imports))


# ----- one module --------------------------------------------------------------


def summarize(module: Module, path: str, module_name: str, tree: Optional[ast.AST] = None) -> ModuleSummary:
    """What the project pass needs of one module, read from the model the engine built.

    ``tree`` is the tree the model was built from: its module-level statements give the
    relative imports, which the model does not record. Without it only absolute imports
    are seen.
    """
    table = _ImportTable(module_name, _is_package(path))
    if isinstance(tree, ast.Module):
        for node in _module_level_imports(tree.body):
            table.add(node)
    else:
        for name, bindings in module.module_scope.bindings.items():
            absolute = [qualified for _line, qualified in bindings if qualified is not None]
            if absolute:
                table.targets[name] = absolute[-1]
    return _Summarizer(module, module_name, table).summary(path)


class _Summarizer:
    def __init__(self, module: Module, module_name: str, imports: _ImportTable) -> None:
        self.module = module
        self.module_name = module_name
        self.imports = imports

    def summary(self, path: str) -> ModuleSummary:
        module = self.module
        loop_sites = tuple(
            LoopSite(
                site.line,
                site.col,
                site.qualified or site.function_name,
                module.in_entry_point(site),
                site.scope.qualified_name,
            )
            for site in module.loop_owning_calls
        )
        functions: Dict[str, FunctionSummary] = {}
        hand_overs: List[HandOver] = []
        for function in module.functions:
            if function.is_async:
                hand_overs.extend(self.coroutine_calls(function))
                continue
            loop_calls = _loop_calls(module, function) if makes_private_loop(module, function) else ()
            calls = tuple(dict.fromkeys(t for t in map(self.call_target, module.calls_in(function)) if t))
            if loop_calls or calls:
                functions[function.scope.qualified_name] = FunctionSummary(function.node.lineno, loop_calls, calls)
        hand_overs.extend(self.thread_hand_overs())
        hand_overs.sort(key=lambda hand_over: (hand_over.line, hand_over.col))
        return ModuleSummary(
            self.module_name,
            path,
            imports=self.imports.targets,
            star_imports=tuple(self.imports.star_imports),
            loop_sites=loop_sites,
            functions=functions,
            hand_overs=tuple(hand_overs),
        )

    def coroutine_calls(self, function: FunctionInfo) -> Iterator[HandOver]:
        for site in self.module.calls_in(function):
            target = self.call_target(site)
            if target is not None and not self.module.in_entry_point(site):
                yield HandOver(COROUTINE, target, site.line, site.col, site.scope.qualified_name)

    def thread_hand_overs(self) -> Iterator[HandOver]:
        module = self.module
        workers: List[Tuple[CallSite, Optional[ast.expr]]] = []
        for name, (position, keyword) in THREAD_CALLS.items():
            workers.extend((site, site.argument(position, keyword)) for site in module.calls_to((name,)))
        for name, (position, keyword) in EXECUTOR_METHODS.items():
            workers.extend((site, site.argument(position, keyword)) for site in module.method_calls((name,)))
        for site, worker in workers:
            target = self.worker_target(worker, site.name_scope) if worker is not None else None
            if target is not None:
                yield HandOver(THREAD, target, site.line, site.col, site.scope.qualified_name)
        for run in self.thread_run_methods():
            node = run.node
            yield HandOver(THREAD, self.local_target(run), node.lineno, node.col_offset, run.scope.qualified_name)

    def thread_run_methods(self) -> Iterator[FunctionInfo]:
        """``run()`` of the Thread/QThread/QRunnable subclasses, also inherited from same-file bases."""
        module = self.module
        seen: Set[int] = set()
        for cls in module.classes:
            run = module.method_of(cls, "run")
            if run is None or run.is_async or id(run.node) in seen or not module.inherits_from(cls, THREAD_BASES):
                continue
            seen.add(id(run.node))
            yield run

    def worker_target(self, worker: ast.expr, scope: Scope) -> Optional[str]:
        """The function a worker callable runs: a reference, a lambda's call, a ``functools.partial``."""
        worker = self.module.unwrap_partial(worker, scope)
        if isinstance(worker, ast.Lambda):
            body = self.module.call_site(worker.body) if isinstance(worker.body, ast.Call) else None
            return self.call_target(body) if body is not None else None
        return self.reference(worker, scope, getattr(worker, "lineno", 0))

    def call_target(self, site: CallSite) -> Optional[str]:
        """The dotted target of the called function, when it may be one of the project's."""
        if site.qualified is not None:
            return None if site.qualified.startswith("builtins.") else site.qualified
        parts = site.parts
        if parts is None:
            return None  # `make()()`, `handlers[key]()`: no function named here
        if len(parts) > 1 and parts[0] not in ("self", "cls") and parts[0] not in self.imports.relative:
            return None  # a method of a local object: the model already found no import behind it
        function = self.module.function_referenced(site.node.func, site.name_scope)
        if function is not None:
            return self.local_target(function)
        # The model resolved the name already (to nothing): only a relative import is left.
        return self.relative_target(parts, site.name_scope, site.line)

    def reference(self, node: ast.AST, scope: Scope, line: int) -> Optional[str]:
        """A function of this module (``worker``, ``self.method``) or an imported name."""
        function = self.module.function_referenced(node, scope)
        if function is not None:
            return self.local_target(function)
        qualified = self.module.resolve(node, scope)
        if qualified is not None:
            return None if qualified.startswith("builtins.") else qualified
        parts = dotted_parts(node)
        return self.relative_target(parts, scope, line) if parts is not None else None

    def relative_target(self, parts: Sequence[str], scope: Scope, line: int) -> Optional[str]:
        """``helper.run`` -> ``pkg.helper.run`` where ``helper`` is this module's relative import."""
        if parts[0] not in self.imports.relative:
            return None
        import_line, target = self.imports.relative[parts[0]]
        if self.module_binding_line(parts[0], scope, line) != import_line:
            return None  # a local name, or the module-level name rebound since the import
        return ".".join((target, *parts[1:]))

    def module_binding_line(self, name: str, scope: Scope, line: int) -> Optional[int]:
        """The line of the module-level binding of ``name`` in force where ``scope`` reads it."""
        module_scope = self.module.module_scope
        if scope.binding_scope(name) is not module_scope:
            return None
        lines = [bound for bound, _qualified in module_scope.bindings[name]]
        if scope.frame is not module_scope:
            return lines[-1]  # a function runs after the whole module has been executed
        before = [bound for bound in lines if bound <= line]
        return before[-1] if before else lines[0]

    def local_target(self, function: FunctionInfo) -> str:
        qualified = function.scope.qualified_name
        return f"{self.module_name}.{qualified}" if self.module_name else qualified


def _loop_calls(module: Module, function: FunctionInfo) -> Tuple[Tuple[str, str], ...]:
    """(code, called name) of the calls that make ``makes_private_loop`` true, as LG101-LG103 see them."""
    return tuple(
        (code, site.attr if code == "LG103" else site.qualified)  # type: ignore[misc]
        for code, site in module.loop_calls_in(function.scope)
    )


# ----- the project pass ----------------------------------------------------------

Node = Tuple[str, str]  # (module name, function's qualified name in it)


ANY_LOOP = ("LG101", "LG102", "LG103")  # a function that creates, runs or drives a loop
RUNNING_LOOP = ("LG102", "LG103")  # one that runs or drives a loop: what a coroutine must not reach


class Project:
    """The whole-project pass over the modules' summaries. The call graph across modules is
    built once, however many questions are asked (the check command asks for the names that
    reach a loop, then for the findings)."""

    def __init__(self, summaries: Sequence[ModuleSummary]) -> None:
        self.summaries = list(summaries)
        # Two files with one module name (``pkg/m.py`` and ``src/pkg/m.py``): the first names it.
        self.modules: Dict[str, ModuleSummary] = {}
        for summary in self.summaries:
            self.modules.setdefault(summary.module, summary)
        # "services.broker" -> ["app.services.broker"]: for imports written relative to a
        # script's directory rather than to the project root
        self.by_suffix: Dict[str, List[str]] = {}
        for name in self.modules:
            parts = name.split(".")
            for start in range(1, len(parts)):
                self.by_suffix.setdefault(".".join(parts[start:]), []).append(name)
        self.resolved: Dict[Tuple[str, str], Optional[Node]] = {}
        self._chains: Dict[Tuple[str, ...], Dict[Node, Optional[Node]]] = {}

    def loop_reaching_names(self) -> Set[str]:
        """The names a file must mention for its hand-overs to reach a function of another module
        that creates, runs or drives a loop (or calls one, at any depth).

        The project pass follows a call into another module only through a dotted name written in
        the calling file, whose first part is imported: so the file names the function (the class,
        for a method) or a name an import gives it (``from m import helper as run_it``, a package's
        re-export under another name, at any depth of re-exports).
        """
        names = {name.split(".", 1)[0] for _module, name in self.chains_to(ANY_LOOP)}
        while names:
            aliases = {
                local
                for summary in self.summaries
                for local, target in summary.imports.items()
                if local not in names and target.rsplit(".", 1)[-1] in names
            }
            if not aliases:
                break
            names |= aliases
        return names

    def findings(self) -> Dict[str, List[Finding]]:
        """The whole-project findings, keyed by path (only paths with findings), each list sorted."""
        found: Dict[str, Dict[Tuple[int, int, str], Finding]] = {}
        for path, finding in (*_loop_owner_findings(self.summaries), *_cross_module_findings(self)):
            found.setdefault(path, {}).setdefault((finding.line, finding.col, finding.code), finding)
        return {path: sorted(findings.values()) for path, findings in sorted(found.items())}

    def resolve(self, target: str, importer: str) -> Optional[Node]:
        key = (target, importer)
        if key not in self.resolved:
            found = self._resolve(target, set())
            if found is None:
                rerooted = self._rerooted(target, importer)
                found = self._resolve(rerooted, set()) if rerooted is not None else None
            self.resolved[key] = found
        return self.resolved[key]

    def _resolve(self, target: str, seen: Set[str]) -> Optional[Node]:
        """The function a dotted target names, through modules, re-exports and star imports."""
        if target in seen:
            return None  # an import cycle
        seen.add(target)
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            summary = self.modules.get(".".join(parts[:cut]))
            if summary is None:
                continue
            rest = parts[cut:]
            name = ".".join(rest)
            if name in summary.functions:
                return summary.module, name
            if rest[0] in summary.imports:
                return self._resolve(".".join((summary.imports[rest[0]], *rest[1:])), seen)
            for star in summary.star_imports:
                found = self._resolve(f"{star}.{name}", seen)
                if found is not None:
                    return found
            return None
        return None

    def _rerooted(self, target: str, importer: str) -> Optional[str]:
        """``services.broker.f`` imported by ``app.main`` means ``app.services.broker.f`` when
        ``app/`` is the directory the program runs from."""
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            candidates = [
                name
                for name in self.by_suffix.get(".".join(parts[:cut]), ())
                if importer.startswith(name[: len(name) - len(".".join(parts[:cut]))])
            ]
            if len(candidates) == 1:
                return ".".join((candidates[0], *parts[cut:]))
        return None

    def chains_to(self, codes: Tuple[str, ...]) -> Dict[Node, Optional[Node]]:
        """Each function that reaches a loop-making function (one with a call of ``codes``),
        mapped to the next function on its shortest chain (None: it makes the loop itself)."""
        if codes in self._chains:
            return self._chains[codes]
        callers = self.callers
        next_hop: Dict[Node, Optional[Node]] = {}
        self._chains[codes] = next_hop
        queue: deque = deque()
        for summary in self.modules.values():
            for name, function in summary.functions.items():
                if any(code in codes for code, _call in function.loop_calls):
                    node = (summary.module, name)
                    next_hop[node] = None
                    queue.append(node)
        while queue:
            callee = queue.popleft()
            for caller in callers.get(callee, ()):
                if caller not in next_hop:
                    next_hop[caller] = callee
                    queue.append(caller)
        return next_hop

    @cached_property
    def callers(self) -> Dict[Node, List[Node]]:
        """Each project function -> the project functions that call it."""
        callers: Dict[Node, List[Node]] = {}
        for summary in self.modules.values():
            for name, function in summary.functions.items():
                node = (summary.module, name)
                for target in function.calls:
                    callee = self.resolve(target, summary.module)
                    if callee is not None and callee != node:
                        callers.setdefault(callee, []).append(node)
        return callers

    def chain(self, start: Node, next_hop: Dict[Node, Optional[Node]]) -> List[Node]:
        chain = [start]
        hop = next_hop[start]
        while hop is not None:
            chain.append(hop)
            hop = next_hop[hop]
        return chain

    def function(self, node: Node) -> FunctionSummary:
        return self.modules[node[0]].functions[node[1]]

    def where(self, node: Node) -> str:
        return f"{self.modules[node[0]].path}:{self.function(node).line}"


def _loop_owner_findings(summaries: Iterable[ModuleSummary]) -> Iterator[Tuple[str, Finding]]:
    sites = sorted(
        ((summary.path, site) for summary in summaries for site in summary.loop_sites),
        key=lambda item: (item[0], item[1].line, item[1].col),
    )
    if len(sites) < 2:
        return
    for index, (path, site) in enumerate(sites):
        others = [
            f"{other_path}:{other.line}" + (" (entry point)" if other.in_entry_point else "")
            for other_path, other in sites[:index] + sites[index + 1 :]
        ]
        named = ", ".join(others[:MAX_NAMED_SITES])
        if len(others) > MAX_NAMED_SITES:
            named += f" and {len(others) - MAX_NAMED_SITES} more"
        message = LG107_MESSAGE.format(call=site.call, others=named)
        yield path, Finding(site.line, site.col, "LG107", message, site.context)


def _cross_module_findings(project: Project) -> Iterator[Tuple[str, Finding]]:
    to_any_loop = project.chains_to(ANY_LOOP)
    to_running_loop = project.chains_to(RUNNING_LOOP)
    for summary in project.summaries:
        for hand_over in summary.hand_overs:
            start = project.resolve(hand_over.target, summary.module)
            next_hop = to_any_loop if hand_over.kind == THREAD else to_running_loop
            if start is None or start not in next_hop:
                continue
            chain = project.chain(start, next_hop)
            if all(module == summary.module for module, _name in chain):
                continue  # the engine's per-file rules own what stays in one module
            helper = project.function(chain[-1])
            if hand_over.kind == THREAD:
                code, call = "LG401", ""
            else:
                code, call = next(
                    (code, call) for wanted in ("LG102", "LG103") for code, call in helper.loop_calls if code == wanted
                )
            message = CROSS_MODULE_MESSAGES[code].format(
                chain=" -> ".join(f"{name}()" for _module, name in chain), where=project.where(chain[-1]), call=call
            )
            yield summary.path, Finding(hand_over.line, hand_over.col, code, message, hand_over.context)
