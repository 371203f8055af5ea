"""Which TaskManager one file's rewritten code imports, chosen so that the import resolves.

In order (see :mod:`layout` for what resolves from where):

1. ``--task-manager module:Name`` wins: the module where the file's imports find it, else created
   where they would (inside the package its first name is; a new top-level module only where
   no installed package is involved, since a wheel would not ship it).
2. Else a class named ``TaskManager`` the project already has, with the runtime's API
   (:func:`project_task_manager.api_problem`) and reachable from the file: the scaffolded runtime
   module from an earlier run first, then one in the file's own package, then any.
3. Else the runtime module, ``loop_runtime``: INSIDE an installed package (``pkg/loop_runtime.py``,
   imported as ``pkg.loop_runtime``) for every file of the package, and for a script, test or
   example outside it that imports the package (or when the project installs only that one);
   in a project without installed packages, a loose ``loop_runtime.py`` at the outermost folder
   the file's imports search, except that a file outside the project's packages (a test or an
   example beside an undeclared package) must import something from the project to reach it.
   ``loopguard migrate`` creates the module when it does not exist; a codemod run alone cannot.

A file from which no such import would resolve, or that already binds the name to something
else, gets no import: its tasks are left for a human with the reason.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

from .layout import FileLayout, absolute_module, has_packages, module_exists_in, package_name, src_layout
from .project_task_manager import CLASS_NAME, ProjectTaskManager, project_task_managers
from .scaffold import TaskManagerTarget, defines_name, imports_runtime, module_source_path, offers_name, runtime_names

RUNTIME_MODULE = "loop_runtime"


@dataclass(frozen=True)
class TaskManagerImport:
    """``from module import name`` for one file, or why no import of a TaskManager resolves from it."""

    module: str = ""
    name: str = ""
    module_file: Optional[Path] = None  # where the module is, or is to be created from the template
    package_root: Optional[Path] = None  # the folder its dotted name starts from
    exists: bool = False
    passed_over: Tuple[ProjectTaskManager, ...] = ()  # the project's TaskManager classes it could not use
    unavailable: str = ""  # why nothing can be imported; then the other fields are empty

    @property
    def spec(self) -> str:
        return f"{self.module}:{self.name}"


def unavailable(reason: str) -> TaskManagerImport:
    return TaskManagerImport(unavailable=reason)


@dataclass(frozen=True)
class SettledFile:
    imported: Optional[TaskManagerImport]  # the runtime import the file has (TaskManager or a worker base)
    unresolved: Optional[str]  # an import the rewrite added that would not resolve, described


@dataclass(frozen=True)
class RuntimePlacement:
    """Chooses each file's TaskManager import. ``scaffolds``: whether the run creates a missing
    runtime module (``loopguard migrate``), or may only import one that exists (a codemod alone)."""

    target: Optional[TaskManagerTarget] = None  # --task-manager
    scaffolds: bool = True
    cwd: Path = Path(".")

    def choose(self, path: Path, source: str) -> TaskManagerImport:
        layout = FileLayout.of(path, source, self.cwd)
        choice = self._explicit(layout) if self.target is not None else self._found_or_runtime(layout)
        if choice.unavailable:
            return choice
        line = conflicting_binding(source, layout.package_name, choice.module, choice.name)
        if line is not None:
            return unavailable(
                f"this module already binds {choice.name} (line {line}); importing {choice.module}.{choice.name} "
                "would replace it"
            )
        if not choice.exists and not self.scaffolds:
            return unavailable(
                f"{choice.module} ({_shown(choice.module_file)}) does not exist yet: `loopguard migrate` creates it, "
                "a codemod run alone cannot"
            )
        return choice

    def settle(self, path: str, before: str, after: str, chosen: Optional[TaskManagerImport]) -> "SettledFile":
        """What migrating one file left: its import of the TaskManager or of a worker base from the
        chosen module (which the run creates when missing), and an import the rewrite added that
        would not resolve, if any.

        ``chosen`` is the choice its codemods used; a file no codemod asked about may import from
        the runtime already (what an interrupted run wrote): then the choice is made here.
        """
        file = Path(path)
        name = self.target.name if self.target is not None else CLASS_NAME
        if chosen is None and any(runtime_name in after for runtime_name in runtime_names(name)):
            chosen = self.choose(file, before)
        imported = None
        if chosen is not None and not chosen.unavailable:
            if imports_runtime(after, TaskManagerTarget(chosen.module, chosen.name)):
                imported = chosen
        unresolved = unresolved_import(file, before, after, chosen, self.cwd) if after != before else None
        return SettledFile(imported, unresolved)

    # ----- --task-manager module:Name ---------------------------------------------------------

    def _explicit(self, layout: FileLayout) -> TaskManagerImport:
        assert self.target is not None
        module, name = self.target.module, self.target.name
        top = module.split(".")[0]
        folder = layout.folder_offering(top)
        if folder is not None:
            existing = module_source_path(folder, module)
            if existing is not None:
                if not defines_name(existing, name):
                    return unavailable(f"{module} ({_shown(existing)}) defines no {name}: define it, then run again")
                return TaskManagerImport(module, name, existing, folder, exists=True)
            return TaskManagerImport(module, name, _module_file(folder, module), folder)
        if layout.installed:
            package = self._package_of(layout)
            inside = f"{package.name}.{module}" if package is not None else f"<package>.{module}"
            return unavailable(
                f"{module} does not exist, and a new top-level module would not be installed with the project's "
                f"package: name a module inside it (--task-manager {inside}:{name})"
            )
        home = _loose_home(layout)
        if isinstance(home, str):
            return unavailable(home)
        return TaskManagerImport(module, name, _module_file(home, module), home)

    # ----- the project's own TaskManager, else the runtime module -------------------------------

    def _found_or_runtime(self, layout: FileLayout) -> TaskManagerImport:
        runtime = self._runtime_module(layout)
        reachable = [
            candidate
            for candidate in project_task_managers(layout.project)
            if layout.reaches(candidate.import_root, candidate.module.split(".")[0])
        ]
        usable = [candidate for candidate in reachable if candidate.problem is None]
        passed_over = tuple(candidate for candidate in reachable if candidate.problem is not None)
        if usable:
            runtime_file = runtime.module_file
            own_package = layout.top_package
            tiers = (
                [candidate for candidate in usable if candidate.path == runtime_file],
                [
                    candidate
                    for candidate in usable
                    if own_package is not None and own_package in candidate.path.parents
                ],
                usable,
            )
            chosen = next(tier for tier in tiers if tier)
            if len(chosen) > 1:
                names = ", ".join(sorted(str(candidate) for candidate in chosen))
                return unavailable(
                    f"several classes named TaskManager could serve this file ({names}): choose one with "
                    "--task-manager module:Name"
                )
            found = chosen[0]
            return TaskManagerImport(found.module, CLASS_NAME, found.path, found.import_root, exists=True)
        if runtime.unavailable or runtime.module_file is None:
            return runtime
        if runtime.module_file.is_file():
            taken = next((candidate for candidate in passed_over if candidate.path == runtime.module_file), None)
            if taken is not None:
                return unavailable(
                    f"{taken} ({_shown(taken.path)}:{taken.line}) cannot serve the rewritten code: {taken.problem}"
                )
            if not defines_name(runtime.module_file, CLASS_NAME):
                return unavailable(
                    f"{runtime.module} ({_shown(runtime.module_file)}) defines no {CLASS_NAME}: define it, or name "
                    "another with --task-manager, then run again"
                )
            return replace(runtime, exists=True, passed_over=passed_over)
        return replace(runtime, passed_over=passed_over)

    def _runtime_module(self, layout: FileLayout) -> TaskManagerImport:
        """Where this file's ``loop_runtime`` is, or goes."""
        if layout.installed:
            package = self._package_of(layout)
            if package is None:
                names = ", ".join(sorted(package.name for package in layout.installed))
                return unavailable(
                    f"outside the project's packages ({names}) and imports none of them: which package's runtime "
                    "it should use is for a human to decide (or pass --task-manager module:Name)"
                )
            module = f"{package.name}.{RUNTIME_MODULE}"
            return TaskManagerImport(module, CLASS_NAME, package / f"{RUNTIME_MODULE}.py", package.parent)
        home = _loose_home(layout)
        if isinstance(home, str):
            return unavailable(home)
        return TaskManagerImport(RUNTIME_MODULE, CLASS_NAME, home / f"{RUNTIME_MODULE}.py", home)

    @staticmethod
    def _package_of(layout: FileLayout) -> Optional[Path]:
        """The installed package whose runtime this file uses: its own, the first it imports, or the only one."""
        if layout.in_installed_package:
            return layout.top_package
        by_name = {package.name: package for package in layout.installed}
        imported = [by_name[name] for name in layout.imports if name in by_name]
        if imported:
            return imported[0]
        return layout.installed[0] if len(layout.installed) == 1 else None


