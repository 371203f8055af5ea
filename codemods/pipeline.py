"""All codemods chained on one libcst parse per file, checked by the linter before and after.

``migrate_source`` is what ``loopguard migrate`` runs for each file:

1. lint the source with the engine (``ast``, behind the prefilter); when no finding is fixable
   by the selected codemods, return the source unchanged without a libcst parse;
2. parse once with libcst and run the selected codemods in :data:`CODEMODS` order on that tree
   and one ``CodemodContext``. A codemod runs only when the current findings hold a code it
   fixes. The tree's libcst metadata is resolved once and shared (``TreeMetadata``): a codemod
   that leaves the tree as it was hands the next one the same tree, metadata included. After a codemod that changed the code, the new code must compile (else
   :class:`UnsafeRewrite`), and it is linted again: the next codemod's positions and findings
   are those of the code it actually transforms (correctness over the cost of an ``ast`` lint,
   which is small next to the libcst work);
3. lint the result: a code found more often after than before is a finding the migration
   introduced, and the whole file is refused (:class:`UnsafeRewrite`); the caller keeps the
   original.

Every finding still present afterwards is left for a human, once, with the most specific
reason a codemod gave for it (see :func:`most_specific`), else "no codemod fixes CODE" or
"codemod NAME is not selected". Lines in ``left_for_human`` are lines of ``source_after``; the
same notes numbered in ``source_before`` (each at the line where the linter finds that finding
in the original) are ``left_for_human_before``: what diff mode shows, the file being as it was.
Findings silenced by ``# noqa`` are left out of every list, as ``loopguard check`` leaves them.
"""

from __future__ import annotations

import difflib
import os
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Collection, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple, Type

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from flake8_loopguard.core.config import DEFAULT_CONFIG, Config
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.noqa import without_noqa
from flake8_loopguard.core.findings import Finding
from flake8_loopguard.project.await_plan import AwaitPlan, FilePlan, PublishedPlan, plan_module
from flake8_loopguard.project.await_plan.plan import Stop

from .base import (
    DEFAULT_TASK_MANAGER,
    SCRATCH_CHAIN,
    SCRATCH_CONFIG,
    SCRATCH_FIXES,
    SCRATCH_LINT,
    SCRATCH_METADATA,
    SCRATCH_NOTES,
    SCRATCH_PLACEMENT,
    SCRATCH_TASK_MANAGER,
    SCRATCH_TASK_MANAGER_IMPORT,
    FindingCodemod,
    HumanNote,
    LintedSource,
    source_lines,
)
from .async_slot_on_plain_def import AsyncSlotOnPlainDef
from .blocking_to_async import BlockingToAsync
from .connected_coroutine_to_async_slot import ConnectedCoroutineToAsyncSlot
from .fire_and_forget_to_task_manager import FireAndForgetToTaskManager
from .get_event_loop_to_running_loop import GetEventLoopToRunningLoop
from .lazy_loop_resource import LazyLoopResource
from .metadata import TreeMetadata
from .loop_thread_to_main_loop import LoopThreadToMainLoop
from .qasync_runs_application import QasyncRunsApplication
from .running_branch_to_task import RunningBranchToTask
from .run_to_await import RunToAwait
from .await_chain.locate import SCRATCH_AWAIT_OUTCOME, SCRATCH_AWAIT_PLAN
from .thread_loop_to_async_slot import ThreadLoopToAsyncSlot
from .worker_class.starters import SCRATCH_STARTER_PLAN, SCRATCH_WORKERS_DONE
from .worker_class_to_task import WorkerClassToTask

# Order matters: whole-class and whole-function rewrites first (they turn workers into coroutines,
# where the call-level codemods then apply; a worker class's run() is its codemod's, before the
# function-level one sees it), task registration after the codemods that create tasks (running
# branches, threads that become tasks).
# The Qt slot codemods come after the rewrites that make slots; the application is driven by
# the qasync loop before a slot codemod needs qasync imported (which would make exec() LG503).
# A long-lived loop thread goes after run_to_await (whose project-wide plan is positioned in the
# file as it was) and before the codemods that fix what its submissions become (tasks, awaits).
CODEMODS: Tuple[Type[FindingCodemod], ...] = (
    WorkerClassToTask,
    ThreadLoopToAsyncSlot,
    RunningBranchToTask,
    RunToAwait,
    LoopThreadToMainLoop,
    QasyncRunsApplication,
    ConnectedCoroutineToAsyncSlot,
    AsyncSlotOnPlainDef,
    FireAndForgetToTaskManager,
    LazyLoopResource,
    GetEventLoopToRunningLoop,
    BlockingToAsync,
)
CODEMODS_BY_NAME: Dict[str, Type[FindingCodemod]] = {codemod.NAME: codemod for codemod in CODEMODS}


