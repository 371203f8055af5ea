"""Where an ``await`` would let another task run where a blocking call let none.

A blocking call holds the loop's thread: no other task runs until it returns. Once it becomes
an ``await``, other tasks run in the middle of the coroutine, which breaks two things a blocking
call kept: a ``threading`` lock held around it (another task of the same thread that takes it
blocks the thread for good, or, with an ``RLock``, gets in too), and an attribute read before
the call and written after it (another task's update in between is lost).
"""

from __future__ import annotations

from typing import Callable, Collection, Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import CodeRange

from .syntax import assigned_targets, code_of, dotted, own_name

Position = Callable[[cst.CSTNode], CodeRange]

# A name holding one of these words is taken for a lock: a sync `with` cannot hold an asyncio one.
LOCK_WORDS = ("lock", "mutex", "semaphore", "condition")
LOCK_FACTORIES = frozenset({"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"})


def lock_names(module: cst.Module) -> Set[str]:
    """The names and attributes the module assigns a lock to (``self._guard = threading.RLock()``)."""
    found: Set[str] = set()

    class Assignments(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if isinstance(node.value, cst.Call) and own_name(node.value.func) in LOCK_FACTORIES:
                found.update(dotted(target.target) for target in node.targets)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if isinstance(node.value, cst.Call) and own_name(node.value.func) in LOCK_FACTORIES:
                found.add(dotted(node.target))

    module.visit(Assignments())
    found.discard("")
    return found


def _is_lock(expression: cst.BaseExpression, locks: Set[str]) -> bool:
    """``threading.Lock()``, a name or attribute the module assigns a lock to, or one named like a
    lock (``self._lock``, ``db_mutex``)."""
    if isinstance(expression, cst.Call):
        return own_name(expression.func) in LOCK_FACTORIES
    if dotted(expression) in locks:
        return True
    name = own_name(expression).lower()
    return any(word in name for word in LOCK_WORDS)


def held_lock(
    ancestors: Sequence[cst.CSTNode], call: cst.CSTNode, position: Position, locks: Set[str]
) -> Optional[str]:
    """Where a lock is held around ``call`` in its function (``inside `with self._lock:` (line
    12)``, ``between lock.acquire() (line 9) and its release()``), else None. ``locks``: what
    :func:`lock_names` found."""
    chain = [*ancestors, call]
    for index in range(len(chain) - 2, -1, -1):
        node, child = chain[index], chain[index + 1]
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return None
        if isinstance(node, cst.With) and node.asynchronous is None and child is node.body:
            for item in node.items:
                if _is_lock(item.item, locks):
                    return f"inside `with {code_of(item.item)}:` (line {position(node).start.line})"
        if isinstance(node, cst.IndentedBlock) and isinstance(child, cst.BaseStatement):
            acquired = _acquired_before(node.body, child, position)
            if acquired is not None:
                return acquired
    return None


def lock_reason(held: str) -> str:
    """What a human is told about an await that would sit ``held`` (see :func:`held_lock`)."""
    return (
        f"an await here would sit {held}, which holds a threading lock: another task that takes it "
        "would block the loop's thread (deadlock) or, for an RLock, get in too; move the call out of the "
        "block, or use an asyncio.Lock"
    )


def first_held_lock(
    root: cst.CSTNode, calls: Collection[cst.CSTNode], position: Position, locks: Set[str]
) -> Optional[Tuple[cst.CSTNode, str]]:
    """The first of ``calls`` (nodes of ``root``) around which a lock is held, and where it is held."""
    found: List[Tuple[cst.CSTNode, str]] = []

    class Walk(cst.CSTVisitor):
        def __init__(self) -> None:
            self.stack: List[cst.CSTNode] = []

        def on_visit(self, node: cst.CSTNode) -> bool:
            if not found and node in calls:
                held = held_lock(self.stack, node, position, locks)
                if held is not None:
                    found.append((node, held))
            self.stack.append(node)  # on_leave pops it, also when the children are skipped
            return not found

        def on_leave(self, original_node: cst.CSTNode) -> None:
            self.stack.pop()

    root.visit(Walk())
    return found[0] if found else None


def _acquired_before(
    block: Sequence[cst.BaseStatement], statement: cst.BaseStatement, position: Position
) -> Optional[str]:
    """``between X.acquire() (line N) and its release()`` when a statement of ``block`` before
    ``statement`` acquires ``X`` and none in between releases it."""
    held: Dict[str, int] = {}
    for earlier in block:
        if earlier is statement:
            break
        for call in _lock_calls(earlier):
            receiver = dotted(call.func.value)  # type: ignore[attr-defined]
            if call.func.attr.value == "acquire":  # type: ignore[attr-defined]
                held.setdefault(receiver, position(call).start.line)
            else:
                held.pop(receiver, None)
    if not held:
        return None
    receiver, line = next(iter(held.items()))
    return f"between {receiver}.acquire() (line {line}) and its release()"


def _lock_calls(statement: cst.BaseStatement) -> List[cst.Call]:
    """The ``X.acquire(...)`` / ``X.release()`` calls of a statement, in source order: all of
    them (a ``try`` whose ``finally`` releases), but for an ``if``/``while`` those of its test
    only (``if not lock.acquire(timeout=1): return`` leaves the lock held after it)."""
    parts: Sequence[cst.CSTNode] = [statement.test] if isinstance(statement, (cst.If, cst.While)) else [statement]
    found: List[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in ("acquire", "release") and dotted(func.value):
                found.append(node)

    for part in parts:
        part.visit(Calls())
    return found


def read_then_written(
    function: cst.FunctionDef, call: cst.CSTNode, position: Position
) -> Optional[Tuple[str, int, int]]:
    """(attribute, line of its read, line of its write) for an attribute of the function's own
    code that is read before ``call`` and assigned after it with no ``await`` in between (the
    stretch the blocking call kept whole); None when there is none. An assignment stores once
    its statement has run; an ``await`` lets other tasks in once its operand is evaluated."""
    at = _start(position, call)
    accesses = _AttributeAccesses(position)
    function.body.visit(accesses)
    suspended_before = max((point for point in accesses.suspensions if point < at), default=(0, 0))
    suspended_after = min((point for point in accesses.suspensions if point > at), default=(1 << 30, 0))
    reads: Dict[str, int] = {}
    for attribute, where in accesses.reads:
        if suspended_before < where < at:
            reads.setdefault(attribute, where[0])
    for attribute, where in accesses.writes:
        if attribute in reads and at < where < suspended_after:
            return attribute, reads[attribute], where[0]
    return None


def _start(position: Position, node: cst.CSTNode) -> Tuple[int, int]:
    where = position(node).start
    return where.line, where.column


def _end(position: Position, node: cst.CSTNode) -> Tuple[int, int]:
    where = position(node).end
    return where.line, where.column


class _AttributeAccesses(cst.CSTVisitor):
    """The dotted attributes (``self.value``) a function's own code reads and assigns, and the
    points where it lets other tasks run: a read where the attribute is, an augmented assignment
    (``self.value += 1``) at its start, a write where its statement ends; an ``await`` where its
    operand ends, an ``async for``/``async with`` where it starts."""

    def __init__(self, position: Position) -> None:
        self.position = position
        self.reads: List[Tuple[str, Tuple[int, int]]] = []
        self.writes: List[Tuple[str, Tuple[int, int]]] = []
        self.suspensions: List[Tuple[int, int]] = []
        self._stored: set = set()
        self._statement: Optional[cst.CSTNode] = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function runs at another time

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement = node

    def visit_Await(self, node: cst.Await) -> None:
        self.suspensions.append(_end(self.position, node.expression))

    def visit_For(self, node: cst.For) -> None:
        if node.asynchronous is not None:
            self.suspensions.append(_start(self.position, node))

    def visit_With(self, node: cst.With) -> None:
        if node.asynchronous is not None:
            self.suspensions.append(_start(self.position, node))

    def _store(self, target: cst.BaseExpression) -> None:
        for stored in assigned_targets(target):
            base = stored.value if isinstance(stored, cst.Subscript) else stored
            name = dotted(base)
            if isinstance(base, cst.Attribute) and name and self._statement is not None:
                self.writes.append((name, _end(self.position, self._statement)))
                if stored is base:
                    self._stored.add(base)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._store(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._store(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        name = dotted(node.target)
        if isinstance(node.target, cst.Attribute) and name:
            self.reads.append((name, _start(self.position, node)))
        self._store(node.target)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        name = dotted(node)
        if name and node not in self._stored:
            self.reads.append((name, _start(self.position, node)))
        return True
