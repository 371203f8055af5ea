"""What the project pass needs of one module: its summary, small, picklable and JSON-serialisable
(the check command caches it and ships it between processes), read from the model the engine
already built, or from the import lines alone for a file the prefilter skips."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from ..core.import_lines import ImportLines
from ..core.model import CallSite, FunctionInfo, Module, Scope, ScopeKind, dotted_parts
from ..core.project_facts import Branches, EntryKind, HandOverKind
from ..core.rows import is_json_row
from .imports import ImportTable, is_package, module_level_imports, scan_imports


ANY_LOOP = ("LG101", "LG102", "LG103")  # a function that creates, runs or drives a loop
RUNNING_LOOP = ("LG102", "LG103")  # one that runs or drives a loop: what a coroutine must not reach


class LoopCallRecord(NamedTuple):
    """A call that creates, runs or drives an event loop (``Module.loop_call_code``)."""

    code: str  # LG101, LG102 or LG103
    call: str  # the called name: "asyncio.run", "run_until_complete"
    line: int
    col: int
    in_entry_point: bool  # entry-point code, as the file sees it


@dataclass(frozen=True)
class FunctionSummary:
    """A function or coroutine: the loop calls of its own body, the project functions it calls."""

    line: int
    is_async: bool = False
    loop_calls: Tuple[LoopCallRecord, ...] = ()
    calls: Tuple[str, ...] = ()  # dotted targets, resolved through this module's imports


class OwnCall(NamedTuple):
    """A call made by an entry point's own code, of a function that may be the project's."""

    target: str  # dotted, resolved through this module's imports
    context: str  # the function of the entry point's own code that makes it ("": module-level code)
    branches: Branches  # within the entry point's own code (an entry function's: from its call)


class OwnLoopCall(NamedTuple):
    """A call of an entry point's own code that creates, runs or drives an event loop."""

    code: str
    call: str
    line: int
    col: int
    context: str
    branches: Branches


@dataclass(frozen=True)
class EntryPointRecord:
    """Where a process starts in this module: the ``__main__`` block (or the whole file, when it
    is an entry-point file), or a function handed to another process."""

    kind: EntryKind
    line: int
    col: int
    # Dotted targets of its own functions, with the functions nested in them: the entry
    # functions, every function of an entry-point file, the function another process runs
    # (which may be another module's: then its calls are read from that module's summary).
    functions: Tuple[str, ...] = ()
    calls: Tuple[OwnCall, ...] = ()
    loop_calls: Tuple[OwnLoopCall, ...] = ()


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
    functions: Dict[str, FunctionSummary] = field(default_factory=dict)  # qualified name in the module
    hand_overs: Tuple[HandOver, ...] = ()
    entry_points: Tuple[EntryPointRecord, ...] = ()

    def to_json(self) -> Dict[str, Any]:
        return {
            "module": self.module,
            "path": self.path,
            "imports": dict(self.imports),
            "star_imports": list(self.star_imports),
            "functions": {
                name: [f.line, f.is_async, [list(call) for call in f.loop_calls], list(f.calls)]
                for name, f in self.functions.items()
            },
            "hand_overs": [[h.kind.value, h.target, h.line, h.col, h.context] for h in self.hand_overs],
            "entry_points": [
                [
                    e.kind.value,
                    e.line,
                    e.col,
                    list(e.functions),
                    [[call.target, call.context, _branches_json(call.branches)] for call in e.calls],
                    [[*call[:5], _branches_json(call.branches)] for call in e.loop_calls],
                ]
                for e in self.entry_points
            ],
        }

    @staticmethod
    def json_is_valid(data: Any) -> bool:
        """Whether ``data`` has the shape :meth:`to_json` gives, down to every field's type."""
        if not isinstance(data, dict):
            return False
        imports, star_imports, functions = data.get("imports"), data.get("star_imports"), data.get("functions")
        hand_overs, entry_points = data.get("hand_overs"), data.get("entry_points")
        return (
            isinstance(data.get("module"), str)
            and isinstance(data.get("path"), str)
            and isinstance(imports, dict)
            and all(isinstance(target, str) for target in imports.values())
            and isinstance(star_imports, list)
            and all(isinstance(module, str) for module in star_imports)
            and isinstance(functions, dict)
            and all(_is_function_json(function) for function in functions.values())
            and isinstance(hand_overs, list)
            and all(is_json_row(hand_over, HAND_OVER_ROW) and hand_over[0] in HAND_OVER_KINDS for hand_over in hand_overs)
            and isinstance(entry_points, list)
            and all(_is_entry_point_json(entry) for entry in entry_points)
        )

    @classmethod
    def from_json(cls, data: Any, checked: bool = True) -> "ModuleSummary":
        """The summary :meth:`to_json` gave ``data``; ValueError when it has another shape.
        ``checked=False`` trusts the shape: for what ``to_json`` gave in this very run (checking
        it took two thirds of the time)."""
        if checked and not cls.json_is_valid(data):
            raise ValueError("not a module summary")
        return cls(
            module=data["module"],
            path=data["path"],
            imports=dict(data["imports"]),
            star_imports=tuple(data["star_imports"]),
            functions={
                name: FunctionSummary(line, is_async, _loop_calls_of(loop_calls), tuple(calls))
                for name, (line, is_async, loop_calls, calls) in data["functions"].items()
            },
            hand_overs=tuple(HandOver(HandOverKind(kind), *rest) for kind, *rest in data["hand_overs"]),
            entry_points=tuple(
                EntryPointRecord(
                    EntryKind(kind),
                    line,
                    col,
                    tuple(functions),
                    tuple(OwnCall(target, context, _branches_of(branches)) for target, context, branches in calls),
                    tuple(OwnLoopCall(*call[:5], _branches_of(call[5])) for call in loop_calls),
                )
                for kind, line, col, functions, calls, loop_calls in data["entry_points"]
            ),
        )


