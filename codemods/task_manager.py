"""Where a registered task's TaskManager lives, and the edits that create it: a class attribute
``_task_manager`` (read as ``self._task_manager``), or a module-level ``_task_manager`` placed
after the imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst
from libcst.metadata import CodeRange

from .layout import absolute_module
from .syntax import assigned_targets, body_statements, dotted, is_docstring

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


@lru_cache(maxsize=256)  # asked for every finding in the class; nodes are immutable, hashed by identity
def assigns_manager(node: cst.CSTNode) -> bool:
    """Whether the class (methods or body) already assigns ``_task_manager`` somewhere."""
    finder = _ManagerAssignmentFinder()
    node.visit(finder)
    return finder.found


def _after_docstring(body: Sequence[cst.BaseStatement]) -> int:
    return 1 if body and is_docstring(body[0]) else 0


def ensure_class_manager(class_name: str, may_have_one: bool = True) -> Callable[[cst.CSTNode], cst.CSTNode]:
    """``_task_manager = TaskManager()`` as a class attribute, when the class has no manager.

    A class attribute exists before any ``__init__`` runs: when a base class's ``__init__`` calls
    a method that registers a task, when a task is made before ``super().__init__()``, in every
    subclass, and in a mixin whose own ``__init__`` the MRO would never run. The TaskManager
    instances share one registry, so one per class is as good as one per instance. It goes after
    the docstring and the class attributes the body opens with. ``may_have_one``: False when
    the module's text spells no ``_task_manager`` (the rewrite adds only reads of it), so that the
    class is not searched for one.
    """

    def edit(class_def: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(class_def, cst.ClassDef)
        if (may_have_one and assigns_manager(class_def)) or not isinstance(class_def.body, cst.IndentedBlock):
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


# ----- whether the manager a task would be registered with takes add_task(task, name=...) -------


@dataclass
class ManagerMentions:
    """What one scope (a class body and its methods, or the module) does with ``_task_manager``."""

    assignments: List[Tuple[int, cst.BaseExpression]] = field(default_factory=list)  # (line, value)
    first_use: Optional[int] = None  # the first line that reads it
    takes_named_add_task: bool = False  # it is called as `_task_manager.add_task(..., name=...)`

    def merged(self, other: "ManagerMentions") -> "ManagerMentions":
        uses = [line for line in (self.first_use, other.first_use) if line is not None]
        return ManagerMentions(
            [*self.assignments, *other.assignments],
            min(uses) if uses else None,
            self.takes_named_add_task or other.takes_named_add_task,
        )


class ModuleManagers:
    """Where the module's classes and the module itself get their ``_task_manager``, and what the
    module binds the TaskManager's class name to: gathered once per module."""

    def __init__(
        self,
        module: cst.Module,
        position: Callable[[cst.CSTNode], CodeRange],
        task_manager: str,
        package: str = "",
        source: Optional[str] = None,
    ) -> None:
        """``task_manager``: ``module:Name`` of the TaskManager the file imports; ``package``: the
        package the file's relative imports start from; ``source``: the module's text, if known."""
        self.module_name, _, self.class_name = task_manager.partition(":")
        finder = _ManagerFinder(position, self.module_name, self.class_name, package)
        # A text that spells neither the manager's name nor its class's has nothing to find: the
        # visit (and the positions it reads) would cost a large module more than the rewrite.
        if source is None or MANAGER_ATTRIBUTE in source or self.class_name in source:
            module.visit(finder)
        self.module = finder.module
        self.classes = finder.classes
        self.bases = finder.bases
        self.foreign_class_line = finder.foreign_class_line
        # `from .tasks import TaskManager` is that class: no absolute import of it is added.
        self.imports_class = finder.imports_class

    def problem(self, owner: Optional[cst.ClassDef]) -> Optional[str]:
        """Why a task registered with ``owner``'s ``self._task_manager`` (the module's
        ``_task_manager`` when None) would call a manager not known to take
        ``add_task(task, name=...)``; None when it may."""
        if self.foreign_class_line is not None:
            return (
                f"the module's own {self.class_name} (line {self.foreign_class_line}) is not "
                f"{self.module_name}.{self.class_name}: register the task with it by hand"
            )
        mentions = self.module if owner is None else self._of_class(owner)
        spelled = MODULE_MANAGER if owner is None else f"self.{MANAGER_ATTRIBUTE}"
        if mentions.takes_named_add_task:
            return None
        for line, value in mentions.assignments:
            if not (isinstance(value, cst.Call) and dotted(value.func) == self.class_name):
                return (
                    f"{spelled} is the code's own manager (line {line}), not known to take "
                    f"add_task(task, name=...): register the task with it by hand"
                )
        if not mentions.assignments and mentions.first_use is not None:
            return (
                f"{spelled} is used (line {mentions.first_use}) but assigned elsewhere, a manager "
                f"not known to take add_task(task, name=...): register the task with it by hand"
            )
        return None

    def _of_class(self, owner: cst.ClassDef) -> ManagerMentions:
        """The class's mentions and those of its bases in the module (they share the instance)."""
        mentions = ManagerMentions()
        pending, seen = [owner], set()
        while pending:
            current = pending.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            mentions = mentions.merged(self.classes.get(current, ManagerMentions()))
            pending.extend(self.bases.get(current, ()))
        return mentions

    def has_manager(self, owner: Optional[cst.ClassDef]) -> bool:
        """Whether the class (with its bases in the module), or the module, assigns a manager."""
        mentions = self.module if owner is None else self._of_class(owner)
        return bool(mentions.assignments)


