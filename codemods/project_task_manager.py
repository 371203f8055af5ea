"""The TaskManager classes a project already has, and whether the rewritten code can use one.

The rewrites call ``TaskManager()`` in every class that registers a task, then
``manager.add_task(task, name="...")``, keeping what ``add_task`` returns (``t = manager.add_task(...)``),
and the shutdown sequence calls ``cleanup_all()``. A project class named ``TaskManager`` is used
only when it offers exactly that (see :func:`api_problem`); one with another API is never called
through the runtime's API: the rewritten code imports the scaffolded runtime instead, and the
summary says why the project's class was passed over.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Tuple

from .layout import dotted_module_name, import_root
CLASS_NAME = "TaskManager"
# Folders never searched: tools' caches, virtual environments are recognised by their pyvenv.cfg.
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})
# A test double named TaskManager must never serve the application's code.
TEST_FOLDERS = frozenset({"test", "tests", "testing"})
# Calls and displays that make a fresh container: an instance attribute set from one in __init__
# is a registry of that instance alone.
CONTAINER_FACTORIES = frozenset({"set", "list", "dict", "WeakSet", "deque", "OrderedDict", "defaultdict"})


@dataclass(frozen=True)
class ProjectTaskManager:
    """``class TaskManager`` at the top level of a project file."""

    path: Path
    line: int
    module: str  # its dotted name, from ``import_root``
    import_root: Path  # the folder its dotted name starts from
    problem: Optional[str]  # why the rewritten code cannot use it; None: it can

    def __str__(self) -> str:
        return f"{self.module}.{CLASS_NAME}"


def is_test_file(path: Path, root: Path) -> bool:
    relative = path.relative_to(root).parts if root in path.parents else path.parts
    name = path.name
    return (
        any(part in TEST_FOLDERS for part in relative[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


@lru_cache(maxsize=None)
def project_task_managers(root: Path) -> Tuple[ProjectTaskManager, ...]:
    """Every top-level ``class TaskManager`` in the project's files (test files left out).

    Read once per project root and process: a file is parsed only when its text names the class.
    """
    found: List[ProjectTaskManager] = []
    needle = f"class {CLASS_NAME}".encode()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".")
            and name not in SKIPPED_FOLDERS
            and not os.path.isfile(os.path.join(folder, name, "pyvenv.cfg"))
        )
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = Path(folder) / name
            if is_test_file(path, root):
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if needle not in data:
                continue
            try:
                tree = ast.parse(data)
            except (SyntaxError, ValueError):
                continue
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and node.name == CLASS_NAME:
                    found.append(
                        ProjectTaskManager(
                            path, node.lineno, dotted_module_name(path), import_root(path), api_problem(node)
                        )
                    )
    return tuple(found)


def api_problem(class_def: ast.ClassDef) -> Optional[str]:
    """Why the rewritten code cannot use this class as its TaskManager, or None when it can.

    Read from the class body alone: a method inherited from a base is one loopguard cannot see.
    """
    methods = {
        node.name: node for node in class_def.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    init = methods.get("__init__")
    if init is not None and _required_arguments(init.args) > 1:
        return "TaskManager() needs arguments, and the rewrite creates one without any"
    add_task = methods.get("add_task")
    if add_task is None:
        return "it defines no add_task()"
    if not _takes_task_and_name(add_task.args):
        return "its add_task() does not take (task, name=...)"
    task = (add_task.args.posonlyargs + add_task.args.args)[1].arg
    if not _returns_name(add_task, task):
        return "its add_task() does not return the task it registers"
    if "cleanup_all" not in methods:
        return "it defines no cleanup_all()"
    own = _per_instance_registry(init, add_task)
    if own is not None:
        return (
            f"each instance keeps its own tasks (self.{own}): the managers the rewrite creates, one per class, "
            "would escape the application's cleanup_all()"
        )
    return None


def _required_arguments(arguments: ast.arguments) -> int:
    positional = arguments.posonlyargs + arguments.args
    required = len(positional) - len(arguments.defaults)
    required_keywords = sum(1 for default in arguments.kw_defaults if default is None)
    return required + required_keywords


def _takes_task_and_name(arguments: ast.arguments) -> bool:
    if len(arguments.posonlyargs + arguments.args) < 2:
        return False
    names = [argument.arg for argument in arguments.args + arguments.kwonlyargs]
    takes_name = "name" in names or arguments.kwarg is not None
    # `add_task(task, name=...)`: every further parameter must have a default.
    required = _required_arguments(arguments)
    return takes_name and required <= 2


def _returns_name(function: ast.AST, name: str) -> bool:
    for node in _own_nodes(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name) and node.value.id == name:
            return True
    return False


def _per_instance_registry(init: Optional[ast.AST], add_task: ast.AST) -> Optional[str]:
    """The attribute ``__init__`` sets to a fresh container and ``add_task`` uses, if any."""
    if init is None:
        return None
    fresh = set()
    for node in _own_nodes(init):
        targets: List[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if not _is_fresh_container(value):
            continue
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                fresh.add(target.attr)
    for node in _own_nodes(add_task):
        if isinstance(node, ast.Attribute) and node.attr in fresh and isinstance(node.value, ast.Name):
            return node.attr
    return None


def _is_fresh_container(value: ast.expr) -> bool:
    if isinstance(value, (ast.Set, ast.List, ast.Dict, ast.SetComp, ast.ListComp, ast.DictComp)):
        return True
    if isinstance(value, ast.Call):
        function = value.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        return name in CONTAINER_FACTORIES
    return False


def _own_nodes(function: ast.AST) -> List[ast.AST]:
    """The nodes of a function's body, nested functions and classes left out."""
    nodes: List[ast.AST] = []
    pending = list(ast.iter_child_nodes(function))
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        nodes.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return nodes
