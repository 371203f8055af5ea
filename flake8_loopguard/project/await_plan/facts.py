"""What the ``run_to_await`` plan needs of one module, read from the model the engine built and
from its ``ast`` tree: its functions (and why one must stay synchronous), the calls of project
functions (and where each runs: a function, a coroutine, the ``__main__`` block, import time, a
lambda), the functions handed over instead of called (thread targets, executors, other
processes, Qt signals), and the loop calls (LG101-LG104) a rewrite turns into awaits or drops.

Positions are ``ast``'s: 1-based lines, columns in UTF-8 bytes (the codemod converts them)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from ...core.apis import ASYNC_SLOT_NAMES
from ...core.findings import Finding
from ...core.model import CallSite, FunctionInfo, Module, Scope, ScopeKind, dotted_parts
from ..summary import target_finder

# Decorators that leave a function a plain function, callable and awaitable as before.
TRANSPARENT_DECORATORS = frozenset({"staticmethod", "classmethod", "override", "abstractmethod"})
QT_SLOT_DECORATORS = frozenset({"Slot", "pyqtSlot"})
PROPERTY_DECORATORS = frozenset({"property", "cached_property", "setter", "getter", "deleter"})
SET_EVENT_LOOP = "asyncio.set_event_loop"
TEST_PREFIXES = ("test", "setUp", "tearDown")
THREAD_RUN = "its thread calls it"  # the end of why a thread class's run() stays synchronous
OTHER_PROCESS = "that process's one loop"  # the end of why a function of another process does

# Where a call runs, as far as awaiting it goes.
IN_FUNCTION = "function"  # a plain function's own body
IN_COROUTINE = "coroutine"  # an `async def`'s own body
IN_MAIN = "main"  # the `__main__` block, or module-level code of an entry-point file
AT_IMPORT = "import"  # module-level code, or a class body, run at import time
IN_LAMBDA = "lambda"
IN_GENERATOR = "generator"  # a generator expression: an await there makes it an async generator

# What a function handed over (not called) is handed to.
THREAD = "thread"  # threading.Thread(target=f)
EXECUTOR = "executor"  # <executor>.submit(f), run_in_executor, asyncio.to_thread
PROCESS = "process"  # another process's entry point
SIGNAL = "signal"  # <signal>.connect(f)


@dataclass(frozen=True)
class LoopCall:
    """A call that creates (LG101), runs (LG102), drives (LG103) or installs (LG104) a loop, or
    asks for one (``get_event_loop``: ``"get"``), in a function's own body."""

    line: int
    col: int
    code: str
    reported: bool  # a finding the user's selection reports (noqa, per-file-ignores applied)
    silenced: bool  # a finding that a `# noqa` silences: the code must stay as it is
    call: str  # "asyncio.run", "run_until_complete", "run_forever", ...
    name: str  # the called name as written (`run`, `run_until_complete`, an import's alias)
    unsafe_await: str = ""  # why an await here would break the program


