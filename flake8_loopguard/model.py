"""The semantic model of one module, built in a single walk of its ``ast`` tree.

The walk records what the rules need to know (bindings, scopes, calls and the
context each call's result lands in) and nothing else; name resolution runs
after the walk, so a module-level import written below a function still
resolves inside it. The walk is iterative: a 1000-deep expression is no
danger to the interpreter's recursion limit.
"""

from __future__ import annotations

import ast
from collections import Counter
from functools import cached_property
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .config import Config

QT_BINDINGS = frozenset({"PyQt5", "PyQt6", "PySide2", "PySide6", "qtpy"})

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

# Usage of a call's result, decided by the node that contains the call.
USED = "used"  # returned, passed, stored: someone holds the result
AWAITED = "awaited"  # the awaiting coroutine owns it
DISCARDED = "discarded"  # an expression statement, or bound to `_`
QT_LAMBDA = "qt_lambda"  # body of a lambda connected to a Qt signal
BOUND = "bound"  # assigned to one name or attribute (see CallSite.target)


def canonical(qualified: str) -> str:
    """Fold the Qt bindings into one namespace: ``PySide6.QtCore.QThread`` -> ``Qt.QThread``."""
    head, _, rest = qualified.partition(".")
    if head in QT_BINDINGS and rest.startswith("Qt"):
        _module, _, name = rest.partition(".")
        if name:
            return "Qt." + name
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
    """``__name__ == "__main__"`` in either order."""
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
    """A module, class body, function, coroutine or lambda."""

    __slots__ = (
        "kind",
        "name",
        "parent",
        "children",
        "bindings",
        "functions",
        "loads",
        "weak_loads",
        "declared_outer",
        "class_info",
        "function_info",
        "top_function",
        "calls",
    )

    def __init__(self, kind: str, name: str, parent: Optional["Scope"]) -> None:
        self.kind = kind
        self.name = name
        self.parent = parent
        self.children: List[Scope] = []
        # name -> [(line, qualified name, or None for a local non-import binding)]
        self.bindings: Dict[str, List[Tuple[int, Optional[str]]]] = {}
        self.functions: Dict[str, FunctionInfo] = {}
        self.loads: Counter = Counter()
        # reads that keep nothing alive: `t.add_done_callback(...)`, `t.set_name(...)`
        self.weak_loads: Counter = Counter()
        self.declared_outer: set = set()  # `global` / `nonlocal` names
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

    @property
    def is_function(self) -> bool:
        return self.kind in ("function", "coroutine", "lambda")

    @property
    def is_coroutine(self) -> bool:
        return self.kind == "coroutine"

    @property
    def is_init(self) -> bool:
        return (
            self.kind == "function"
            and self.name == "__init__"
            and self.parent is not None
            and self.parent.kind == "class"
        )

    @property
    def runs_at_import(self) -> bool:
        return self.kind in ("module", "class")

    @property
    def qualified_name(self) -> str:
        """``Widget._load_data.worker`` for a def nested in a method; ``""`` for the module."""
        names = []
        scope: Optional[Scope] = self
        while scope is not None and scope.parent is not None:
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

    def descendants(self) -> Iterator["Scope"]:
        stack = [self]
        while stack:
            scope = stack.pop()
            yield scope
            stack.extend(scope.children)