def _loose_home(layout: FileLayout) -> "Path | str":
    """The folder a loose runtime module goes to for this file (no installed package involved), or why none.

    The outermost folder its imports search: a test importing the project's modules shares their
    runtime. The file's own folder counts unless it lies outside the packages of a project that
    has some (a test or an example beside them: it reaches them only through its imports).
    """
    folders = [location.folder for location in layout.locations if location.names is None]
    own_root = layout.own_root
    beside_packages = layout.top_package is None and own_root != layout.project and has_packages(layout.project)
    if beside_packages:
        folders = [folder for folder in folders if folder != own_root]
    if not folders:
        return (
            "outside the project's packages, none of which pyproject.toml, setup.py or setup.cfg declares, and "
            "imports none of them: no runtime module would resolve from here"
        )
    return min(folders, key=lambda folder: len(folder.parts))


def _module_file(folder: Path, module: str) -> Path:
    return folder.joinpath(*module.split(".")).with_suffix(".py")


def _shown(path: Optional[Path]) -> str:
    if path is None:
        return ""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def runtime_name_unavailable(choice: TaskManagerImport, path: Path, source: str, name: str) -> Optional[str]:
    """Why ``from <choice.module> import name`` (a worker base the runtime offers beside its TaskManager)
    cannot be added to the file ``path``, or None.

    A module the run creates gets the worker bases its users import; one that exists must define it.
    """
    if choice.unavailable:
        return choice.unavailable
    if choice.exists and choice.module_file is not None and not offers_name(choice.module_file, name):
        return (
            f"{choice.module} ({_shown(choice.module_file)}) defines no {name}: add the worker bases "
            "(loopguard_codemods/templates/loop_runtime_workers.py) to it, then run again"
        )
    line = conflicting_binding(source, package_name(path), choice.module, name)
    if line is not None:
        return f"this module already binds {name} (line {line}); importing {choice.module}.{name} would replace it"
    return None


