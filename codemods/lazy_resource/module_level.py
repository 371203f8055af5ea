"""LG302 at module level: ``session = aiohttp.ClientSession()`` built at import time, when no loop
runs, becomes ``session = None`` and an ``async def _ensure_session()`` that builds it on the
running loop the first time it is awaited; every coroutine that reads ``session`` awaits it first
and uses the name as it was written.

Refused (left byte for byte, with the reason): a resource that is not a plain
``name = Factory(...)`` statement at the module's top level, a name bound again (also through
``global``) or deleted, read at import time, by synchronous code or in a lambda, read by another
module of the project (``from app import session`` would get None), and arguments that may change
before the first use or call a function of the module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Set, Tuple

import libcst as cst
from libcst.metadata import ExpressionContext, ExpressionContextProvider, GlobalScope, ParentNodeProvider, ScopeProvider

from flake8_loopguard.core.findings import Finding

from ..base import FindingCodemod
from ..syntax import code_of, mentions_name, variable_names
from . import LeftForHuman
from .facts import first_change, modules_naming


@dataclass
class ModulePlan:
    """How one module-level ``name = Factory(...)`` becomes lazy."""

    name: str
    findings: List[Finding]
    statement: cst.SimpleStatementLine
    constructor: cst.Call
    ensure_name: str
    users: List[cst.FunctionDef] = field(default_factory=list)  # coroutines that read it: each awaits it first
    close_method: Optional[str] = None  # registered with the runtime's shutdown sequence


def plan_module_resource(codemod: FindingCodemod, call: cst.Call, findings: List[Finding]) -> ModulePlan:
    """The plan for the resource ``call`` builds at module level; ``LeftForHuman`` says why not."""
    parent = codemod.get_metadata(ParentNodeProvider, call)
    if not isinstance(parent, (cst.Assign, cst.AnnAssign)) or parent.value is not call:
        raise LeftForHuman("the resource is not assigned to a name as it is built (`session = Factory(...)`)")
    if isinstance(parent, cst.Assign) and len(parent.targets) != 1:
        raise LeftForHuman("the resource is assigned to several targets at once")
    target = parent.target if isinstance(parent, cst.AnnAssign) else parent.targets[0].target
    if not isinstance(target, cst.Name):
        raise LeftForHuman(f"the resource is assigned to `{code_of(target)}`, not to a name")
    statement = codemod.get_metadata(ParentNodeProvider, parent)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        raise LeftForHuman("the assignment shares its line with other statements")
    if codemod.get_metadata(ParentNodeProvider, statement) is not codemod.module:
        raise LeftForHuman("the resource is built inside a block at module level (if, try, with), not unconditionally")
    name = target.value
    ensure_name = "_ensure_" + name.lstrip("_")
    if mentions_name(codemod.module, ensure_name):
        raise LeftForHuman(f"the module already uses the name {ensure_name}")
    scope = codemod.get_metadata(ScopeProvider, target)
    assert isinstance(scope, GlobalScope)
    plan = ModulePlan(name, findings, statement, call, ensure_name)
    problems = _binding_problems(codemod, scope, target) + _use_problems(codemod, scope, plan)
    for module in modules_naming(codemod.context.filename or "", name):
        problems.append(
            f"read by {module}, another module that names it and this module: an import of it would get None"
        )
    if problems:
        raise LeftForHuman(f"{name} is " + "; ".join(problems))
    _refuse_changing_arguments(codemod, call)
    return plan


def _binding_problems(codemod: FindingCodemod, scope: GlobalScope, target: cst.Name) -> List[str]:
    problems = []
    for assignment in scope.assignments[target.value]:
        node = getattr(assignment, "node", None)
        if node is target or node is None:
            continue
        line = codemod.position(node).start.line
        rebound_in = _enclosing_function(codemod, node)
        where = f" by `global {target.value}` in {rebound_in.name.value}()" if rebound_in is not None else ""
        problems.append(f"bound again{where} (line {line})")
    return problems


def _use_problems(codemod: FindingCodemod, scope: GlobalScope, plan: ModulePlan) -> List[str]:
    problems: List[str] = []
    users: Set[cst.FunctionDef] = set()
    # Every read of the module-level binding, from any scope (a function's `global` too).
    accesses = {access for assignment in scope.assignments[plan.name] for access in assignment.references}
    for access in sorted(accesses, key=lambda access: _start(codemod, access.node)):
        node = access.node
        line = codemod.position(node).start.line
        if codemod.get_metadata(ExpressionContextProvider, node, None) is ExpressionContext.DEL:
            problems.append(f"deleted (line {line})")
            continue
        function = _enclosing_function(codemod, node)
        if function is None:
            problems.append(f"used at import time (line {line}), before a coroutine could create it")
        elif isinstance(function, cst.Lambda):
            problems.append(f"used in a lambda (line {line})")
        elif function.asynchronous is None:
            problems.append(f"read by the synchronous {function.name.value}() (line {line}), which would see None")
        elif isinstance(function.body, cst.SimpleStatementSuite):
            problems.append(f"used by {function.name.value}(), a coroutine written on one line")
        elif function not in users:
            users.add(function)
            plan.users.append(function)
    return problems


def _start(codemod: FindingCodemod, node: cst.CSTNode) -> Tuple[int, int]:
    start = codemod.position(node).start
    return start.line, start.column


def _enclosing_function(codemod: FindingCodemod, node: cst.CSTNode) -> Optional[cst.CSTNode]:
    """The innermost ``def``/``async def``/``lambda`` around ``node`` (None at module level or in a class body)."""
    current = codemod.get_metadata(ParentNodeProvider, node, None)
    while current is not None:
        if isinstance(current, (cst.FunctionDef, cst.Lambda)):
            return current
        current = codemod.get_metadata(ParentNodeProvider, current, None)
    return None


def _refuse_changing_arguments(codemod: FindingCodemod, call: cst.Call) -> None:
    """The arguments are read when the resource is built, later than at import: module-level
    names bound once and never changed in place, and no call of a function of the module."""
    functions = {statement.name.value for statement in codemod.module.body if isinstance(statement, cst.FunctionDef)}
    for argument in call.args:
        for node in _calls_in(argument):
            if isinstance(node.func, cst.Name) and node.func.value in functions:
                raise LeftForHuman(
                    f"its arguments call {node.func.value}(), a function of this module, which would run when the "
                    "resource is built, later than at import"
                )
    for name in variable_names([call]):
        scope = codemod.get_metadata(ScopeProvider, name, None)
        if scope is None:
            continue
        bindings = [assignment for assignment in scope[name.value] if isinstance(assignment.scope, GlobalScope)]
        if len(bindings) > 1:
            raise LeftForHuman(f"its arguments use `{name.value}`, which the module binds more than once")
        changed_at = first_change(codemod.module, name.value, False, codemod.position) if bindings else None
        if changed_at is not None:
            raise LeftForHuman(
                f"its arguments use `{name.value}`, which the module changes (line {changed_at}): a resource "
                "built later would see the change"
            )


def _calls_in(node: cst.CSTNode) -> List[cst.Call]:
    found: List[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call)

    node.visit(Calls())
    return found


# ----- the edits ---------------------------------------------------------------------------


def ensure_function(plan: ModulePlan) -> cst.FunctionDef:
    """``async def _ensure_<name>()``: builds the resource on the running loop, once (and has the
    runtime's ``shutdown()`` close it, where the plan says so)."""
    name = plan.name
    closes = f"        register_closer({name}.{plan.close_method})\n" if plan.close_method else ""
    function = cst.parse_statement(
        f"async def {plan.ensure_name}():\n"
        f"    global {name}\n"
        f"    if {name} is None:\n"
        f"        {name} = None\n"
        f"{closes}"
        f"    return {name}\n"
    )
    assert isinstance(function, cst.FunctionDef)
    return function.visit(_BuiltBy(plan.constructor)).with_changes(  # type: ignore[union-attr]
        leading_lines=[cst.EmptyLine(indent=False), cst.EmptyLine(indent=False)]
    )


class _BuiltBy(cst.CSTTransformer):
    def __init__(self, constructor: cst.Call) -> None:
        super().__init__()
        self.constructor = constructor

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        return updated_node.with_changes(value=self.constructor)


def add_ensure_functions(plans: List[ModulePlan], module: cst.Module):  # type: ignore[no-untyped-def]
    """An edit of the module: each ensure function right after its resource's statement, the
    statement that follows kept two blank lines below it."""
    places = {module.body.index(plan.statement): plan for plan in plans}

    def edit(updated: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(updated, cst.Module)
        body = list(updated.body)
        for index in sorted(places, reverse=True):
            body.insert(index + 1, ensure_function(places[index]))
            if index + 2 < len(body):
                body[index + 2] = _two_blank_lines_above(body[index + 2])
        return updated.with_changes(body=body)

    return edit


def _two_blank_lines_above(statement: cst.BaseStatement) -> cst.BaseStatement:
    lines = list(statement.leading_lines)
    blank = 0
    while blank < len(lines) and lines[blank].comment is None:
        blank += 1
    if blank >= 2:
        return statement
    return statement.with_changes(leading_lines=[*[cst.EmptyLine(indent=False)] * (2 - blank), *lines])