class CallSite:
    """One call expression and the facts the rules ask about it."""

    __slots__ = ("node", "scope", "in_main_block", "parts", "attr", "receiver", "usage", "target", "qualified")

    def __init__(self, node: ast.Call, scope: Scope, in_main_block: bool, usage: str, target: Optional[str]) -> None:
        self.node = node
        self.scope = scope
        self.in_main_block = in_main_block
        func = node.func
        self.parts = dotted_parts(func)
        if isinstance(func, ast.Attribute):
            self.attr: Optional[str] = func.attr
            self.receiver: Optional[ast.expr] = func.value
        else:
            self.attr = func.id if isinstance(func, ast.Name) else None
            self.receiver = None
        self.usage = usage
        self.target = target  # the name or dotted attribute the result is bound to
        self.qualified: Optional[str] = None  # filled in after the walk

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
        self.context_bindings: List[Tuple[Scope, str, ast.Call]] = []  # `async with X() as name`
        self.call_by_node: Dict[int, CallSite] = {}
        self.imported_modules: set = set()
        _Walker(self).walk(tree)
        self._resolve_calls()

    # ----- name resolution -------------------------------------------------

    def resolve(self, node: ast.AST, scope: Scope) -> Optional[str]:
        """The qualified name an expression refers to, following imports and aliases."""
        parts = dotted_parts(node)
        if parts is None:
            return None
        return self.resolve_parts(parts, scope, getattr(node, "lineno", 0))

    def resolve_parts(self, parts: Sequence[str], scope: Scope, line: int) -> Optional[str]:
        head = parts[0]
        current: Optional[Scope] = scope
        own_scope = True
        while current is not None:
            # Class bodies are not visible from the functions nested in them.
            if (own_scope or current.kind != "class") and head in current.bindings:
                qualified = _binding_at(current.bindings[head], line if own_scope else None)
                if qualified is None:
                    return None
                return canonical(".".join((qualified, *parts[1:])))
            own_scope = False
            current = current.parent
        if head in BUILTINS_OF_INTEREST:
            return "builtins." + ".".join(parts)
        return None

    def _resolve_calls(self) -> None:
        for site in self.calls:
            if site.parts is not None:
                site.qualified = self.resolve_parts(site.parts, site.scope, site.node.lineno)

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
        """Module-level functions that the ``__main__`` block calls directly."""
        module_functions = self.module_scope.functions
        return {
            site.attr
            for site in self.calls
            if site.in_main_block
            and site.receiver is None
            and site.attr in module_functions
            and site.scope is self.module_scope
        }

    @cached_property
    def is_entry_point_file(self) -> bool:
        return self.config.is_entry_point_file(self.filename)

    @cached_property
    def imports_qt(self) -> bool:
        return bool(self.imported_modules & (QT_BINDINGS | {"qasync", "qtinter"}))

    @cached_property
    def imports_qasync(self) -> bool:
        return "qasync" in self.imported_modules

    # ----- questions the rules ask -----------------------------------------

    def in_entry_point(self, site: CallSite) -> bool:
        return self.is_entry_point_file or site.in_main_block or site.scope.top_function in self.entry_functions

    def call_site(self, node: ast.AST) -> Optional[CallSite]:
        return self.call_by_node.get(id(node))

    def function_referenced(self, node: ast.AST, scope: Scope) -> Optional[FunctionInfo]:
        """The def a reference names: ``worker`` (any enclosing scope) or ``self.method``."""
        if isinstance(node, ast.Name):
            current: Optional[Scope] = scope
            own_scope = True
            while current is not None:
                if own_scope or current.kind != "class":
                    if node.id in current.functions:
                        return current.functions[node.id]
                    if node.id in current.bindings:
                        return None  # bound to something other than a def
                own_scope = False
                current = current.parent
            return None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            owner = scope.enclosing_class
            if owner is not None:
                return owner.methods.get(node.attr)
        return None

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

    def assignments_to(self, parts: Sequence[str], scope: Scope) -> List[CallSite]:
        """Calls whose result was bound to this name (in this scope) or attribute (anywhere)."""
        key = ".".join(parts)
        if len(parts) == 1:
            return [site for site in self.bound_calls.get(key, ()) if site.scope is scope]
        return list(self.bound_calls.get(key, ()))

    @cached_property
    def bound_calls(self) -> Dict[str, List[CallSite]]:
        index: Dict[str, List[CallSite]] = {}
        for site in self.calls:
            if site.usage == BOUND and site.target is not None:
                index.setdefault(site.target, []).append(site)
        return index

    def is_task_group(self, node: ast.AST, scope: Scope) -> bool:
        """A name bound by ``async with asyncio.TaskGroup() as name``."""
        if not isinstance(node, ast.Name):
            return False
        for bound_scope, name, call in self.context_bindings:
            if name == node.id and bound_scope is scope:
                site = self.call_site(call)
                if site is not None and site.qualified in TASK_GROUP_FACTORIES:
                    return True
        return False

    def is_task_manager(self, node: ast.AST) -> bool:
        return self.config.is_task_manager_name(receiver_name(node))

    def in_task_manager_class(self, site: CallSite) -> bool:
        """Inside the TaskManager's own methods, where tasks are made to be registered."""
        owner = site.scope.enclosing_class
        return owner is not None and self.config.is_task_manager_name(owner.name)

    def is_task_manager_registration(self, site: CallSite) -> bool:
        return site.attr in TASK_MANAGER_METHODS and site.receiver is not None and self.is_task_manager(site.receiver)

    @cached_property
    def task_creations(self) -> List[CallSite]:
        """``asyncio.create_task``, ``asyncio.ensure_future`` and ``<loop>.create_task`` calls."""
        sites = list(self.calls_to(TASK_FACTORIES))
        for site in self.method_calls(("create_task",)):
            if site.qualified in TASK_FACTORIES:
                continue
            assert site.receiver is not None
            if self.is_task_group(site.receiver, site.scope) or self.is_task_manager(site.receiver):
                continue
            if self.is_loop_expression(site.receiver, site.scope):
                sites.append(site)
        sites.sort(key=lambda site: (site.line, site.col))
        return sites

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

    def name_reads(self, name: str, scope: Scope) -> Tuple[int, int]:
        """(all reads, weak reads) of a name in a scope and the scopes nested in it."""
        reads = weak = 0
        for inner in scope.descendants():
            reads += inner.loads.get(name, 0)
            weak += inner.weak_loads.get(name, 0)
        return reads, weak

    def is_unused_task_name(self, site: CallSite) -> bool:
        """A task bound to a local name never read again, or read only by
        ``add_done_callback()`` / ``set_name()`` (which keep nothing alive)."""
        if site.usage != BOUND or site.target is None or "." in site.target or not site.scope.is_function:
            return False
        if site.target in site.scope.declared_outer:
            return False
        reads, weak_reads = self.name_reads(site.target, site.scope)
        return reads == weak_reads

    def names_registered_with_task_manager(self, scope: Scope) -> set:
        """Local names passed to a TaskManager registration (``tm.add_task(task)``) in this scope."""
        return self.task_manager_registered_names.get(id(scope), set())

    @cached_property
    def task_manager_registered_names(self) -> Dict[int, set]:
        """Scope id -> names registered there; built once, not once per task."""
        registered: Dict[int, set] = {}
        for site in self.method_calls(TASK_MANAGER_METHODS):
            if self.is_task_manager_registration(site):
                names = registered.setdefault(id(site.scope), set())
                names.update(arg.id for arg in site.node.args if isinstance(arg, ast.Name))
        return registered

    def is_async_slot(self, function: FunctionInfo) -> bool:
        return any(
            self.decorator_name(decorator, function.parent_scope) in ASYNC_SLOT_DECORATORS
            for decorator in function.decorators
        )

    def decorator_name(self, decorator: ast.expr, scope: Scope) -> Optional[str]:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        return self.resolve(target, scope)

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

    @cached_property
    def loop_owning_calls(self) -> List[CallSite]:
        """Every site that creates or starts an event loop, entry points included (for LG107)."""
        return self.calls_to(LOOP_FACTORIES | LOOP_RUNNERS)


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


