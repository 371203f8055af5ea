"""The starters of worker classes in other modules: planned once per ``loopguard migrate`` run.

A converted ``QRunnable`` is started by ``worker.start()``; a pool of another module that would
still be handed it (``QThreadPool.globalInstance().start(job)``) must change with it, and what other
modules do with a worker (``loader.wait()``, ``job.signals``) decides whether it may change at all.

:func:`plan_starters` reads the project once: the worker classes (a ``Thread``/``QThread``/
``QRunnable`` subclass whose ``run()`` the linter reports as LG401, in a module that imports Qt),
then every other module that imports one of them, through the project's imports (aliases,
``import pkg.workers``, relative imports, re-exports: :class:`flake8_loopguard.project.Project`),
where its instances are made, kept (in lists and dicts), started by pools and used, as
:func:`.instances.instance_uses` reads them in the worker's own module. Each file gets its part:

- the worker's file: the uses elsewhere (:class:`ExternalUses`), which the codemod weighs with the
  uses of its own module (``Loader.wait() is called at window.py:18, ...``);
- a starter's file: the pool starts to rewrite, ``pool.start(job)`` -> ``job.start()``.

A worker and its starters change together or not at all: each file says what it did
(``SCRATCH_WORKERS_DONE``), and a worker that some file did not carry out is stopped everywhere
(:meth:`StarterPlan.stopped`), its note naming the place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Mapping, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from flake8_loopguard.core.config import Config
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.noqa import source_lines, without_noqa
from flake8_loopguard.core.prefilter import may_have_findings
from flake8_loopguard.project import Project, module_name_for, summarize_imports_only
from flake8_loopguard.project.summary import FunctionSummary

from ..syntax import code_of
from . import worker_class_contexts
from .bases import ModuleImports, thread_base
from .instances import instance_uses

SCRATCH_STARTER_PLAN = "loopguard.starter_plan"  # StarterPart: this file's part of the run's plan
SCRATCH_WORKERS_DONE = "loopguard.workers_done"  # Set[str]: the planned workers this file carried out
QT_WORDS = ("Qt", "qasync", "qtinter", "qtpy")
POOL_START = re.compile(r"\.(?:start|tryStart)\(")

Reports = Callable[[str, str], bool]  # (path, code) -> whether the user's selection reports it


@dataclass(frozen=True)
class PoolHandOver:
    place: str  # "window.py:31"
    pool: str  # the called pool method as written: "QThreadPool.globalInstance().start"
    value_used: bool


@dataclass(frozen=True)
class ExternalUses:
    """What the other modules of the project do with instances of one worker class."""

    attributes: Mapping[str, str] = field(default_factory=dict)  # attribute -> first place
    pool_starts: Tuple[PoolHandOver, ...] = ()
    unknown_pool_starts: Tuple[str, ...] = ()  # places of pools handed what the module cannot tell


@dataclass(frozen=True)
class StarterPart:
    """One file's part of the plan."""

    path: str
    external: Mapping[str, ExternalUses] = field(default_factory=dict)  # worker class here -> uses elsewhere
    refused: Mapping[str, str] = field(default_factory=dict)  # worker class here -> why it is stopped
    starts: Mapping[str, str] = field(default_factory=dict)  # class as spelled here -> worker key

    @property
    def has_starts(self) -> bool:
        return bool(self.starts)


@dataclass(frozen=True)
class PlannedWorker:
    key: str  # "path:Class"
    path: str
    name: str
    kind: str  # "QThread", "QRunnable" or "Thread"
    starters: Mapping[str, str] = field(default_factory=dict)  # file whose pool starts change -> first place


@dataclass(frozen=True)
class StarterPlan:
    files: Mapping[str, StarterPart] = field(default_factory=dict)
    workers: Mapping[str, PlannedWorker] = field(default_factory=dict)  # the workers still planned

    def for_path(self, path: str) -> StarterPart:
        return self.files.get(path) or StarterPart(path)

    def stopped(self, stops: Mapping[str, str]) -> "StarterPlan":
        """The plan without these workers: their starters stay, their classes are left with the reason."""
        files = dict(self.files)
        workers = dict(self.workers)
        for key, why in stops.items():
            worker = workers.pop(key, None)
            if worker is None:
                continue
            part = files.get(worker.path) or StarterPart(worker.path)
            files[worker.path] = replace(part, refused={**part.refused, worker.name: why})
            for path in worker.starters:
                part = files[path]
                files[path] = replace(part, starts={k: v for k, v in part.starts.items() if v != key})
        return StarterPlan(files, workers)


def worker_key(path: str, name: str) -> str:
    return f"{os.path.normpath(path)}:{name}"


