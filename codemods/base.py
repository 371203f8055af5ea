"""The shared base of the loopguard codemods: the linter finds, libcst rewrites.

A codemod is a :class:`FindingCodemod`: it names the codes it ``fixes`` and says how one found
call is rewritten (:meth:`FindingCodemod.rewrite`). The base does the rest, once per module:

1. gets the module's findings: from ``context.scratch[SCRATCH_LINT]`` when ``loopguard migrate``
   chains the codemods (``loopguard_codemods.pipeline``), else it lints ``tree.code`` itself with
   ``flake8_loopguard.core.engine.check_source`` (``context.filename`` and the :class:`Config` in
   ``scratch[SCRATCH_CONFIG]``, else the default one), which is what ``python -m libcst.tool
   codemod`` gets;
2. drops the findings whose line carries a ``# noqa`` covering their code;
3. maps each finding to the libcst ``Call`` that starts where the finding is (``ast`` and
   libcst agree on the first line; the column is converted from ``ast``'s UTF-8 byte offset to
   libcst's character offset). Calls that start at the same place (``a.b().c()``) are tried
   from the innermost outwards and the first one :meth:`FindingCodemod.is_target` accepts wins;
4. calls ``rewrite(node, finding)`` as the transformer leaves that call, and records the
   outcome: a fix (``scratch[SCRATCH_FIXES][NAME] += 1``) or, when ``rewrite`` returns
   :class:`LeaveForHuman`, a :class:`HumanNote` (``scratch[SCRATCH_NOTES]``, also emitted as a
   libcst warning so that ``libcst.tool`` prints it);
5. lets libcst's ``AddImportsVisitor``/``RemoveImportsVisitor`` add and drop imports
   (``self.add_needed_import``, ``self.remove_unused_import``, :meth:`remove_imports_of`): the
   added lines and names go where isort puts them and only side-effect-free modules are dropped
   (:mod:`import_order`).

Rewrites bigger than one call (a whole method, a class's ``__init__``) hook in with:

- ``rewrite`` returning ``None`` ("handled at a larger scope") and ``leave_FunctionDef`` /
  ``leave_ClassDef`` overrides that ask :meth:`FindingCodemod.findings_within` for the
  fixable findings inside the original node, and report each with :meth:`record_fix` or
  :meth:`leave_for_human`;
- :meth:`FindingCodemod.defer_edit`: "when the transformer leaves this original node, pass its
  updated form through this function" (used to add a statement to an enclosing class's
  ``__init__`` or to the module);
- :attr:`FindingCodemod.ancestors`: the original nodes enclosing the node being left
  (``ancestors[-1]`` is its parent); the finding itself says where it is (its enclosing
  definition, whether it runs in a coroutine, the called name, its span);
- :meth:`FindingCodemod.register_task`: wrap a task in ``<manager>.add_task(task,
  name="pkg.module:Class:method")`` (``#2``... for a second registration at one site; wrapped
  as black would when the line is too long), scheduling the TaskManager's import and creation;
  :meth:`FindingCodemod.registration_problem` says first why a task must not be registered there
  (among the reasons, :meth:`FindingCodemod.task_manager_unavailable`: no import of it resolves);
  a worker base of the runtime comes from the same module, after
  :meth:`FindingCodemod.runtime_name_unavailable`.

Every fixable, not silenced finding ends up either fixed or noted for a human: a finding no
node was found for is noted too, so the summary never loses one.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from bisect import bisect_left
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path, PurePath
from typing import Callable, ClassVar, Dict, Hashable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple, Union

import libcst as cst
from libcst.codemod import Codemod, CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import CodeRange, PositionProvider, Scope, ScopeProvider

from flake8_loopguard.core.config import DEFAULT_CONFIG, Config
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.noqa import is_silenced, noqa_lines, source_lines
from flake8_loopguard.core.findings import Finding

from .import_order import IsortPlacedImports, safe_removals
from .layout import dotted_module_name, package_name
from .metadata import TreeMetadata
from .project_style import style_for
from .qt_imports import QtImports
from .registration_layout import wrapped_registrations
from .scaffold import DEFAULT_TASK_MANAGER
from .syntax import dotted, instance_parameter, variable_names
from .task_manager import (
    MANAGER_ATTRIBUTE,
    MODULE_MANAGER,
    ModuleManagers,
    assigns_manager,
    ensure_class_manager,
    ensure_module_manager,
    init_of,
    quoted,
)

# Keys of ``CodemodContext.scratch`` shared by the codemods and the pipeline.
SCRATCH_LINT = "loopguard.lint"  # LintedSource: the findings of the tree about to be transformed
SCRATCH_CONFIG = "loopguard.config"  # Config used to lint (default: DEFAULT_CONFIG)
SCRATCH_TASK_MANAGER = "loopguard.task_manager"  # "module:Name" of the project's TaskManager
SCRATCH_NOTES = "loopguard.left_for_human"  # List[HumanNote], appended to by every codemod
SCRATCH_FIXES = "loopguard.fixes"  # Dict[codemod NAME, number of findings fixed]
SCRATCH_METADATA = "loopguard.metadata"  # TreeMetadata of the tree the last codemod was handed
SCRATCH_CHAIN = "loopguard.chain"  # NAMEs of the codemods the pipeline runs on this file, in order
SCRATCH_PLACEMENT = "loopguard.placement"  # placement.RuntimePlacement: chooses each file's TaskManager import
SCRATCH_TASK_MANAGER_IMPORT = "loopguard.task_manager_import"  # placement.TaskManagerImport of this file



@dataclass(frozen=True)
class LintedSource:
    """A source text and the linter's findings for it (noqa not applied)."""

    source: str
    findings: Tuple[Finding, ...]