# "line 20", "lines 3": a place a reason names, moved with the note.
LINE_IN_REASON = re.compile(r"\b(lines? )(\d+)\b")


class _PlanGivesEdits(Exception):
    """The published plan, read at last, gives the file edits: it is migrated again with them."""


class PlanNotReady(Exception):
    """A file that needed no libcst parse reached the point where it needs the published plan
    before the plan was published: migrating it again once it is costs less than waiting."""


class UnsafeRewrite(Exception):
    """The migrated code does not compile or has a finding the original did not: keep the original."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class MigrationResult:
    path: str
    source_before: str
    source_after: str
    fixes: Dict[str, int] = field(default_factory=dict)  # per codemod NAME
    left_for_human: List[HumanNote] = field(default_factory=list)  # one per finding of findings_after
    left_for_human_before: List[HumanNote] = field(default_factory=list)  # the same, in source_before
    findings_before: List[Finding] = field(default_factory=list)
    findings_after: List[Finding] = field(default_factory=list)
    # placement.TaskManagerImport chosen for the file, when a codemod asked for the TaskManager
    task_manager_import: Optional[Any] = None
    # The chains of the run_to_await plan that could not be rewritten in this file (chain -> why).
    await_failures: Dict[int, str] = field(default_factory=dict)
    # The workers of the starter plan whose part this file carried out (worker_class.starters).
    workers_done: FrozenSet[str] = frozenset()

    @property
    def changed(self) -> bool:
        return self.source_after != self.source_before


def selected_codemods(selected: Optional[Collection[str]] = None) -> Tuple[Type[FindingCodemod], ...]:
    """The codemods named in ``selected`` (all when None), in pipeline order.

    Raises ``ValueError`` naming the unknown ones.
    """
    if selected is None:
        return CODEMODS
    unknown = sorted(set(selected) - set(CODEMODS_BY_NAME))
    if unknown:
        raise ValueError(f"unknown codemod(s): {', '.join(unknown)} (known: {', '.join(CODEMODS_BY_NAME)})")
    return tuple(codemod for codemod in CODEMODS if codemod.NAME in selected)


def migrate_source(
    source: str,
    path: str,
    config: Config = DEFAULT_CONFIG,
    selected: Optional[Collection[str]] = None,
    task_manager: str = DEFAULT_TASK_MANAGER,
    reported: Optional[Callable[[str], bool]] = None,
    placement: Optional[Any] = None,
    await_plan: Optional[AwaitPlan] = None,
    starter_plan: Optional[Any] = None,
) -> MigrationResult:
    """Migrate one module's source. ``SyntaxError`` (input) and :class:`UnsafeRewrite` (output) propagate.

    ``reported`` says which codes the user's selection reports for this file (``select``,
    ``ignore``, ``per-file-ignores``): the others are neither fixed nor listed. ``placement``
    (a ``placement.RuntimePlacement``) chooses the file's TaskManager import when a codemod needs
    one, instead of ``task_manager``. ``await_plan`` is the ``run_to_await`` plan made over the
    whole project (without it, ``run_to_await`` plans over this module alone), or a
    ``PublishedPlan`` still being made: the file is then migrated as if the plan gave it no edit,
    which is what it gives most files (the rewrite is the same: ``run_to_await`` has nothing to
    do), and the plan is read when the notes are written; a file it gives edits is migrated again.
    ``starter_plan`` (a ``worker_class.starters.StarterPlan``) holds the worker classes and their
    starters across modules.
    """
    codemods = selected_codemods(selected)

    def lint(text: str) -> List[Finding]:
        found = check_source(text, path, config)
        return found if reported is None else [finding for finding in found if reported(finding.code)]

    raw_before = lint(source)
    findings_before = _unsilenced(raw_before, source)
    if await_plan is None and RunToAwait in codemods and any(f.code in RunToAwait.fixes for f in findings_before):
        # No plan over a project: the module is the whole program (chains that stay inside it).
        await_plan = plan_module(source, path, config, None if reported is None else lambda _, code: reported(code))
    migrate = partial(_migrate, source, path, config, codemods, task_manager, placement, lint, raw_before, starter_plan)
    if isinstance(await_plan, PublishedPlan):
        if not await_plan.ready:
            try:
                return migrate(await_plan)
            except UnsafeRewrite:
                if not await_plan.for_path(path).has_edits:
                    raise  # the same run as with the plan
            except _PlanGivesEdits:
                pass
        await_plan = await_plan.plan()
    try:
        return migrate(await_plan)
    except UnsafeRewrite as error:
        part = await_plan.for_path(path) if await_plan is not None else None
        if part is None or not part.has_edits:
            raise
        # The file is refused with run_to_await's chains: keep the other codemods' work, and
        # say why the chains stop (the caller stops them in their other files too).
        why = f"in {os.path.normpath(path)}: {error.reason}"
        result = migrate(await_plan.stopped({number: Stop("", why) for number in part.chains}))
        result.await_failures = {number: error.reason for number in part.chains}
        return result


def _migrate(
    source: str,
    path: str,
    config: Config,
    codemods: Sequence[Type[FindingCodemod]],
    task_manager: str,
    placement: Optional[Any],
    lint: Callable[[str], List[Finding]],
    raw_before: List[Finding],
    starter_plan: Optional[Any],
    await_plan: Optional[Any],
) -> MigrationResult:
    findings_before = _unsilenced(raw_before, source)
    result = MigrationResult(path, source, source, findings_before=findings_before, findings_after=findings_before)
    scratch: Dict[str, Any] = {SCRATCH_CONFIG: config, SCRATCH_TASK_MANAGER: task_manager}
    if placement is not None:
        scratch[SCRATCH_PLACEMENT] = placement
    # A plan still being made: no edit here until it says otherwise (see migrate_source).
    pending = isinstance(await_plan, PublishedPlan)
    if await_plan is not None:
        scratch[SCRATCH_AWAIT_PLAN] = FilePlan(path) if pending else await_plan.for_path(path)
    if starter_plan is not None:
        scratch[SCRATCH_STARTER_PLAN] = starter_plan.for_path(path)
    # A codemod that sees from the text alone that it can rewrite nothing here is skipped, its
    # reason noted on its findings; when none is left, libcst never parses the file.
    declined_notes: List[HumanNote] = []
    # (codemod NAME, reason) of the notes that only say "not this codemod's shape".
    generic = {(codemod.NAME, reason) for codemod in codemods for reason in codemod.NOT_ITS_SHAPE}
    willing = []
    planned_at: Dict[Type[FindingCodemod], Tuple[int, int]] = {}  # where each codemod's planned notes are
    for codemod in codemods:
        reason = codemod.declines(source, findings_before)
        planned = codemod.planned_notes(scratch, findings_before)
        if planned is not None:
            planned_at[codemod] = (len(declined_notes), len(declined_notes) + len(planned))
            declined_notes.extend(planned)
        elif reason is None or codemod.has_work(scratch):
            willing.append(codemod)
        else:
            generic.add((codemod.NAME, reason))
            declined_notes.extend(
                HumanNote(finding.line, finding.code, codemod.NAME, reason)
                for finding in codemod.claimed(findings_before)
                if finding.code in codemod.fixes
            )
    fixable = {code for codemod in willing for code in codemod.fixes}
    planned_work = any(codemod.has_work(scratch) for codemod in willing)
    if not planned_work and not any(finding.code in fixable for finding in findings_before):
        if pending:
            if not await_plan.ready:
                raise PlanNotReady(path)
            _read_the_plan(await_plan, path, scratch, findings_before, declined_notes, planned_at)
        result.left_for_human = _left_for_human(findings_before, declined_notes, codemods, generic)
        result.left_for_human_before = list(result.left_for_human)
        return result

    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise UnsafeRewrite(path, f"libcst cannot parse this file: {error.message}") from error
    except RecursionError as error:
        raise UnsafeRewrite(path, "too deeply nested for libcst") from error
    scratch[SCRATCH_CHAIN] = [c.NAME for c in willing]
    context = CodemodContext(filename=path, scratch={**scratch, SCRATCH_METADATA: TreeMetadata.of_parsed(tree)})
    current_source, current_findings = source, raw_before
    # Each step's notes are numbered in the source that step saw; mapped to the result below.
    notes_by_source: List[Tuple[str, List[HumanNote]]] = [(source, declined_notes)]
    for codemod in willing:
        if not any(finding.code in codemod.fixes for finding in current_findings) and not codemod.has_work(scratch):
            continue
        context.scratch[SCRATCH_LINT] = LintedSource(current_source, tuple(current_findings))
        context.scratch[SCRATCH_NOTES] = []
        try:
            transformed = codemod(context).transform_module(tree)
        except SkipFile:
            continue
        except RecursionError as error:
            raise UnsafeRewrite(path, f"{codemod.NAME}: too deeply nested for libcst") from error
        finally:
            # Imports requested by this codemod were applied by it; the next one starts afresh.
            context.scratch.pop(AddImportsVisitor.CONTEXT_KEY, None)
            context.scratch.pop(RemoveImportsVisitor.CONTEXT_KEY, None)
        notes_by_source.append((current_source, context.scratch[SCRATCH_NOTES]))
        new_source = transformed.code
        if new_source != current_source:
            _ensure_compiles(new_source, path, codemod.NAME)
            tree, current_source, current_findings = transformed, new_source, lint(new_source)
        elif transformed is not tree and not transformed.deep_equals(tree):
            tree = transformed
        # else the next codemod gets the same tree, and the metadata already resolved for it

    if pending:
        _read_the_plan(await_plan, path, scratch, findings_before, declined_notes, planned_at)
    findings_after = _unsilenced(current_findings, current_source)
    introduced = Counter(finding.code for finding in findings_after) - Counter(
        finding.code for finding in findings_before
    )
    if introduced:
        codes = ", ".join(sorted(introduced))
        raise UnsafeRewrite(path, f"the rewrite would introduce {codes}; file left unchanged")
    notes = [
        note for before, step_notes in notes_by_source for note in _moved_notes(step_notes, before, current_source)
    ]
    result.source_after = current_source
    result.findings_after = findings_after
    result.fixes = dict(context.scratch.get(SCRATCH_FIXES, {}))
    result.task_manager_import = context.scratch.get(SCRATCH_TASK_MANAGER_IMPORT)
    result.await_failures = dict(context.scratch.get(SCRATCH_AWAIT_OUTCOME, {}))
    result.workers_done = frozenset(context.scratch.get(SCRATCH_WORKERS_DONE, ()))
    result.left_for_human = _left_for_human(findings_after, notes, codemods, generic)
    result.left_for_human_before = _in_source_before(
        result.left_for_human, findings_after, findings_before, source, current_source
    )
    return result


def _read_the_plan(
    published: PublishedPlan,
    path: str,
    scratch: Dict[str, Any],
    findings: Sequence[Finding],
    declined_notes: List[HumanNote],
    planned_at: Mapping[Type[FindingCodemod], Tuple[int, int]],
) -> None:
    """The file's part of the published plan in ``scratch``, and the notes planned from the
    provisional part replaced by those of the real one, in place; :class:`_PlanGivesEdits` when it
    gives the file edits (the run so far assumed it gives none)."""
    part = published.for_path(path)
    if part.has_edits:
        raise _PlanGivesEdits(path)
    scratch[SCRATCH_AWAIT_PLAN] = part
    for codemod, (start, end) in sorted(planned_at.items(), key=lambda item: -item[1][0]):
        declined_notes[start:end] = codemod.planned_notes(scratch, findings) or []


def _unsilenced(findings: Sequence[Finding], source: str) -> List[Finding]:
    return without_noqa(findings, source_lines(source))


def _ensure_compiles(source: str, path: str, codemod_name: str) -> None:
    """Full compile, not just a parse: ``await`` outside ``async def`` is a compile-time error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        raise UnsafeRewrite(path, f"{codemod_name} produced code that does not compile: {error}") from error


