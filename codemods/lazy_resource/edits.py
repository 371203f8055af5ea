"""The edits that make a resource lazy: ``None`` in ``__init__``, the ``_ensure_<name>()``
coroutine that builds it, the await of it at the top of its users."""

from __future__ import annotations

import libcst as cst

from ..syntax import is_docstring, own_name, single_small_statement
from . import AttributePlan


def set_to_none(statement: cst.CSTNode) -> cst.CSTNode:
    """``self._x = None``; an annotation that does not allow None becomes ``Optional[...]``."""
    assert isinstance(statement, cst.SimpleStatementLine)
    assign = statement.body[0]
    assert isinstance(assign, (cst.Assign, cst.AnnAssign))
    assign = assign.with_changes(value=cst.Name("None"))
    if isinstance(assign, cst.AnnAssign) and not allows_none(assign.annotation.annotation):
        optional = cst.Subscript(
            value=cst.Name("Optional"),
            slice=[cst.SubscriptElement(cst.Index(assign.annotation.annotation))],
        )
        assign = assign.with_changes(annotation=assign.annotation.with_changes(annotation=optional))
    return statement.with_changes(body=[assign])


def allows_none(annotation: cst.BaseExpression) -> bool:
    """``Optional[X]``, ``X | None``, ``Union[..., None]``, ``None``, or a string annotation
    (left as written: the codemod does not parse it)."""
    if isinstance(annotation, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(annotation, cst.Name):
        return annotation.value == "None"
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return allows_none(annotation.left) or allows_none(annotation.right)
    if isinstance(annotation, cst.Subscript):
        head = own_name(annotation.value)
        if head == "Optional":
            return True
        if head == "Union":
            return any(
                isinstance(element.slice, cst.Index) and allows_none(element.slice.value)
                for element in annotation.slice
            )
    return False


def add_ensure_method(plan: AttributePlan):  # type: ignore[no-untyped-def]
    def edit(class_def: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(class_def, cst.ClassDef) and isinstance(class_def.body, cst.IndentedBlock)
        body = list(class_def.body.body)
        at = plan.init_index + 1
        # Placed after __init__ and the ensure methods already added after it, in order.
        while at < len(body) and isinstance(body[at], cst.FunctionDef) and body[at].name.value.startswith("_ensure_"):
            at += 1
        self_name, attribute = plan.receiver, plan.attribute
        if plan.shared_by is None:
            method = cst.parse_statement(
                f"async def {plan.ensure_name}({self_name}):\n"
                f"    if {self_name}.{attribute} is None:\n"
                f"        {self_name}.{attribute} = None\n"
                f"    return {self_name}.{attribute}\n"
            )
        else:
            # On the class that holds it, not on a subclass: every instance shares the one resource.
            owner = plan.shared_by
            closes = f"        register_closer({owner}.{attribute}.{plan.close_method})\n" if plan.close_method else ""
            method = cst.parse_statement(
                f"@staticmethod\n"
                f"async def {plan.ensure_name}():\n"
                f"    if {owner}.{attribute} is None:\n"
                f"        {owner}.{attribute} = None\n"
                f"{closes}"
                f"    return {owner}.{attribute}\n"
            )
        assert isinstance(method, cst.FunctionDef)
        method = method.visit(_ConstructorInserted(plan.constructor))  # type: ignore[assignment]
        spacing = body[at].leading_lines if at < len(body) else ()
        blank = [line for line in spacing if line.comment is None] or [cst.EmptyLine(indent=False)]
        body.insert(at, method.with_changes(leading_lines=blank))
        following = body[at + 1] if at + 1 < len(body) else None
        if plan.shared_by is not None and following is not None and not _opens_with_blank_line(following):
            body[at + 1] = following.with_changes(leading_lines=[cst.EmptyLine(indent=False), *following.leading_lines])
        return class_def.with_changes(body=class_def.body.with_changes(body=body))

    return edit


def _opens_with_blank_line(statement: cst.BaseStatement) -> bool:
    return bool(statement.leading_lines) and statement.leading_lines[0].comment is None


class _ConstructorInserted(cst.CSTTransformer):
    """Puts the constructor in place of the ``None`` the template assigns."""

    def __init__(self, constructor: cst.Call) -> None:
        super().__init__()
        self.constructor = constructor

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        return updated_node.with_changes(value=self.constructor)


def await_first(text: str):  # type: ignore[no-untyped-def]
    def edit(method: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(method, cst.FunctionDef) and isinstance(method.body, cst.IndentedBlock)
        body = list(method.body.body)
        at = 1 if body and is_docstring(body[0]) else 0
        while at < len(body) and _awaits_an_ensure_method(body[at]):
            at += 1  # several resources: their awaits in the order of __init__
        body.insert(at, cst.parse_statement(text + "\n"))
        return method.with_changes(body=method.body.with_changes(body=body))

    return edit


def _awaits_an_ensure_method(statement: cst.BaseStatement) -> bool:
    expression = single_small_statement(statement)
    awaited = expression.value if isinstance(expression, cst.Expr) else None
    call = awaited.expression if isinstance(awaited, cst.Await) else None
    func = call.func if isinstance(call, cst.Call) else None
    # `self._ensure_x()` of a class's resource, `_ensure_x()` of a module's.
    return isinstance(func, (cst.Attribute, cst.Name)) and own_name(func).startswith("_ensure_") and not call.args
