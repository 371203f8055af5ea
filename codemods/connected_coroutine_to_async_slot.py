"""LG501: the coroutine function connected to a Qt signal gets ``@asyncSlot()``.

Qt calls a connected ``async def`` like any function: the coroutine is created and dropped, its
body never runs. Decorated with qasync's ``@asyncSlot()``, the call schedules it on the qasync
loop. A ``@Slot(...)``/``@pyqtSlot(...)`` on it becomes ``@asyncSlot(...)`` with the same
arguments (qasync hands them on to the binding's ``Slot``), and its import goes once unused.

Every connection of the function must reach it with the arguments qasync 0.28 needs
(:mod:`.qt_slots`): a method gets ``self``; a function that is not a method must get at least
one argument; the parameters the connection does not fill must come from a signal whose
arguments are known, and the decorator then names their types (``@asyncSlot(str)``). A Qt event
handler is never made a slot (Qt reads the event when the handler returns): a coroutine
``closeEvent`` connected to a signal Qt emits with no argument gets qasync's ``@asyncClose``,
which runs it to the end; the other event handlers are left for a human. Also left, with the
reason: a function used elsewhere in the module other than by an ``await`` of its call (as an
``@asyncSlot`` it returns a Task, not a coroutine: ``create_task()`` would refuse it), a
function defined twice, one with another decorator, and a module that would import qasync for
the first time while it runs Qt's own ``exec()`` (that would be LG503).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst
from libcst.codemod import CodemodContext

from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, Rewritten
from .qt_imports import QtImports
from .qt_slots import (
    PLAIN_SLOT_DECORATORS,
    QT_SIGNAL_TYPES,
    TRANSPARENT_DECORATORS,
    SignalArguments,
    SlotFunction,
    SlotReference,
    async_slot_calls,
    binds,
    declared_signals,
    decorator_name,
    find_slot_function,
    is_event_handler,
    signal_arguments,
    slot_reference,
)
from .syntax import code_of, dotted

ZERO_ARGUMENT_QT_SIGNALS = frozenset(name for name, types in QT_SIGNAL_TYPES.items() if not types)


@dataclass
class _Connection:
    """A ``<x>.<signal>.connect(slot)`` the linter reported, and the original nodes around it."""

    finding: Finding
    call: cst.Call
    ancestors: Tuple[cst.CSTNode, ...]


@dataclass
class _SlotEdit:
    """What a connected ``def`` becomes: its new decorators, and the findings that fixes."""

    decorators: Callable[[Sequence[cst.Decorator]], List[cst.Decorator]]
    findings: List[Finding] = field(default_factory=list)


class ConnectedCoroutineToAsyncSlot(FindingCodemod):
    """A coroutine function connected to a signal runs on the qasync loop: ``@asyncSlot()``."""

    NAME = "connected_coroutine_to_async_slot"
    DESCRIPTION = "an async def connected to a Qt signal gets @asyncSlot() (a coroutine closeEvent: @asyncClose)"
    fixes = ("LG501",)

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._edits: Dict[cst.FunctionDef, _SlotEdit] = {}
        self._imports: Optional[QtImports] = None

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        return None  # the decorator goes on the connected def: see visit_Module / leave_FunctionDef

    # ----- planning, before the transform walks the module ---------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        wanted = {self.start_of(finding): finding for finding in self.findings_within(node)}
        scan = _ModuleScan(self.position, wanted)
        node.visit(scan)
        self._imports = QtImports(node.body)
        declared = declared_signals(node)
        by_function: Dict[cst.FunctionDef, List[Tuple[_Connection, SlotReference, SlotFunction]]] = defaultdict(list)
        for connection in scan.connections:
            found = self._connected_function(connection)
            if isinstance(found, str):
                self.leave_for_human(connection.finding, found)
            else:
                by_function[found[1].function].append((connection, *found))
        if not by_function:
            return
        names = {function.name.value for function in by_function}
        uses = _Uses(self.position, names, [connection.call for connection in scan.connections])
        node.visit(uses)
        blocked = self._qasync_import_blocked()
        for function, connections in by_function.items():
            plan = blocked or self._plan(function, connections, declared, uses)
            findings = [connection.finding for connection, _, _ in connections]
            if isinstance(plan, str):
                for finding in findings:
                    self.leave_for_human(finding, plan)
            else:
                plan.findings = findings
                self._edits[function] = plan

    def _connected_function(self, connection: _Connection) -> Union[Tuple[SlotReference, SlotFunction], str]:
        slot = _slot_argument(connection.call)
        if slot is None:
            return "the connect() call has no slot argument the codemod understands"
        reference = slot_reference(slot)
        if isinstance(reference, str):
            return reference
        found = find_slot_function(reference.target, connection.ancestors, self.module)
        if isinstance(found, str):
            return found
        if found.function.asynchronous is None:
            return f"{found.function.name.value}() is not a coroutine function here"
        return reference, found

    def _plan(
        self,
        function: cst.FunctionDef,
        connections: List[Tuple[_Connection, SlotReference, SlotFunction]],
        declared: Dict[str, list],
        uses: "_Uses",
    ) -> Union[_SlotEdit, str]:
        name = function.name.value
        slot_function = connections[0][2]
        refused = _other_uses(function, uses, slot_function.bound)
        if refused is not None:
            return refused
        for decorator in function.decorators:
            own = decorator_name(decorator)
            if own not in PLAIN_SLOT_DECORATORS and own not in TRANSPARENT_DECORATORS:
                spelled = dotted(decorator.decorator) or code_of(decorator.decorator)
                return f"{name}() is decorated with @{spelled}: it may not hand a coroutine function on"
        if slot_function.owner is not None and is_event_handler(name):
            if name != "closeEvent":
                return (
                    f"{name}() is a Qt event handler: Qt reads the event when the handler returns, before a"
                    " coroutine has run; make it synchronous and start the async work from it"
                )
            return self._close_handler_plan(function, connections, uses)
        types: Dict[str, Tuple[cst.BaseExpression, ...]] = {}
        for connection, reference, found in connections:
            signal = _signal_of(connection.call, declared)
            needed = _signal_types_needed(function, found.bound, reference, signal)
            if isinstance(needed, str):
                return needed
            if needed is not None:
                types[", ".join(code_of(t) for t in needed)] = needed
        if len(types) > 1:
            return f"{name}() is connected to signals with different arguments ({'; '.join(sorted(types))})"
        signal_types = next(iter(types.values()), None)
        for decorator in function.decorators:
            declared_types = _slot_arguments(decorator)
            if signal_types is not None and declared_types and [code_of(a.value) for a in declared_types] != [
                code_of(t) for t in signal_types
            ]:
                return f"@{decorator_name(decorator)}(...) on {name}() declares other types than its signal passes"
        return _SlotEdit(self._async_slot_decorators(signal_types))

    def _close_handler_plan(
        self,
        function: cst.FunctionDef,
        connections: List[Tuple[_Connection, SlotReference, SlotFunction]],
        uses: "_Uses",
    ) -> Union[_SlotEdit, str]:
        """``@asyncClose``: it runs the coroutine to the end while Qt processes events, and calls it
        with exactly what it gets; inside a running task it would abort the process."""
        for connection, reference, found in connections:
            signal = _signal_name(connection.call)
            if reference.positional or reference.keywords or reference.through_lambda:
                return (
                    "closeEvent() is connected through a partial() or a lambda: @asyncClose passes arguments as"
                    " they come"
                )
            if signal not in ZERO_ARGUMENT_QT_SIGNALS:
                return (
                    f"closeEvent() is connected to {signal or 'a signal'}, which may pass it arguments or be"
                    " emitted from a coroutine, where qasync's @asyncClose cannot run: connect the signal to close()"
                )
            if not binds(function.params, found.bound, frozenset()):
                return (
                    f"closeEvent() needs its event, which {signal} does not pass: connect the signal to close() instead"
                )
        if uses.close_in_coroutine:
            return (
                f"close() is called in a coroutine at line {uses.close_in_coroutine[0]}: qasync's @asyncClose"
                " cannot run inside a running task"
            )
        close = self._qasync_name("asyncClose")
        plain = [d for d in function.decorators if decorator_name(d) in PLAIN_SLOT_DECORATORS]
        if plain:
            return "closeEvent() is decorated as a slot: an event handler is not a slot"

        def decorators(current: Sequence[cst.Decorator]) -> List[cst.Decorator]:
            return [*current, cst.Decorator(decorator=close)]

        return _SlotEdit(decorators)

    def _async_slot_decorators(
        self, signal_types: Optional[Tuple[cst.BaseExpression, ...]]
    ) -> Callable[[Sequence[cst.Decorator]], List[cst.Decorator]]:
        async_slot = self._qasync_name("asyncSlot")
        imports = self._imports
        assert imports is not None

        def decorators(current: Sequence[cst.Decorator]) -> List[cst.Decorator]:
            result: List[cst.Decorator] = []
            placed = False
            for decorator in current:
                if decorator_name(decorator) not in PLAIN_SLOT_DECORATORS:
                    result.append(decorator)
                    continue
                expression = decorator.decorator
                called = expression.func if isinstance(expression, cst.Call) else expression
                bound = imports.binding_of(called)
                if bound is not None:
                    self.remove_unused_import(bound.module, bound.obj, bound.asname)
                if placed:
                    continue  # a second @Slot overload: the async slot is one
                args = list(_slot_arguments(decorator)) or _arguments(signal_types)
                result.append(decorator.with_changes(decorator=cst.Call(func=async_slot, args=args)))
                placed = True
            if not placed:
                result.append(cst.Decorator(decorator=cst.Call(func=async_slot, args=_arguments(signal_types))))
            return result

        return decorators

    def _qasync_name(self, name: str) -> cst.BaseExpression:
        """``asyncSlot`` as the module spells it (its own or a vendored copy), importing it when absent."""
        imports = self._imports
        assert imports is not None
        spelled = imports.spelled("qasync", name)
        if spelled is not None:
            return spelled
        if not imports.is_bound(name):
            self.add_needed_import("qasync", name)
        return cst.Name(name)

    def _qasync_import_blocked(self) -> Optional[str]:
        """Why importing qasync here would introduce LG503 (the module runs Qt's ``exec()``)."""
        imports = self._imports
        if imports is None or imports.imports_qasync or imports.is_bound("asyncSlot"):
            return None
        source = self.module.code
        before = sum(1 for f in self.module_findings if f.code == "LG503")
        with_qasync = check_source(source + "\nimport qasync\n", self.context.filename or "<string>", self.config)
        after = [finding for finding in with_qasync if finding.code == "LG503"]
        if len(after) <= before:
            return None
        return (
            f"the module runs Qt's own loop at line {after[0].line}: importing qasync for @asyncSlot would make it"
            " LG503; drive the application with the qasync loop first (qasync_runs_application)"
        )

    # ----- the transform ----------------------------------------------------------------------

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        edit = self._edits.pop(original_node, None)
        if edit is None:
            return updated_node
        for finding in edit.findings:
            self.record_fix(finding)
        return updated_node.with_changes(decorators=edit.decorators(updated_node.decorators))


# ----- what a connection says ----------------------------------------------------------------


def _slot_argument(call: cst.Call) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "slot":
            return arg.value
    positional = [arg for arg in call.args if arg.keyword is None]
    return positional[0].value if positional and not positional[0].star else None


def _signal_name(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute):
        return func.value.attr.value
    return ""


def _signal_of(call: cst.Call, declared: Dict[str, list]) -> SignalArguments:
    func = call.func
    from_self = (
        isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute) and dotted(func.value.value) == "self"
    )
    return signal_arguments(_signal_name(call), from_self, declared)


