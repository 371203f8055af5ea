"""The semantic model of one module, built in a single walk of its ``ast`` tree.

The walk records what the rules need to know (bindings, scopes, calls and the
context each call's result lands in) and nothing else; name resolution runs
after the walk, so a module-level import written below a function still
resolves inside it. The walk is iterative: a 1000-deep expression is no
danger to the interpreter's recursion limit.
"""

from __future__ import annotations

import ast
from functools import cached_property, lru_cache
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .config import Config

QT_BINDINGS = frozenset({"PyQt5", "PyQt6", "PySide2", "PySide6", "qtpy"})
QT_STAR_MODULES = frozenset(f"{binding}.{module}" for binding in QT_BINDINGS for module in ("QtCore", "QtWidgets", "QtGui"))
# `asyncio.events.new_event_loop` is `asyncio.new_event_loop`: the package re-exports them all.
ASYNCIO_SUBMODULES = frozenset(
    {
        "base_events", "events", "futures", "locks", "queues", "runners", "tasks", "taskgroups",
        "timeouts", "coroutines", "streams", "subprocess", "unix_events", "windows_events",
        "selector_events", "proactor_events",
    }
)  # fmt: skip
# What `from M import *` brings for the modules the rules know (asyncio's list is read from the
# running Python, on first need, plus the newer names a target program may use).
STAR_EXPORTS = {
    "qasync": frozenset({"QEventLoop", "QThreadExecutor", "asyncSlot", "asyncClose", "asyncWrap", "run"}),
    "uvloop": frozenset({"new_event_loop", "run", "install", "Loop", "EventLoopPolicy"}),
}
STAR_MODULES = frozenset({"asyncio", *STAR_EXPORTS})


@lru_cache(maxsize=None)
def star_exports(module: str) -> frozenset:
    if module == "asyncio":
        import asyncio  # only a module with `from asyncio import *` pays for this import

        return frozenset(asyncio.__all__) | {"Runner", "TaskGroup", "timeout"}
    return STAR_EXPORTS.get(module, frozenset())
QT_STAR_NAMES = frozenset({"Signal", "Slot", "pyqtSignal", "pyqtSlot", "SignalInstance", "qApp"})

# Builtins a rule may ask about; any other unbound name resolves to nothing.
BUILTINS_OF_INTEREST = frozenset({"input"})

LOOP_FACTORIES = frozenset(
    {
        "asyncio.new_event_loop",
        "asyncio.SelectorEventLoop",
        "asyncio.ProactorEventLoop",
        "uvloop.new_event_loop",
        "qasync.QEventLoop",
    }
)
LOOP_RUNNERS = frozenset({"asyncio.run", "asyncio.Runner", "qasync.run", "uvloop.run"})
LOOP_DRIVER_METHODS = frozenset({"run_until_complete", "run_forever"})
LOOP_GETTERS = frozenset({"asyncio.get_event_loop", "asyncio.get_running_loop"})
LOOP_SOURCES = LOOP_GETTERS | LOOP_FACTORIES  # calls whose result is an event loop
TASK_FACTORIES = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
TASK_MANAGER_METHODS = frozenset({"add_task", "create", "create_task", "spawn"})
TASK_GROUP_FACTORIES = frozenset({"asyncio.TaskGroup"})
ASYNC_SLOT_DECORATORS = frozenset({"qasync.asyncSlot", "qtinter.asyncslot"})
# An application that vendors qasync names its copy the same way.
ASYNC_SLOT_NAMES = frozenset({"asyncSlot", "asyncslot"})
FUNCTOOLS_PARTIAL = "functools.partial"
# Methods that call a callable later and throw its result away; the value is the index of the
# callable among the positional arguments (None: the first argument that is a callable).
CALLBACK_TAKERS = {
    "connect": 0,
    "singleShot": None,
    "call_soon": 0,
    "call_soon_threadsafe": 0,
    "call_later": 1,
    "call_at": 1,
    "add_signal_handler": 1,
}

# Usage of a call's result, decided by the node that contains the call.
USED = "used"  # returned, passed, stored: someone holds the result
AWAITED = "awaited"  # the awaiting coroutine owns it
DISCARDED = "discarded"  # an expression statement, or bound to `_`
CALLBACK_LAMBDA = "callback_lambda"  # body of a lambda whose result a Qt signal or the loop drops
BOUND = "bound"  # assigned to names or attributes (see CallSite.targets)

# Calls on a task that keep nothing alive: a name read only by them is no owner.
WEAK_TASK_METHODS = frozenset({"add_done_callback", "set_name"})


def canonical(qualified: str) -> str:
    """Fold the Qt bindings into one namespace (``PySide6.QtCore.QThread`` -> ``Qt.QThread``)
    and asyncio's submodules into the package (``asyncio.events.new_event_loop`` ->
    ``asyncio.new_event_loop``)."""
    head, _, rest = qualified.partition(".")
    if head in QT_BINDINGS and rest.startswith("Qt"):
        _module, _, name = rest.partition(".")
        if name:
            return "Qt." + name
    elif head == "asyncio":
        submodule, _, name = rest.partition(".")
        if name and submodule in ASYNCIO_SUBMODULES:
            return "asyncio." + name
    return qualified


