"""What the project pass needs of one module: its summary, small, picklable and JSON-serialisable
(the check command caches it and ships it between processes), read from the model the engine
already built, or from the import lines alone for a file the prefilter skips."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ..core.model import CallSite, FunctionInfo, Module, Scope, dotted_parts
from ..core.prefilter import first_coroutine
from ..core.project_facts import HandOverKind, LoopSite
from ..core.rules.threads import makes_private_loop
from .imports import ImportTable, is_package, module_level_imports, scan_imports


ANY_LOOP = ("LG101", "LG102", "LG103")  # a function that creates, runs or drives a loop
RUNNING_LOOP = ("LG102", "LG103")  # one that runs or drives a loop: what a coroutine must not reach


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

    kind: HandOverKind
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
            "hand_overs": [[h.kind.value, h.target, h.line, h.col, h.context] for h in self.hand_overs],
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
            and all(is_json_row(hand_over, HAND_OVER_ROW) and hand_over[0] in HAND_OVER_KINDS for hand_over in hand_overs)
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
            hand_overs=tuple(HandOver(HandOverKind(kind), *rest) for kind, *rest in data["hand_overs"]),
        )


LOOP_SITE_ROW = (int, int, str, bool, str)  # LoopSite's fields, as to_json writes them
HAND_OVER_ROW = (str, str, int, int, str)  # HandOver's
HAND_OVER_KINDS = frozenset(kind.value for kind in HandOverKind)
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
    table = ImportTable(module_name, is_package(path))
    if "import" in source:
        scan_imports(source, table)
    return ModuleSummary(module_name, path, imports=table.targets, star_imports=tuple(table.star_imports))


def summarize(module: Module, path: str, module_name: str, tree: Optional[ast.AST] = None) -> ModuleSummary:
    """What the project pass needs of one module, read from the model the engine built.

    ``tree`` is the tree the model was built from: its module-level statements give the
    relative imports, which the model does not record. Without it only absolute imports
    are seen.
    """
    table = ImportTable(module_name, is_package(path))
    if isinstance(tree, ast.Module):
        for node in module_level_imports(tree.body):
            table.add(node)
    else:
        for name, bindings in module.module_scope.bindings.items():
            absolute = [qualified for _line, qualified in bindings if qualified is not None]
            if absolute:
                table.targets[name] = absolute[-1]
    return _Summarizer(module, module_name, table).summary(path)


class _Summarizer:
    def __init__(self, module: Module, module_name: str, imports: ImportTable) -> None:
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
                yield HandOver(HandOverKind.COROUTINE, target, site.line, site.col, site.scope.qualified_name)

    def thread_hand_overs(self) -> Iterator[HandOver]:
        module = self.module
        for site, worker in module.thread_hand_overs:
            target = self.worker_target(worker, site.name_scope) if worker is not None else None
            if target is not None:
                yield HandOver(HandOverKind.THREAD, target, site.line, site.col, site.scope.qualified_name)
        for run in module.thread_run_methods:
            target, node = self.local_target(run), run.node
            yield HandOver(HandOverKind.THREAD, target, node.lineno, node.col_offset, run.scope.qualified_name)

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
        (code, site.attr if code == "LG103" else site.qualified or site.function_name)  # type: ignore[misc]
        for code, site in module.loop_calls_in(function.scope)
    )
