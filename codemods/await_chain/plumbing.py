"""A function that becomes a coroutine loses its private loop: ``asyncio.run(c)`` and
``loop.run_until_complete(c)`` become ``await c``, and the loop's creation
(``loop = asyncio.new_event_loop()``, ``loop = asyncio.get_event_loop()``), installation
(``asyncio.set_event_loop(loop)``), shutdown and closing go. Anything else done with the loop
stops the chain: the code relies on a loop this rewrite removes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Set, Tuple

import libcst as cst

from ..syntax import dotted
from . import NotRewritable

LOOP_SHUTDOWN_METHODS = frozenset({"shutdown_asyncgens", "shutdown_default_executor"})
LOOP_MAKERS = frozenset({"LG101", "get"})  # calls whose value is a loop


@dataclass
class Plumbing:
    """What the rewrite does to one function's own body (original nodes)."""

    awaited: Set[cst.Call] = field(default_factory=set)  # runs that become `await <argument>`
    removed: Set[cst.BaseSmallStatement] = field(default_factory=set)  # statements that go


def plan_plumbing(function: cst.FunctionDef, codes: Mapping[cst.Call, str]) -> Plumbing:
    """The plumbing of ``function``, whose loop calls (own body) are ``codes``; raises
    :class:`NotRewritable` when a loop call does something the rewrite cannot take away."""
    name = function.name.value
    plumbing = Plumbing()
    consumed: Set[cst.Call] = set()
    loop_names: Set[str] = set()
    smalls = list(_own_small_statements(function))
    for small in smalls:
        value = _assigned_call(small)
        if value is not None and codes.get(value[1]) in LOOP_MAKERS:
            loop_names.add(value[0])
            plumbing.removed.add(small)
            consumed.add(value[1])
    for small in smalls:
        call = small.value if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) else None
        if call is None:
            continue
        if codes.get(call) == "LG104":
            plumbing.removed.add(small)
            consumed.add(call)
        elif _is_loop_method(call, loop_names, "close") and not call.args:
            plumbing.removed.add(small)
        elif codes.get(call) == "LG103" and _shuts_down(call, loop_names):
            plumbing.removed.add(small)
            consumed.update(c for c in (call, call.args[0].value) if isinstance(c, cst.Call))
    for call, code in codes.items():
        if call in consumed or code not in ("LG102", "LG103"):
            continue
        func = call.func
        if code == "LG103" and isinstance(func, cst.Attribute) and func.attr.value == "run_forever":
            raise NotRewritable(f"{name}() runs a loop forever: a long-lived loop that other code feeds")
        if not _single_argument(call):
            raise NotRewritable(f"{name}() runs its coroutine with more than one argument ({dotted(func) or 'a call'})")
        if code == "LG102":
            if dotted(func).rpartition(".")[2] != "run":
                raise NotRewritable(f"{name}() runs a loop with {dotted(func) or 'a call'}, not one coroutine")
        else:
            if not isinstance(func, cst.Attribute) or func.attr.value != "run_until_complete":
                raise NotRewritable(f"{name}() drives a loop with a call the rewrite does not know")
            receiver = func.value
            if isinstance(receiver, cst.Call) and codes.get(receiver) in LOOP_MAKERS:
                consumed.add(receiver)
            elif not (isinstance(receiver, cst.Name) and receiver.value in loop_names):
                raise NotRewritable(
                    f"{name}() runs its coroutine on {dotted(receiver) or 'a loop'}, a loop made elsewhere"
                )
        plumbing.awaited.add(call)
        consumed.add(call)
    left = [call for call, code in codes.items() if code != "get" and call not in consumed]
    if left:
        raise NotRewritable(f"{name}() uses a loop call ({codes[left[0]]}) for more than running a coroutine")
    if loop_names:
        _check_loop_names_unused(function, plumbing, loop_names)
    return plumbing


def _check_loop_names_unused(function: cst.FunctionDef, plumbing: Plumbing, loop_names: Set[str]) -> None:
    """The loop's names may appear only in what the rewrite removes or awaits."""
    checker = _LoopNameUses(loop_names, plumbing)
    function.body.visit(checker)
    if checker.used:
        raise NotRewritable(
            f"{function.name.value}() uses its loop '{checker.used}' for more than running coroutines"
        )


class _LoopNameUses(cst.CSTVisitor):
    """The first use of a loop name outside the removed statements and the awaited runs' receivers."""

    def __init__(self, names: Set[str], plumbing: Plumbing) -> None:
        self.names = names
        self.plumbing = plumbing
        self.used = ""

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.used or node in self.plumbing.removed:
            return False
        if isinstance(node, cst.Call) and node in self.plumbing.awaited:
            for arg in node.args:
                arg.value.visit(self)
            return False
        if isinstance(node, cst.Attribute):
            node.value.visit(self)
            return False
        if isinstance(node, cst.Arg):
            node.value.visit(self)
            return False
        if isinstance(node, cst.Name) and node.value in self.names:
            self.used = node.value
        return True


def _own_small_statements(function: cst.FunctionDef) -> List[cst.BaseSmallStatement]:
    """The small statements of the function's own body, in every block (nested defs not entered)."""
    collector = _OwnSmallStatements()
    function.body.visit(collector)
    return collector.statements


class _OwnSmallStatements(cst.CSTVisitor):
    def __init__(self) -> None:
        self.statements: List[cst.BaseSmallStatement] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        self.statements.extend(node.body)
        return False

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> bool:
        self.statements.extend(node.body)
        return False


def _assigned_call(small: cst.BaseSmallStatement) -> Optional[Tuple[str, cst.Call]]:
    """(name, call) for ``name = call(...)`` / ``name: T = call(...)``."""
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None
    if isinstance(target, cst.Name) and isinstance(value, cst.Call):
        return target.value, value
    return None


def _is_loop_method(call: cst.Call, loop_names: Set[str], method: str) -> bool:
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == method
        and isinstance(func.value, cst.Name)
        and func.value.value in loop_names
    )


def _shuts_down(call: cst.Call, loop_names: Set[str]) -> bool:
    """``loop.run_until_complete(loop.shutdown_asyncgens())``."""
    if not _is_loop_method(call, loop_names, "run_until_complete") or not _single_argument(call):
        return False
    inner = call.args[0].value
    return isinstance(inner, cst.Call) and any(_is_loop_method(inner, loop_names, m) for m in LOOP_SHUTDOWN_METHODS)


def _single_argument(call: cst.Call) -> bool:
    return len(call.args) == 1 and call.args[0].keyword is None and not call.args[0].star


def loop_calls_in(function: cst.FunctionDef, by_position: Mapping[Tuple[int, int], str], position) -> Dict[cst.Call, str]:  # type: ignore[no-untyped-def]
    """The function's own calls at the planned positions (line, character column) -> their codes."""
    found: Dict[cst.Call, str] = {}
    collector = _OwnCalls()
    function.body.visit(collector)
    for call in collector.calls:
        start = position(call).start
        code = by_position.get((start.line, start.column))
        if code is not None:
            found[call] = code
    return found


class _OwnCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: List[cst.Call] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)