HAND_OVER_ROW = (str, str, int, int, str)  # HandOver's fields, as to_json writes them
HAND_OVER_KINDS = frozenset(kind.value for kind in HandOverKind)
ENTRY_KINDS = frozenset(kind.value for kind in EntryKind)
LOOP_CALL_ROW = (str, str, int, int, bool)  # LoopCallRecord's
OWN_CALL_ROW = (str, str)  # OwnCall's, but its branches
OWN_LOOP_CALL_ROW = (str, str, int, int, str)  # OwnLoopCall's, but its branches


def _loop_calls_of(rows: Iterable[List[Any]]) -> Tuple[LoopCallRecord, ...]:
    return tuple(LoopCallRecord(*row) for row in rows)


def _are_strings(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _are_loop_calls(value: Any) -> bool:
    return type(value) is list and all(is_json_row(call, LOOP_CALL_ROW) for call in value)


def _is_function_json(value: Any) -> bool:
    """A FunctionSummary as to_json writes it: ``[line, is_async, [loop call, ...], [call, ...]]``."""
    return (
        type(value) is list
        and len(value) == 4
        and type(value[0]) is int
        and type(value[1]) is bool
        and _are_loop_calls(value[2])
        and _are_strings(value[3])
    )


def _is_entry_point_json(value: Any) -> bool:
    """An EntryPointRecord: ``[kind, line, col, [function, ...], [own call, ...], [own loop call, ...]]``."""
    return (
        type(value) is list
        and len(value) == 6
        and type(value[0]) is str
        and value[0] in ENTRY_KINDS
        and type(value[1]) is int
        and type(value[2]) is int
        and _are_strings(value[3])
        and type(value[4]) is list
        and all(_is_row_with_branches(call, OWN_CALL_ROW) for call in value[4])
        and type(value[5]) is list
        and all(_is_row_with_branches(call, OWN_LOOP_CALL_ROW) for call in value[5])
    )


def _is_row_with_branches(value: Any, types: Tuple[type, ...]) -> bool:
    """A JSON array of these types, then the list of its branches."""
    return (
        type(value) is list
        and len(value) == len(types) + 1
        and is_json_row(value[:-1], types)
        and _is_branches(value[-1])
    )


def _is_branches(value: Any) -> bool:
    return type(value) is list and all(is_json_row(branch, (int, int, int)) for branch in value)


def _branches_json(branches: Branches) -> List[List[int]]:
    return [list(branch) for branch in branches]


def _branches_of(rows: List[List[int]]) -> Branches:
    return tuple((line, col, branch) for line, col, branch in rows)


def summarize_imports_only(
    source: str, path: str, module_name: str, import_lines: Optional[ImportLines] = None
) -> ModuleSummary:
    """The summary of a file the prefilter skips: its imports only (its re-exports still count).

    The file is not parsed: it makes no loop itself (it has no loop word), and its functions
    matter only if they call a project function that reaches a loop, which only its imports can
    give it. ``Project.names_toward_a_loop`` says which names it must spell for that, and the
    check command models it then. ``import_lines``: the file's, if the prefilter found them.
    """
    table = ImportTable(module_name, is_package(path))
    if "import" in source:
        scan_imports(source, table, import_lines)
    return ModuleSummary(module_name, path, imports=table.targets, star_imports=tuple(table.star_imports))


def summarize(module: Module, path: str, module_name: str, tree: Optional[ast.AST] = None) -> ModuleSummary:
    """What the project pass needs of one module, read from the model the engine built.

    ``tree`` is the tree the model was built from: its module-level statements give the
    relative imports, which the model does not record. Without it only absolute imports
    are seen.
    """
    return target_finder(module, path, module_name, tree).summary(path)


def target_finder(module: Module, path: str, module_name: str, tree: Optional[ast.AST] = None) -> "_Summarizer":
    """What :func:`summarize` reads a module with: the dotted project target of a call
    (``call_target``), of a callable handed over (``worker_target``) or of a reference
    (``reference``), through the module's imports (relative ones too, given ``tree``)."""
    table = ImportTable(module_name, is_package(path))
    if isinstance(tree, ast.Module):
        for node in module_level_imports(tree.body):
            table.add(node)
    else:
        for name, bindings in module.module_scope.bindings.items():
            absolute = [qualified for _line, qualified in bindings if qualified is not None]
            if absolute:
                table.targets[name] = absolute[-1]
    return _Summarizer(module, module_name, table)


class _Summarizer:
    def __init__(self, module: Module, module_name: str, imports: ImportTable) -> None:
        self.module = module
        self.module_name = module_name
        self.imports = imports

    def summary(self, path: str) -> ModuleSummary:
        module = self.module
        functions: Dict[str, FunctionSummary] = {}
        hand_overs: List[HandOver] = []
        for function in module.functions:
            sites = module.calls_in(function)
            targets = [self.call_target(site) for site in sites]  # once a call: a coroutine's are read twice
            if function.is_async:
                hand_overs.extend(self.coroutine_calls(sites, targets))
            loop_calls = self.loop_calls(sites)
            calls = tuple(dict.fromkeys(target for target in targets if target))
            if loop_calls or calls:
                functions[function.scope.qualified_name] = FunctionSummary(
                    function.node.lineno, function.is_async, loop_calls, calls
                )
        hand_overs.extend(self.thread_hand_overs())
        hand_overs.sort(key=lambda hand_over: (hand_over.line, hand_over.col))
        return ModuleSummary(
            self.module_name,
            path,
            imports=self.imports.targets,
            star_imports=tuple(self.imports.star_imports),
            functions=functions,
            hand_overs=tuple(hand_overs),
            entry_points=(*self.main_entry_point(), *self.process_entry_points()),
        )

    def loop_calls(self, sites: Iterable[CallSite]) -> Tuple[LoopCallRecord, ...]:
        """The calls among ``sites`` that create, run or drive a loop, as LG101-LG103 name them."""
        module = self.module
        found = []
        for site in sites:
            code = module.loop_call_code(site)
            if code is not None:
                call = (site.attr if code == "LG103" else site.qualified) or site.function_name
                found.append(LoopCallRecord(code, call, site.line, site.col, module.in_entry_point(site)))
        return tuple(found)

    def coroutine_calls(self, sites: Sequence[CallSite], targets: Sequence[Optional[str]]) -> Iterator[HandOver]:
        """The calls of project functions in a coroutine's body (``sites``; ``targets``, the
        function each calls): code that runs on the loop."""
        for site, target in zip(sites, targets):
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

    # ----- entry points --------------------------------------------------------------

    def main_entry_point(self) -> Iterator[EntryPointRecord]:
        """The ``__main__`` block with the functions it calls or hands over; for an entry-point file,
        all its code (but what another process runs)."""
        module = self.module
        if module.is_entry_point_file:
            functions = [
                function
                for function in module.functions
                if function.parent_scope.kind in (ScopeKind.MODULE, ScopeKind.CLASS)
                and not module.in_process_entry(function.scope)
            ]
            own_code = [site for site in module.calls if not module.in_process_entry(site.scope)]
            line = 1
        else:
            module_functions = module.module_scope.functions
            functions = [
                module_functions[name]
                for name in sorted(module.entry_functions)
                if not module.in_process_entry(module_functions[name].scope)
            ]
            own_code = [site for site in module.calls if site.in_main_block]
            line = min((site.line for site in own_code), default=1)
            for function in functions:
                own_code.extend(self.calls_under(function.scope, function.scope))
        if own_code or functions:
            yield self.entry_point(EntryKind.MAIN, line, 0, functions, own_code)

    def process_entry_points(self) -> Iterator[EntryPointRecord]:
        """The functions handed to another process (defined here, or imported), and the ``run()``
        of a ``multiprocessing.Process`` subclass."""
        module = self.module
        for site, worker in module.process_hand_overs:
            body = module.callable_body(worker, site.scope) if worker is not None else None
            if body is not None:  # a def or a lambda of this file
                function = body.function_info
                own_code = self.calls_under(body, body)
                yield self.entry_point(EntryKind.PROCESS, site.line, site.col, [function] if function else [], own_code)
                continue
            target = self.worker_target(worker, site.name_scope) if worker is not None else None
            if target is not None:  # another module's function: the project pass reads its summary
                yield EntryPointRecord(EntryKind.PROCESS, site.line, site.col, (target,))
        for run in module.process_run_methods:
            node = run.node
            own_code = self.calls_under(run.scope, run.scope)
            yield self.entry_point(EntryKind.PROCESS, node.lineno, node.col_offset, [run], own_code)

    def entry_point(
        self, kind: EntryKind, line: int, col: int, functions: Sequence[FunctionInfo], own_code: Iterable[CallSite]
    ) -> EntryPointRecord:
        """The record of an entry point: its own functions, and the calls of its own code."""
        module = self.module
        own_functions = {self.local_target(function) for function in functions}
        calls: Dict[OwnCall, None] = {}
        loop_calls = []
        for site in {id(site.node): site for site in own_code}.values():
            context = site.scope.qualified_name
            branches = self.lifted(kind, site) + module.branches_of(site)
            code = module.loop_call_code(site)
            if code is not None and not module.makes_runners_loop(site):
                call = (site.attr if code == "LG103" else site.qualified) or site.function_name
                loop_calls.append(OwnLoopCall(code, call, site.line, site.col, context, branches))
            target = self.call_target(site)
            if target is not None and target not in own_functions:
                calls[OwnCall(target, context, branches)] = None
        loop_calls.sort(key=lambda call: (call.line, call.col))
        return EntryPointRecord(kind, line, col, tuple(sorted(own_functions)), tuple(calls), tuple(loop_calls))

    def calls_under(self, scope: Scope, entry: Scope) -> List[CallSite]:
        """The calls of the scope and of the scopes nested in it, but of those another process runs
        (``entry`` is the scope being summarised, which may be one)."""
        module = self.module
        found = []
        pending = [scope]
        while pending:
            current = pending.pop()
            if current is not entry and module.in_process_entry(current) and not module.in_process_entry(entry):
                continue
            found.extend(current.calls)
            pending.extend(current.children)
        return found

    def lifted(self, kind: EntryKind, site: CallSite) -> Branches:
        """The branches of the ``__main__`` block that call the entry function the call is in: the
        branches they share (an entry function called from two branches may run in either)."""
        if kind is not EntryKind.MAIN or site.scope.top_function is None:
            return ()
        calls = self.module.entry_function_calls.get(site.scope.top_function, ())
        shared: Optional[Branches] = None
        for call in calls:
            branches = self.module.branches_of(call)
            shared = branches if shared is None else tuple(branch for branch in shared if branch in branches)
        return shared or ()

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
