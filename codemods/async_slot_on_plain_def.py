"""LG502: ``@asyncSlot`` on a plain ``def`` becomes the binding's plain slot decorator.

qasync's wrapper calls the function, which runs its body at once, then hands its result to
``asyncio.ensure_future`` and fails (``TypeError``) on every call. The function stays
synchronous: ``@asyncSlot(str)`` becomes ``@Slot(str)`` (PySide2/PySide6/qtpy) or
``@pyqtSlot(str)`` (PyQt5/PyQt6), the binding the module already imports; ``Slot`` is imported
from its ``QtCore`` unless the module already reaches it, and ``asyncSlot``'s import goes once
unused.

Which arguments Qt passes depends on the decorator: qasync's varargs wrapper got none from an
overloaded signal (a button's ``clicked``), a plain slot gets as many as its parameters take.
For a function with only required parameters both run the body with the same arguments (or the
wrapper failed before it); a function with optional parameters (or ``*args``) could now get an
argument it did not get before, and is left for a human, as is a module that imports no Qt
binding, or several.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
from libcst.codemod import CodemodContext

from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, Rewritten
from .qt_imports import PLAIN_SLOT, QtImports
from .qt_slots import decorator_name


class AsyncSlotOnPlainDef(FindingCodemod):
    """``@asyncSlot`` on a synchronous function: the binding's plain ``@Slot``."""

    NAME = "async_slot_on_plain_def"
    DESCRIPTION = "@asyncSlot(...) on a plain def -> the binding's @Slot(...) / @pyqtSlot(...)"
    fixes = ("LG502",)

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._imports: Optional[QtImports] = None

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        return None  # ``@asyncSlot()`` is a call: the decorator is rewritten with its function

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        if original_node.asynchronous is not None or not original_node.decorators:
            return updated_node
        findings = [finding for decorator in original_node.decorators for finding in self.findings_within(decorator)]
        if not findings:
            return updated_node
        reason = self._refusal(original_node)
        if reason is not None:
            for finding in findings:
                self.leave_for_human(finding, reason)
            return updated_node
        found_at = {self.start_of(finding): finding for finding in findings}
        decorators = []
        for original, updated in zip(original_node.decorators, updated_node.decorators):
            start = self.position(original.decorator).start
            finding = found_at.get((start.line, start.column))
            if finding is None:
                decorators.append(updated)
                continue
            if decorator_name(original) != "asyncSlot":
                own = decorator_name(original) or "this decorator"
                self.leave_for_human(finding, f"@{own} is not qasync's asyncSlot: what it does besides is for a human")
                decorators.append(updated)
                continue
            decorators.append(self._plain_slot(updated))
            self.record_fix(finding)
        return updated_node.with_changes(decorators=decorators)

    def _refusal(self, function: cst.FunctionDef) -> Optional[str]:
        name = function.name.value
        if _returns_a_value(function):
            return (
                f"{name}() returns a value, which qasync's wrapper schedules (a coroutine it returns runs as a"
                " task): make it async def and await that work by hand"
            )
        params = function.params
        optional = [p.name.value for p in (*params.posonly_params, *params.params) if p.default is not None]
        if optional or isinstance(params.star_arg, cst.Param):
            return (
                f"{name}() takes optional arguments: as a plain slot Qt may pass it arguments qasync's wrapper"
                " did not (clicked(bool)); choose its decorator by hand"
            )
        bindings = self._module_imports().bindings
        if not bindings:
            return f"the module imports no Qt binding: which plain slot decorator {name}() takes is for a human"
        if len(bindings) > 1:
            several = ", ".join(bindings)
            return f"the module imports several Qt bindings ({several}): choose {name}()'s slot decorator by hand"
        return None

    def _plain_slot(self, decorator: cst.Decorator) -> cst.Decorator:
        imports = self._module_imports()
        binding = imports.bindings[0]
        slot_name = PLAIN_SLOT[binding]
        slot = imports.spelled(f"{binding}.QtCore", slot_name)
        if slot is None:
            self.add_needed_import(f"{binding}.QtCore", slot_name)
            slot = cst.Name(slot_name)
        expression = decorator.decorator
        called = expression.func if isinstance(expression, cst.Call) else expression
        bound = imports.binding_of(called)
        if bound is not None:
            self.remove_unused_import(bound.module, bound.obj, bound.asname)
        if isinstance(expression, cst.Call):
            return decorator.with_changes(decorator=expression.with_changes(func=slot))
        return decorator.with_changes(decorator=cst.Call(func=slot))

    def _module_imports(self) -> QtImports:
        if self._imports is None:
            self._imports = QtImports(self.module.body)
        return self._imports



def _returns_a_value(function: cst.FunctionDef) -> bool:
    """A ``return <value>`` in the function's own body (not in the functions it defines)."""
    finder = _ValueReturns(function)
    function.visit(finder)
    return finder.found


class _ValueReturns(cst.CSTVisitor):
    def __init__(self, function: cst.FunctionDef) -> None:
        self.function = function
        self.found = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node is self.function

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        self.found = self.found or (value is not None and not (isinstance(value, cst.Name) and value.value == "None"))