def _signal_types_needed(
    function: cst.FunctionDef, bound: int, reference: SlotReference, signal: SignalArguments
) -> Union[Tuple[cst.BaseExpression, ...], str, None]:
    """None when the connection alone calls the function; the signal's types when its arguments
    are needed too; why not when qasync cannot call it."""
    name = function.name.value
    given = bound + reference.positional
    if async_slot_calls(function.params, given, reference.keywords):
        return None
    if reference.through_lambda:
        return _not_callable(name, bound, given, "the lambda")
    params = function.params
    if given == 0 and not [*params.posonly_params, *params.params] and not isinstance(params.star_arg, cst.Param):
        return _not_callable(name, bound, 0, signal.signal)  # no argument a signal passes can be bound
    if signal.types is None:
        return (
            f"{name}() needs arguments from {signal.signal or 'the signal'}, which does not pass them the same way on"
            " every binding (or is not known here): give them defaults, or connect a lambda that passes them"
        )
    if async_slot_calls(function.params, given + len(signal.types), reference.keywords):
        return signal.types
    return _not_callable(name, bound, given + len(signal.types), signal.signal)


def _not_callable(name: str, bound: int, given: int, source: str) -> str:
    if given == 0:
        return (
            f"{name}() would be called without arguments, and qasync's asyncSlot then fails"
            " (TypeError: asyncSlot was not callable from Signal)"
        )
    passed = given - bound
    return f"{name}() cannot be called with the {passed} argument(s) {source} passes"