def dotted_parts(node: ast.AST) -> Optional[Tuple[str, ...]]:
    """``a.b.c`` -> ("a", "b", "c"); None when the chain is not rooted in a name."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        parts.reverse()
        return tuple(parts)
    return None


def receiver_name(node: ast.AST) -> str:
    """The dotted name of a receiver: ``self._task_manager``, or ``TaskManager.instance`` for
    ``TaskManager.instance()``. Bounded work: a chain of calls is not followed."""
    parts = dotted_parts(node.func if isinstance(node, ast.Call) else node)
    return ".".join(parts) if parts is not None else ""


def is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` in either order, also with further ``and`` conditions."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(is_main_guard(value) for value in test.values)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    has_name = any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides)
    has_main = any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides)
    return has_name and has_main


class FunctionInfo:
    __slots__ = ("node", "name", "is_async", "scope", "parent_scope")

    def __init__(self, node: ast.AST, parent_scope: "Scope") -> None:
        self.node = node
        self.name: str = node.name  # type: ignore[attr-defined]
        self.is_async = isinstance(node, ast.AsyncFunctionDef)
        self.parent_scope = parent_scope
        self.scope: Scope  # set when the body scope is opened

    @property
    def decorators(self) -> List[ast.expr]:
        return self.node.decorator_list  # type: ignore[attr-defined]


class ClassInfo:
    __slots__ = ("node", "name", "scope", "methods")

    def __init__(self, node: ast.ClassDef, scope: "Scope") -> None:
        self.node = node
        self.name = node.name
        self.scope = scope
        self.methods: Dict[str, FunctionInfo] = {}


class Scope:
    """A module, class body, function, coroutine, lambda or comprehension.

    A comprehension is a scope for names only (its loop variables hide nothing outside it);
    its code runs in the enclosing frame, so calls and facts such as "in a coroutine" belong to
    ``frame``.
    """

    __slots__ = (
        "kind",
        "name",
        "parent",
        "frame",
        "children",
        "bindings",
        "functions",
        "loads",
        "declared_outer",
        "star_imports",
        "aliases",
        "class_info",
        "function_info",
        "top_function",
        "calls",
    )
    # The slots through which a scope reaches itself again (its parent's children, the
    # definitions and calls that point back at it): what Module.release() cuts.
    LINKS = ("parent", "frame", "children", "functions", "class_info", "function_info", "calls")

    def __init__(self, kind: str, name: str, parent: Optional["Scope"]) -> None:
        self.kind = kind
        self.name = name
        self.parent = parent
        self.frame: Scope = parent.frame if kind == "comprehension" and parent is not None else self
        self.children: List[Scope] = []
        # name -> [(line, qualified name, or None for a local non-import binding)]
        self.bindings: Dict[str, List[Tuple[int, Optional[str]]]] = {}
        self.functions: Dict[str, FunctionInfo] = {}
        self.loads: Dict[str, List[ast.Name]] = {}  # every read of a name in this scope's own code
        self.declared_outer: set = set()  # `global` / `nonlocal` names
        self.star_imports: List[Tuple[int, str]] = []  # (line, module) of `from module import *`
        # `tm = self._task_manager`: a local name for another dotted name
        self.aliases: Dict[str, str] = {}
        self.class_info: Optional[ClassInfo] = None
        self.function_info: Optional[FunctionInfo] = None
        self.calls: List[CallSite] = []
        if parent is None:
            self.top_function: Optional[str] = None
        elif parent.kind == "module" and kind in ("function", "coroutine"):
            self.top_function = name
        else:
            self.top_function = parent.top_function if parent.kind != "class" else None
        if parent is not None:
            parent.children.append(self)

    def bind(self, name: str, line: int, qualified: Optional[str] = None) -> None:
        self.bindings.setdefault(name, []).append((line, qualified))

    def record_name(self, node: ast.Name) -> None:
        """A read of the name, or a binding of it."""
        if type(node.ctx) is ast.Load:
            loads = self.loads.get(node.id)
            if loads is None:
                self.loads[node.id] = [node]
            else:
                loads.append(node)
        else:
            self.bind(node.id, node.lineno)

    @property
    def is_function(self) -> bool:
        return self.frame.kind in ("function", "coroutine", "lambda")

    @property
    def is_coroutine(self) -> bool:
        return self.frame.kind == "coroutine"

    @property
    def is_init(self) -> bool:
        frame = self.frame
        return (
            frame.kind == "function"
            and frame.name == "__init__"
            and frame.parent is not None
            and frame.parent.kind == "class"
        )

    @property
    def runs_at_import(self) -> bool:
        """Module-level code, or a class body that is not nested in a function."""
        scope: Optional[Scope] = self.frame
        while scope is not None and scope.kind == "class":
            scope = scope.parent
        return scope is not None and scope.kind == "module"

    @property
    def qualified_name(self) -> str:
        """``Widget._load_data.worker`` for a def nested in a method; ``""`` for the module."""
        names = []
        scope: Optional[Scope] = self.frame
        while scope is not None and scope.parent is not None:
            if scope.kind != "comprehension":
                names.append(scope.name)
            scope = scope.parent
        return ".".join(reversed(names))

    @property
    def enclosing_class(self) -> Optional[ClassInfo]:
        """The class whose method this scope is (or is nested in)."""
        scope: Optional[Scope] = self
        while scope is not None:
            if scope.parent is not None and scope.parent.kind == "class" and scope.kind in ("function", "coroutine"):
                return scope.parent.class_info
            scope = scope.parent
        return None

    def binding_scope(self, name: str) -> Optional["Scope"]:
        """The scope whose local ``name`` is: this one or an enclosing function's (Python's rule,
        class bodies skipped); None for a global or a name bound nowhere."""
        scope: Optional[Scope] = self
        own = True
        while scope is not None:
            if name in scope.declared_outer:
                return None
            if (own or scope.kind != "class") and name in scope.bindings:
                return scope
            own = False
            scope = scope.parent
        return None

    def descendants(self) -> Iterator["Scope"]:
        stack = [self]
        while stack:
            scope = stack.pop()
            yield scope
            stack.extend(scope.children)


class CallSite:
    """One call expression and the facts the rules ask about it."""

    __slots__ = (
        "node",
        "scope",
        "name_scope",
        "in_main_block",
        "parts",
        "attr",
        "receiver",
        "usage",
        "targets",
        "statement",
        "qualified",
    )

    def __init__(
        self,
        node: ast.Call,
        name_scope: Scope,
        in_main_block: bool,
        usage: str,
        targets: Tuple[str, ...] = (),
        statement: Optional[ast.stmt] = None,
    ) -> None:
        self.node = node
        self.scope = name_scope.frame  # where the call runs
        self.name_scope = name_scope  # where its names are looked up (a comprehension, say)
        self.in_main_block = in_main_block
        func = node.func
        if isinstance(func, ast.Subscript):  # `asyncio.Queue[bytes]()` constructs an `asyncio.Queue`
            func = func.value
        self.parts = dotted_parts(func)
        if isinstance(func, ast.Attribute):
            self.attr: Optional[str] = func.attr
            self.receiver: Optional[ast.expr] = func.value
        else:
            self.attr = func.id if isinstance(func, ast.Name) else None
            self.receiver = None
        self.usage = usage
        self.targets = targets  # the names or dotted attributes the result is bound to
        self.statement = statement  # the binding statement, for BOUND results
        self.qualified: Optional[str] = None  # filled in after the walk

    @property
    def target(self) -> Optional[str]:
        return self.targets[0] if self.targets else None

    def argument(self, index: Optional[int], keyword: Optional[str] = None) -> Optional[ast.expr]:
        """The argument at a position (``Thread(None, target)``) or by keyword (``target=``)."""
        node = self.node
        if keyword is not None:
            for item in node.keywords:
                if item.arg == keyword:
                    return item.value
        if index is not None and len(node.args) > index and not isinstance(node.args[index], ast.Starred):
            return node.args[index]
        return None

    @property
    def line(self) -> int:
        return self.node.lineno

    @property
    def col(self) -> int:
        return self.node.col_offset

    @property
    def in_coroutine(self) -> bool:
        return self.scope.is_coroutine

    @property
    def function_name(self) -> str:
        """The called name as a message shows it: ``create_task`` (also when imported under an alias)."""
        if self.qualified is not None:
            return self.qualified.rsplit(".", 1)[-1]
        return self.attr or "<call>"


class Module:
    """Everything the rules may ask about one module."""

    def __init__(self, tree: ast.AST, filename: str, config: Config) -> None:
        self.filename = filename
        self.config = config
        self.module_scope = Scope("module", "<module>", None)
        self.calls: List[CallSite] = []
        self.classes: List[ClassInfo] = []
        # `with X() as name` / `async with X() as name`: (scope, name, the call)
        self.context_bindings: List[Tuple[Scope, str, ast.Call, bool]] = []
        self.call_by_node: Dict[int, CallSite] = {}
        self.lambda_scopes: Dict[int, Scope] = {}
        self.weak_reads: set = set()  # ids of the Name nodes read only by add_done_callback()/set_name()
        self.imported_modules: set = set()
        self._same_file_bases: Dict[int, List[ClassInfo]] = {}  # every `self.method()` asks
        _Walker(self).walk(tree)
        self._resolve_calls()

    def release(self) -> None:
        """Break the references between scopes, calls and definitions, so that the module is
        freed as soon as its last reference goes, without the cycle collector (which a gate
        that models thousands of files with the collector off would otherwise need). The module
        answers no question afterwards."""
        for scope in list(self.module_scope.descendants()):
            for slot in Scope.LINKS:
                setattr(scope, slot, None)
        self.__dict__.clear()

    # ----- name resolution -------------------------------------------------

    def resolve(self, node: ast.AST, scope: Scope) -> Optional[str]:
        """The qualified name an expression refers to, following imports and aliases."""
        if isinstance(node, ast.Subscript):  # a generic alias: `asyncio.Queue[bytes]`
            node = node.value
        parts = dotted_parts(node)
        if parts is None:
            return None
        return self.resolve_parts(parts, scope, getattr(node, "lineno", 0))

    def resolve_parts(self, parts: Sequence[str], scope: Scope, line: int) -> Optional[str]:
        head = parts[0]
        current: Optional[Scope] = scope
        frame = scope.frame
        while current is not None:
            same_frame = current.frame is frame
            # Class bodies are not visible from the functions nested in them.
            if (same_frame or current.kind != "class") and head in current.bindings:
                qualified = _binding_at(current.bindings[head], line if same_frame else None)
                if qualified is None:
                    return None
                return canonical(".".join((qualified, *parts[1:])))
            current = current.parent
        starred = self._star_imported(head)
        if starred is not None:
            return canonical(".".join((starred, *parts[1:])))
        if head in BUILTINS_OF_INTEREST:
            return "builtins." + ".".join(parts)
        return None

    def _star_imported(self, name: str) -> Optional[str]:
        """``asyncio.run`` for ``run`` after ``from asyncio import *``; the last such import wins."""
        for _line, module in reversed(self.module_scope.star_imports):
            if module in QT_STAR_MODULES:
                if name.startswith("Q") or name in QT_STAR_NAMES:
                    return f"{module}.{name}"
            elif name in star_exports(module):
                return f"{module}.{name}"
        return None

    def _resolve_calls(self) -> None:
        for site in self.calls:
            if site.parts is not None:
                site.qualified = self.resolve_parts(site.parts, site.name_scope, site.node.lineno)

    # ----- indexes built once, on first use --------------------------------

    @cached_property
    def calls_by_name(self) -> Dict[str, List[CallSite]]:
        index: Dict[str, List[CallSite]] = {}
        for site in self.calls:
            if site.qualified is not None:
                index.setdefault(site.qualified, []).append(site)
        return index

    @cached_property
    def calls_by_attr(self) -> Dict[str, List[CallSite]]:
        index: Dict[str, List[CallSite]] = {}
        for site in self.calls:
            if site.attr is not None:
                index.setdefault(site.attr, []).append(site)
        return index

    def calls_to(self, names: Iterable[str]) -> List[CallSite]:
        found: List[CallSite] = []
        for name in names:
            found.extend(self.calls_by_name.get(name, ()))
        found.sort(key=lambda site: (site.line, site.col))
        return found

    def method_calls(self, attrs: Iterable[str]) -> List[CallSite]:
        """Calls of the form ``<anything>.attr(...)``."""
        found = [site for attr in attrs for site in self.calls_by_attr.get(attr, ()) if site.receiver is not None]
        found.sort(key=lambda site: (site.line, site.col))
        return found

    @cached_property
    def entry_functions(self) -> set:
        """Module-level functions that the ``__main__`` block calls directly (``main()``,
        ``sys.exit(main())``) or hands over as a callable (``typer.run(main)``, ``fire.Fire(main)``)."""
        module_functions = self.module_scope.functions
        entry = set()
        for site in self.calls:
            if not site.in_main_block or site.scope is not self.module_scope:
                continue
            if site.receiver is None and site.attr in module_functions:
                entry.add(site.attr)
            arguments = [*site.node.args, *(keyword.value for keyword in site.node.keywords)]
            entry.update(
                argument.id
                for argument in arguments
                if isinstance(argument, ast.Name) and argument.id in module_functions
            )
        return entry

    @cached_property
    def is_entry_point_file(self) -> bool:
        return self.config.is_entry_point_file(self.filename)

    @cached_property
    def imports_qt(self) -> bool:
        return bool(self.imported_modules & (QT_BINDINGS | {"qasync", "qtinter"}))

    @cached_property
    def imports_qasync(self) -> bool:
        return "qasync" in self.imported_modules

    @cached_property
    def imports_loop_library(self) -> bool:
        return bool(self.imported_modules & {"asyncio", "qasync", "uvloop"})

    # ----- questions the rules ask -----------------------------------------

    def in_entry_point(self, site: CallSite) -> bool:
        return self.is_entry_point_file or site.in_main_block or site.scope.top_function in self.entry_functions

    def call_site(self, node: ast.AST) -> Optional[CallSite]:
        return self.call_by_node.get(id(node))

    # ----- classes, methods and the callables handed around ----------------

    @cached_property
    def classes_by_name(self) -> Dict[str, ClassInfo]:
        """Module-level classes by name: the same-file bases a class may inherit from."""
        return {info.name: info for info in self.classes if info.scope.parent is self.module_scope}

    def same_file_bases(self, cls: ClassInfo) -> List[ClassInfo]:
        """The class and its base classes defined in this file, nearest first (cycles cut)."""
        known = self._same_file_bases.get(id(cls))
        if known is None:
            known = self._same_file_bases[id(cls)] = self._find_same_file_bases(cls)
        return known

    def _find_same_file_bases(self, cls: ClassInfo) -> List[ClassInfo]:
        found: List[ClassInfo] = []
        pending = [cls]
        while pending:
            current = pending.pop(0)
            if any(current is seen for seen in found):
                continue
            found.append(current)
            for base in current.node.bases:
                if isinstance(base, ast.Name) and base.id in self.classes_by_name:
                    pending.append(self.classes_by_name[base.id])
        return found

    def method_of(self, cls: ClassInfo, name: str) -> Optional[FunctionInfo]:
        """``cls.name`` as Python finds it among the class and its same-file bases."""
        for owner in self.same_file_bases(cls):
            if name in owner.methods:
                return owner.methods[name]
        return None

    def inherits_from(self, cls: ClassInfo, qualified_names: Iterable[str]) -> bool:
        """Whether a base of the class (directly or through same-file bases) is one of these."""
        wanted = set(qualified_names)
        return any(
            self.resolve(base, owner.scope.parent) in wanted
            for owner in self.same_file_bases(cls)
            for base in owner.node.bases
            if owner.scope.parent is not None
        )

    def function_referenced(self, node: ast.AST, scope: Scope) -> Optional[FunctionInfo]:
        """The def a reference names: ``worker`` (any enclosing scope), ``self.method`` (also
        inherited from a same-file base), or either wrapped in ``functools.partial(...)``."""
        node = self.unwrap_partial(node, scope)
        if isinstance(node, ast.Name):
            current: Optional[Scope] = scope
            own_scope = True
            while current is not None:
                if own_scope or current.kind != "class":
                    if node.id in current.functions:
                        return current.functions[node.id]
                    if node.id in current.bindings:
                        return None  # bound to something other than a def
                own_scope = current.kind == "comprehension"
                current = current.parent
            return None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            owner = scope.enclosing_class
            if owner is not None:
                return self.method_of(owner, node.attr)
        return None

    def unwrap_partial(self, node: ast.AST, scope: Scope) -> ast.AST:
        """``functools.partial(f, ...)`` -> ``f``; anything else as it is."""
        while isinstance(node, ast.Call) and node.args and self.resolve(node.func, scope) == FUNCTOOLS_PARTIAL:
            node = node.args[0]
        return node

    def callable_body(self, node: ast.AST, scope: Scope) -> Optional[Scope]:
        """The body scope of the def or lambda a callable expression stands for."""
        node = self.unwrap_partial(node, scope)
        if isinstance(node, ast.Lambda):
            return self.lambda_scopes.get(id(node))
        function = self.function_referenced(node, scope)
        return function.scope if function is not None else None

    # ----- what a receiver is ----------------------------------------------

    def assignments_to(self, parts: Sequence[str], scope: Scope) -> List[CallSite]:
        """Calls whose result was bound to this name (in the scope that owns the name: this one
        or an enclosing function or module) or attribute (anywhere in the module)."""
        key = ".".join(parts)
        if len(parts) == 1:
            owner = scope.binding_scope(parts[0]) or self.module_scope
            return [site for site in self.bound_calls.get(key, ()) if site.name_scope.binding_scope(key) is owner]
        return list(self.bound_calls.get(key, ()))

    @cached_property
    def bound_calls(self) -> Dict[str, List[CallSite]]:
        index: Dict[str, List[CallSite]] = {}
        for site in self.calls:
            if site.usage == BOUND:
                for target in site.targets:
                    index.setdefault(target, []).append(site)
        for scope, name, call, _is_async in self.context_bindings:
            site = self.call_site(call)
            if site is not None:
                index.setdefault(name, []).append(site)
        return index

    def is_loop_expression(self, node: ast.AST, scope: Scope) -> bool:
        """An expression known to be an event loop (see LG201's definition of ``<loop>``)."""
        if isinstance(node, ast.Call):
            site = self.call_site(node)
            return site is not None and site.qualified in LOOP_SOURCES
        parts = dotted_parts(node)
        if parts is None:
            return False
        if "loop" in parts[-1].lower():
            return True
        return any(site.qualified in LOOP_SOURCES for site in self.assignments_to(parts, scope))

    def may_be_loop(self, node: ast.AST, scope: Scope) -> bool:
        """A receiver that may be an event loop (LG103): anything not known to be something else,
        in a module that uses an event-loop library; elsewhere, only what is known to be a loop."""
        if self.is_loop_expression(node, scope):
            return True
        if not self.imports_loop_library:
            return False
        if isinstance(node, ast.Call):
            return False  # `WebSocketApp(...).run_forever()`: the result of a call that is no loop source
        parts = dotted_parts(node)
        if parts is None:
            return True
        return not self.assignments_to(parts, scope)  # bound only from calls that are no loop source

    def is_instance_of(self, node: ast.AST, scope: Scope, classes: Iterable[str]) -> bool:
        """A receiver made by one of these classes: ``requests.Session()``, directly, through the
        name or attribute it was bound to, or by ``with requests.Session() as s``."""
        wanted = set(classes)
        if isinstance(node, ast.Call):
            site = self.call_site(node)
            return site is not None and site.qualified in wanted
        parts = dotted_parts(node)
        return parts is not None and any(site.qualified in wanted for site in self.assignments_to(parts, scope))

    # ----- tasks -------------------------------------------------------------

    def is_task_group(self, node: ast.AST, scope: Scope) -> bool:
        """A name bound by ``async with asyncio.TaskGroup() as name``."""
        if not isinstance(node, ast.Name):
            return False
        for bound_scope, name, call, is_async in self.context_bindings:
            if is_async and name == node.id and bound_scope.frame is scope.frame:
                site = self.call_site(call)
                if site is not None and site.qualified in TASK_GROUP_FACTORIES:
                    return True
        return False

    def is_task_manager(self, node: ast.AST, scope: Optional[Scope] = None) -> bool:
        """A receiver named like the TaskManager (``self._task_manager``,
        ``TaskManager.instance()``), or a local alias of one (``tm = self._task_manager``)."""
        if self.config.is_task_manager_name(receiver_name(node)):
            return True
        if scope is not None and isinstance(node, ast.Name):
            owner = scope.binding_scope(node.id)
            if owner is not None:
                alias = owner.aliases.get(node.id)
                if alias is not None and self.config.is_task_manager_name(alias):
                    return True
            return any(
                self.config.is_task_manager_name(site.qualified or receiver_name(site.node))
                for site in self.assignments_to((node.id,), scope)
            )
        return False

    def in_task_manager_class(self, site: CallSite) -> bool:
        """Inside the TaskManager's own methods, where tasks are made to be registered."""
        owner = site.scope.enclosing_class
        return owner is not None and self.config.is_task_manager_name(owner.name)

    def is_task_manager_registration(self, site: CallSite) -> bool:
        return (
            site.attr in TASK_MANAGER_METHODS
            and site.receiver is not None
            and self.is_task_manager(site.receiver, site.scope)
        )

    @cached_property
    def task_creations(self) -> List[CallSite]:
        """``asyncio.create_task``, ``asyncio.ensure_future`` and ``<loop>.create_task`` calls."""
        sites = list(self.calls_to(TASK_FACTORIES))
        for site in self.method_calls(("create_task",)):
            if site.qualified in TASK_FACTORIES:
                continue
            assert site.receiver is not None
            if self.is_task_group(site.receiver, site.scope) or self.is_task_manager(site.receiver, site.scope):
                continue
            if self.is_loop_expression(site.receiver, site.scope):
                sites.append(site)
        sites.sort(key=lambda site: (site.line, site.col))
        return sites

    @cached_property
    def task_factories_handed_to_callbacks(self) -> List[Tuple[CallSite, str]]:
        """``loop.call_soon_threadsafe(asyncio.ensure_future, coro)``: the task factory itself is
        the callback, so the task it makes is dropped. (the scheduling call, the factory's name)"""
        found = []
        for site in self.method_calls(CALLBACK_TAKERS):
            for argument in site.node.args:
                if isinstance(argument, (ast.Name, ast.Attribute)):
                    qualified = self.resolve(argument, site.name_scope)
                    if qualified in TASK_FACTORIES:
                        found.append((site, qualified.rsplit(".", 1)[-1]))
                    elif (
                        isinstance(argument, ast.Attribute)
                        and argument.attr == "create_task"
                        and self.is_loop_expression(argument.value, site.scope)
                    ):
                        found.append((site, "create_task"))
        return found

    def parent_call(self, site: CallSite) -> Optional[CallSite]:
        return self.call_arguments_parent.get(id(site.node))

    @cached_property
    def call_arguments_parent(self) -> Dict[int, CallSite]:
        """Call node id -> the call it is a direct argument of."""
        parents: Dict[int, CallSite] = {}
        for site in self.calls:
            for argument in site.node.args:
                parents[id(argument)] = site
            for keyword in site.node.keywords:
                parents[id(keyword.value)] = site
        return parents

    @cached_property
    def task_name_reads(self) -> Dict[Tuple[int, str], List[ast.Name]]:
        """(scope id, name) -> the reads of that local name, in its own scope and in the scopes
        nested in it that see it; only for the names tasks are bound to. Built once per module,
        so a check costs the same whatever the number of tasks and closures."""
        names = {target for site in self.task_creations for target in site.targets if "." not in target}
        reads: Dict[Tuple[int, str], List[ast.Name]] = {}
        if not names:
            return reads
        for scope in self.module_scope.descendants():
            for name in names.intersection(scope.loads):
                owner = scope.binding_scope(name)
                if owner is not None:
                    reads.setdefault((id(owner), name), []).extend(scope.loads[name])
        return reads

    def is_unused_task_name(self, site: CallSite) -> bool:
        """A task bound only to local names that are never read again (or read only by
        ``add_done_callback()`` / ``set_name()``, which keep nothing alive), or rebound before
        any read."""
        if site.usage != BOUND or not site.targets or not site.scope.is_function:
            return False
        return all(self._task_name_unused(site, target) for target in site.targets)

    def _task_name_unused(self, site: CallSite, name: str) -> bool:
        if "." in name:
            return False  # stored in an attribute: kept
        owner = site.name_scope.binding_scope(name)
        if owner is None or not owner.is_function:
            return False  # a global or nonlocal name outlives the function
        reads = [read for read in self.task_name_reads.get((id(owner), name), ()) if id(read) not in self.weak_reads]
        if not reads:
            return True
        return self._rebound_before_read(site, owner, name, reads)

    def _rebound_before_read(self, site: CallSite, owner: Scope, name: str, reads: List[ast.Name]) -> bool:
        """``t = create_task(a)`` followed, in the same block and before any read, by ``t = ...``."""
        statement = site.statement
        if statement is None or owner.function_info is None:
            return False
        end = (statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
        later_bindings = sorted(line for line, _ in owner.bindings.get(name, ()) if line > end[0])
        if not later_bindings:
            return False
        rebinding_line = later_bindings[0]
        if any(end <= (read.lineno, read.col_offset) and read.lineno <= rebinding_line for read in reads):
            return False
        return _in_same_block(owner.function_info.node, statement, rebinding_line)

    def names_registered_with_task_manager(self, scope: Scope) -> set:
        """Local names passed to a TaskManager registration (``tm.add_task(task)``) in this scope."""
        return self.task_manager_registered_names.get(id(scope), set())

    @cached_property
    def task_manager_registered_names(self) -> Dict[int, set]:
        """Scope id -> local names registered there (positionally or by keyword); scope id 0 ->
        attributes registered anywhere (``tm.add_task(self._poll_task)``). Built once, not once
        per task."""
        registered: Dict[int, set] = {0: set()}
        for site in self.method_calls(TASK_MANAGER_METHODS):
            if not self.is_task_manager_registration(site):
                continue
            for argument in [*site.node.args, *(keyword.value for keyword in site.node.keywords)]:
                if isinstance(argument, ast.Name):
                    owner = site.name_scope.binding_scope(argument.id) or site.scope
                    registered.setdefault(id(owner), set()).add(argument.id)
                elif isinstance(argument, ast.Attribute):
                    parts = dotted_parts(argument)
                    if parts is not None:
                        registered[0].add(".".join(parts))
        return registered

    def is_registered_with_task_manager(self, site: CallSite) -> bool:
        """The task is passed to the TaskManager: where it is made, or through the name or
        attribute it was stored in."""
        parent = self.parent_call(site)
        if parent is not None and self.is_task_manager_registration(parent):
            return True
        if site.usage != BOUND:
            return False
        for target in site.targets:
            if "." in target:
                if target in self.task_manager_registered_names[0]:
                    return True
            else:
                owner = site.name_scope.binding_scope(target) or site.scope
                if target in self.names_registered_with_task_manager(owner):
                    return True
        return False

    # ----- Qt slots ----------------------------------------------------------

    def is_async_slot(self, function: FunctionInfo) -> bool:
        return any(self.is_async_slot_decorator(decorator, function.parent_scope) for decorator in function.decorators)

    def is_async_slot_decorator(self, decorator: ast.expr, scope: Scope) -> bool:
        """qasync's ``asyncSlot``, qtinter's ``asyncslot``, any decorator whose own name is one of
        those (a vendored copy), one named in ``loopguard-async-slot-decorators``, or a same-file
        decorator that applies one of them."""
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        parts = dotted_parts(target)
        if parts is None:
            return False
        if parts[-1] in ASYNC_SLOT_NAMES:
            return True
        qualified = self.resolve(target, scope)
        names = ASYNC_SLOT_DECORATORS.union(self.config.async_slot_decorators)
        if qualified in names or ".".join(parts) in self.config.async_slot_decorators:
            return True
        return len(parts) == 1 and parts[0] in self.async_slot_wrappers

    @cached_property
    def async_slot_wrappers(self) -> set:
        """Module-level functions whose own code applies an async-slot decorator
        (``def ui_slot(*types): return asyncSlot(*types)``)."""
        names = ASYNC_SLOT_DECORATORS.union(self.config.async_slot_decorators)
        wrappers = set()
        for name, function in self.module_scope.functions.items():
            for inner in function.scope.descendants():
                if any(
                    site.qualified in names or (site.parts is not None and site.parts[-1] in ASYNC_SLOT_NAMES)
                    for site in inner.calls
                ):
                    wrappers.add(name)
                    break
        return wrappers

    @cached_property
    def functions(self) -> List[FunctionInfo]:
        found = []
        for scope in self.module_scope.descendants():
            if scope.function_info is not None:
                found.append(scope.function_info)
        found.sort(key=lambda info: info.node.lineno)
        return found

    def calls_in(self, function: FunctionInfo) -> List[CallSite]:
        """Calls made by the function's own body (not by functions nested in it)."""
        return function.scope.calls

    def loop_calls_in(self, scope: Scope) -> List[Tuple[str, CallSite]]:
        """The scope's own calls that create (LG101), run (LG102) or drive (LG103) an event loop."""
        found = []
        for site in scope.calls:
            if site.qualified in LOOP_FACTORIES:
                found.append(("LG101", site))
            elif site.qualified in LOOP_RUNNERS:
                found.append(("LG102", site))
            elif site.attr in LOOP_DRIVER_METHODS and site.receiver is not None and self.may_be_loop(site.receiver, scope):
                found.append(("LG103", site))
        return found

    def creates_or_runs_loop(self, scope: Scope) -> bool:
        """The scope's own code creates, runs or drives an event loop (LG101-LG103 calls)."""
        return bool(self.loop_calls_in(scope))

    def loop_runner_named(self, node: ast.AST, scope: Scope) -> Optional[str]:
        """A loop runner handed over as the callable itself: ``asyncio.run``,
        ``loop.run_forever``, ``loop.run_until_complete`` (its name), else None."""
        qualified = self.resolve(node, scope)
        if qualified in LOOP_RUNNERS or qualified in LOOP_FACTORIES:
            return qualified
        if isinstance(node, ast.Attribute) and node.attr in LOOP_DRIVER_METHODS and self.may_be_loop(node.value, scope):
            return receiver_name(node) or node.attr
        return None

    @cached_property
    def loop_owning_calls(self) -> List[CallSite]:
        """Every site that creates or starts an event loop, entry points included (for LG107)."""
        return self.calls_to(LOOP_FACTORIES | LOOP_RUNNERS)


def _in_same_block(function: ast.AST, statement: ast.stmt, other_line: int) -> bool:
    """Whether a statement starting at ``other_line`` stands in the same statement list as
    ``statement`` (so it runs after it on every path), looking only at the function's own code."""
    pending = [function.body]  # type: ignore[attr-defined]
    while pending:
        block = pending.pop()
        if any(item is statement for item in block):
            return any(item.lineno == other_line for item in block)
        for item in block:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(item, field, None)
                if isinstance(inner, list) and inner:
                    if isinstance(inner[0], ast.stmt):
                        pending.append(inner)
                    else:  # except handlers and match cases hold the statement lists
                        pending.extend(part.body for part in inner)
    return False


def _binding_at(bindings: List[Tuple[int, Optional[str]]], line: Optional[int]) -> Optional[str]:
    """The binding in force at ``line``: the last one before it, else the first one.

    Without a line (a lookup from a nested function, which runs later) the last
    binding wins.
    """
    if line is None:
        return bindings[-1][1]
    chosen = bindings[0][1]
    for bound_line, qualified in bindings:
        if bound_line <= line:
            chosen = qualified
        else:
            break
    return chosen


# Fields and nodes the walk never needs to enter.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "kind", "conversion"})
_LEAF_NODES = frozenset({ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue})
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _node_classes(base: type) -> Iterator[type]:
    for subclass in base.__subclasses__():
        yield subclass
        yield from _node_classes(subclass)


# Every node class worth a visit; a child that is a string, a number or None is not one.
_WALKED_NODES = frozenset(_node_classes(ast.AST)) - _LEAF_NODES


class _Walker:
    """The one walk over a module's tree that fills a :class:`Module`."""

    def __init__(self, module: Module) -> None:
        self.module = module
        # Decided at a parent node, read when its child (a call, a walrus) is visited:
        # node id -> (usage, bound targets, binding statement)
        self.pending_usage: Dict[int, Tuple[str, Tuple[str, ...], Optional[ast.stmt]]] = {}
        # `x = None` in `except ImportError:` after `import x`: keeps the import's meaning.
        self.import_fallbacks: set = set()

    def walk(self, tree: ast.AST) -> None:
        stack: List[Tuple[ast.AST, Scope, bool]] = [(tree, self.module.module_scope, False)]
        handlers = _HANDLERS
        push_children = self.push_children
        while stack:
            node, scope, in_main = stack.pop()
            handler = handlers.get(type(node))
            if handler is None:
                push_children(stack, node, scope, in_main)
            else:
                handler(self, stack, node, scope, in_main)

    @staticmethod
    def push_children(stack: list, node: ast.AST, scope: Scope, in_main: bool) -> None:
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = _CHILD_FIELDS[type(node)] = tuple(field for field in node._fields if field not in _LEAF_FIELDS)
        children: list = []
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                children.extend(value)
            else:
                children.append(value)
        for child in reversed(children):
            kind = type(child)
            # Names and attribute chains are most of a tree: a name is recorded here, and a
            # chain (`self.client.session`) is followed down to its root, not pushed link by link.
            if kind is ast.Attribute:
                child = child.value
                while type(child) is ast.Attribute:
                    child = child.value
                kind = type(child)
            if kind is ast.Name:
                scope.record_name(child)
            elif kind in _WALKED_NODES:
                stack.append((child, scope, in_main))

    @staticmethod
    def push_all(stack: list, nodes: Iterable[Optional[ast.AST]], scope: Scope, in_main: bool) -> None:
        for node in reversed([node for node in nodes if node is not None]):
            stack.append((node, scope, in_main))

    # ----- bindings ----------------------------------------------------------

    def visit_import(self, stack, node: ast.Import, scope: Scope, in_main: bool) -> None:
        for alias in node.names:
            self.module.imported_modules.add(alias.name.split(".", 1)[0])
            if alias.asname:
                scope.bind(alias.asname, node.lineno, alias.name)
            else:
                head = alias.name.split(".", 1)[0]
                scope.bind(head, node.lineno, head)

    def visit_import_from(self, stack, node: ast.ImportFrom, scope: Scope, in_main: bool) -> None:
        module = node.module or ""
        if node.level == 0 and module:
            self.module.imported_modules.add(module.split(".", 1)[0])
        for alias in node.names:
            if alias.name == "*":
                if node.level == 0 and (module in STAR_MODULES or module in QT_STAR_MODULES):
                    scope.star_imports.append((node.lineno, module))
                continue
            local = alias.asname or alias.name
            # A relative import names a module of the checked project: never a library.
            qualified = f"{module}.{alias.name}" if node.level == 0 and module else None
            scope.bind(local, node.lineno, qualified)

    def visit_try(self, stack, node, scope: Scope, in_main: bool) -> None:
        """``try: import uvloop`` / ``except ImportError: uvloop = None``: the fallback does not
        change what the name means where the import succeeded."""
        imported = set()
        for statement in node.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                for alias in statement.names:
                    imported.add(alias.asname or alias.name.split(".", 1)[0])
        if imported:
            for handler in node.handlers:
                for statement in handler.body:
                    if (
                        isinstance(statement, ast.Assign)
                        and all(isinstance(target, ast.Name) and target.id in imported for target in statement.targets)
                    ):
                        self.import_fallbacks.add(id(statement))
        self.push_children(stack, node, scope, in_main)

    def visit_name(self, stack, node: ast.Name, scope: Scope, in_main: bool) -> None:
        scope.record_name(node)  # a name pushed on its own; most are recorded by push_children

    def visit_global(self, stack, node, scope: Scope, in_main: bool) -> None:
        scope.declared_outer.update(node.names)

    def visit_except_handler(self, stack, node: ast.ExceptHandler, scope: Scope, in_main: bool) -> None:
        if node.name:
            scope.bind(node.name, node.lineno)
        self.push_children(stack, node, scope, in_main)

    # ----- scopes ------------------------------------------------------------

    def visit_function(self, stack, node, scope: Scope, in_main: bool) -> None:
        info = FunctionInfo(node, scope)
        scope.bind(node.name, node.lineno)
        scope.functions[node.name] = info
        if scope.class_info is not None:
            scope.class_info.methods[node.name] = info
        body_scope = Scope("coroutine" if info.is_async else "function", node.name, scope)
        body_scope.function_info = info
        info.scope = body_scope
        self.bind_arguments(node.args, body_scope, node.lineno)
        self.push_all(stack, node.body, body_scope, in_main)
        arguments = node.args
        outer = [*node.decorator_list, *arguments.defaults, *arguments.kw_defaults, node.returns]
        outer.extend(arg.annotation for arg in self.all_arguments(arguments))
        self.push_all(stack, outer, scope, in_main)

    def visit_lambda(self, stack, node: ast.Lambda, scope: Scope, in_main: bool) -> None:
        body_scope = Scope("lambda", "<lambda>", scope)
        self.module.lambda_scopes[id(node)] = body_scope
        self.bind_arguments(node.args, body_scope, node.lineno)
        stack.append((node.body, body_scope, in_main))
        self.push_all(stack, [*node.args.defaults, *node.args.kw_defaults], scope, in_main)

    def visit_comprehension(self, stack, node, scope: Scope, in_main: bool) -> None:
        """Loop variables live in the comprehension; its first iterable is read outside it."""
        inner = Scope("comprehension", "<comprehension>", scope)
        generators = node.generators
        elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        later = []
        for index, generator in enumerate(generators):
            later.append(generator.target)
            if index:
                later.append(generator.iter)
            later.extend(generator.ifs)
        self.push_all(stack, [*later, *elements], inner, in_main)
        stack.append((generators[0].iter, scope, in_main))

    def visit_class(self, stack, node: ast.ClassDef, scope: Scope, in_main: bool) -> None:
        scope.bind(node.name, node.lineno)
        body_scope = Scope("class", node.name, scope)
        info = ClassInfo(node, body_scope)
        body_scope.class_info = info
        self.module.classes.append(info)
        self.push_all(stack, node.body, body_scope, in_main)
        self.push_all(stack, [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)], scope, in_main)

    @staticmethod
    def all_arguments(arguments: ast.arguments) -> List[ast.arg]:
        found = [*getattr(arguments, "posonlyargs", []), *arguments.args, *arguments.kwonlyargs]
        found.extend(arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None)
        return found

    def bind_arguments(self, arguments: ast.arguments, scope: Scope, line: int) -> None:
        for arg in self.all_arguments(arguments):
            scope.bind(arg.arg, line)

    def visit_if(self, stack, node: ast.If, scope: Scope, in_main: bool) -> None:
        if scope.kind == "module" and is_main_guard(node.test):
            self.push_all(stack, node.orelse, scope, in_main)
            self.push_all(stack, node.body, scope, True)
            stack.append((node.test, scope, in_main))
        else:
            self.visit_truth_test(stack, node, scope, in_main)

    def visit_truth_test(self, stack, node, scope: Scope, in_main: bool) -> None:
        """``x if create_task(...) else y``: a value only tested for truth is dropped."""
        self.pending_usage[id(node.test)] = (DISCARDED, (), None)
        self.push_children(stack, node, scope, in_main)

    def visit_with(self, stack, node, scope: Scope, in_main: bool) -> None:
        is_async = isinstance(node, ast.AsyncWith)
        for item in node.items:
            if isinstance(item.context_expr, ast.Call) and isinstance(item.optional_vars, ast.Name):
                self.module.context_bindings.append((scope, item.optional_vars.id, item.context_expr, is_async))
        self.push_children(stack, node, scope, in_main)

    # ----- where a call's result goes ---------------------------------------

    def visit_expr(self, stack, node: ast.Expr, scope: Scope, in_main: bool) -> None:
        value = node.value
        discarded = (DISCARDED, (), None)
        self.pending_usage[id(value)] = discarded
        # `[create_task(a), create_task(b)]` or `[create_task(f(x)) for x in xs]` as a statement
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for element in value.elts:
                self.pending_usage[id(element)] = discarded
        elif isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            self.pending_usage[id(value.elt)] = discarded
        # `create_task(x).add_done_callback(cb)`: the callback registration returns None
        elif (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in WEAK_TASK_METHODS
        ):
            self.pending_usage[id(value.func.value)] = discarded
        stack.append((value, scope, in_main))

    def visit_await(self, stack, node: ast.Await, scope: Scope, in_main: bool) -> None:
        self.pending_usage[id(node.value)] = (AWAITED, (), None)
        stack.append((node.value, scope, in_main))

    def visit_assign(self, stack, node, scope: Scope, in_main: bool) -> None:
        if id(node) in self.import_fallbacks:
            stack.append((node.value, scope, in_main))
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        if value is not None:
            if len(targets) == 1 and isinstance(targets[0], (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
                # `t, u = create_task(a), create_task(b)`: each element to its own name
                if len(targets[0].elts) == len(value.elts):
                    for target, element in zip(targets[0].elts, value.elts):
                        self._bind_usage(element, [target], node)
            else:
                self._bind_usage(value, targets, node)
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and isinstance(value, (ast.Attribute, ast.Name)):
                parts = dotted_parts(value)
                if parts is not None:
                    scope.aliases[targets[0].id] = ".".join(parts)
        self.push_children(stack, node, scope, in_main)

    def _bind_usage(self, value: ast.expr, targets: Sequence[ast.expr], statement: ast.stmt) -> None:
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id == "_":
            self.pending_usage[id(value)] = (DISCARDED, (), None)
            return
        names = []
        for target in targets:
            parts = dotted_parts(target)
            if parts is None:
                return  # a subscript or an unpacking: the value is stored somewhere
            names.append(".".join(parts))
        self.pending_usage[id(value)] = (BOUND, tuple(names), statement)

    def visit_named_expr(self, stack, node: ast.NamedExpr, scope: Scope, in_main: bool) -> None:
        usage = self.pending_usage.pop(id(node), None)
        target = node.target.id  # type: ignore[union-attr]
        if usage is not None and usage[0] == DISCARDED:
            # `(t := create_task(x))` as a statement or a truth test: the name is all that holds it
            self.pending_usage[id(node.value)] = (BOUND, (target,), None)
        frame = scope.frame  # a walrus in a comprehension binds in the enclosing function
        frame.bind(target, node.lineno)
        stack.append((node.value, scope, in_main))

    def visit_call(self, stack, node: ast.Call, scope: Scope, in_main: bool) -> None:
        usage, targets, statement = self.pending_usage.pop(id(node), (USED, (), None))
        site = CallSite(node, scope, in_main, usage, targets, statement)
        self.module.calls.append(site)
        self.module.call_by_node[id(node)] = site
        site.scope.calls.append(site)
        if site.attr in WEAK_TASK_METHODS and isinstance(site.receiver, ast.Name):
            self.module.weak_reads.add(id(site.receiver))
        elif site.attr in CALLBACK_TAKERS:
            for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
                if isinstance(argument, ast.Lambda):
                    self.pending_usage[id(argument.body)] = (CALLBACK_LAMBDA, (), None)
        self.push_children(stack, node, scope, in_main)


# The visit for each kind of node (a class-level table: a walker holding its own bound methods
# would be a reference cycle, kept with its tree until the cycle collector runs).
_HANDLERS: Dict[type, Callable[..., None]] = {
    ast.Import: _Walker.visit_import,
    ast.ImportFrom: _Walker.visit_import_from,
    ast.FunctionDef: _Walker.visit_function,
    ast.AsyncFunctionDef: _Walker.visit_function,
    ast.Lambda: _Walker.visit_lambda,
    ast.ClassDef: _Walker.visit_class,
    ast.Call: _Walker.visit_call,
    ast.Name: _Walker.visit_name,
    ast.Expr: _Walker.visit_expr,
    ast.Await: _Walker.visit_await,
    ast.Assign: _Walker.visit_assign,
    ast.AnnAssign: _Walker.visit_assign,
    ast.NamedExpr: _Walker.visit_named_expr,
    ast.If: _Walker.visit_if,
    ast.While: _Walker.visit_truth_test,
    ast.IfExp: _Walker.visit_truth_test,
    ast.Assert: _Walker.visit_truth_test,
    ast.With: _Walker.visit_with,
    ast.AsyncWith: _Walker.visit_with,
    ast.Try: _Walker.visit_try,
    ast.Global: _Walker.visit_global,
    ast.Nonlocal: _Walker.visit_global,
    ast.ExceptHandler: _Walker.visit_except_handler,
    ast.ListComp: _Walker.visit_comprehension,
    ast.SetComp: _Walker.visit_comprehension,
    ast.DictComp: _Walker.visit_comprehension,
    ast.GeneratorExp: _Walker.visit_comprehension,
}
if hasattr(ast, "TryStar"):  # `except*`, Python 3.11
    _HANDLERS[ast.TryStar] = _Walker.visit_try
