"""The runtime module (TaskManager, LoopGuard, shutdown) that rewritten code imports, created where it resolves.

The codemods write ``from loop_runtime import TaskManager`` (or the ``--task-manager module:Name``
given). That absolute import resolves from the import root of the file that holds it: the
directory above its top-most package. When no such module exists there yet, ``loopguard migrate``
creates it from ``templates/loop_runtime.py``, and only when some file imports it: a file the run
rewrites to import it, or a file that already imports the TaskManager from it (a run interrupted
before the module was written, or a module deleted since) while the module is missing.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

from .base import DEFAULT_TASK_MANAGER

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


def import_root(path: Path) -> Path:
    """The directory above the top-most package holding ``path`` (a file or a directory)."""
    directory = path if path.is_dir() else path.parent
    directory = directory.resolve()
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory


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


def plan_runtime_module(
    target: TaskManagerTarget, rewritten: Iterable[Tuple[Path, str, str]], importing: Iterable[Path] = ()
) -> Tuple[List[NewFile], List[ScaffoldNote]]:
    """The files to create so that the imports of ``target.module`` resolve.

    ``rewritten`` holds ``(path, source_before, source_after)`` of every changed file;
    ``importing`` the files left unchanged that already import ``target.name`` (or a worker base)
    from the module (what an earlier, interrupted run wrote). Files that newly import the module, and those, are
    grouped by import root; the module goes to the outermost root that holds the others (nested
    roots import through it), else to the root most files share. Files under no chosen root get
    a note, so do modules that exist without the name.
    """
    users: Dict[Path, List[Path]] = {}
    for path, before, after in rewritten:
        if imports_module(after, target.module) and not imports_module(before, target.module):
            users.setdefault(import_root(path), []).append(path)
    for path in importing:
        users.setdefault(import_root(path), []).append(path)
    if not users:
        return [], []
    root = _choose_root(users)
    notes = [
        ScaffoldNote(path, 1, f"imports {target.module}, which resolves from {other}, not from {root}")
        for other, paths in sorted(users.items())
        if other != root and root not in other.parents
        for path in paths
    ]
    sources = [after for _, _, after in rewritten] + [_text_of(path) for path in importing]
    parts = runtime_parts(target, sources)
    existing = module_source_path(root, target.module)
    if existing is not None:
        imported = [
            name
            for name in (*WORKER_BASES, *QT_WORKER_BASES)
            if any(imports_name(source, target.module, name) for source in sources)
        ]
        for name in (target.name, *imported):
            if not defines_name(existing, name):
                notes.append(ScaffoldNote(existing, 1, f"the rewritten code imports {name} from here; define it"))
        return [], notes
    return _new_module_files(root, target, parts), notes


def imports_runtime(source: str, target: TaskManagerTarget) -> bool:
    """Whether ``source`` imports the TaskManager or a worker base from the runtime module."""
    return any(imports_name(source, target.module, name) for name in (target.name, *WORKER_BASES, *QT_WORKER_BASES))


def _text_of(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


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


def _choose_root(users: Dict[Path, List[Path]]) -> Path:
    roots = sorted(users)
    for candidate in roots:
        if all(other == candidate or candidate in other.parents for other in roots):
            return candidate
    counts = Counter({root: len(paths) for root, paths in users.items()})
    return max(roots, key=lambda root: (counts[root], -len(root.parts)))


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