def _slot_arguments(decorator: cst.Decorator) -> Sequence[cst.Arg]:
    expression = decorator.decorator
    return expression.args if isinstance(expression, cst.Call) else ()


def _arguments(types: Optional[Tuple[cst.BaseExpression, ...]]) -> List[cst.Arg]:
    if not types:
        return []
    separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    last = len(types) - 1
    return [
        cst.Arg(value, comma=separator if index < last else cst.MaybeSentinel.DEFAULT)
        for index, value in enumerate(types)
    ]


def _other_uses(function: cst.FunctionDef, uses: "_Uses", bound: int) -> Optional[str]:
    name = function.name.value
    defined = uses.definitions.get(name, [])
    if len(defined) > 1:
        return f"{name}() is defined {len(defined)} times in this module (lines {', '.join(map(str, defined))})"
    for line, kind, positional in uses.references.get(name, []):
        if kind == "awaited" and (bound or positional):
            continue
        if kind == "disconnected":
            continue
        if kind == "awaited":
            return f"{name}() is awaited without arguments at line {line}: qasync's asyncSlot fails without arguments"
        return (
            f"{name}() is also used at line {line}, not only awaited there: as an @asyncSlot it returns a Task,"
            " not a coroutine"
        )
    return None


# ----- one walk over the module ----------------------------------------------------------------


