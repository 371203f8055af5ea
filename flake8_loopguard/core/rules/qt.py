"""Invariant 3: Qt reaches async code only through qasync's ``@asyncSlot``."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from ..apis import APPLICATION_CLASSES, SIGNAL_FACTORIES
from ..findings import Finding
from ..model import CallSite, FunctionInfo, Module, Scope, dotted_parts, receiver_name
from .base import Rule, example, register

@register
class CoroutineSlotWithoutAsyncSlot(Rule):
    """An `async def` is connected to a Qt signal without `@asyncSlot`.

    Why: Qt calls the slot like any function. Calling an `async def` only creates a
    coroutine object; Qt drops it, the body never runs, and Python warns "coroutine was
    never awaited" long after the click. A lambda that calls the coroutine function has
    the same fate.

    The slot may be connected with a connection type, by keyword (`connect(slot=f)`),
    through `functools.partial`, or by a lambda, and may be inherited from a same-file base.
    Async-slot decorators are qasync's `asyncSlot`, qtinter's `asyncslot`, any decorator
    whose own name is `asyncSlot`/`asyncslot` (a vendored copy), a same-file decorator that
    applies one, and those named in `--loopguard-async-slot-decorators`. A close handler
    decorated with qasync's `asyncClose` runs to its end and is not reported either.

    Fix: decorate the method with `@qasync.asyncSlot()`, which schedules the coroutine on
    the qasync loop and reports its exceptions. The codemod
    `connected_coroutine_to_async_slot` does it where every connection calls the coroutine
    with the arguments qasync needs.
    """

    code = "LG501"
    codemods = ("connected_coroutine_to_async_slot",)
    name = "coroutine-slot-without-async-slot"
    message = (
        "coroutine function {func}() connected to a Qt signal without @asyncSlot; decorate it with @qasync.asyncSlot()"
    )
    invalid = [
        example("""
            from PySide6.QtWidgets import QWidget

            class CoinList(QWidget):
                def __init__(self):
                    super().__init__()
                    self.refresh_button.clicked.connect(self._refresh)

                async def _refresh(self):
                    await self.service.load()
        """),
        example("""
            from PyQt5 import QtWidgets

            async def on_click():
                pass

            def wire(button):
                button.clicked.connect(lambda: on_click())
        """),
        example("""
            import functools
            from PySide6.QtWidgets import QWidget

            class Orderbook(QWidget):
                def bind(self, box):
                    box.currentTextChanged.connect(functools.partial(self._select, "KRW"))

                async def _select(self, market, symbol):
                    await self.service.subscribe(market, symbol)
        """),
    ]
    valid = [
        example("""
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot as slot

            class CoinList(QWidget):
                def __init__(self):
                    super().__init__()
                    self.refresh_button.clicked.connect(self._refresh)

                @slot()
                async def _refresh(self):
                    await self.service.load()
        """),
        example("""
            from PySide6.QtWidgets import QWidget

            class CoinList(QWidget):
                def __init__(self):
                    super().__init__()
                    self.refresh_button.clicked.connect(self._refresh)

                def _refresh(self):
                    self.reload()
        """),
        example("""
            from PySide6.QtWidgets import QApplication, QMainWindow
            from qasync import asyncClose

            class MainWindow(QMainWindow):
                def __init__(self):
                    super().__init__()
                    QApplication.instance().aboutToQuit.connect(self.closeEvent)

                @asyncClose
                async def closeEvent(self, event=None):
                    await self.service.close()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        if not module.imports_qt:
            return
        for site in module.method_calls(("connect",)):
            # `<x>.<signal>.connect(f)`: a bare `db.connect(f)` is no signal.
            slot = site.argument(0, "slot")
            if not isinstance(site.receiver, ast.Attribute) or slot is None:
                continue
            if _is_plain_object_attribute(module, site):
                continue
            function = self._connected_coroutine(module, site, slot)
            if function is not None and not module.is_async_slot(function) and not module.is_async_close(function):
                yield self.report(site, func=function.name)

    @staticmethod
    def _connected_coroutine(module: Module, site: CallSite, slot: ast.expr) -> Optional[FunctionInfo]:
        """The ``async def`` a slot stands for: named, through ``functools.partial``, or called
        by a lambda (whose coroutine Qt drops just the same)."""
        slot = module.unwrap_partial(slot, site.scope)
        if isinstance(slot, ast.Lambda) and isinstance(slot.body, ast.Call):
            slot = slot.body.func
        function = module.function_referenced(slot, site.scope)
        return function if function is not None and function.is_async else None


def _is_plain_object_attribute(module: Module, site: CallSite) -> bool:
    """``self.db.connect(f)`` where ``self.db = Database()``: an object, not a signal."""
    parts = dotted_parts(site.receiver)
    if parts is None or len(parts) < 2:
        return False
    bound = module.assignments_to(parts, site.scope)
    return bool(bound) and not any(call.attr in SIGNAL_FACTORIES for call in bound)


