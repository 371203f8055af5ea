"""Names as the source spells them: dotted chains, the canonical spelling of a qualified name,
the ``__main__`` guard."""

from __future__ import annotations

import ast
from typing import List, Optional, Tuple

from ..apis import ASYNCIO_SUBMODULES, QT_BINDINGS


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


def is_type_checking_guard(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``: code that never runs."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def is_self_or_super(node: ast.AST) -> bool:
    """``self``, or a ``super()`` call: the object a method runs on."""
    if isinstance(node, ast.Name):
        return node.id == "self"
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