class _ModuleScan(cst.CSTVisitor):
    """The ``connect()`` calls at the findings' places, with the original nodes around them."""

    def __init__(self, position, wanted: Dict[Tuple[int, int], Finding]) -> None:  # type: ignore[no-untyped-def]
        self.position = position
        self.wanted = wanted
        self.connections: List[_Connection] = []
        self._stack: List[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "connect":
            start = self.position(node).start
            finding = self.wanted.pop((start.line, start.column), None)
            if finding is not None:
                self.connections.append(_Connection(finding, node, tuple(self._stack)))
        self._stack.append(node)
        return bool(self.wanted)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()


class _Uses(cst.CSTVisitor):
    """Where the connected functions' names are used outside the reported connections:
    ``references[name] = [(line, "awaited" | "disconnected" | "used", positional args)]``;
    where they are defined; and the ``self.close()`` calls made in coroutines."""

    def __init__(  # type: ignore[no-untyped-def]
        self, position, names: Set[str], connections: Sequence[cst.Call]
    ) -> None:
        self.position = position
        self.names = names
        self.skipped: FrozenSet[int] = frozenset(id(call) for call in connections)
        self.references: Dict[str, List[Tuple[int, str, int]]] = defaultdict(list)
        self.definitions: Dict[str, List[int]] = defaultdict(list)
        self.close_in_coroutine: List[int] = []
        self._stack: List[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._stack.append(node)
        if id(node) in self.skipped:
            return False  # a reported connection: judged as a connection
        self._stack.pop()
        if isinstance(node, cst.FunctionDef) and node.name.value in self.names:
            self.definitions[node.name.value].append(self.position(node.name).start.line)
        elif isinstance(node, cst.Attribute) and node.attr.value in self.names:
            self._reference(node, node.attr.value)
        elif isinstance(node, cst.Name) and node.value in self.names and self._is_variable(node):
            self._reference(node, node.value)
        elif isinstance(node, cst.Call) and dotted(node.func) == "self.close":
            # A window closing itself from a coroutine: Qt calls its closeEvent in that task.
            function = next((n for n in reversed(self._stack) if isinstance(n, cst.FunctionDef)), None)
            if function is not None and function.asynchronous is not None:
                self.close_in_coroutine.append(self.position(node).start.line)
        self._stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()

    def _is_variable(self, node: cst.Name) -> bool:
        parent = self._stack[-1] if self._stack else None
        if isinstance(parent, cst.Attribute):
            return parent.value is node
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.Param, cst.ImportAlias, cst.AsName)):
            return False
        return not (isinstance(parent, cst.Arg) and parent.keyword is node)

    def _reference(self, node: cst.BaseExpression, name: str) -> None:
        line = self.position(node).start.line
        parent = self._stack[-1] if self._stack else None
        grandparent = self._stack[-2] if len(self._stack) > 1 else None
        if isinstance(parent, cst.Call) and parent.func is node:
            positional = sum(1 for arg in parent.args if arg.keyword is None)
            kind = "awaited" if isinstance(grandparent, cst.Await) else "used"
            self.references[name].append((line, kind, positional))
        elif (
            isinstance(parent, cst.Arg)
            and isinstance(grandparent, cst.Call)
            and isinstance(grandparent.func, cst.Attribute)
            and grandparent.func.attr.value == "disconnect"
        ):
            self.references[name].append((line, "disconnected", 0))
        else:
            self.references[name].append((line, "used", 0))
