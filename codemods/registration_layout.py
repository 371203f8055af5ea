"""A task registration laid out as black lays out a call too long for its line.

``self._task_manager.add_task(asyncio.create_task(...), name="...")`` is written on one line;
when the statement it makes (``x = <registration>``, ``return <registration>``, or the call
alone, with its trailing comment) passes the project's line length
(:mod:`project_style`), its arguments go on their own line, or one a line with a trailing comma
when that line is too long as well:

    self._task_manager.add_task(
        asyncio.create_task(self._send(order)), name="shop.orders:Cart:place"
    )

    self._task_manager.add_task(
        asyncio.create_task(self._send(order, priority=self.priority, retries=3)),
        name="shop.orders:Cart:place",
    )

A registration nested in another expression (a lambda, a comprehension, a call's argument) is
left on one line: black would split the outer expression first, and that is the formatter's job.
"""

from __future__ import annotations

from typing import AbstractSet, Optional, Sequence

import libcst as cst


def wrapped_registrations(
    block: cst.CSTNode, registrations: AbstractSet[int], indent: str, step: str, line_length: int
) -> cst.CSTNode:
    """``block`` (a ``Module`` or ``IndentedBlock`` whose statements are indented by ``indent``)
    with each statement made of a registration (``id`` in ``registrations``) laid out to fit."""
    if not isinstance(block, (cst.Module, cst.IndentedBlock)):
        return block
    body = [_laid_out(statement, registrations, indent, step, line_length) for statement in block.body]
    return block.with_changes(body=body)


def _registration_of(statement: cst.BaseStatement, registrations: AbstractSet[int]) -> Optional[cst.Call]:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    value = small.value if isinstance(small, (cst.Expr, cst.Assign, cst.AnnAssign, cst.Return)) else None
    return value if isinstance(value, cst.Call) and id(value) in registrations else None


def _laid_out(
    statement: cst.BaseStatement, registrations: AbstractSet[int], indent: str, step: str, line_length: int
) -> cst.BaseStatement:
    call = _registration_of(statement, registrations)
    if call is None or len(call.args) != 2:
        return statement
    line = _code(statement.with_changes(leading_lines=())).rstrip("\n")
    if "\n" in line or len(indent) + len(line) <= line_length:
        return statement
    arguments = [_code(argument).strip() for argument in _without_commas(call.args)]
    if any("\n" in argument for argument in arguments):
        return statement
    one_line = len(indent) + len(step) + len(", ".join(arguments)) <= line_length
    wrapped = _split(call, step, one_line)
    small = statement.body[0]  # type: ignore[attr-defined]
    return statement.with_changes(body=[small.with_changes(value=wrapped)])


def _split(call: cst.Call, step: str, arguments_on_one_line: bool) -> cst.Call:
    def new_line(then: str) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace(then)
        )

    first, last = _without_commas(call.args)
    if arguments_on_one_line:
        first = first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        last = last.with_changes(whitespace_after_arg=new_line(""))
    else:  # black's magic trailing comma: one argument a line
        first = first.with_changes(comma=cst.Comma(whitespace_after=new_line(step)))
        last = last.with_changes(comma=cst.Comma(whitespace_after=new_line("")))
    return call.with_changes(whitespace_before_args=new_line(step), args=[first, last])


def _without_commas(args: Sequence[cst.Arg]) -> Sequence[cst.Arg]:
    return [argument.with_changes(comma=cst.MaybeSentinel.DEFAULT) for argument in args]


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