# ----- the module's own names ------------------------------------------------------------------


def conflicting_binding(source: str, package: str, module: str, name: str) -> Optional[int]:
    """The line where the module binds ``name`` otherwise than by ``from module import name``, if any."""
    if name not in source:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in _module_level(tree.body):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) != name:
                    continue
                if alias.name == name and absolute_module(node.level, node.module, package) == module:
                    continue
                return node.lineno
        elif isinstance(node, ast.Import):
            if any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
                return node.lineno
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name == name:
                return node.lineno
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(target, ast.Name) and target.id == name for target in _flattened(targets)):
                return node.lineno
    return None


def _module_level(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run at module level: also inside ``if``/``try``/``with`` blocks."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.With, ast.AsyncWith)):
            yield from _module_level(node.body)
            yield from _module_level(getattr(node, "orelse", []))
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            for block in (node.body, node.orelse, node.finalbody):  # type: ignore[attr-defined]
                yield from _module_level(block)
            for handler in node.handlers:  # type: ignore[attr-defined]
                yield from _module_level(handler.body)


def _flattened(targets: Sequence[ast.expr]) -> List[ast.expr]:
    flat: List[ast.expr] = []
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            flat += _flattened(target.elts)
        else:
            flat.append(target)
    return flat


# ----- checking what a rewrite added -------------------------------------------------------------


def unresolved_import(
    path: Path, before: str, after: str, choice: Optional[TaskManagerImport], cwd: Path
) -> Optional[str]:
    """The first import the rewrite added to ``path`` that would not resolve from it, described; None when all do.

    An added import resolves when it is the file's chosen TaskManager import or a worker base from
    the same module (the module exists and defines it, or the run creates it with them), or names
    a module of the project that the file's imports reach. An import of the runtime module that
    was not chosen, of another name from a module the run creates, or of a project module the file
    does not reach, does not; third-party modules are not the migration's to check.
    """
    added = sorted(set(_absolute_imports(after)) - set(_absolute_imports(before)))
    if not added:
        return None
    # Where the file's imports search is judged from the imports it had: an added one proves nothing.
    layout = FileLayout.of(path, before, cwd)
    for module, name in added:
        if choice is not None and not choice.unavailable and module == choice.module and not choice.exists:
            if not name or name in runtime_names(choice.name):
                continue  # the run creates it from the template, with the worker bases its users import
            return f"the rewrite would import {name} from {module}, which this run creates without it"
        top = module.split(".")[0]
        folder = layout.folder_offering(top)
        existing = module_source_path(folder, module) if folder is not None else None
        if existing is not None:
            if name and not offers_name(existing, name):
                return f"the rewrite would import {name} from {module} ({_shown(existing)}), which defines no {name}"
            continue
        if folder is not None or top == RUNTIME_MODULE or _in_project(top, layout):
            return f"the rewrite would import {module}, which does not resolve from this file"
    return None


def _in_project(top: str, layout: FileLayout) -> bool:
    src = src_layout(layout.project)
    return module_exists_in(layout.project, top) or (src is not None and module_exists_in(src, top))


def _absolute_imports(source: str) -> List[Tuple[str, str]]:
    """``(module, name)`` of every absolute import (``name`` is "" for ``import module``)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    imports: List[Tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imports.extend((node.module, alias.name) for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Import):
            imports.extend((alias.name, "") for alias in node.names)
    return imports