@register
class AsyncSlotOnPlainFunction(Rule):
    """`@asyncSlot` decorates a plain `def`.

    Why: `asyncSlot` expects a coroutine function and wraps its call in a task. On a
    plain `def` the body runs synchronously, and qasync then fails trying to schedule its
    return value (`TypeError: a coroutine was expected`) on every emit.

    Fix: make the method `async def` (and await its work), or use the binding's plain
    slot decorator (`@Slot()`, `@pyqtSlot()`) and keep it synchronous. The codemod
    `async_slot_on_plain_def` does the latter.
    """

    code = "LG502"
    codemods = ("async_slot_on_plain_def",)
    name = "async-slot-on-plain-function"
    message = "@asyncSlot on a plain def; make it async def or remove the decorator"
    invalid = [
        example("""
            from qasync import asyncSlot

            class Tab:
                @asyncSlot()
                def _on_save(self):
                    self.save()
        """),
        example("""
            import qasync

            class Tab:
                @qasync.asyncSlot
                def _on_save(self):
                    self.save()
        """),
    ]
    valid = [
        example("""
            from qasync import asyncSlot

            class Tab:
                @asyncSlot()
                async def _on_save(self):
                    await self.save()
        """),
        example("""
            from PySide6.QtCore import Slot

            class Tab:
                @Slot()
                def _on_save(self):
                    self.save()
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        for function in module.functions:
            if function.is_async:
                continue
            for decorator in function.decorators:
                if module.is_async_slot_decorator(decorator, function.parent_scope):
                    yield self.report(decorator, function.scope)


@register
class QtExecInQasyncModule(Rule):
    """`QApplication.exec()` runs the application in a module that uses qasync.

    Why: `app.exec()` starts Qt's own event loop, which knows nothing of asyncio: every
    `@asyncSlot` and task waits forever (or runs only when some other code pumps the
    qasync loop). With qasync, the qasync loop must drive the application.

    The application is any instance of `QApplication`, `QGuiApplication`,
    `QCoreApplication` or a same-file subclass (bound here, in an enclosing function or at
    module level), `X.instance()` (also bound to a name, or as `X.instance() or X(argv)`),
    `qApp`, `QApplication(argv).exec()` chained, and the static `QApplication.exec()`.

    Fix: `qasync.run(main())`, `asyncio.run(main(), loop_factory=QEventLoop)`, or
    `with loop: loop.run_forever()` on the `QEventLoop`. A dialog's `exec()` is not
    concerned. The codemod `qasync_runs_application` runs the `QEventLoop` the start-up
    made instead (`loop.run_forever()` returns what `exec()` returned).
    """

    code = "LG503"
    codemods = ("qasync_runs_application",)
    name = "qt-exec-in-qasync-module"
    message = "{call}() runs Qt's own loop, not the qasync loop; drive the app with qasync.run() or loop.run_forever()"
    invalid = [
        example("""
            import sys, qasync
            from PySide6.QtWidgets import QApplication

            def main():
                app = QApplication(sys.argv)
                return app.exec()
        """),
        example("""
            import sys, qasync
            from PyQt5.QtWidgets import QApplication

            if __name__ == '__main__':
                sys.exit(QApplication.instance().exec_())
        """),
        example("""
            import sys, qasync
            from PySide6.QtWidgets import QApplication

            def main():
                app = QApplication.instance() or QApplication(sys.argv)
                sys.exit(app.exec())
        """),
    ]
    valid = [
        example("""
            import qasync

            async def main():
                window = MainWindow()
                window.show()
                await window.closed.wait()

            if __name__ == '__main__':
                qasync.run(main())
        """),
        example("""
            import qasync

            def ask(dialog):
                return dialog.exec()
        """),
        example("""
            import sys
            from PySide6.QtWidgets import QApplication

            app = QApplication(sys.argv)
            sys.exit(app.exec())
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        if not module.imports_qasync:
            return
        for site in module.method_calls(("exec", "exec_")):
            if self._is_application(module, site):
                yield self.report(site, call=f"{_spelled(site.receiver)}.{site.attr}")

    @staticmethod
    def _is_application(module: Module, site: CallSite) -> bool:
        """The application: the class itself (static ``QApplication.exec()``), ``qApp``, a call
        that makes or finds it chained (``QApplication(argv).exec()``,
        ``(QApplication.instance() or QApplication(argv)).exec()``), or a name or attribute bound
        to one (here, in an enclosing function, or at module level; ``app = X.instance() or
        X(argv)`` binds either)."""
        receiver = site.receiver
        scope = site.scope
        if isinstance(receiver, ast.BoolOp) and isinstance(receiver.op, ast.Or):
            return any(
                isinstance(operand, ast.Call) and _makes_application(module, operand, scope) for operand in receiver.values
            )
        if isinstance(receiver, ast.Call):
            return _makes_application(module, receiver, scope)
        if module.resolve(receiver, scope) == "Qt.qApp" or _is_application_class(module, receiver, scope):
            return True
        parts = dotted_parts(receiver)
        return parts is not None and any(
            _makes_application(module, bound.node, bound.name_scope) for bound in module.assignments_to(parts, scope)
        )


def _spelled(receiver: ast.expr) -> str:
    """The receiver as a message names it: ``app``, ``QApplication()``,
    ``(QApplication.instance() or QApplication())``."""
    if isinstance(receiver, ast.BoolOp):
        return "(" + " or ".join(_spelled(operand) for operand in receiver.values) + ")"
    return receiver_name(receiver) + ("()" if isinstance(receiver, ast.Call) else "")


def _makes_application(module: Module, call: ast.Call, scope: Scope) -> bool:
    """``QApplication(argv)`` or ``QApplication.instance()`` (any application class)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "instance":
        func = func.value
    return _is_application_class(module, func, scope)


def _is_application_class(module: Module, node: ast.AST, scope: Scope) -> bool:
    """``QApplication`` (any binding, or qasync's re-export) or a subclass of it in this file."""
    if module.resolve(node, scope) in APPLICATION_CLASSES:
        return True
    cls = module.same_file_class(node, scope)
    return cls is not None and module.inherits_from(cls, APPLICATION_CLASSES)
