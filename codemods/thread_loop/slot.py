"""Whether a function may become an ``@asyncSlot()`` coroutine, and the decorators it then has."""

from __future__ import annotations

from pathlib import PurePath
from typing import Iterable, List

import libcst as cst
from libcst.metadata import CodeRange

from flake8_loopguard.core.apis import ASYNC_SLOT_NAMES

from ..syntax import dotted
from . import NotUnderstood
from .facts import ModuleFacts

NO_QT_MODULE = "the module imports no Qt binding or qasync: @asyncSlot needs the qasync loop"
QT_EXEC_WITHOUT_QASYNC = (
    "the module runs Qt's own loop with exec(), which importing qasync here would make LG503: "
    "drive the application with qasync first (qasync.run(main()))"
)
QT_SLOT_DECORATORS = frozenset({"Slot", "pyqtSlot"})  # become @asyncSlot(<same arguments>)
KEPT_DECORATORS = frozenset({"staticmethod", "classmethod", "override"})
# Tests own their loop on purpose, and their runner needs them finished when they return.
TEST_PREFIXES = ("test", "setUp", "tearDown", "asyncSetUp", "asyncTearDown")
CLOSE_EVENT = "closeEvent"
# qasync's @asyncClose is no way out: it waits by spinning processEvents(), which fails when a
# coroutine calls close() (a task cannot be entered from another one), and under PySide6 6.12 on
# Python 3.11 each call drops a reference to None until the interpreter aborts.
CLOSE_EVENT_LEFT = (
    "closeEvent() is a Qt event handler: Qt goes on with the close (and may end the application) when it "
    "returns, so an @asyncSlot's work would be cut short, and qasync's @asyncClose, which waits by spinning "
    "processEvents(), fails when close() is called from a coroutine: make the close wait for the work by hand"
)


def is_test_class(node: cst.ClassDef) -> bool:
    name = node.name.value
    if name.startswith("Test") or name.endswith(("Test", "Tests")):
        return True
    return any(dotted(base.value).endswith("TestCase") for base in node.bases)


def refuse_as_slot(
    starter: cst.FunctionDef, facts: ModuleFacts, where: CodeRange, in_tests: bool, blocks: bool, bound: bool
) -> None:
    """Raise :class:`NotUnderstood` when ``starter`` must not become an ``@asyncSlot()`` coroutine.

    ``where``: the starter's range; ``in_tests``: it is in a test file or a test class;
    ``blocks``: it runs its loop itself, so its callers waited for the work until now;
    ``bound``: it is a method that Python calls with its instance (or class) as first argument.
    """
    name = starter.name.value
    if not facts.imports_qt:
        raise NotUnderstood(NO_QT_MODULE)
    if bound and name == CLOSE_EVENT:
        raise NotUnderstood(CLOSE_EVENT_LEFT)
    if bound and is_event_handler(name):
        raise NotUnderstood(
            f"{name}() is a Qt event handler: Qt reads the event when it returns, and an @asyncSlot "
            "returns at its first await"
        )
    if facts.runs_qt_exec_without_qasync:
        raise NotUnderstood(QT_EXEC_WITHOUT_QASYNC)
    if starter.asynchronous is not None:
        raise NotUnderstood(f"{name}() is already a coroutine")
    if name.startswith("__") and name.endswith("__"):
        raise NotUnderstood(f"{name}() is a special method and cannot become a coroutine")
    if name.startswith(TEST_PREFIXES) and in_tests:
        raise NotUnderstood(f"{name}() is a test: its runner calls it and expects it to finish")
    used_at = [line for line in facts.value_uses.get(name, ()) if not where.start.line <= line <= where.end.line]
    if used_at:
        raise NotUnderstood(f"the value of {name}() is used at line {used_at[0]}")
    followed_at = facts.calls_followed.get(name)
    if blocks and followed_at is not None:
        # It blocked until its work was done; as a slot it returns at once.
        raise NotUnderstood(f"code after the call of {name}() at line {followed_at} may rely on its work being done")
    handed_at = facts.handed_to_threads.get(name)
    if handed_at is not None:
        raise NotUnderstood(f"{name}() is handed to a thread or executor at line {handed_at}")
    if not bound:
        _refuse_unbound_without_arguments(starter, facts, where)


def _refuse_unbound_without_arguments(starter: cst.FunctionDef, facts: ModuleFacts, where: CodeRange) -> None:
    """qasync's ``@asyncSlot`` wrapper (0.28) binds the call's positional arguments, dropping the
    last ones while they do not fit, and raises ``TypeError`` when none is left: a function that
    is no bound method must take and get one (a signal's extra arguments are dropped to fit)."""
    name = starter.name.value
    positional = [*starter.params.posonly_params, *starter.params.params]
    if not positional and not isinstance(starter.params.star_arg, cst.Param):
        raise NotUnderstood(
            f"{name}() takes no positional argument: qasync's @asyncSlot wrapper cannot call it with none "
            "(TypeError), as code and signals would"
        )
    bare_at = facts.calls_without_positional_arguments.get(name)
    if bare_at is not None and not where.start.line <= bare_at <= where.end.line:
        raise NotUnderstood(
            f"{name}() is called without a positional argument (line {bare_at}): qasync's @asyncSlot wrapper "
            "cannot call it so (TypeError)"
        )


def is_event_handler(name: str) -> bool:
    """A Qt event handler a widget overrides: ``closeEvent``, ``keyPressEvent``, ``event``, ``eventFilter``."""
    return name in ("event", "eventFilter") or (name.endswith("Event") and name[:1].islower())


def slot_decorators(starter: cst.FunctionDef, async_slot: cst.BaseExpression) -> List[cst.Decorator]:
    """The starter's decorators as a slot: ``@Slot(...)`` becomes ``@asyncSlot(...)``, one is
    added when it has none; any other decorator but ``staticmethod``/``classmethod``/``override``
    is refused (it may not accept a coroutine function)."""
    kept: List[cst.Decorator] = []
    has_async_slot = False
    for decorator in starter.decorators:
        expression = decorator.decorator
        called = expression.func if isinstance(expression, cst.Call) else expression
        decorator_name = dotted(called).rpartition(".")[2]
        if decorator_name in ASYNC_SLOT_NAMES:
            has_async_slot = True
            kept.append(decorator)
        elif decorator_name in QT_SLOT_DECORATORS:
            # @Slot(str) -> @asyncSlot(str): qasync hands the arguments on to Slot.
            args = expression.args if isinstance(expression, cst.Call) else ()
            kept.append(decorator.with_changes(decorator=cst.Call(func=async_slot, args=args)))
            has_async_slot = True
        elif decorator_name in KEPT_DECORATORS:
            kept.append(decorator)
        else:
            raise NotUnderstood(
                f"{starter.name.value}() is decorated with @{dotted(called) or 'an expression'}:"
                " it may not accept a coroutine function"
            )
    if not has_async_slot:
        kept.append(cst.Decorator(decorator=cst.Call(func=async_slot)))
    return kept


def in_tests(filename: str, ancestors: Iterable[cst.CSTNode]) -> bool:
    """In a test file (``test_*.py``, ``*_test.py``) or a test class (``Test*``, ``*Test(s)``, a TestCase)."""
    stem = PurePath(filename).stem
    if stem.startswith("test_") or stem.endswith("_test"):
        return True
    return any(isinstance(node, cst.ClassDef) and is_test_class(node) for node in ancestors)
