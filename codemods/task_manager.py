"""Where a registered task's TaskManager lives, and the edits that create it: an attribute
``self._task_manager`` set in the class's ``__init__`` (an ``__init__`` is added when the class has
none), or a module-level ``_task_manager`` placed after the imports."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import libcst as cst

from .syntax import body_statements, instance_parameter, is_docstring, single_small_statement

# The attribute (in methods) and module-level name that hold the TaskManager.
MANAGER_ATTRIBUTE = "_task_manager"
MODULE_MANAGER = "_task_manager"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_of(class_def: cst.ClassDef) -> Optional[cst.FunctionDef]:
    for statement in body_statements(class_def):
        if isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
            return statement
    return None


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


def _is_super_init(statement: cst.BaseStatement) -> bool:
    """``super().__init__(...)`` or ``Base.__init__(self, ...)`` as a statement."""
    expression = single_small_statement(statement)
    if not isinstance(expression, cst.Expr) or not isinstance(expression.value, cst.Call):
        return False
    func = expression.value.func
    return isinstance(func, cst.Attribute) and func.attr.value == "__init__"


def ensure_class_manager(class_name: str) -> Callable[[cst.CSTNode], cst.CSTNode]:
    def edit(class_def: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(class_def, cst.ClassDef)
        if assigns_manager(class_def) or not isinstance(class_def.body, cst.IndentedBlock):
            return class_def
        body = list(class_def.body.body)
        init = init_of(class_def)
        if init is None:
            # Passes everything on, so construction is unchanged, also for a mixin whose
            # next class in the MRO takes arguments.
            new_init = cst.parse_statement(
                "def __init__(self, *args, **kwargs):\n"
                "    super().__init__(*args, **kwargs)\n"
                f"    self.{MANAGER_ATTRIBUTE} = {class_name}()\n"
            )
            at = _after_docstring(body)
            while at < len(body) and not isinstance(body[at], (cst.FunctionDef, cst.ClassDef)):
                at += 1
            if at < len(body):
                new_init = new_init.with_changes(leading_lines=body[at].leading_lines)
                body[at] = body[at].with_changes(leading_lines=(cst.EmptyLine(indent=False),))
            else:
                new_init = new_init.with_changes(leading_lines=(cst.EmptyLine(indent=False),))
            body.insert(at, new_init)
            return class_def.with_changes(body=class_def.body.with_changes(body=body))
        receiver = instance_parameter(init) or "self"
        init_body = list(body_statements(init))
        at = next((i + 1 for i, statement in enumerate(init_body) if _is_super_init(statement)), None)
        if at is None:
            at = _after_docstring(init_body)
        init_body.insert(at, cst.parse_statement(f"{receiver}.{MANAGER_ATTRIBUTE} = {class_name}()\n"))
        new_init = init.with_changes(body=init.body.with_changes(body=init_body))
        body = [new_init if statement is init else statement for statement in body]
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
