"""Invariant 3: Qt reaches async code only through qasync's ``@asyncSlot``."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from ..model import ASYNC_SLOT_DECORATORS, CallSite, FunctionInfo, Module, dotted_parts, receiver_name
from .base import Finding, Rule, example, register

SIGNAL_FACTORIES = frozenset({"Signal", "pyqtSignal", "SignalInstance"})
APPLICATION_CLASSES = frozenset({"Qt.QApplication", "Qt.QGuiApplication", "Qt.QCoreApplication", "qasync.QApplication"})


@register
class CoroutineSlotWithoutAsyncSlot(Rule):
    """An `async def` is connected to a Qt signal without `@asyncSlot`.

    Why: Qt calls the slot like any function. Calling an `async def` only creates a
    coroutine object; Qt drops it, the body never runs, and Python warns "coroutine was
    never awaited" long after the click. A lambda that calls the coroutine function has
    the same fate.

    Fix: decorate the method with `@qasync.asyncSlot()`, which schedules the coroutine on
    the qasync loop and reports its exceptions.
    """

    code = "LG501"
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
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        if not module.imports_qt:
            return
        for site in module.method_calls(("connect",)):
            # `<x>.<signal>.connect(f)`: a bare `db.connect(f)` is no signal.
            if not isinstance(site.receiver, ast.Attribute) or not site.node.args:
                continue
            if _is_plain_object_attribute(module, site):
                continue
            function = self._connected_coroutine(module, site, site.node.args[0])
            if function is not None and not module.is_async_slot(function):
                yield self.report(site, func=function.name)

    @staticmethod
    def _connected_coroutine(module: Module, site: CallSite, slot: ast.expr) -> Optional[FunctionInfo]:
        scope = site.scope
        if isinstance(slot, ast.Lambda) and isinstance(slot.body, ast.Call):
            slot = slot.body.func
        function = module.function_referenced(slot, scope)
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

    Fix: make the method `async def` (and await its work), or drop the decorator.
    """

    code = "LG502"
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
                if module.decorator_name(decorator, function.parent_scope) in ASYNC_SLOT_DECORATORS:
                    yield self.report(decorator, function.scope)


@register
class QtExecInQasyncModule(Rule):
    """`QApplication.exec()` runs the application in a module that uses qasync.

    Why: `app.exec()` starts Qt's own event loop, which knows nothing of asyncio: every
    `@asyncSlot` and task waits forever (or runs only when some other code pumps the
    qasync loop). With qasync, the qasync loop must drive the application.

    Fix: `qasync.run(main())`, `asyncio.run(main(), loop_factory=QEventLoop)`, or
    `with loop: loop.run_forever()` on the `QEventLoop`. A dialog's `exec()` is not
    concerned.
    """

    code = "LG503"
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
                receiver = receiver_name(site.receiver) + ("()" if isinstance(site.receiver, ast.Call) else "")
                yield self.report(site, call=f"{receiver}.{site.attr}")

    @staticmethod
    def _is_application(module: Module, site: CallSite) -> bool:
        receiver = site.receiver
        if (
            isinstance(receiver, ast.Call)
            and isinstance(receiver.func, ast.Attribute)
            and receiver.func.attr == "instance"
        ):
            receiver = receiver.func.value
        if module.resolve(receiver, site.scope) in APPLICATION_CLASSES:
            return True
        parts = dotted_parts(receiver)
        return parts is not None and any(
            bound.qualified in APPLICATION_CLASSES for bound in module.assignments_to(parts, site.scope)
        )