@dataclass(frozen=True)
class FunctionFacts:
    name: str  # qualified in its module: `Client.fetch`, `main.inner`
    line: int
    is_async: bool
    is_method: bool
    stays_sync: str = ""  # why it must stay a plain function; "" when it may become a coroutine
    slot_decorated: bool = False  # @Slot(...)/@pyqtSlot(...): Qt may call it by name
    loop_calls: Tuple[LoopCall, ...] = ()
    # Loop calls left to another codemod (an `if loop.is_running():` branch).
    other_codemods_loop_calls: Tuple[int, ...] = ()
    # Entry-point code for the linter (a function the `__main__` block calls or hands over, or in
    # an entry-point file): a loop it starts is no finding.
    entry_code: bool = False

    @property
    def short_name(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def runs_loop(self) -> bool:
        """Its own body runs a coroutine to completion, or drives a loop (LG102/LG103)."""
        return any(call.code in ("LG102", "LG103") for call in self.loop_calls)

    @property
    def seeds(self) -> bool:
        """A loop run of its own body is a finding the migration is asked to fix."""
        return any(call.code in ("LG102", "LG103") and call.reported for call in self.loop_calls)


@dataclass(frozen=True)
class CallFacts:
    """A call whose target may be a project function."""

    line: int
    col: int
    name: str  # the called name as written
    target: str  # dotted, through the module's imports
    caller: str  # the def it runs in, or that holds the lambda it runs in ("" for module-level code)
    place: str  # IN_FUNCTION, IN_COROUTINE, IN_MAIN, AT_IMPORT, IN_LAMBDA, IN_GENERATOR
    # An await here would break the program: held threading lock, read-modify-write of an attribute.
    unsafe_await: str = ""


@dataclass(frozen=True)
class HandOverFacts:
    kind: str  # THREAD, EXECUTOR, PROCESS, SIGNAL
    line: int  # of the call that hands over
    col: int
    name: str  # its called name as written (`Thread`, `submit`, `connect`)
    target: str
    starter: str  # the function that hands over ("" at module level)
    starter_is_async: bool
    argument: Tuple[int, int]  # where the callable is written: the reference the call accounts for


@dataclass
class ModuleFacts:
    module: str
    path: str
    functions: Dict[str, FunctionFacts] = field(default_factory=dict)
    calls: List[CallFacts] = field(default_factory=list)
    hand_overs: List[HandOverFacts] = field(default_factory=list)
    imports_qt: bool = False
    imports_qasync: bool = False
    runs_qt_exec: bool = False  # `app.exec()`: Qt's own loop drives the program
    # Loop calls of the `__main__` block's own code (an entry point that already runs a loop).
    main_loop_calls: Tuple[int, ...] = ()
    # Findings of the codes the codemod fixes that are outside any function (module level, class
    # bodies, lambdas): (line, code, where).
    stray_findings: Tuple[Tuple[int, str, str], ...] = ()


def module_facts(
    module: Module, tree: ast.Module, path: str, module_name: str, findings: Sequence[Finding], silenced: Sequence[Finding]
) -> ModuleFacts:
    """The facts of one modelled module. ``findings`` are the ones the user's selection reports
    (after ``# noqa``); ``silenced`` those a ``# noqa`` silences."""
    return _FactsReader(module, tree, path, module_name, findings, silenced).facts()


class _FactsReader:
    def __init__(
        self,
        module: Module,
        tree: ast.Module,
        path: str,
        module_name: str,
        findings: Sequence[Finding],
        silenced: Sequence[Finding],
    ) -> None:
        self.model = module
        self.tree = tree
        self.path = path
        self.module_name = module_name
        self.targets = target_finder(module, path, module_name, tree)
        self.call_targets = CallTargets(module, self.targets, module_name)
        self.reported = {(f.line, f.col, f.code) for f in findings}
        self.silenced = {(f.line, f.col, f.code) for f in silenced}
        self.findings = findings
        self.context = _CallContexts(tree)

    def facts(self) -> ModuleFacts:
        model = self.model
        facts = ModuleFacts(self.module_name, self.path)
        facts.imports_qt = model.imports_qt
        facts.imports_qasync = model.imports_qasync
        facts.runs_qt_exec = model.imports_qt and any(
            site.attr in ("exec", "exec_") and site.receiver is not None for site in model.calls
        )
        names = [function.scope.qualified_name for function in model.functions]
        defined_twice = {name for name in names if names.count(name) > 1}
        process_runs = {id(run.node) for run in model.process_run_methods}
        thread_runs = {id(run.node) for run in model.thread_run_methods}
        for function in model.functions:
            name = function.scope.qualified_name
            why = self.stays_sync(function, name in defined_twice, id(function.node) in thread_runs)
            if id(function.node) in process_runs or model.in_process_entry(function.scope):
                why = f"another process runs it: its loop is {OTHER_PROCESS}"
            loop_calls, elsewhere = self.loop_calls(function)
            facts.functions[name] = FunctionFacts(
                name,
                function.node.lineno,
                function.is_async,
                function.parent_scope.kind is ScopeKind.CLASS,
                why,
                self.slot_decorated(function),
                loop_calls,
                elsewhere,
                model.is_entry_point_file
                or (function.parent_scope is model.module_scope and function.name in model.entry_functions),
            )
        facts.calls = list(self.calls())
        facts.hand_overs = sorted(self.hand_overs(), key=lambda h: (h.line, h.col))
        facts.main_loop_calls = tuple(
            site.line
            for site in model.calls
            if site.scope is model.module_scope
            and (site.in_main_block or model.is_entry_point_file)
            and model.loop_call_code(site) in ("LG102", "LG103")
        )
        in_functions = {(call.line, call.col) for function in facts.functions.values() for call in function.loop_calls}
        in_functions |= {
            (site.line, site.col)
            for site in model.calls
            if site.scope.kind in (ScopeKind.FUNCTION, ScopeKind.COROUTINE)
            and self.context.in_running_branch(site.node)
        }
        facts.stray_findings = tuple(
            (f.line, f.code, f.context or "module level")
            for f in self.findings
            if f.code in ("LG101", "LG102", "LG103", "LG104") and (f.line, f.col) not in in_functions
        )
        return facts

    # ----- functions -----------------------------------------------------------------

    def stays_sync(self, function: FunctionInfo, defined_twice: bool, thread_run: bool) -> str:
        name = function.name
        if function.is_async:
            if self.in_test_code(function):
                # asyncio.run() in a coroutine raises; a test may be there to see it raise.
                return f"{name}() is test code, which may expect the error its loop call raises"
            return ""
        if defined_twice:
            return f"{name}() is defined more than once in its module"
        if name.startswith("__") and name.endswith("__"):
            return f"{name}() is a special method: Python calls it synchronously"
        if thread_run:
            return f"{name}() is the run() of a thread class: {THREAD_RUN}"
        for decorator in function.decorators:
            called = decorator.func if isinstance(decorator, ast.Call) else decorator
            parts = dotted_parts(called)
            last = parts[-1] if parts else ""
            if last in TRANSPARENT_DECORATORS or last in QT_SLOT_DECORATORS:
                continue
            if last in PROPERTY_DECORATORS:
                return f"{name}() is a property: reading it cannot await"
            if last in ASYNC_SLOT_NAMES:
                return f"{name}() is an @{last} on a plain def (LG502)"
            shown = ".".join(parts) if parts else "an expression"
            return f"{name}() is decorated with @{shown}, which may call it synchronously"
        if self.is_generator(function):
            return f"{name}() is a generator"
        owner = function.parent_scope.class_info
        if name.startswith(TEST_PREFIXES) and (self.in_test_file or (owner is not None and _is_test_class(owner))):
            return f"{name}() is a test: its runner calls it and expects it to finish"
        return ""

    def is_generator(self, function: FunctionInfo) -> bool:
        """A ``yield`` in the function's own body: inside it, and in no def nested in it."""
        node = function.node
        first, last = node.lineno, getattr(node, "end_lineno", node.lineno)
        lines = [line for line in self.context.yield_lines if first <= line <= last]
        if not lines:
            return False
        nested = [
            (inner.node.lineno, getattr(inner.node, "end_lineno", inner.node.lineno))
            for inner in self.model.functions
            if inner is not function and first < inner.node.lineno <= last
        ]
        return any(not any(start <= line <= end for start, end in nested) for line in lines)

    @property
    def in_test_file(self) -> bool:
        stem = self.path.replace("\\", "/").rpartition("/")[2]
        return stem.startswith("test_") or stem.endswith("_test.py")

    def in_test_code(self, function: FunctionInfo) -> bool:
        """In a test file, a test class, or a test function (at any depth)."""
        if self.in_test_file:
            return True
        scope = function.parent_scope
        while scope is not None:
            if scope.class_info is not None and _is_test_class(scope.class_info):
                return True
            if scope.function_info is not None and scope.function_info.name.startswith(TEST_PREFIXES):
                return True
            scope = scope.parent
        return False

    def slot_decorated(self, function: FunctionInfo) -> bool:
        for decorator in function.decorators:
            called = decorator.func if isinstance(decorator, ast.Call) else decorator
            parts = dotted_parts(called)
            if parts and parts[-1] in QT_SLOT_DECORATORS:
                return True
        return False

    def loop_calls(self, function: FunctionInfo) -> Tuple[Tuple[LoopCall, ...], Tuple[int, ...]]:
        model = self.model
        found: List[LoopCall] = []
        elsewhere: List[int] = []
        for site in model.calls_in(function):
            code = model.loop_call_code(site)
            if code is None:
                if site.qualified == SET_EVENT_LOOP:
                    code = "LG104"
                elif site.qualified in ("asyncio.get_event_loop", "asyncio.get_running_loop"):
                    code = "get"
                else:
                    continue
            elif model.makes_runners_loop(site):
                continue
            if code == "LG103" and self.context.in_running_branch(site.node):
                elsewhere.append(site.line)
                continue
            key = (site.line, site.col, code)
            call = site.attr if code == "LG103" else (site.qualified or site.function_name)
            found.append(
                LoopCall(
                    site.line,
                    site.col,
                    code,
                    key in self.reported,
                    key in self.silenced,
                    call or "",
                    site.attr or "",
                    self.context.unsafe_await(site.node),
                )
            )
        return tuple(found), tuple(elsewhere)

    # ----- calls and hand-overs -------------------------------------------------------------

    def calls(self) -> Iterator[CallFacts]:
        model = self.model
        for site in model.calls:
            target = self.call_targets.of(site)
            if target is None:
                continue
            place, caller = self.place(site)
            yield CallFacts(
                site.line, site.col, site.attr or "", target, caller, place, self.context.unsafe_await(site.node)
            )

    def place(self, site: CallSite) -> Tuple[str, str]:
        """Where the call runs, and the def it runs in (a lambda's or a generator expression's
        enclosing def: the code that may run it; ``""`` at module level)."""
        model = self.model
        scope = site.scope
        enclosing: Optional[Scope] = scope
        while enclosing is not None and enclosing.kind not in (ScopeKind.FUNCTION, ScopeKind.COROUTINE):
            enclosing = enclosing.parent
        caller = enclosing.qualified_name if enclosing is not None else ""
        if scope.kind is ScopeKind.LAMBDA:
            return IN_LAMBDA, caller
        if self.context.in_generator(site.node):
            return IN_GENERATOR, caller
        if scope.kind in (ScopeKind.FUNCTION, ScopeKind.COROUTINE):
            return (IN_COROUTINE if scope.is_coroutine else IN_FUNCTION), caller
        if scope is model.module_scope and (site.in_main_block or model.is_entry_point_file):
            return IN_MAIN, ""
        return AT_IMPORT, caller

    def hand_overs(self) -> Iterator[HandOverFacts]:
        model = self.model
        for site, worker in model.thread_hand_overs:
            kind = THREAD if site.qualified == "threading.Thread" else EXECUTOR
            yield from self.hand_over(kind, site, worker)
        for site, worker in model.process_hand_overs:
            yield from self.hand_over(PROCESS, site, worker)
        for site in model.method_calls(("connect",)):
            slot = site.argument(0, "slot")
            if isinstance(site.receiver, ast.Attribute) and slot is not None:
                yield from self.hand_over(SIGNAL, site, slot)

    def hand_over(self, kind: str, site: CallSite, worker: Optional[ast.expr]) -> Iterator[HandOverFacts]:
        if worker is None:
            return
        target = self.targets.worker_target(worker, site.name_scope)
        if target is None:
            return
        argument = self.model.unwrap_partial(worker, site.name_scope)
        if isinstance(argument, ast.Lambda):
            argument = argument.body.func if isinstance(argument.body, ast.Call) else argument
        yield HandOverFacts(
            kind,
            site.line,
            site.col,
            site.attr or "",
            target,
            site.scope.qualified_name,
            site.in_coroutine,
            (getattr(argument, "lineno", 0), getattr(argument, "col_offset", 0)),
        )


class CallTargets:
    """The project function a call names, as the summary reads it (``f()``, ``mod.f()``,
    ``self.m()``), and also a method called on an instance of a project class made here:
    ``Bot().run()``, ``bot.run()`` where every binding of ``bot`` is ``Bot(...)`` or its
    annotation says ``Bot``."""

    def __init__(self, model: Module, finder, module_name: str) -> None:
        self.model = model
        self.finder = finder
        self.module_name = module_name

    def of(self, site: CallSite) -> Optional[str]:
        target = self.finder.call_target(site)
        if target is not None or site.receiver is None or site.attr is None:
            return target
        receiver = site.receiver
        if isinstance(receiver, ast.Call):
            owner = self.class_named(receiver.func, site.name_scope)
            return f"{owner}.{site.attr}" if owner else None
        if not isinstance(receiver, ast.Name) or receiver.id in ("self", "cls"):
            return None
        owner_scope = site.name_scope.binding_scope(receiver.id) or self.model.module_scope
        bindings = owner_scope.bindings.get(receiver.id, [])
        made = self.model.assignments_to((receiver.id,), site.name_scope)
        classes = {self.class_named(bound.node.func, bound.name_scope) for bound in made}
        annotated = self.model.annotated_types((receiver.id,), site.name_scope)
        classes |= {self.class_named(member, read_in) for member, read_in in annotated}
        if len(classes) != 1 or None in classes:
            return None
        if len(made) != len(bindings) and not annotated:
            return None  # bound to something else somewhere too
        return f"{classes.pop()}.{site.attr}"

    def class_named(self, node: ast.AST, scope: Scope) -> Optional[str]:
        cls = self.model.same_file_class(node, scope)
        if cls is not None:
            return f"{self.module_name}.{cls.name}" if self.module_name else cls.name
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return None
        return self.finder.reference(node, scope, getattr(node, "lineno", 0))


def _is_test_class(cls) -> bool:  # type: ignore[no-untyped-def]
    return (
        cls.name.startswith("Test")
        or cls.name.endswith(("Test", "Tests"))
        or any((dotted_parts(base) or ("",))[-1].endswith("TestCase") for base in cls.node.bases)
    )


class _CallContexts:
    """What surrounds each call within its function: a generator expression, a ``with`` on a
    lock, an assignment that reads and writes the same attribute, an ``if x.is_running():``;
    and which functions are generators. One pass collects the few nodes that matter; only their
    own subtrees are read again."""

    def __init__(self, tree: ast.Module) -> None:
        self.generator_calls: Set[int] = set()
        self.unsafe: Dict[int, str] = {}
        self.running_branch_calls: Set[int] = set()
        self.yield_lines: List[int] = []
        generators, locked, assignments, branches = [], [], [], []
        for node in ast.walk(tree):
            kind = type(node)
            if kind is ast.GeneratorExp:
                generators.append(node)
            elif kind is ast.With:
                locked.append(node)
            elif kind is ast.Assign or kind is ast.AugAssign:
                assignments.append(node)
            elif kind is ast.If:
                branches.append(node)
            elif kind is ast.Yield or kind is ast.YieldFrom:
                self.yield_lines.append(node.lineno)
        for node in assignments:
            written = _read_and_written(node)
            if written:
                why = f"it would await between a read and a write of {written}"
                self.unsafe.update((id(call), why) for call in _own_calls([node]))
        for node in locked:
            held = [_lock_text(item.context_expr) for item in node.items if _lock_text(item.context_expr)]
            if held:
                why = f"it would await while `with {held[-1]}:` holds a threading lock"
                self.unsafe.update((id(call), why) for call in _own_calls(node.body))
        for node in generators:
            self.generator_calls.update(id(call) for call in _own_calls([node]))
        for node in branches:
            if _tests_is_running(node.test):
                self.running_branch_calls.update(id(call) for call in _own_calls([node]))

    def in_generator(self, node: ast.Call) -> bool:
        return id(node) in self.generator_calls

    def unsafe_await(self, node: ast.Call) -> str:
        return self.unsafe.get(id(node), "")

    def in_running_branch(self, node: ast.Call) -> bool:
        return id(node) in self.running_branch_calls


def _own_calls(nodes: Sequence[ast.AST]) -> Iterator[ast.Call]:
    """The calls in these subtrees that run in their frame (nested defs and lambdas not entered)."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _lock_text(node: ast.expr) -> str:
    """``self._lock`` for a ``with`` on something named like a lock, or on ``threading.Lock()``."""
    parts = dotted_parts(node.func if isinstance(node, ast.Call) else node)
    if parts is None:
        return ""
    if "lock" in parts[-1].lower() and parts[0] != "asyncio":
        return ".".join(parts) + ("()" if isinstance(node, ast.Call) else "")
    return ""


def _read_and_written(node: ast.stmt) -> str:
    """The attribute an assignment both reads and writes (``self.total += f()``), else ``""``."""
    targets = [node.target] if isinstance(node, ast.AugAssign) else list(node.targets)  # type: ignore[union-attr]
    written = {".".join(parts) for parts in map(dotted_parts, targets) if parts is not None and len(parts) > 1}
    if not written:
        return ""
    if isinstance(node, ast.AugAssign):
        return sorted(written)[0]
    read = {
        ".".join(parts)
        for child in ast.walk(node.value)  # type: ignore[union-attr]
        if isinstance(child, ast.Attribute)
        for parts in [dotted_parts(child)]
        if parts is not None
    }
    both = written & read
    return sorted(both)[0] if both else ""


def _tests_is_running(test: ast.expr) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "is_running"
        for node in ast.walk(test)
    )


__all__ = [
    "AT_IMPORT",
    "EXECUTOR",
    "IN_COROUTINE",
    "IN_FUNCTION",
    "IN_GENERATOR",
    "IN_LAMBDA",
    "IN_MAIN",
    "PROCESS",
    "SIGNAL",
    "THREAD",
    "CallFacts",
    "FunctionFacts",
    "HandOverFacts",
    "LoopCall",
    "ModuleFacts",
    "module_facts",
]