def line_mover(before: str, after: str) -> Callable[[int], int]:
    """A line of ``before`` -> the line at the same place in ``after`` (a line of a block the
    diff replaced goes to the same offset in the new block, or to its last line)."""
    old, new = source_lines(before), source_lines(after)
    # The lines both texts start and end with are matched as they are: the diff of a large file
    # with a few rewritten places is then the diff of the part between (difflib's matching is
    # quadratic in the lines it is given).
    same_start = 0
    while same_start < min(len(old), len(new)) and old[same_start] == new[same_start]:
        same_start += 1
    same_end = 0
    while same_end < min(len(old), len(new)) - same_start and old[-1 - same_end] == new[-1 - same_end]:
        same_end += 1
    middle = difflib.SequenceMatcher(
        None, old[same_start : len(old) - same_end], new[same_start : len(new) - same_end], autojunk=False
    ).get_opcodes()
    opcodes = [
        ("equal", 0, same_start, 0, same_start),
        *((tag, i1 + same_start, i2 + same_start, j1 + same_start, j2 + same_start) for tag, i1, i2, j1, j2 in middle),
        ("equal", len(old) - same_end, len(old), len(new) - same_end, len(new)),
    ]

    def moved(line: int) -> int:
        index = line - 1
        for tag, i1, i2, j1, j2 in opcodes:
            if i1 <= index < i2:
                offset = index - i1 if tag == "equal" else min(index - i1, max(j2 - j1 - 1, 0))
                return j1 + offset + 1
        return line

    return moved


