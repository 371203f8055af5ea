"""The function a loop thread runs when it is not ``loop.run_forever`` itself: a module function
``def f(loop)`` or a method ``def _run_loop(self)`` of the thread's class, whose body only installs
the loop as the thread's loop (``asyncio.set_event_loop``, optional) and runs ``run_forever()``."""

from __future__ import annotations

from typing import Callable, List, Optional, Sequence

import libcst as cst

from ..syntax import dotted, instance_parameter, is_docstring
from .nodes import enclosing_class, enclosing_function, plain_args

Qualified = Callable[[cst.BaseExpression], str]  # `asyncio.set_event_loop` for what the module calls it
SET_EVENT_LOOP = "asyncio.set_event_loop"


def loop_runner(module: cst.Module, name: str, qualified: Qualified) -> Optional[cst.FunctionDef]:
    """The module-level ``def name(loop):`` whose body only sets ``loop`` as the thread's loop
    (``asyncio.set_event_loop(loop)``, optional) and runs ``loop.run_forever()``."""
    for statement in module.body:
        if not (isinstance(statement, cst.FunctionDef) and statement.name.value == name):
            continue
        params = statement.params
        if statement.asynchronous or statement.decorators or params.posonly_params or len(params.params) != 1:
            return None
        parameter = params.params[0].name.value
        calls = body_calls(statement)
        if not calls:
            return None
        *setup, last = calls
        runs = dotted(last.func) == f"{parameter}.run_forever" and not last.args  # type: ignore[union-attr]
        sets = all(
            qualified(call.func) == SET_EVENT_LOOP  # type: ignore[union-attr]
            and plain_args(call, 1)  # type: ignore[arg-type]
            and dotted(call.args[0].value) == parameter  # type: ignore[union-attr]
            for call in setup
        )
        return statement if runs and sets and len(setup) <= 1 else None
    return None


def method_runner(
    target: cst.Attribute, ancestors: Sequence[cst.CSTNode], qualified: Qualified
) -> Optional[cst.FunctionDef]:
    """The method ``self.name`` of the class the thread is made in, when its body only sets its
    loop ``self.X`` as the thread's loop (``asyncio.set_event_loop(self.X)``, optional) and runs
    ``self.X.run_forever()``."""
    owner, function = enclosing_class(ancestors), enclosing_function(ancestors)
    instance = instance_parameter(function) if function is not None else None
    if owner is None or not (isinstance(target.value, cst.Name) and target.value.value == instance):
        return None
    for statement in owner.body.body:
        if not (isinstance(statement, cst.FunctionDef) and statement.name.value == target.attr.value):
            continue
        params = statement.params
        if statement.asynchronous or statement.decorators or params.posonly_params or len(params.params) != 1:
            return None
        if params.params[0].name.value != instance:
            return None
        calls = body_calls(statement)
        if not calls:
            return None
        *setup, last = calls
        loop = dotted(last.func.value) if isinstance(last.func, cst.Attribute) else ""
        own_loop = loop.count(".") == 1 and loop.startswith(f"{instance}.")
        runs = own_loop and last.func.attr.value == "run_forever" and not last.args  # type: ignore[attr-defined]
        sets = all(
            qualified(call.func) == SET_EVENT_LOOP and plain_args(call, 1) and dotted(call.args[0].value) == loop
            for call in setup
        )
        return statement if runs and sets and len(setup) <= 1 else None
    return None


def body_calls(function: cst.FunctionDef) -> List[cst.Call]:
    """The calls that are the whole of ``function``'s body, one a line after its docstring; [] when
    the body holds anything else."""
    body = list(function.body.body)
    if body and is_docstring(body[0]):
        body = body[1:]
    calls = []
    for line in body:
        small = line.body[0] if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 else None
        if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)):
            return []
        calls.append(small.value)
    return calls
