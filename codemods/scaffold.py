"""The runtime module (TaskManager, LoopGuard, shutdown) that rewritten code imports, created where it resolves.

Where each file imports its TaskManager from is chosen by :mod:`placement` (inside the installed
package, the project's own TaskManager, or a loose module where no package is installed). When
the chosen module does not exist yet, ``loopguard migrate`` creates it from
``templates/loop_runtime.py``, and only when some file imports it: a file the run rewrites to
import it, or a file that already imports the TaskManager from it (a run interrupted before the
module was written, or a module deleted since) while the module is missing.
"""

from __future__ import annotations

import ast
import keyword
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .base import DEFAULT_TASK_MANAGER

TEMPLATE = Path(__file__).resolve().with_name("templates") / "loop_runtime.py"
PACKAGE_DOCSTRING = '"""Runtime support for the one event loop (created by loopguard migrate)."""\n'


@dataclass(frozen=True)
class TaskManagerTarget:
    """``module:Name``: where the rewritten code imports its TaskManager from."""

    module: str
    name: str

    @classmethod
    def parse(cls, spec: str) -> "TaskManagerTarget":
        module, sep, name = spec.partition(":")
        parts = module.split(".") + [name]
        if not sep or not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
            raise ValueError(f"--task-manager must be module:Name (e.g. {DEFAULT_TASK_MANAGER}), not {spec!r}")
        return cls(module, name)

    def __str__(self) -> str:
        return f"{self.module}:{self.name}"


@dataclass(frozen=True)
class NewFile:
    path: Path
    content: str


@dataclass(frozen=True)
class ScaffoldNote:
    """Something about the runtime module a human must do: ``path:line`` and why."""

    path: Path
    line: int
    reason: str


def imports_module(source: str, module: str) -> bool:
    """Whether ``source`` imports ``module`` absolutely (``import m`` or ``from m import ...``)."""
    if module.rsplit(".", 1)[-1] not in source:
        return False
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == module:
            return True
        if isinstance(node, ast.Import) and any(alias.name == module for alias in node.names):
            return True
    return False


def imports_name(source: str, module: str, name: str) -> bool:
    """Whether ``source`` has ``from module import name`` (absolute): the import the codemods write."""
    if name not in source or module.rsplit(".", 1)[-1] not in source:
        return False
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return any(
        isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module == module
        and any(alias.name == name for alias in node.names)
        for node in ast.walk(tree)
    )


def module_source_path(root: Path, module: str) -> Optional[Path]:
    """The existing file of ``module`` under ``root`` (``a/b.py`` or ``a/b/__init__.py``), if any."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def defines_name(path: Path, name: str) -> bool:
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(target, ast.Name) and target.id == name for target in targets):
                return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
                return True
    return False


def render_template(target: TaskManagerTarget) -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    if target.name != "TaskManager":
        text += f"\n\n{target.name} = TaskManager\n"
    return text


def plan_runtime_module(users: Iterable[Tuple[str, Any, bool]]) -> Tuple[List[NewFile], List[ScaffoldNote]]:
    """The files to create so that the TaskManager imports of ``users`` resolve, and notes for a human.

    ``users`` holds ``(path, choice, rewritten)`` for each file that imports its chosen module
    (a ``placement.TaskManagerImport``): a file the run rewrote to import it, or one left
    unchanged that already does (what an earlier, interrupted run wrote). Each missing module is
    created once, from the template, with the ``__init__.py`` of a package it needs; the
    project's classes named TaskManager that a rewritten file could not use get a note saying why.
    """
    files: Dict[Path, List[NewFile]] = {}
    instead: Dict[Any, List[str]] = {}
    for _path, choice, rewritten in users:
        if choice.module_file is None:
            continue
        if not choice.exists and not choice.module_file.exists() and choice.module_file not in files:
            target = TaskManagerTarget(choice.module, choice.name)
            files[choice.module_file] = _new_module_files(choice.package_root, target)
        for passed_over in choice.passed_over if rewritten else ():
            used = f"{choice.module}.{choice.name}"
            if used not in instead.setdefault(passed_over, []):
                instead[passed_over].append(used)
    new_files = [new_file for module_file in sorted(files) for new_file in files[module_file]]
    notes = [
        ScaffoldNote(
            candidate.path,
            candidate.line,
            f"the rewritten code imports {' and '.join(sorted(used))} instead of this class: {candidate.problem}",
        )
        for candidate, used in sorted(instead.items(), key=lambda item: (item[0].path, item[0].line))
    ]
    return new_files, notes


def _new_module_files(root: Path, target: TaskManagerTarget) -> List[NewFile]:
    *packages, leaf = target.module.split(".")
    files: List[NewFile] = []
    directory = root
    for package in packages:
        directory = directory / package
        if not directory.exists():
            files.append(NewFile(directory / "__init__.py", PACKAGE_DOCSTRING))
    files.append(NewFile(directory / f"{leaf}.py", render_template(target)))
    return files