def _moved_notes(notes: Sequence[HumanNote], before: str, after: str) -> List[HumanNote]:
    """The notes with their lines, and the lines their reasons name ("used at line 20"), moved
    from ``before`` to the same places in ``after``."""
    if before == after or not notes:
        return list(notes)
    moved = line_mover(before, after)
    return [HumanNote(moved(note.line), note.code, note.codemod, _moved_reason(note.reason, moved)) for note in notes]


def _moved_reason(reason: str, moved: Callable[[int], int]) -> str:
    return LINE_IN_REASON.sub(lambda match: f"{match.group(1)}{moved(int(match.group(2)))}", reason)


def _in_source_before(
    left: Sequence[HumanNote],
    findings_after: Sequence[Finding],
    findings_before: Sequence[Finding],
    before: str,
    after: str,
) -> List[HumanNote]:
    """``left`` (one note per finding of ``findings_after``, in order, in lines of ``after``)
    numbered in ``before``: each note at the line of the same finding in ``before``.

    The rewrite only removes findings, so each remaining one has its counterpart in
    ``before``: of the same code, the one at the line the diff maps it back to, else the
    nearest with the same message and context. Lines named in a reason are mapped back too.
    """
    if before == after:
        return list(left)
    moved_back = line_mover(after, before)
    unclaimed = list(findings_before)
    placed: List[HumanNote] = []
    for note, finding in zip(left, findings_after):
        guess = moved_back(finding.line)
        candidates = [other for other in unclaimed if other.code == finding.code]
        line = guess
        if candidates:
            counterpart = min(
                candidates,
                key=lambda other: (
                    other.line != guess,
                    other.message != finding.message,
                    other.context != finding.context,
                    other.col != finding.col,
                    abs(other.line - guess),
                    other.line,
                ),
            )
            unclaimed.remove(counterpart)
            line = counterpart.line
        placed.append(HumanNote(line, note.code, note.codemod, _moved_reason(note.reason, moved_back)))
    return placed


