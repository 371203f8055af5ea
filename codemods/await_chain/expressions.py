"""The expressions ``run_to_await`` writes: ``await f(...)`` (parenthesized where the expression
around it needs it), ``asyncio.run(main())``, and how the module spells ``asyncSlot``."""

from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from ..syntax import dotted

# Expressions that take an awaited value as their first operand only in parentheses:
# `(await f()).x`, `(await f())[0]`, `(await f())()`.
NEEDS_PARENTHESES = (cst.Attribute, cst.Subscript, cst.Call)


def awaited(call: cst.Call) -> cst.Await:
    """``await call``; the call's own parentheses stay around the whole."""
    return cst.Await(expression=call.with_changes(lpar=[], rpar=[]), lpar=call.lpar, rpar=call.rpar)


def parenthesized(node: cst.BaseExpression) -> cst.BaseExpression:
    """``(await x)`` where an ``await`` is the operand of an attribute, subscript or call."""
    if isinstance(node, cst.Await) and not node.lpar:
        return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return node


def with_awaited_operand(node: cst.BaseExpression) -> cst.BaseExpression:
    """The node, its ``value``/``func`` operand parenthesized when it became an ``await``."""
    if isinstance(node, (cst.Attribute, cst.Subscript)):
        return node.with_changes(value=parenthesized(node.value))
    if isinstance(node, cst.Call):
        return node.with_changes(func=parenthesized(node.func))
    return node


def loop_started(call: cst.BaseExpression, runner: cst.BaseExpression) -> cst.Call:
    """``runner(call)``: the entry point's call, run as the one loop's main coroutine."""
    return cst.Call(func=runner, args=[cst.Arg(call)])


def async_slot_spelling(module: cst.Module) -> Tuple[cst.BaseExpression, Optional[Tuple[str, str]]]:
    """How the module names qasync's ``asyncSlot``, and the import to add (None: none needed)."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
                if dotted(small.module) == "qasync" and not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        if dotted(alias.name) == "asyncSlot":
                            bound = alias.asname.name.value if alias.asname is not None else "asyncSlot"  # type: ignore[union-attr]
                            return cst.Name(bound), None
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if dotted(alias.name) == "qasync":
                        bound = alias.asname.name.value if alias.asname is not None else "qasync"  # type: ignore[union-attr]
                        return cst.Attribute(cst.Name(bound), cst.Name("asyncSlot")), None
    return cst.Name("asyncSlot"), ("qasync", "asyncSlot")


def qasync_spelling(module: cst.Module) -> Tuple[cst.BaseExpression, bool]:
    """``qasync.run`` as the module spells qasync, and whether ``import qasync`` must be added."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if dotted(alias.name) == "qasync":
                        bound = alias.asname.name.value if alias.asname is not None else "qasync"  # type: ignore[union-attr]
                        return cst.Attribute(cst.Name(bound), cst.Name("run")), False
    return cst.Attribute(cst.Name("qasync"), cst.Name("run")), True
