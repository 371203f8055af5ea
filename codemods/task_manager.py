"""Where a registered task's TaskManager lives, and the edits that create it: a class attribute
``_task_manager`` (read as ``self._task_manager``), or a module-level ``_task_manager`` placed
after the imports."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import libcst as cst

from .syntax import body_statements, is_docstring

# The attribute (in methods) and module-level name that hold the TaskManager.
MANAGER_ATTRIBUTE = "_task_manager"
MODULE_MANAGER = "_task_manager"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_of(class_def: cst.ClassDef) -> Optional[cst.FunctionDef]:
    """The class's ``__init__``: the last one defined, as Python keeps it (``@overload`` stubs
    come before the real one)."""
    inits = [
        statement
        for statement in body_statements(class_def)
        if isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__"
    ]
    return inits[-1] if inits else None


class _ManagerAssignmentFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.found = self.found or _names_manager(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.found = self.found or _names_manager(node.target)


def _names_manager(target: cst.BaseExpression) -> bool:
    if isinstance(target, cst.Attribute):
        return target.attr.value == MANAGER_ATTRIBUTE
    return isinstance(target, cst.Name) and target.value == MANAGER_ATTRIBUTE


def assigns_manager(node: cst.CSTNode) -> bool:
    """Whether the class (methods or body) already assigns ``_task_manager`` somewhere."""
    finder = _ManagerAssignmentFinder()
    node.visit(finder)
    return finder.found


def _after_docstring(body: Sequence[cst.BaseStatement]) -> int:
    return 1 if body and is_docstring(body[0]) else 0


def ensure_class_manager(class_name: str) -> Callable[[cst.CSTNode], cst.CSTNode]:
    """``_task_manager = TaskManager()`` as a class attribute, when the class has no manager.

    A class attribute exists before any ``__init__`` runs: when a base class's ``__init__`` calls
    a method that registers a task, when a task is made before ``super().__init__()``, in every
    subclass, and in a mixin whose own ``__init__`` the MRO would never run. The TaskManager
    instances share one registry, so one per class is as good as one per instance. It goes after
    the docstring and the class attributes the body opens with.
    """

    def edit(class_def: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(class_def, cst.ClassDef)
        if assigns_manager(class_def) or not isinstance(class_def.body, cst.IndentedBlock):
            return class_def
        body = list(class_def.body.body)
        after_docstring = _after_docstring(body)
        at = after_docstring
        while at < len(body) and isinstance(body[at], cst.SimpleStatementLine):
            at += 1
        attribute = cst.parse_statement(f"{MANAGER_ATTRIBUTE} = {class_name}()\n")
        if at == after_docstring and at > 0:
            attribute = attribute.with_changes(leading_lines=(cst.EmptyLine(indent=False),))
        if at < len(body) and not any(line.comment is None for line in body[at].leading_lines[:1]):
            body[at] = body[at].with_changes(leading_lines=(cst.EmptyLine(indent=False), *body[at].leading_lines))
        body.insert(at, attribute)
        return class_def.with_changes(body=class_def.body.with_changes(body=body))

    return edit


def _is_import_line(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def ensure_module_manager(class_name: str) -> Callable[[cst.CSTNode], cst.CSTNode]:
    def edit(module: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(module, cst.Module)
        for statement in module.body:
            if isinstance(statement, cst.SimpleStatementLine) and assigns_manager(statement):
                return module
        body = list(module.body)
        # After the docstring and the leading import block: where AddImportsVisitor puts the
        # TaskManager import, so the import comes first.
        at = _after_docstring(body)
        while at < len(body) and _is_import_line(body[at]):
            at += 1
        assignment = cst.parse_statement(f"{MODULE_MANAGER} = {class_name}()\n")
        if at > 0:
            assignment = assignment.with_changes(leading_lines=(cst.EmptyLine(indent=False),))
        if at < len(body) and not body[at].leading_lines:
            body[at] = body[at].with_changes(leading_lines=(cst.EmptyLine(indent=False),))
        body.insert(at, assignment)
        return module.with_changes(body=body)

    return edit
