"""What the loop-thread plan asks of single nodes and of the ancestors around them (original
nodes, outermost first)."""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import libcst as cst

from ..syntax import code_of, dotted, instance_parameter


def thread_call(started: cst.Call) -> Optional[cst.Call]:
    """``Thread(...)`` of ``Thread(...).start()``, or ``started`` itself when it is a bare call."""
    func = started.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        return func.value
    return started


def is_start_of(statement: cst.BaseStatement, name: str) -> bool:
    """``name.start()`` alone on its line."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return False
    small = statement.body[0]
    return (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and is_start(small.value)
        and dotted(small.value.func.value) == name  # type: ignore[attr-defined]
    )


def is_stop_of(statement: cst.BaseStatement, loop: str) -> bool:
    """``loop.call_soon_threadsafe(loop.stop)`` alone on its line."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return False
    small = statement.body[0]
    call = small.value if isinstance(small, cst.Expr) else None
    return (
        isinstance(call, cst.Call)
        and dotted(call.func) == f"{loop}.call_soon_threadsafe"
        and plain_args(call, 1)
        and dotted(call.args[0].value) == f"{loop}.stop"
    )


def is_start(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == "start" and not call.args


def keyword(call: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def plain_args(call: cst.Call, count: int) -> bool:
    return len(call.args) == count and all(arg.keyword is None and not arg.star for arg in call.args)


def loop_receiver(loop: str, ancestors: Sequence[cst.CSTNode]) -> Optional[str]:
    """``""`` for a module-level name; the instance parameter for ``self.X`` in a method; None otherwise."""
    if "." not in loop:
        function = enclosing_function(ancestors)
        if function is None:
            return "" if enclosing_class(ancestors) is None else None
        return "" if global_line(function, loop) is not None else None
    head, _, rest = loop.partition(".")
    function = enclosing_function(ancestors)
    if "." in rest or function is None or enclosing_class(ancestors) is None:
        return None
    return head if instance_parameter(function) == head else None


def global_line(function: cst.FunctionDef, name: str) -> Optional[cst.SimpleStatementLine]:
    """The ``global name`` line of ``function``'s own body, or None."""
    for statement in function.body.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, cst.Global) and any(item.name.value == name for item in small.names)
            for small in statement.body
        ):
            return statement
    return None


def module_none(name: cst.Name, ancestors: Sequence[cst.CSTNode]) -> Optional[cst.SimpleStatementLine]:
    """The module-level line ``name = None`` (or ``name: T = None``) that ``name`` is the target of, or None."""
    depth = 2 if isinstance(ancestors[-1], cst.AssignTarget) else 1  # Assign > AssignTarget, or AnnAssign
    if len(ancestors) < depth + 2 or not isinstance(ancestors[-1], (cst.AssignTarget, cst.AnnAssign)):
        return None
    assign, line, block = ancestors[-depth], ancestors[-depth - 1], ancestors[-depth - 2]
    if isinstance(assign, cst.Assign) and len(assign.targets) != 1:
        return None
    value = getattr(assign, "value", None)
    return (
        line
        if isinstance(block, cst.Module)
        and isinstance(line, cst.SimpleStatementLine)
        and len(line.body) == 1
        and isinstance(value, cst.Name)
        and value.value == "None"
        else None
    )


def own_line(
    call: cst.Call, ancestors: Sequence[cst.CSTNode]
) -> Tuple[Optional[cst.SimpleStatementLine], Sequence[cst.BaseStatement]]:
    """The line ``call`` is the whole of (an expression statement alone on it), and its block."""
    if len(ancestors) < 3:
        return None, ()
    expr, line, block = ancestors[-1], ancestors[-2], ancestors[-3]
    if not (isinstance(expr, cst.Expr) and isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1):
        return None, ()
    if isinstance(block, (cst.Module, cst.IndentedBlock)):
        return line, block.body
    return None, ()


def enclosing_function(ancestors: Sequence[cst.CSTNode]) -> Optional[cst.FunctionDef]:
    for node in reversed(ancestors):
        if isinstance(node, cst.FunctionDef):
            return node
        if isinstance(node, cst.Lambda):
            return None
    return None


def in_generator_expression(ancestors: Sequence[cst.CSTNode]) -> bool:
    for node in reversed(ancestors):
        if isinstance(node, cst.GeneratorExp):
            return True
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return False
    return False


def enclosing_class(ancestors: Sequence[cst.CSTNode]) -> Optional[cst.ClassDef]:
    for node in reversed(ancestors):
        if isinstance(node, cst.ClassDef):
            return node
    return None


def self_reference(node: cst.Attribute, ancestors: Sequence[cst.CSTNode], owner: Optional[cst.ClassDef]) -> bool:
    """``self.X`` in a method of ``owner`` (its own body: not a nested function or class)."""
    if owner is None or not isinstance(node.value, cst.Name):
        return False
    for index in range(len(ancestors) - 1, -1, -1):
        if isinstance(ancestors[index], cst.FunctionDef):
            method = ancestors[index]
            return (
                index >= 2
                and ancestors[index - 2] is owner
                and instance_parameter(method) == node.value.value  # type: ignore[arg-type]
            )
        if isinstance(ancestors[index], (cst.Lambda, cst.ClassDef)):
            return False
    return False


def not_a_variable(node: cst.CSTNode, ancestors: Sequence[cst.CSTNode]) -> bool:
    """The name of an attribute (``obj.loop``) or a keyword (``f(loop=...)``), not the variable."""
    parent = ancestors[-1] if ancestors else None
    if isinstance(parent, cst.Attribute) and parent.attr is node:
        return True
    return isinstance(parent, cst.Arg) and parent.keyword is node


def context_of(ancestors: Sequence[cst.CSTNode]) -> str:
    """The dotted names of the enclosing classes and functions (``Client.fetch``)."""
    return ".".join(node.name.value for node in ancestors if isinstance(node, (cst.ClassDef, cst.FunctionDef)))


def statement_text(node: cst.CSTNode, ancestors: Sequence[cst.CSTNode]) -> str:
    """What to show of a use: the argument it is part of (``_loop.stop``), else its whole small
    statement (``loop = asyncio.get_running_loop()``), else its expression."""
    shown: cst.CSTNode = node
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, cst.BaseSmallStatement):
            shown = ancestor.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            break
        if isinstance(ancestor, (cst.BaseCompoundStatement, cst.Arg)):
            break
        shown = ancestor
    return code_of(shown).strip()


def is_main_test(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    sides = {code_of(test.left).strip(), code_of(target.comparator).strip()}
    return isinstance(target.operator, cst.Equal) and sides in (
        {"__name__", '"__main__"'},
        {"__name__", "'__main__'"},
    )


def join_after_stop(
    node: cst.CSTNode, ancestors: Sequence[cst.CSTNode], loop: str
) -> Optional[cst.SimpleStatementLine]:
    """The line of ``T.join(...)`` (``node`` being ``T``) alone on its line right after
    ``loop.call_soon_threadsafe(loop.stop)``, or None."""
    parent = ancestors[-1] if ancestors else None
    call = ancestors[-2] if len(ancestors) > 1 else None
    if not (isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value == "join"):
        return None
    if not (isinstance(call, cst.Call) and call.func is parent):
        return None
    statement, block = own_line(call, ancestors[:-2])
    if statement is None:
        return None
    index = list(block).index(statement)
    return statement if index > 0 and is_stop_of(block[index - 1], loop) else None
