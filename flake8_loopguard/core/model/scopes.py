"""The places names live and calls run: functions, classes, scopes, and the call sites the
walk records in them."""

from __future__ import annotations

import ast
from enum import Enum
from typing import Dict, Iterator, List, Optional, Tuple

from .names import dotted_parts


class Usage(Enum):
    """Where a call's result goes, decided by the node that contains the call."""

    USED = "used"  # returned, passed, stored: someone holds the result
    AWAITED = "awaited"  # the awaiting coroutine owns it
    DISCARDED = "discarded"  # an expression statement, or bound to `_`
    CALLBACK_LAMBDA = "callback_lambda"  # body of a lambda whose result a Qt signal or the loop drops
    BOUND = "bound"  # assigned to names or attributes (see CallSite.targets)


class ScopeKind(Enum):
    MODULE = "module"
    CLASS = "class"  # a class body
    FUNCTION = "function"
    COROUTINE = "coroutine"  # an `async def`
    LAMBDA = "lambda"
    COMPREHENSION = "comprehension"  # a scope for names only: its code runs in the enclosing frame


FUNCTION_KINDS = (ScopeKind.FUNCTION, ScopeKind.COROUTINE)  # a def's body, plain or async


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

    def __init__(self, kind: ScopeKind, name: str, parent: Optional["Scope"]) -> None:
        self.kind = kind
        self.name = name
        self.parent = parent
        self.frame: Scope = parent.frame if kind is ScopeKind.COMPREHENSION and parent is not None else self
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
        elif parent.kind is ScopeKind.MODULE and kind in FUNCTION_KINDS:
            self.top_function = name
        else:
            self.top_function = parent.top_function if parent.kind is not ScopeKind.CLASS else None
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
        return self.frame.kind in (ScopeKind.FUNCTION, ScopeKind.COROUTINE, ScopeKind.LAMBDA)

    @property
    def is_coroutine(self) -> bool:
        return self.frame.kind is ScopeKind.COROUTINE

    @property
    def is_init(self) -> bool:
        frame = self.frame
        return (
            frame.kind is ScopeKind.FUNCTION
            and frame.name == "__init__"
            and frame.parent is not None
            and frame.parent.kind is ScopeKind.CLASS
        )

    @property
    def runs_at_import(self) -> bool:
        """Module-level code, or a class body that is not nested in a function."""
        scope: Optional[Scope] = self.frame
        while scope is not None and scope.kind is ScopeKind.CLASS:
            scope = scope.parent
        return scope is not None and scope.kind is ScopeKind.MODULE

    @property
    def qualified_name(self) -> str:
        """``Widget._load_data.worker`` for a def nested in a method; ``""`` for the module."""
        names = []
        scope: Optional[Scope] = self.frame
        while scope is not None and scope.parent is not None:
            if scope.kind is not ScopeKind.COMPREHENSION:
                names.append(scope.name)
            scope = scope.parent
        return ".".join(reversed(names))

    @property
    def enclosing_method(self) -> Optional[FunctionInfo]:
        """The method this scope is (or is nested in)."""
        scope: Optional[Scope] = self
        while scope is not None:
            if scope.parent is not None and scope.parent.kind is ScopeKind.CLASS and scope.kind in FUNCTION_KINDS:
                return scope.function_info
            scope = scope.parent
        return None

    @property
    def enclosing_class(self) -> Optional[ClassInfo]:
        """The class whose method this scope is (or is nested in)."""
        method = self.enclosing_method
        return method.parent_scope.class_info if method is not None else None

    def binding_scope(self, name: str) -> Optional["Scope"]:
        """The scope whose local ``name`` is: this one or an enclosing function's (Python's rule,
        class bodies skipped); None for a global or a name bound nowhere."""
        scope: Optional[Scope] = self
        own = True
        while scope is not None:
            if name in scope.declared_outer:
                return None
            if (own or scope.kind is not ScopeKind.CLASS) and name in scope.bindings:
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