class _ManagerFinder(cst.CSTVisitor):
    def __init__(
        self, position: Callable[[cst.CSTNode], CodeRange], module_name: str, class_name: str, package: str
    ) -> None:
        self.position = position
        self.package = package
        self.module_name = module_name
        self.class_name = class_name
        self.module = ManagerMentions()
        self.classes: Dict[cst.ClassDef, ManagerMentions] = {}
        self.bases: Dict[cst.ClassDef, List[cst.ClassDef]] = {}
        self.foreign_class_line: Optional[int] = None
        self.imports_class = False  # a top-level import binds the class's name to it
        self._by_name: Dict[str, cst.ClassDef] = {}
        self._scopes: List[cst.CSTNode] = []  # enclosing classes and functions

    def _line(self, node: cst.CSTNode) -> int:
        return self.position(node).start.line

    def _foreign(self, node: cst.CSTNode) -> None:
        if not self._scopes and self.foreign_class_line is None:
            self.foreign_class_line = self._line(node)

    def _class_record(self) -> Optional[ManagerMentions]:
        """The mentions of the innermost enclosing class, if any."""
        classes = [scope for scope in self._scopes if isinstance(scope, cst.ClassDef)]
        return self.classes.setdefault(classes[-1], ManagerMentions()) if classes else None

    def _name_record(self) -> Optional[ManagerMentions]:
        """Whose ``_task_manager`` a bare name binds: the module's at top level, a class's in its
        body; None for a local of a function."""
        if not self._scopes:
            return self.module
        return self._class_record() if isinstance(self._scopes[-1], cst.ClassDef) else None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if node.name.value == self.class_name:
            self._foreign(node)
        if not self._scopes:
            self._by_name.setdefault(node.name.value, node)
            names = [dotted(base.value) for base in node.bases]
            self.bases[node] = [self._by_name[name] for name in names if name in self._by_name]
        self._scopes.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.name.value == self.class_name:
            self._foreign(node)
        self._scopes.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name):
                self._imported(bound, same_class=False)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        # `from .runtime import TaskManager` in the package of the chosen `pkg.runtime` is that class.
        module = absolute_module(len(node.relative), dotted(node.module) if node.module is not None else None, self.package)
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name):
                self._imported(bound, same_class=module == self.module_name and dotted(alias.name) == self.class_name)

    def _imported(self, bound: cst.Name, same_class: bool) -> None:
        if bound.value == self.class_name and not same_class:
            self._foreign(bound)
        if same_class and not self._scopes:
            self.imports_class = True
        if bound.value == MODULE_MANAGER and not self._scopes:
            self.module.assignments.append((self._line(bound), bound))  # another module's manager

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            for stored in assigned_targets(target.target):
                self._stored(stored, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._stored(node.target, node.value)

    def _stored(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and target.value == self.class_name:
            self._foreign(target)
        if isinstance(target, cst.Attribute) and target.attr.value == MANAGER_ATTRIBUTE:
            record = self._class_record()
        elif isinstance(target, cst.Name) and target.value == MANAGER_ATTRIBUTE:
            record = self._name_record()
        else:
            return
        if record is not None:
            record.assignments.append((self._line(target), value))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "add_task"):
            return
        receiver = func.value
        if not any(arg.keyword is not None and arg.keyword.value == "name" for arg in node.args):
            return
        if isinstance(receiver, cst.Attribute) and receiver.attr.value == MANAGER_ATTRIBUTE:
            record = self._class_record()
        elif isinstance(receiver, cst.Name) and receiver.value == MANAGER_ATTRIBUTE:
            record = self.module
        else:
            return
        if record is not None:
            record.takes_named_add_task = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        record = self._class_record() if node.attr.value == MANAGER_ATTRIBUTE else None
        if record is not None and record.first_use is None:
            record.first_use = self._line(node)
