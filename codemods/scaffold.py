"""The runtime module (TaskManager, LoopGuard, shutdown) that rewritten code imports, created where it resolves.

Where each file imports its TaskManager from is chosen by :mod:`placement` (inside the installed
package, the project's own TaskManager, or a loose module where no package is installed). When
the chosen module does not exist yet, ``loopguard migrate`` creates it from
``templates/loop_runtime.py``, and only when some file imports it: a file the run rewrites to
import it, or a file that already imports the TaskManager (or a worker base) from it (a run
interrupted before the module was written, or a module deleted since) while the module is
missing. A converted worker class imports its base from the same module; the module then gets
the worker part of the template (``templates/loop_runtime_workers.py``), on the Qt binding of the
files that import it.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

# Where the rewritten code imports its TaskManager from, unless --task-manager says otherwise.
DEFAULT_TASK_MANAGER = "loop_runtime:TaskManager"


TEMPLATE = Path(__file__).resolve().with_name("templates") / "loop_runtime.py"
# Appended to the runtime module when a rewritten worker class derives from one of its bases; its
# Qt part only when one derives from a Qt base, written on the binding the project imports.
WORKERS_TEMPLATE = TEMPLATE.with_name("loop_runtime_workers.py")
WORKER_BASES = ("ThreadTask",)
QT_WORKER_BASES = ("QThreadTask", "QRunnableTask")
QT_PART = "# ----- Qt workers:"
TEMPLATE_QT_IMPORT = "from PySide6.QtCore import QObject, QTimer, Signal"
QT_BINDINGS = ("PySide6", "PyQt6", "PyQt5", "PySide2", "qtpy")
QT_BINDING_IMPORT = re.compile(r"^\s*(?:from|import)\s+(PySide6|PyQt6|PyQt5|PySide2|qtpy)\b", re.M)
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


def offers_name(module_file: Path, name: str) -> bool:
    """Whether ``from <module> import name`` finds ``name``: defined there, a submodule of a package,
    or possibly brought in by a star import."""
    if defines_name(module_file, name):
        return True
    if module_file.name == "__init__.py" and module_source_path(module_file.parent, name) is not None:
        return True
    try:
        return "import *" in module_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


@dataclass(frozen=True)
class RuntimeParts:
    """The optional parts of the runtime module: the worker bases, and on which Qt binding their Qt part."""

    workers: bool = False
    qt_binding: Optional[str] = None


def qt_import_line(binding: str) -> str:
    """The Qt part's import, on ``binding`` (PyQt names its signals ``pyqtSignal``)."""
    signal = "pyqtSignal as Signal" if binding.startswith("PyQt") else "Signal"
    return f"from {binding}.QtCore import QObject, QTimer, {signal}"


def render_template(target: TaskManagerTarget, parts: RuntimeParts = RuntimeParts()) -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    if parts.workers:
        workers = WORKERS_TEMPLATE.read_text(encoding="utf-8")
        if parts.qt_binding is None:
            workers = workers[: workers.index(QT_PART)].rstrip("\n") + "\n"
        else:
            workers = workers.replace(TEMPLATE_QT_IMPORT, qt_import_line(parts.qt_binding))
        text += "\n\n" + workers
    if target.name != "TaskManager":
        text += f"\n\n{target.name} = TaskManager\n"
    return text


@dataclass(frozen=True)
class RuntimeUser:
    """A file that imports the TaskManager, or a worker base, from the module chosen for it."""

    choice: Any  # placement.TaskManagerImport
    rewritten: bool  # by this run; else it imported the module already (what an earlier run wrote)
    source: str  # its text as the run leaves it


def plan_runtime_module(users: Iterable[RuntimeUser]) -> Tuple[List[NewFile], List[ScaffoldNote]]:
    """The files to create so that the runtime imports of ``users`` resolve, and notes for a human.

    Each missing module is created once, from the template, with the ``__init__.py`` of a package
    it needs, and with the parts its users import (:func:`runtime_parts`: the worker bases, on
    their Qt binding). A module that exists without a name its users import gets a note, so do
    the project's classes named TaskManager that a rewritten file could not use, saying why.
    """
    by_module: Dict[Path, List[RuntimeUser]] = {}
    for user in users:
        if user.choice.module_file is not None:
            by_module.setdefault(user.choice.module_file, []).append(user)
    new_files: List[NewFile] = []
    notes: List[ScaffoldNote] = []
    instead: Dict[Any, List[str]] = {}
    for module_file, module_users in sorted(by_module.items()):
        choice = module_users[0].choice
        target = TaskManagerTarget(choice.module, choice.name)
        sources = [user.source for user in module_users]
        if choice.exists or module_file.exists():
            notes += [
                ScaffoldNote(module_file, 1, f"the rewritten code imports {name} from here; define it")
                for name in runtime_names(target.name)
                if any(imports_name(source, target.module, name) for source in sources)
                and not offers_name(module_file, name)
            ]
        else:
            new_files += _new_module_files(choice.package_root, target, runtime_parts(target, sources))
        for user in module_users:
            for passed_over in user.choice.passed_over if user.rewritten else ():
                used = f"{user.choice.module}.{user.choice.name}"
                if used not in instead.setdefault(passed_over, []):
                    instead[passed_over].append(used)
    notes += [
        ScaffoldNote(
            candidate.path,
            candidate.line,
            f"the rewritten code imports {' and '.join(sorted(used))} instead of this class: {candidate.problem}",
        )
        for candidate, used in sorted(instead.items(), key=lambda item: (item[0].path, item[0].line))
    ]
    return new_files, notes


def runtime_names(task_manager: str) -> Tuple[str, ...]:
    """The names rewritten code imports from the runtime module: its TaskManager and the worker bases."""
    return (task_manager, *WORKER_BASES, *QT_WORKER_BASES)


def imports_runtime(source: str, target: TaskManagerTarget) -> bool:
    """Whether ``source`` imports the TaskManager or a worker base from the runtime module."""
    return any(imports_name(source, target.module, name) for name in runtime_names(target.name))


def runtime_parts(target: TaskManagerTarget, sources: Iterable[str]) -> RuntimeParts:
    """The parts the rewritten ``sources`` need: the workers when one imports a worker base from the
    runtime module, and their Qt part when those files are Qt code (on the binding most of them
    import): a worker started before the loop runs then waits for Qt's loop, which qasync drives."""
    workers = False
    bindings: Counter = Counter()
    for source in sources:
        if any(imports_name(source, target.module, name) for name in (*WORKER_BASES, *QT_WORKER_BASES)):
            workers = True
            bindings.update(dict.fromkeys(QT_BINDING_IMPORT.findall(source), 1))
    if not bindings:
        return RuntimeParts(workers=workers)
    binding = max(QT_BINDINGS, key=lambda name: (bindings[name], -QT_BINDINGS.index(name)))
    return RuntimeParts(workers=True, qt_binding=binding)


def _new_module_files(root: Path, target: TaskManagerTarget, parts: RuntimeParts) -> List[NewFile]:
    *packages, leaf = target.module.split(".")
    files: List[NewFile] = []
    directory = root
    for package in packages:
        directory = directory / package
        if not directory.exists():
            files.append(NewFile(directory / "__init__.py", PACKAGE_DOCSTRING))
    files.append(NewFile(directory / f"{leaf}.py", render_template(target, parts)))
    return files
