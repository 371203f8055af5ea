"""The expression rewrites inside a starter: a loop run becomes an ``await``, parenthesized where
the surrounding expression needs it, and a zero-delay hop to the GUI thread becomes a direct call."""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from ..syntax import code_of, dotted, has_parameters

# The starter's decision for one call (``StarterRewrite.await_of``): the ``await`` that replaces
# it, or None to keep it.
AwaitOf = Callable[[cst.Call, cst.Call], Optional[cst.BaseExpression]]


class AwaitLoopRuns(cst.CSTTransformer):
    """``loop.run_until_complete(c)`` / ``asyncio.run(c)`` -> ``await c`` in one statement's own code."""

    def __init__(self, await_of: AwaitOf) -> None:
        super().__init__()
        self.await_of = await_of

    # Blocks are rewritten statement by statement; other scopes keep their own calls.
    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return False

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        awaited = self.await_of(original_node, updated_node)
        if awaited is not None:
            return awaited
        if isinstance(updated_node.func, cst.Await):
            return updated_node.with_changes(func=_parenthesized(updated_node.func))
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        if isinstance(updated_node.value, cst.Await):
            return updated_node.with_changes(value=_parenthesized(updated_node.value))
        return updated_node

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.Subscript:
        if isinstance(updated_node.value, cst.Await):
            return updated_node.with_changes(value=_parenthesized(updated_node.value))
        return updated_node

    def leave_BinaryOperation(
        self, original_node: cst.BinaryOperation, updated_node: cst.BinaryOperation
    ) -> cst.BinaryOperation:
        if isinstance(updated_node.operator, cst.Power) and isinstance(updated_node.left, cst.Await):
            return updated_node.with_changes(left=_parenthesized(updated_node.left))
        return updated_node


def await_argument(call: cst.Call, arg: cst.Arg) -> cst.Await:
    """``await c`` in place of ``run(c)``: the call's parentheses, and its line breaks and comments
    around the argument, stay."""
    value = arg.value
    inner_before = call.whitespace_before_args
    inner_after = arg.whitespace_after_arg
    comma = arg.comma
    if isinstance(comma, cst.Comma):
        inner_after = comma.whitespace_after
    multiline = isinstance(inner_before, cst.ParenthesizedWhitespace) or isinstance(
        inner_after, cst.ParenthesizedWhitespace
    )
    if multiline:
        # The call's own line breaks and comments stay, as the parentheses of the awaited value.
        value = value.with_changes(
            lpar=[cst.LeftParen(whitespace_after=inner_before), *value.lpar],
            rpar=[*value.rpar, cst.RightParen(whitespace_before=inner_after)],
        )
    elif not value.lpar and not isinstance(value, _PRIMARIES):
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Await(expression=value, lpar=call.lpar, rpar=call.rpar)


_PRIMARIES = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Integer,
    cst.Float,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.Set,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
)


def _parenthesized(node: cst.Await) -> cst.Await:
    if node.lpar:
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def direct_gui_call(small: cst.BaseSmallStatement) -> cst.BaseSmallStatement:
    """``QTimer.singleShot(0, lambda: f(x))`` -> ``f(x)``; ``QTimer.singleShot(0, f)`` -> ``f()``.

    The worker hopped back to the GUI thread with a zero timer; the coroutine is there already.
    """
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return small
    call = small.value
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value != "singleShot":
        return small
    if dotted(call.func.value).rpartition(".")[2] != "QTimer" or len(call.args) != 2:
        return small
    delay, callback = call.args
    if not (isinstance(delay.value, cst.Integer) and delay.value.value == "0") or delay.keyword or callback.keyword:
        return small
    target = callback.value
    if isinstance(target, cst.Lambda) and not has_parameters(target.params):
        body = target.body
        if isinstance(body, cst.Call) and len(body.lpar) == 1 and not "\n" in code_of(body):
            body = body.with_changes(lpar=[], rpar=[])
        return small.with_changes(value=body)
    if isinstance(target, (cst.Name, cst.Attribute)):
        return small.with_changes(value=cst.Call(func=target))
    return small
