"""A chain's end at a console-script function: the script wrapper calls the function synchronously,
so it keeps its name, signature and docstring and starts the one loop on a coroutine that takes
its body::

    def main(argv=None):
        return asyncio.run(_main_async(argv))


    async def _main_async(argv):
        ...
"""

from __future__ import annotations

from typing import List, Tuple

import libcst as cst

from flake8_loopguard.project.await_plan.chains import script_coroutine


def script_entry(coroutine: cst.FunctionDef, runner: cst.BaseExpression) -> Tuple[cst.FunctionDef, cst.FunctionDef]:
    """(the plain function, its coroutine) for ``coroutine``: the console-script function already
    made ``async def``, its body rewritten. The coroutine's parameters lose their defaults: the
    function passes every argument, and a default is evaluated once, as before."""
    name = script_coroutine(coroutine.name.value)
    body = list(coroutine.body.body)  # type: ignore[union-attr]
    docstring: List[cst.BaseStatement] = body[:1] if len(body) > 1 and _is_docstring(body[0]) else []
    started = cst.Call(runner, args=[cst.Arg(cst.Call(cst.Name(name), args=_forwarded(coroutine.params)))])
    function = coroutine.with_changes(
        asynchronous=None,
        body=coroutine.body.with_changes(body=[*docstring, cst.SimpleStatementLine([cst.Return(started)])]),
    )
    params = coroutine.params
    without_defaults = params.with_changes(
        posonly_params=[_no_default(param) for param in params.posonly_params],
        params=[_no_default(param) for param in params.params],
        kwonly_params=[_no_default(param) for param in params.kwonly_params],
    )
    own = coroutine.with_changes(
        name=cst.Name(name),
        decorators=[],
        params=without_defaults,
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
        body=coroutine.body.with_changes(body=body[len(docstring):]),
    )
    return function, own


def _forwarded(params: cst.Parameters) -> List[cst.Arg]:
    args = [cst.Arg(cst.Name(param.name.value)) for param in [*params.posonly_params, *params.params]]
    if isinstance(params.star_arg, cst.Param):
        args.append(cst.Arg(cst.Name(params.star_arg.name.value), star="*"))
    no_space = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    args += [
        cst.Arg(cst.Name(param.name.value), keyword=cst.Name(param.name.value), equal=no_space)
        for param in params.kwonly_params
    ]
    if params.star_kwarg is not None:
        args.append(cst.Arg(cst.Name(params.star_kwarg.name.value), star="**"))
    return args


def _no_default(param: cst.Param) -> cst.Param:
    return param.with_changes(default=None, equal=cst.MaybeSentinel.DEFAULT)


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
