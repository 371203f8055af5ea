"""Names: dotted chains, the canonical spelling of a qualified name, and resolution through
imports, aliases, star imports and scopes (after the walk, so an import written below a
function still resolves inside it)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from ..apis import ASYNCIO_SUBMODULES, BUILTINS_OF_INTEREST, QT_BINDINGS, QT_STAR_MODULES, QT_STAR_NAMES, star_exports

if TYPE_CHECKING:
    from .scopes import CallSite, Scope


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


class NameResolution:
    """What a :class:`~.module.Module` answers about names."""

    module_scope: Scope
    calls: List[CallSite]

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
