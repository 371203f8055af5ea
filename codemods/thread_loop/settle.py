"""How the rewritten body settles: the lines of removed statements (comments, blank lines) move
onto the statement that follows (but the comments about the thread or loop that went, see
``stale_text``), a function-local thread or loop import left unused goes, and the body keeps the
spacing it opened with."""

from __future__ import annotations

from typing import Iterable, List, Sequence, Tuple, Union

import libcst as cst

from ..stale_text import speaks_of_machinery
from ..syntax import docstring_text, dotted, single_small_statement, variable_names
from .facts import PLUMBING_MODULES


class Carried:
    """Lines (comments, blank lines) of a statement the rewrite removed, for the next statement."""

    def __init__(self, lines: Sequence[cst.EmptyLine]) -> None:
        self.lines = list(lines)


def settle(
    items: Sequence[Union[cst.BaseStatement, Carried]],
) -> Tuple[List[cst.BaseStatement], List[cst.EmptyLine]]:
    """Statements with carried lines moved onto the next one, and the comments left with no
    statement after them: they would dangle at the end of the block, describing nothing."""
    statements: List[cst.BaseStatement] = []
    pending: List[cst.EmptyLine] = []
    for item in items:
        if isinstance(item, Carried):
            pending.extend(item.lines)
            continue
        if pending:
            item = item.with_changes(leading_lines=_without_double_blanks([*pending, *item.leading_lines]))
            pending = []
        statements.append(item)
    return statements, [line for line in pending if line.comment is not None]


def comments_only(lines: Iterable[cst.EmptyLine]) -> List[cst.EmptyLine]:
    """The comments of removed lines, but those about the thread or loop that went with them."""
    return [line for line in lines if line.comment is not None and not speaks_of_machinery(line)]


def header_comment(block: cst.IndentedBlock) -> List[cst.EmptyLine]:
    return comments_only([cst.EmptyLine(comment=block.header.comment)])


def comment_lines(statement: cst.BaseStatement) -> List[cst.EmptyLine]:
    """A removed statement's leading lines, but a comment about the thread or loop that went
    (``stale_text``). Its end-of-line comment spoke of that line alone: it goes with it."""
    return [line for line in statement.leading_lines if not speaks_of_machinery(line)]


def _without_double_blanks(lines: Sequence[cst.EmptyLine]) -> List[cst.EmptyLine]:
    result: List[cst.EmptyLine] = []
    for line in lines:
        if line.comment is None and result and result[-1].comment is None:
            continue
        result.append(line)
    return result


def keep_opening_spacing(old: Sequence[cst.BaseStatement], new: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
    """The first statement after the docstring keeps the spacing the old one had there.

    (A worker ``def`` set apart by a blank line must not leave that blank line under the docstring.)
    """
    at = 1 if old and docstring_text(old[0]) is not None else 0
    if len(old) <= at or len(new) <= at or new[at] is old[at]:
        return new
    if old[at].leading_lines and old[at].leading_lines[0].comment is None:
        return new
    lines = list(new[at].leading_lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return [*new[:at], new[at].with_changes(leading_lines=lines), *new[at + 1 :]]


def drop_unused_plumbing_imports(statements: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
    """A function-local ``import asyncio`` / ``import threading`` left unused by the rewrite goes."""
    result: List[cst.BaseStatement] = []
    pending: List[cst.EmptyLine] = []
    for index, statement in enumerate(statements):
        small = single_small_statement(statement)
        if isinstance(small, cst.Import):
            others = [s for i, s in enumerate(statements) if i != index]
            kept = [alias for alias in small.names if not _unused_plumbing_alias(alias, others)]
            if not kept:
                pending.extend(comment_lines(statement))
                continue
            if len(kept) != len(small.names):
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=[small.with_changes(names=kept)])  # type: ignore[union-attr]
        if pending:
            statement = statement.with_changes(
                leading_lines=_without_double_blanks([*pending, *statement.leading_lines])
            )
            pending = []
        result.append(statement)
    return result


def _unused_plumbing_alias(alias: cst.ImportAlias, others: Sequence[cst.BaseStatement]) -> bool:
    module = dotted(alias.name)
    if module not in PLUMBING_MODULES:
        return False
    bound = alias.asname.name.value if alias.asname is not None else module  # type: ignore[union-attr]
    return all(n.value != bound for n in variable_names(others))


def without_opening_blank_lines(tree: cst.Module, result: cst.Module) -> cst.Module:
    """Dropping the file's first imports must not leave the file opening on a blank line."""
    if result.header or not result.body or not tree.body:
        return result
    first = result.body[0]
    if tree.body[0].leading_lines or not first.leading_lines or first.leading_lines[0].comment is not None:
        return result
    lines = list(first.leading_lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return result.with_changes(body=[first.with_changes(leading_lines=lines), *result.body[1:]])