@dataclass(frozen=True)
class LeaveForHuman:
    """What ``rewrite`` returns when it will not touch the code: why, in one sentence."""

    reason: str


@dataclass(frozen=True)
class HumanNote:
    """A finding left for a human: 1-based line (in the source the codemod saw), why.

    ``codemod`` is the NAME of the codemod that looked at it; the pipeline uses ``""`` for a
    finding no selected codemod looked at.
    """

    line: int
    code: str
    codemod: str
    reason: str


Rewritten = Union[cst.BaseExpression, LeaveForHuman, None]


class TaskRegistrationRefused(Exception):
    """``register_task`` was called where :meth:`FindingCodemod.registration_problem` has a reason
    not to register a task: the codemod must ask it first and leave the task for a human."""


class TaskManagerUnavailable(TaskRegistrationRefused):
    """``register_task`` was called in a file from which no TaskManager import resolves: the codemod
    must ask :meth:`FindingCodemod.task_manager_unavailable` first and leave the task for a human."""


def char_column(line_text: str, byte_col: int) -> int:
    """``ast``'s UTF-8 byte column -> libcst's character column on the same line."""
    return len(line_text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def module_name_of(context: CodemodContext) -> str:
    """The module part of a task name: the file's dotted module name, read from its package path
    (``shop/orders.py`` in the package ``shop`` -> ``shop.orders``, ``shop/__init__.py`` ->
    ``shop``, a file in no package -> its stem), the name Python imports it by.

    Not libcst's ``full_module_name`` from a repository root: ``libcst.tool`` and ``loopguard
    migrate`` must name a task alike, and only the tool knows a root.
    """
    if not context.filename:
        return "module"
    path = PurePath(context.filename)
    module = dotted_module_name(Path(path))
    if module == "__init__" and path.parent.name:  # a package's __init__.py not on disk (a test)
        return path.parent.name
    return module


def task_name(module: str, context: str) -> str:
    """``"module:Class:method"`` from a module name and a finding's dotted context."""
    return ":".join([module, *context.split(".")]) if context else module


# A `name="..."` keyword in the source: the task names a module uses already.
_NAME_KEYWORD = re.compile(r"""\bname\s*=\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)')""")


def names_in_use(source: str) -> Set[str]:
    """The string literals ``source`` passes as ``name=`` (a task's name among them)."""
    return {double or single for double, single in _NAME_KEYWORD.findall(source)}


def unique_task_name(name: str, taken: Set[str]) -> str:
    """``name``, or ``name#2``, ``name#3``... for the second and later registrations at one site."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}#{number}"
    return candidate


class FindingCodemod(VisitorBasedCodemodCommand):
    """Rewrites the calls the linter found; subclasses set ``NAME``, ``DESCRIPTION``, ``fixes``.

    ``NAME`` is the codemod's module name (what ``loopguard migrate --select`` takes);
    ``fixes`` the codes it fixes. Subclasses implement :meth:`rewrite` and, when several calls
    can start at the same place, :meth:`is_target`.
    """

    NAME: ClassVar[str] = ""
    DESCRIPTION: ClassVar[str] = ""
    fixes: ClassVar[Tuple[str, ...]] = ()
    # Reasons that only say a site is not this codemod's shape ("not an is_running branch"):
    # the summary prefers any other codemod's reason for the same finding.
    NOT_ITS_SHAPE: ClassVar[Tuple[str, ...]] = ()
    METADATA_DEPENDENCIES = (PositionProvider,)
    # True for a codemod that rewrites only the calls of its findings (through ``rewrite``) and the
    # nodes around them (through ``defer_edit`` and ``leave_X`` hooks that ask
    # :meth:`findings_within`): the transform then descends only into the nodes that hold one of
    # its findings' calls, and leaves the rest of the tree unvisited (the same result, node for node).
    VISITS_ONLY_FINDINGS: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        # A visit_X hook gathers facts from every node of its type: those outside the findings'
        # ancestors would go unseen. Such a codemod must visit the whole tree.
        hooks = sorted(name for name in vars(cls) if name.startswith("visit_"))
        if cls.VISITS_ONLY_FINDINGS and hooks:
            raise TypeError(f"{cls.__name__}: VISITS_ONLY_FINDINGS leaves nodes unvisited, but it defines {', '.join(hooks)}")

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._targets: Optional[List[Tuple[int, int]]] = None  # sorted starts of the findings' calls
        self._pending: Dict[Tuple[int, int], List[Finding]] = {}
        self._fixable: List[Tuple[Tuple[int, int], Finding]] = []
        self._settled: set = set()
        self._ancestors: List[cst.CSTNode] = []
        self._current: Optional[cst.CSTNode] = None
        self._deferred: Dict[cst.CSTNode, Dict[Hashable, Callable[[cst.CSTNode], cst.CSTNode]]] = {}
        self._asyncio_name: Optional[str] = None
        self._changed = False  # whether a hook or a rewrite replaced any node
        self._linted = LintedSource("", ())
        self._source_lines: List[str] = []
        self._managers: Optional[ModuleManagers] = None  # how the module gets its TaskManagers
        self._task_names: Optional[Set[str]] = None  # the task names the module uses, once a task is registered
        self._registrations: Set[int] = set()  # ids of the registrations written, laid out when too long

    # ----- what a codemod writes ---------------------------------------------

    @abstractmethod
    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        """The replacement for ``node`` (the call as updated so far), or ``LeaveForHuman``.

        ``None`` means "handled at a larger scope" (see :meth:`findings_within`): the base
        then records nothing for this finding. A replacement equal to the call is noted for a
        human, never counted as a fix. ``self.ancestors`` holds the original nodes
        around the call (``ancestors[-1]`` is its parent). Abstract, so that ``libcst.tool
        list`` shows only the real codemods.
        """

    @classmethod
    def declines(cls, source: str, findings: Sequence[Finding]) -> Optional[str]:
        """Why this codemod can rewrite nothing in ``source``, seen from its text and the
        module's ``findings`` alone (no libcst parse); None when it may. The pipeline then skips
        it, and when every codemod declines, the file is never parsed by libcst."""
        return None

    @classmethod
    def claimed(cls, module_findings: Sequence[Finding]) -> Sequence[Finding]:
        """The module's findings this codemod answers for (default: all; of those, it fixes the
        codes in ``fixes``).

        A finding it does not claim is neither rewritten nor noted by it, not even when the
        codemod declines the file: a codemod that fixes a code only in one shape of code (a
        worker class) leaves the others to the codemods that fix the other shapes.
        """
        return module_findings

    @classmethod
    def has_work(cls, scratch: Mapping[str, object]) -> bool:
        """Whether what the caller handed over (``scratch``: a plan made over the whole project)
        gives this codemod something to rewrite here, findings or not (a caller of a function
        that becomes a coroutine has no finding of its own)."""
        return False

    @classmethod
    def planned_notes(cls, scratch: Mapping[str, object], findings: Sequence[Finding]) -> Optional[List["HumanNote"]]:
        """When what the caller handed over says the codemod rewrites nothing here: why, for each
        of ``findings`` it fixes (the pipeline then skips it, without a libcst parse). None: it
        may rewrite something, or was handed nothing."""
        return None

    def is_target(self, node: cst.Call, finding: Finding) -> bool:
        """Whether the original call ``node``, which starts where ``finding`` is, is the one it reports.

        Calls sharing a start (``asyncio.get_event_loop().run_until_complete(x)``) are offered
        innermost first; the default takes the innermost.
        """
        return True

    # ----- the transform -------------------------------------------------------

    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module) -> Iterator[cst.Module]:
        """libcst's hook that resolves the codemod's metadata for ``module``, changed in one way:
        the metadata of a tree is resolved once and shared through ``scratch[SCRATCH_METADATA]``
        by every codemod handed that same tree."""
        shared = self.context.scratch.get(SCRATCH_METADATA)
        if shared is None or shared.tree is not module:
            manager, filename = self.context.metadata_manager, self.context.filename
            cache = manager.get_cache_for_path(filename) if manager is not None and filename else {}
            shared = TreeMetadata.of_transformed(module, cache)
            self.context.scratch[SCRATCH_METADATA] = shared
        outer_wrapper = self.context.wrapper
        with self.resolve(shared.wrapper):
            self.context = replace(self.context, wrapper=shared.wrapper)
            try:
                yield shared.wrapper.module
            finally:
                self.context = replace(self.context, wrapper=outer_wrapper)
                if self._changed:
                    # The next codemod gets another tree: let this one's metadata go now, before
                    # libcst's import visitors resolve theirs.
                    self.context.scratch.pop(SCRATCH_METADATA, None)

    def _instantiate_and_run(self, transform: "type[Codemod]", tree: cst.Module) -> cst.Module:
        # libcst runs its AddImportsVisitor here after the transform: ours puts each import where
        # isort would, reading only the module's top (TopLevelAddImports).
        if transform is AddImportsVisitor:
            return IsortPlacedImports(self.context, first_party=self._runtime_top_names()).transform_module(tree)
        if transform is RemoveImportsVisitor:
            requested = self.context.scratch[RemoveImportsVisitor.CONTEXT_KEY]
            removals = safe_removals(requested, style_for(self.context.filename))
            self.context.scratch[RemoveImportsVisitor.CONTEXT_KEY] = removals
        return super()._instantiate_and_run(transform, tree)

    def remove_imports_of(self, removed: cst.CSTNode) -> None:
        """Drop the top-level imports that the names of ``removed`` (code the rewrite takes out)
        use, when nothing else uses them any more (``RemoveImportsVisitor``'s check). Without
        libcst's scope analysis: a name read in ``removed`` (not an attribute after a dot) that a
        top-level import binds."""
        imports = QtImports(self.module.body).names
        for name in sorted({name.value for name in variable_names([removed])}):
            bound = imports.get(name)
            if bound is not None:
                self.remove_unused_import(bound.module, bound.obj, bound.asname)

    def _runtime_top_names(self) -> Tuple[str, ...]:
        """The top-level name of the runtime module the file imports its TaskManager from: first
        party, although ``migrate`` may create it only after the rewrite."""
        scratch = self.context.scratch
        choice = scratch.get(SCRATCH_TASK_MANAGER_IMPORT)
        module = choice.module if choice is not None and not choice.unavailable else ""
        module = module or str(scratch.get(SCRATCH_TASK_MANAGER, DEFAULT_TASK_MANAGER)).partition(":")[0]
        return (module.partition(".")[0],) if module else ()

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        self._load_findings(tree)
        if not self._fixable:
            raise SkipFile(f"no {'/'.join(self.fixes)} finding to fix")
        if self.VISITS_ONLY_FINDINGS:
            self._targets = sorted({key for key, _ in self._fixable})
        transformed = super().transform_module_impl(tree)
        # Nothing replaced: the tree handed in, not its rebuilt equal (the pipeline then keeps its metadata).
        return transformed if self._changed else tree

    def _load_findings(self, tree: cst.Module) -> None:
        linted = self.context.scratch.get(SCRATCH_LINT)
        if linted is None:
            source = tree.code
            linted = LintedSource(source, tuple(check_source(source, self.context.filename or "<string>", self.config)))
        self._linted = linted
        self._source_lines = source_lines(linted.source)
        silenced = noqa_lines(self._source_lines)
        for finding in self.claimed(linted.findings):
            if finding.code not in self.fixes or is_silenced(finding.code, silenced.get(finding.line)):
                continue
            key = self.start_of(finding)
            self._pending.setdefault(key, []).append(finding)
            self._fixable.append((key, finding))

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._current = node
        visit_children = super().on_visit(node)
        self._ancestors.append(node)
        return visit_children and (self._targets is None or self._holds_target(node))

    def _holds_target(self, node: cst.CSTNode) -> bool:
        where = self.get_metadata(PositionProvider, node, None)
        if where is None:
            return True
        index = bisect_left(self._targets, (where.start.line, where.start.column))
        return index < len(self._targets) and self._targets[index] <= (where.end.line, where.end.column)

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        self._ancestors.pop()
        self._current = original_node
        result = super().on_leave(original_node, updated_node)
        if isinstance(original_node, cst.Call) and isinstance(result, cst.Call) and self._pending:
            result = self._rewrite_found_call(original_node, result)
        edits = self._deferred.pop(original_node, None)
        if edits and isinstance(result, cst.CSTNode):
            for edit in edits.values():
                result = edit(result)
        if isinstance(original_node, cst.Module):
            self._note_unlocated()
        if result is not updated_node:
            self._changed = True
        return result

    def _rewrite_found_call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        start = self.get_metadata(PositionProvider, original).start
        found = self._pending.get((start.line, start.column))
        if not found:
            return updated
        chosen = next((finding for finding in found if self.is_target(original, finding)), None)
        if chosen is None:
            return updated
        # One rewrite per call: every finding of this codemod at the call shares its outcome.
        del self._pending[(start.line, start.column)]
        outcome = self.rewrite(updated, chosen)
        if outcome is None:
            return updated
        if not isinstance(outcome, LeaveForHuman) and outcome.deep_equals(updated):
            outcome = LeaveForHuman("the codemod's rewrite would leave this code as it is")
        for finding in found:
            if isinstance(outcome, LeaveForHuman):
                self.leave_for_human(finding, outcome.reason)
            else:
                self.record_fix(finding)
        return updated if isinstance(outcome, LeaveForHuman) else outcome

    def _note_unlocated(self) -> None:
        # A finding no rewrite and no larger-scope hook settled is still reported, never lost.
        for _, finding in self._fixable:
            if finding not in self._settled:
                self.leave_for_human(finding, "the codemod did not find code it could rewrite here")

    # ----- outcomes --------------------------------------------------------------

    def record_fix(self, finding: Finding) -> None:
        """Count ``finding`` as fixed by this codemod."""
        if finding in self._settled:
            return
        self._settled.add(finding)
        fixes = self.context.scratch.setdefault(SCRATCH_FIXES, {})
        fixes[self.NAME] = fixes.get(self.NAME, 0) + 1

    def leave_for_human(self, finding: Finding, reason: str) -> None:
        """Note ``finding`` as left for a human, with why (also a libcst warning)."""
        if finding in self._settled:
            return
        self._settled.add(finding)
        self.context.scratch.setdefault(SCRATCH_NOTES, []).append(
            HumanNote(finding.line, finding.code, self.NAME, reason)
        )
        self.warn(f"line {finding.line}: {finding.code} left for a human: {reason}")

    # ----- context for larger rewrites ----------------------------------------------

    @property
    def config(self) -> Config:
        """The configuration the module is linted with (``scratch[SCRATCH_CONFIG]``, else the default)."""
        return self.context.scratch.get(SCRATCH_CONFIG, DEFAULT_CONFIG)

    @property
    def module_findings(self) -> Tuple[Finding, ...]:
        """Every finding of the module being transformed: all codes, ``noqa`` not applied."""
        return self._linted.findings

    @property
    def ancestors(self) -> Sequence[cst.CSTNode]:
        """The original nodes enclosing the node being visited or left, outermost first.

        ``ancestors[-1]`` is the parent of the node that ``visit_X``, ``leave_X`` or
        ``rewrite`` is handling.
        """
        return self._ancestors

    @property
    def current_node(self) -> Optional[cst.CSTNode]:
        """The original form of the node being visited or left (``rewrite`` gets the updated one)."""
        return self._current

    def position(self, original_node: cst.CSTNode) -> CodeRange:
        """The original node's range: 1-based lines, 0-based character columns.

        A decorated ``FunctionDef``/``ClassDef`` starts at its first decorator.
        """
        return self.get_metadata(PositionProvider, original_node)

    def scope_of(self, original_node: cst.CSTNode) -> Optional[Scope]:
        """libcst's scope of an original node (``ScopeProvider``; a function's own scope is that of
        its body). Resolved when first asked, not declared in ``METADATA_DEPENDENCIES``: a file
        pays for scopes only when a rewrite asks, and once per tree for every codemod (the
        shared wrapper keeps it)."""
        return self.context.wrapper.resolve(ScopeProvider).get(original_node)

    def start_of(self, finding: Finding) -> Tuple[int, int]:
        """Where libcst starts the node ``finding`` is at: its line and character column (``ast``'s
        columns are UTF-8 byte offsets), in the module being transformed."""
        lines = self._source_lines
        line_text = lines[finding.line - 1] if finding.line <= len(lines) else ""
        return finding.line, char_column(line_text, finding.col)

    def findings_within(self, original_node: cst.CSTNode) -> List[Finding]:
        """The fixable, not silenced findings located inside an original node, in source order."""
        where = self.position(original_node)
        first = (where.start.line, where.start.column)
        last = (where.end.line, where.end.column)
        return [finding for key, finding in self._fixable if first <= key <= last]

    def defer_edit(self, original_node: cst.CSTNode, key: Hashable, edit: Callable[[cst.CSTNode], cst.CSTNode]) -> None:
        """Apply ``edit`` to ``original_node``'s updated form when the transformer leaves it.

        Only an enclosing node (one of :attr:`ancestors`, or the node being visited) is left
        later; ``key`` makes repeated requests (one per finding in a class) a single edit.
        """
        self._deferred.setdefault(original_node, {}).setdefault(key, edit)

    def asyncio_attr(self, name: str) -> cst.Attribute:
        """``asyncio.<name>`` as the module spells asyncio (``aio.sleep``), importing it when absent."""
        if self._asyncio_name is None:
            self._asyncio_name = _top_level_import_name(self.module, "asyncio")
        if self._asyncio_name is None:
            self.add_needed_import("asyncio")
            return cst.Attribute(cst.Name("asyncio"), cst.Name(name))
        return cst.Attribute(cst.Name(self._asyncio_name), cst.Name(name))

    # ----- the TaskManager -----------------------------------------------------------

    def task_manager_unavailable(self) -> Optional[str]:
        """Why no TaskManager import resolves from this file (its tasks are left for a human), or None.

        ``loopguard migrate`` chooses the import per file (``scratch[SCRATCH_PLACEMENT]``: inside the
        installed package, the project's own TaskManager, ...); a codemod run alone by
        ``libcst.tool`` makes the same choice but imports only a module that exists, since it cannot
        create one; a caller that sets ``scratch[SCRATCH_TASK_MANAGER]`` alone gets that import.
        """
        choice = self._task_manager_import()
        return choice.unavailable if choice is not None and choice.unavailable else None

    def _task_manager_import(self):  # type: ignore[no-untyped-def]
        scratch = self.context.scratch
        if SCRATCH_TASK_MANAGER_IMPORT in scratch:
            return scratch[SCRATCH_TASK_MANAGER_IMPORT]
        placement = scratch.get(SCRATCH_PLACEMENT)
        if placement is None:
            if SCRATCH_TASK_MANAGER in scratch or not self.context.filename:
                return None
            from .placement import RuntimePlacement

            placement = RuntimePlacement(scaffolds=False, cwd=Path.cwd())
        choice = placement.choose(Path(self.context.filename), self._linted.source)
        scratch[SCRATCH_TASK_MANAGER_IMPORT] = choice
        return choice

    def runtime_name_unavailable(self, name: str) -> Optional[str]:
        """Why this file cannot import ``name`` (a worker base) from the module of its TaskManager, or None.

        The same module as the TaskManager's (:meth:`task_manager_spec`), chosen by the same
        placement: it must resolve, exist with ``name`` or be created by the run, and not replace a
        name the file binds already.
        """
        choice = self._task_manager_import()
        if choice is None:
            return None  # scratch[SCRATCH_TASK_MANAGER] given alone: its module, as given
        from .placement import runtime_name_unavailable

        return runtime_name_unavailable(choice, Path(self.context.filename or "<string>"), self._linted.source, name)

    def task_manager_spec(self) -> str:
        """``module:Name`` of the TaskManager this file imports (see :meth:`task_manager_unavailable`)."""
        choice = self._task_manager_import()
        if choice is None:
            return self.context.scratch.get(SCRATCH_TASK_MANAGER, DEFAULT_TASK_MANAGER)
        if choice.unavailable:
            raise TaskManagerUnavailable(choice.unavailable)
        return choice.spec

    def register_task(self, task: cst.BaseExpression, finding: Finding) -> cst.Call:
        """``<manager>.add_task(task, name="module:Class:method")`` for the node being left.

        In a method (first parameter ``self`` or any name, not a static/class method) the
        manager is ``self._task_manager``: a class attribute ``_task_manager = TaskManager()``
        when the class assigns it nowhere (it exists before any ``__init__`` runs); elsewhere, and
        in a decorated class that assigns none, it is the module-level ``_task_manager``, created
        after the imports. The TaskManager class is imported from :meth:`task_manager_spec`
        (``"module:Name"``, the placement's choice) when the manager is created. Raises
        :class:`TaskRegistrationRefused` (:class:`TaskManagerUnavailable` where no import of it
        resolves) when :meth:`registration_problem`, which the codemod asks first, has a reason.
        """
        unavailable = self.task_manager_unavailable()
        if unavailable is not None:
            raise TaskManagerUnavailable(unavailable)
        problem = self.registration_problem(finding)
        if problem is not None:
            raise TaskRegistrationRefused(problem)
        module, _, class_name = self.task_manager_spec().partition(":")
        managers = self._module_managers()
        owner = self._manager_owner()
        if owner is None:
            manager: cst.BaseExpression = cst.Name(MODULE_MANAGER)
            if not managers.has_manager(None):
                self._import_task_manager(module, class_name)
                self.defer_edit(self.module, ("module manager", class_name), ensure_module_manager(class_name))
        else:
            class_def, receiver = owner
            manager = cst.Attribute(cst.Name(receiver), cst.Name(MANAGER_ATTRIBUTE))
            if not managers.has_manager(class_def):
                self._import_task_manager(module, class_name)
                may_have_one = MANAGER_ATTRIBUTE in self._linted.source
                self.defer_edit(class_def, ("class manager", class_name), ensure_class_manager(class_name, may_have_one))
        if self._task_names is None:
            self._task_names = names_in_use(self._linted.source)
        name = unique_task_name(task_name(module_name_of(self.context), finding.context), self._task_names)
        self._task_names.add(name)
        registration = cst.Call(
            func=cst.Attribute(manager, cst.Name("add_task")),
            args=[
                cst.Arg(task, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                cst.Arg(
                    cst.SimpleString(quoted(name)),
                    keyword=cst.Name("name"),
                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                ),
            ],
        )
        self._wrap_when_too_long(registration)
        return registration

    def _wrap_when_too_long(self, registration: cst.Call) -> None:
        """Have the block holding the statement being rewritten lay ``registration`` out as black
        would once it is left, when the statement passes the project's line length."""
        blocks = [node for node in (*self._ancestors, self._current) if isinstance(node, (cst.Module, cst.IndentedBlock))]
        step = self.module.default_indent
        indent = "".join(step if block.indent is None else block.indent for block in blocks[1:])  # type: ignore[union-attr]
        self._registrations.add(id(registration))
        line_length = style_for(self.context.filename).line_length
        edit = partial(wrapped_registrations, registrations=self._registrations, indent=indent, step=step, line_length=line_length)
        self.defer_edit(blocks[-1], "wrap registrations", edit)

    def registration_problem(self, finding: Finding) -> Optional[str]:
        """Why the task ``finding`` is at must not be registered by :meth:`register_task` from
        the node being left; None when it may. The manager it would be registered with must
        take ``add_task(task, name=...)``: one the migration creates, or one the code already
        creates from the configured class or calls that way; never a project's own manager with
        another API, nor through a name the module binds to a class of its own; and never from
        code that a worker's private loop runs in another thread (the task would belong to that
        loop, out of the main loop's shutdown: the worker is the problem to fix first)."""
        if finding.private_loop_worker:
            return (
                f"the code runs on the private event loop of {finding.private_loop_worker}() in another thread: "
                "a task registered here would belong to that loop; fix the worker first"
            )
        unavailable = self.task_manager_unavailable()
        if unavailable is not None:
            return unavailable
        owner = self._manager_owner()
        return self._module_managers().problem(owner[0] if owner is not None else None)

    def _import_task_manager(self, module: str, class_name: str) -> None:
        if not self._module_managers().imports_class:
            self.add_needed_import(module, class_name)

    def _module_managers(self) -> ModuleManagers:
        """The module's managers, judged against the TaskManager the placement chose for this file."""
        if self._managers is None:
            package = package_name(Path(self.context.filename)) if self.context.filename else ""
            self._managers = ModuleManagers(
                self.module, self.position, self.task_manager_spec(), package, self._linted.source or None
            )
        return self._managers

    def _manager_owner(self) -> Optional[Tuple[cst.ClassDef, str]]:
        """The class whose ``self._task_manager`` (and the name ``self`` has) a task registered at
        the current node goes to; None for the module's manager."""
        chain = [*self._ancestors, self._current]
        for index in range(len(chain) - 1, -1, -1):
            function = chain[index]
            if not isinstance(function, cst.FunctionDef):
                continue
            owner = chain[index - 2] if index >= 2 else None
            if not isinstance(owner, cst.ClassDef) or not isinstance(chain[index - 1], cst.IndentedBlock):
                return None  # a plain function, or a function nested in a method
            receiver = instance_parameter(function)
            if receiver is None:
                return None
            # The cheap questions first: most classes have no decorator, and the last one visits the class.
            if owner.decorators and init_of(owner) is None and not assigns_manager(owner):
                return None  # a class decorator may rebuild the class or take its attributes for fields
            return owner, receiver
        return None


def _top_level_import_name(module: cst.Module, wanted: str) -> Optional[str]:
    """The name a top-level ``import wanted [as alias]`` binds, or None."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Import):
                continue
            for alias in small.names:
                name = dotted(alias.name)
                if name == wanted and alias.asname is not None:
                    return alias.asname.name.value  # type: ignore[union-attr]
                if (name == wanted or name.startswith(wanted + ".")) and alias.asname is None:
                    return wanted  # `import asyncio.subprocess` binds `asyncio` too
    return None