def plan_starters(sources: Mapping[str, str], config: Config, reports: Optional[Reports] = None) -> StarterPlan:
    """The plan over the files ``sources`` holds (path -> text)."""
    workers = _workers(sources, config, reports)
    if not workers:
        return StarterPlan()
    names = {path: module_name_for(path, config.project_root) for path in sources}
    summaries = {path: summarize_imports_only(source, path, names[path]) for path, source in sources.items()}
    for worker in workers.values():
        summaries[worker.path].functions[worker.name] = FunctionSummary(0)  # resolvable, like a function
    project = Project(list(summaries.values()))
    by_node = {(names[w.path], w.name): w for w in workers.values()}
    class_names = re.compile(r"\b(?:" + "|".join(sorted({re.escape(w.name) for w in workers.values()})) + r")\b")

    attributes: Dict[str, Dict[str, str]] = {key: {} for key in workers}
    pool_starts: Dict[str, List[PoolHandOver]] = {key: [] for key in workers}
    unknown: Dict[str, List[str]] = {key: [] for key in workers}
    starts: Dict[str, Dict[str, str]] = {}  # path -> spelling -> key
    starters: Dict[str, Dict[str, str]] = {key: {} for key in workers}
    for path, source in sources.items():
        spellings = _spellings(summaries[path], project, by_node, path) if class_names.search(source) else {}
        # A pool of a module that names no worker may still be handed one (a runner's parameter).
        if not spellings and not _may_start_a_pool(source):
            continue
        shown = os.path.normpath(path)
        try:
            wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
        except (cst.ParserSyntaxError, RecursionError):
            # Its pool starts cannot be read: the file fails when it is migrated, which stops them.
            for key in set(spellings.values()):
                starters[key].setdefault(path, shown)
            continue
        positions = wrapper.resolve(PositionProvider)
        uses = instance_uses(wrapper.module, set(spellings), lambda node: positions[node])

        def place(line: int) -> str:
            return f"{shown}:{line}"

        for spelling, used in uses.attributes.items():
            for attribute, line in used.items():
                attributes[spellings[spelling]].setdefault(attribute, place(line))
        for start in uses.pool_starts:
            key = spellings[start.class_name]
            line = positions[start.call].start.line
            pool_starts[key].append(PoolHandOver(place(line), code_of(start.call.func), start.value_used))
            if workers[key].kind == "QRunnable":  # a thread handed to a pool stops its worker
                starts.setdefault(path, {})[start.class_name] = key
                starters[key].setdefault(path, place(line))
        for line in uses.unknown_pool_starts:
            for key, worker in workers.items():
                # A worker's own module weighs its own pools (the codemod reads them there).
                if worker.kind == "QRunnable" and worker.path != path:
                    unknown[key].append(place(line))

    files: Dict[str, StarterPart] = {path: StarterPart(path, starts=spelled) for path, spelled in starts.items()}
    for key, worker in workers.items():
        uses_elsewhere = ExternalUses(attributes[key], tuple(pool_starts[key]), tuple(unknown[key]))
        part = files.get(worker.path) or StarterPart(worker.path)
        files[worker.path] = replace(part, external={**part.external, worker.name: uses_elsewhere})
    planned = {key: replace(worker, starters=starters[key]) for key, worker in workers.items()}
    return StarterPlan(files, planned)


def _may_start_a_pool(source: str) -> bool:
    return bool(POOL_START.search(source)) and ("globalInstance" in source or "pool" in source.lower())


def _workers(sources: Mapping[str, str], config: Config, reports: Optional[Reports]) -> Dict[str, PlannedWorker]:
    """The module-level worker classes the codemod may convert: LG401 at their ``run()``, in a module with Qt."""
    found: Dict[str, PlannedWorker] = {}
    for path, source in sources.items():
        if "def run" not in source or not any(word in source for word in QT_WORDS):
            continue
        if not may_have_findings(source, config):
            continue
        try:
            findings = check_source(source, path, config)
            module = cst.parse_module(source)
        except (SyntaxError, ValueError, RecursionError, cst.ParserSyntaxError):
            continue  # reported when the file itself is migrated
        findings = [f for f in findings if reports is None or reports(path, f.code)]
        contexts = worker_class_contexts(without_noqa(findings, source_lines(source)))
        if not contexts:
            continue
        imports = ModuleImports()
        module.visit(imports)
        for statement in module.body:
            if isinstance(statement, cst.ClassDef) and statement.name.value in contexts:
                base, _why = thread_base(statement, imports)
                if base is not None:
                    key = worker_key(path, statement.name.value)
                    found[key] = PlannedWorker(key, path, statement.name.value, base.kind)
    return found


def _spellings(summary, project: Project, by_node, path: str) -> Dict[str, str]:  # type: ignore[no-untyped-def]
    """How the module spells the workers of other modules: ``Job`` (``from jobs import Job``),
    ``jobs.Job`` (``import jobs``), ``w.Job`` (``import pkg.jobs as w``) -> worker key."""
    found: Dict[str, str] = {}
    for local, target in summary.imports.items():
        node = project.resolve(target, summary.module)
        worker = by_node.get(node) if node is not None else None
        if worker is not None and worker.path != path:
            found[local] = worker.key
            continue
        for (module, name), worker in by_node.items():
            if worker.path == path:
                continue
            if project.resolve(f"{target}.{name}", summary.module) == (module, name):
                found[f"{local}.{name}"] = worker.key
            elif module.startswith(f"{target}."):  # `import pkg.jobs`, then `pkg.jobs.Job(...)`
                found[f"{local}{module[len(target):]}.{name}"] = worker.key
    return found