class _Walker:
    """The one walk over a module's tree that fills a :class:`Module`."""

    def __init__(self, module: Module) -> None:
        self.module = module
        # Decided at a parent node, read when its call child is visited.
        self.pending_usage: Dict[int, Tuple[str, Optional[str]]] = {}
        self.handlers = {
            ast.Import: self.visit_import,
            ast.ImportFrom: self.visit_import_from,
            ast.FunctionDef: self.visit_function,
            ast.AsyncFunctionDef: self.visit_function,
            ast.Lambda: self.visit_lambda,
            ast.ClassDef: self.visit_class,
            ast.Call: self.visit_call,
            ast.Name: self.visit_name,
            ast.Expr: self.visit_expr,
            ast.Await: self.visit_await,
            ast.Assign: self.visit_assign,
            ast.AnnAssign: self.visit_assign,
            ast.If: self.visit_if,
            ast.AsyncWith: self.visit_async_with,
            ast.Global: self.visit_global,
            ast.Nonlocal: self.visit_global,
            ast.ExceptHandler: self.visit_except_handler,
        }

    def walk(self, tree: ast.AST) -> None:
        stack: List[Tuple[ast.AST, Scope, bool]] = [(tree, self.module.module_scope, False)]
        handlers = self.handlers
        push_children = self.push_children
        while stack:
            node, scope, in_main = stack.pop()
            handler = handlers.get(type(node))
            if handler is None:
                push_children(stack, node, scope, in_main)
            else:
                handler(stack, node, scope, in_main)

    @staticmethod
    def push_children(stack: list, node: ast.AST, scope: Scope, in_main: bool) -> None:
        children = []
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, ast.AST):
                children.append(value)
            elif isinstance(value, list):
                children.extend(item for item in value if isinstance(item, ast.AST))
        for child in reversed(children):
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
                continue
            local = alias.asname or alias.name
            # A relative import names a module of the checked project: never a library.
            qualified = f"{module}.{alias.name}" if node.level == 0 and module else None
            scope.bind(local, node.lineno, qualified)

    def visit_name(self, stack, node: ast.Name, scope: Scope, in_main: bool) -> None:
        if isinstance(node.ctx, ast.Load):
            scope.loads[node.id] += 1
        else:
            scope.bind(node.id, node.lineno)

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
        self.bind_arguments(node.args, body_scope, node.lineno)
        stack.append((node.body, body_scope, in_main))
        self.push_all(stack, [*node.args.defaults, *node.args.kw_defaults], scope, in_main)

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
            self.push_children(stack, node, scope, in_main)

    def visit_async_with(self, stack, node: ast.AsyncWith, scope: Scope, in_main: bool) -> None:
        for item in node.items:
            if isinstance(item.context_expr, ast.Call) and isinstance(item.optional_vars, ast.Name):
                self.module.context_bindings.append((scope, item.optional_vars.id, item.context_expr))
        self.push_children(stack, node, scope, in_main)

    # ----- where a call's result goes ---------------------------------------

    def visit_expr(self, stack, node: ast.Expr, scope: Scope, in_main: bool) -> None:
        if isinstance(node.value, ast.Call):
            self.pending_usage[id(node.value)] = (DISCARDED, None)
        stack.append((node.value, scope, in_main))

    def visit_await(self, stack, node: ast.Await, scope: Scope, in_main: bool) -> None:
        if isinstance(node.value, ast.Call):
            self.pending_usage[id(node.value)] = (AWAITED, None)
        stack.append((node.value, scope, in_main))

    def visit_assign(self, stack, node, scope: Scope, in_main: bool) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if isinstance(node.value, ast.Call) and len(targets) == 1:
            target = targets[0]
            if isinstance(target, ast.Name) and target.id == "_":
                self.pending_usage[id(node.value)] = (DISCARDED, None)
            else:
                parts = dotted_parts(target)
                if parts is not None:
                    self.pending_usage[id(node.value)] = (BOUND, ".".join(parts))
        self.push_children(stack, node, scope, in_main)

    def visit_call(self, stack, node: ast.Call, scope: Scope, in_main: bool) -> None:
        usage, target = self.pending_usage.pop(id(node), (USED, None))
        site = CallSite(node, scope, in_main, usage, target)
        self.module.calls.append(site)
        self.module.call_by_node[id(node)] = site
        scope.calls.append(site)
        if site.attr in ("add_done_callback", "set_name") and isinstance(site.receiver, ast.Name):
            scope.weak_loads[site.receiver.id] += 1
        elif site.attr == "connect" and node.args:
            slot = node.args[0]
            if isinstance(slot, ast.Lambda) and isinstance(slot.body, ast.Call):
                self.pending_usage[id(slot.body)] = (QT_LAMBDA, None)
        self.push_children(stack, node, scope, in_main)