def most_specific(notes: Sequence[HumanNote], code: str, generic: Collection[Tuple[str, str]]) -> HumanNote:
    """Of the codemods' notes on one finding of ``code``, the one a human should read.

    In this order: a note that is not ``generic`` (the codemod recognised its own target shape
    there and says why it could not rewrite it) before a generic one ("not an is_running
    branch", "the module imports no Qt binding": a codemod's ``NOT_ITS_SHAPE`` reasons, and the
    reasons of ``declines()``, which looks at the text only); then a narrower codemod's note
    before ``run_to_await``'s (it takes a loop call in any synchronous code, where a worker
    codemod that recognised its worker names what in that worker kept it); then the codemod for which
    ``code`` comes first in ``fixes`` (the code it exists for before a code it fixes only
    inside its shape: LG103 is ``running_branch_to_task``'s own, ``thread_loop_to_async_slot``
    fixes it inside a worker); then the pipeline order.
    """
    order = {codemod.NAME: index for index, codemod in enumerate(CODEMODS)}

    def rank(note: HumanNote) -> Tuple[bool, bool, int, int]:
        codemod = CODEMODS_BY_NAME.get(note.codemod)
        primacy = codemod.fixes.index(code) if codemod is not None and code in codemod.fixes else len(CODEMODS)
        generic_note = (note.codemod, note.reason) in generic
        return (generic_note, note.codemod == RunToAwait.NAME, primacy, order.get(note.codemod, len(CODEMODS)))

    return min(notes, key=rank)


def _left_for_human(
    findings: Sequence[Finding],
    notes: Sequence[HumanNote],
    codemods: Sequence[Type[FindingCodemod]],
    generic: Collection[Tuple[str, str]],
) -> List[HumanNote]:
    """One note per remaining finding, in order: the most specific a codemod gave, else one
    saying why none did."""
    explained: Dict[Tuple[int, str], List[HumanNote]] = {}
    for note in notes:
        explained.setdefault((note.line, note.code), []).append(note)
    left: List[HumanNote] = []
    for finding in findings:
        reasons = explained.get((finding.line, finding.code))
        if reasons:
            left.append(most_specific(reasons, finding.code, generic))
            continue
        owners = [codemod.NAME for codemod in CODEMODS if finding.code in codemod.fixes]
        if not owners:
            reason = f"no codemod fixes {finding.code}"
        elif not any(codemod.NAME in owners for codemod in codemods):
            reason = f"codemod {' / '.join(owners)} is not selected"
        else:
            reason = "the codemods left this code unchanged"
        left.append(HumanNote(finding.line, finding.code, "", reason))
    return left
