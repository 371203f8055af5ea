"""A thread whose target becomes a coroutine becomes a task of that coroutine on the one loop.

Two shapes, in a starter that runs on the loop (a coroutine, or a function of the same chain):

- ``threading.Thread(target=f, args=(a,), daemon=True).start()`` -> the task
  ``asyncio.create_task(f(a))``, registered with the TaskManager (which keeps it, and cancels
  it at shutdown as the daemon thread was killed at exit);
- ``t = threading.Thread(target=f, ...)``, its settings (``t.daemon = True``, ``t.setDaemon``,
  ``t.name``), ``t.start()`` and ``t.join()`` -> ``t = asyncio.create_task(f(...))``, registered,
  and ``await t`` where it was joined; also when the thread is kept in a local list that is only
  iterated to join them (``threads.append(t)`` ... ``for t in threads: t.join()``).

A non-daemon thread that is never joined kept the program alive until it ended; a task is
cancelled when the loop ends, so that thread stops the chain, as does any other use of the
thread object (``is_alive()``, storing it, a join with a timeout).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set

import libcst as cst

from ..syntax import dotted, variable_names
from . import NotRewritable

THREAD_SETTINGS = frozenset({"daemon", "name"})
THREAD_SETTERS = frozenset({"setDaemon", "setName"})


@dataclass
class ThreadTask:
    """How one ``Thread(...)`` call and the statements that use its thread are rewritten."""

    thread_call: cst.Call
    context: str  # the starter's qualified name: the registered task is named after it
    start_call: Optional[cst.Call] = None  # `Thread(...).start()`: replaced by the task
    removed: Set[cst.BaseSmallStatement] = field(default_factory=set)  # settings and `t.start()`
    joins: Dict[cst.Call, str] = field(default_factory=dict)  # `t.join()` -> `await t` (by the joined name)

    def task_call(self, thread_call: cst.Call, create_task: cst.BaseExpression) -> cst.Call:
        """``create_task(f(*args, **kwargs))`` from the (updated) ``Thread(...)`` call."""
        target = _keyword(thread_call, "target")
        args = _keyword(thread_call, "args")
        kwargs = _keyword(thread_call, "kwargs")
        assert target is not None
        call_args: List[cst.Arg] = []
        if isinstance(args, (cst.Tuple, cst.List)):
            call_args += [cst.Arg(element.value) for element in args.elements]
        elif args is not None:
            call_args.append(cst.Arg(args, star="*"))
        if isinstance(kwargs, cst.Dict) and all(_string_key(e) is not None for e in kwargs.elements):
            for element in kwargs.elements:
                call_args.append(
                    cst.Arg(
                        element.value,  # type: ignore[union-attr]
                        keyword=cst.Name(_string_key(element) or ""),
                        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                    )
                )
        elif kwargs is not None:
            call_args.append(cst.Arg(kwargs, star="**"))
        call_args = [
            arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            if index < len(call_args) - 1
            else arg
            for index, arg in enumerate(call_args)
        ]
        return cst.Call(func=create_task, args=[cst.Arg(cst.Call(func=target, args=call_args))])


def plan_thread_task(
    thread_call: cst.Call, ancestors: Sequence[cst.CSTNode], starter: cst.FunctionDef
) -> ThreadTask:
    """The rewrite of ``thread_call`` (original nodes; ``ancestors`` outermost first, the
    starter among them); raises :class:`NotRewritable` for a shape it does not take."""
    for arg in thread_call.args:
        if arg.keyword is None or arg.star:
            raise NotRewritable("the thread is created with positional arguments or *args")
        if arg.keyword.value not in ("target", "args", "kwargs", "daemon", "name"):
            raise NotRewritable(f"the thread is created with {arg.keyword.value}=")
    target = _keyword(thread_call, "target")
    if not isinstance(target, (cst.Name, cst.Attribute)):
        raise NotRewritable("the thread's target is not a function named here")
    daemon = _is_true(_keyword(thread_call, "daemon"))
    parent = ancestors[-1] if ancestors else None
    grandparent = ancestors[-2] if len(ancestors) > 1 else None
    statement = ancestors[-3] if len(ancestors) > 2 else None
    context = ".".join(node.name.value for node in ancestors if isinstance(node, (cst.FunctionDef, cst.ClassDef)))
    task = ThreadTask(thread_call, context)
    if (
        isinstance(parent, cst.Attribute)
        and parent.attr.value == "start"
        and isinstance(grandparent, cst.Call)
        and not grandparent.args
        and isinstance(statement, cst.Expr)
    ):
        if not daemon:
            raise NotRewritable(
                "the thread is not a daemon and never joined: the program waits for it at exit, and a task "
                "would be cancelled when the loop ends"
            )
        task.start_call = grandparent
        return task
    if not (isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name)):
        raise NotRewritable("the thread is stored where other code may reach it")
    name = parent.targets[0].target.value
    uses = _ThreadUses(name, parent)
    starter.body.visit(uses)
    if uses.other:
        raise NotRewritable(f"the thread '{name}' is used for more than starting and joining it")
    for kept_in in sorted(uses.lists):
        joined = _ListUses(kept_in, uses.appends)
        starter.body.visit(joined)
        if joined.other:
            raise NotRewritable(f"the list '{kept_in}' of threads is used for more than joining them")
        uses.joins.extend(joined.joins)
    if not uses.started:
        raise NotRewritable(f"the thread '{name}' is not started by a statement of {starter.name.value}()")
    if not (daemon or uses.daemon or uses.joins):
        raise NotRewritable(
            f"the thread '{name}' is not a daemon and never joined: the program waits for it at exit, and a task "
            "would be cancelled when the loop ends"
        )
    task.removed = uses.removed
    task.joins = {join: dotted(join.func.value) for join in uses.joins}  # type: ignore[attr-defined]
    return task


class _ThreadUses(cst.CSTVisitor):
    """The statements that use the thread variable: settings, ``start()``, ``join()``; anything else."""

    def __init__(self, name: str, creation: cst.Assign) -> None:
        self.name = name
        self.creation = creation
        self.removed: Set[cst.BaseSmallStatement] = set()
        self.joins: List[cst.Call] = []
        self.started = False
        self.daemon = False
        self.other = False
        self.lists: Set[str] = set()  # local lists the thread is appended to
        self.appends: Set[cst.Call] = set()

    def visit_Assign(self, node: cst.Assign) -> bool:
        if node is self.creation:
            return False
        target = node.targets[0].target if len(node.targets) == 1 else None
        if isinstance(target, cst.Attribute) and dotted(target.value) == self.name:
            if target.attr.value in THREAD_SETTINGS and not _mentions(node.value, self.name):
                self.removed.add(node)
                self.daemon = self.daemon or (target.attr.value == "daemon" and _is_true(node.value))
                return False
        return True

    def visit_Expr(self, node: cst.Expr) -> bool:
        call = node.value
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return True
        if dotted(call.func.value) != self.name:
            return True
        method = call.func.attr.value
        if method in THREAD_SETTERS and len(call.args) == 1:
            self.removed.add(node)
            self.daemon = self.daemon or (method == "setDaemon" and _is_true(call.args[0].value))
            return False
        if method == "start" and not call.args:
            self.removed.add(node)
            self.started = True
            return False
        if method == "join" and not call.args:
            self.joins.append(call)
            return False
        return True

    def visit_For(self, node: cst.For) -> bool:
        # `for t in threads: t.join()`: joins a list of threads, checked by _ListUses.
        return not _joins_each(node)

    def visit_Call(self, node: cst.Call) -> bool:
        # `threads.append(t)`: kept in a local list, which must only be joined (_ListUses).
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "append"
            and isinstance(func.value, cst.Name)
            and len(node.args) == 1
            and isinstance(node.args[0].value, cst.Name)
            and node.args[0].value.value == self.name
        ):
            self.lists.add(func.value.value)
            self.appends.add(node)
            return False
        return True

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.other = True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.other = self.other or _mentions(node, self.name)
        return False


class _ListUses(cst.CSTVisitor):
    """A local list of threads: made, appended to, and only iterated to join each thread
    (``for t in threads: t.join()``)."""

    def __init__(self, name: str, appends: Set[cst.Call]) -> None:
        self.name = name
        self.appends = appends
        self.joins: List[cst.Call] = []
        self.other = False

    def visit_Assign(self, node: cst.Assign) -> bool:
        if len(node.targets) == 1 and dotted(node.targets[0].target) == self.name:
            return _mentions(node.value, self.name) and self._other()
        return True

    def visit_Call(self, node: cst.Call) -> bool:
        return node not in self.appends

    def visit_For(self, node: cst.For) -> bool:
        if dotted(node.iter) != self.name:
            return True
        joins = _joins_each(node)
        if not joins:
            return self._other()
        self.joins.extend(joins)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.other = True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def _other(self) -> bool:
        self.other = True
        return False


def _joins_each(loop: cst.For) -> List[cst.Call]:
    """The ``t.join()`` calls of ``for t in <name>: t.join()``, when that is all the loop does."""
    element = dotted(loop.target)
    body = loop.body.body if isinstance(loop.body, cst.IndentedBlock) else ()
    if not element or not isinstance(loop.iter, cst.Name) or loop.orelse is not None or not body:
        return []
    joins = []
    for statement in body:
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 else None
        call = small.value if isinstance(small, cst.Expr) else None
        if not (
            isinstance(call, cst.Call)
            and not call.args
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "join"
            and dotted(call.func.value) == element
        ):
            return []
        joins.append(call)
    return joins


def _mentions(node: cst.CSTNode, name: str) -> bool:
    return any(found.value == name for found in variable_names([node]))


def _keyword(call: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _is_true(node: Optional[cst.BaseExpression]) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _string_key(element: cst.BaseDictElement) -> Optional[str]:
    if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
        return None
    value = element.key.evaluated_value
    return value if isinstance(value, str) and value.isidentifier() else None
