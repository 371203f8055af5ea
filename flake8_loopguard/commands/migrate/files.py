"""One file of ``loopguard migrate``: read it, run the codemods over it, lint the result; and the
run's state, file by file."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from ...core.collector import collector_paused
from ...core.config import Config
from ...core.noqa import silences_file
from ..selection import Selection
from ..sources import SourceError, read_source
from ..workers import working_on

# Why a file silenced as a whole is not migrated: `loopguard check` reports nothing in it.
SILENCED_FILE = "# flake8: noqa"


class FileStatus(Enum):
    """One file's outcome."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # left alone on purpose (``skip_reason`` says why)
    FAILED = "failed"


@dataclass(frozen=True)
class MigrationOptions:
    config: Config
    selected: Optional[FrozenSet[str]]
    selection: Selection  # what `loopguard check` reports: the codes worth fixing
    placement: Any  # loopguard_codemods.placement.RuntimePlacement: each file's TaskManager import
    await_plan: Optional[Any] = None  # project.await_plan.AwaitPlan: run_to_await's chains over the run
    starter_plan: Optional[Any] = None  # worker_class.starters.StarterPlan: workers and their starters


@dataclass
class FileResult:
    path: str
    status: FileStatus
    error: str = ""  # one line, naming the file, when status is FAILED
    skip_reason: str = ""  # when status is SKIPPED
    digest: str = ""  # of the bytes read: the file must still hold them when it is written
    encoding: str = "utf-8"
    before: str = ""  # the texts, kept only when the file changes
    after: str = ""
    fixes: Dict[str, int] = field(default_factory=dict)
    # One per finding left: line, code, codemod, reason; lines of the text the run leaves (after),
    # and of the file as it was (before: what diff mode shows).
    notes: List[Tuple[int, str, str, str]] = field(default_factory=list)
    notes_before: List[Tuple[int, str, str, str]] = field(default_factory=list)
    findings_before: Dict[str, int] = field(default_factory=dict)
    findings_after: Dict[str, int] = field(default_factory=dict)
    # As the run leaves it: `from <module> import <TaskManager or a worker base>`, where the module
    # is (or is to be created).
    task_manager_import: Any = None  # placement.TaskManagerImport
    await_failures: Dict[int, str] = field(default_factory=dict)  # run_to_await chains not rewritten here
    workers_done: FrozenSet[str] = frozenset()  # the starter plan's workers this file did its part for

    @property
    def imports_runtime(self) -> bool:
        return self.task_manager_import is not None


# libcst's trees are large and live until the file is done: the cycle collector would scan them
# again and again (about a tenth of the files' time over the standard library).
@collector_paused()
def migrate_file(options: MigrationOptions, path: str) -> FileResult:
    """Read, migrate and check one file; never raises for anything the file contains."""
    from loopguard_codemods.pipeline import PlanNotReady, UnsafeRewrite, migrate_source

    try:
        source, encoding, data = read_source(path)
        if silences_file(source):
            return FileResult(path, FileStatus.SKIPPED, skip_reason=SILENCED_FILE)
        result = migrate_source(
            source,
            path,
            options.config,
            options.selected,
            reported=partial(options.selection.reports, path=path),
            placement=options.placement,
            await_plan=options.await_plan,
            starter_plan=options.starter_plan,
        )
        after_bytes = result.source_after.encode(encoding)
        runtime = options.placement.settle(path, source, result.source_after, result.task_manager_import)
        if runtime.unresolved is not None:
            raise UnsafeRewrite(path, runtime.unresolved)
    except SourceError as error:
        return FileResult(path, FileStatus.FAILED, f"{path}: {error}")
    except SyntaxError as error:
        where = f"{path}:{error.lineno}:{(error.offset or 1)}" if error.lineno else path
        return FileResult(path, FileStatus.FAILED, f"{where}: syntax error: {error.msg}; left unchanged")
    except UnsafeRewrite as error:
        left = "" if "unchanged" in error.reason else "; left unchanged"
        return FileResult(path, FileStatus.FAILED, f"{path}: {error.reason}{left}")
    except UnicodeEncodeError as error:
        return FileResult(path, FileStatus.FAILED, f"{path}: the result cannot be written as {error.encoding}; left unchanged")
    except PlanNotReady:
        raise  # the caller migrates the file again once the plan is published
    except (RecursionError, MemoryError):
        return FileResult(path, FileStatus.FAILED, f"{path}: too deeply nested or too large to rewrite; left unchanged")
    except Exception as error:  # a bug of ours must cost one file, not the run
        return FileResult(path, FileStatus.FAILED, f"{path}: internal error: {type(error).__name__}: {error}; left unchanged")
    changed = after_bytes != data
    return FileResult(
        path,
        FileStatus.CHANGED if changed else FileStatus.UNCHANGED,
        digest=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        before=source if changed else "",
        after=result.source_after if changed else "",
        fixes={name: count for name, count in result.fixes.items() if count},
        notes=[(note.line, note.code, note.codemod, note.reason) for note in result.left_for_human],
        notes_before=[(note.line, note.code, note.codemod, note.reason) for note in result.left_for_human_before],
        findings_before=dict(Counter(finding.code for finding in result.findings_before)),
        findings_after=dict(Counter(finding.code for finding in result.findings_after)),
        task_manager_import=runtime.imported,
        await_failures=result.await_failures,
        workers_done=result.workers_done,
    )


def migrate_in_worker(options: MigrationOptions, index: int, path: str) -> Optional[FileResult]:
    """The file's result; None when it needs the plan (``options.await_plan``, a ``PublishedPlan``)
    before it is published, and is cheaper to migrate again than to wait for."""
    from loopguard_codemods.pipeline import PlanNotReady

    working_on(index)
    try:
        return migrate_file(options, path)
    except PlanNotReady:
        return None
    finally:
        working_on(-1)


@dataclass
class Run:
    """What the run found, for the summary and the exit code."""

    paths: List[str] = field(default_factory=list)  # as given: the files' paths are shown as under them
    scanned: int = 0
    skipped: List[Tuple[str, str]] = field(default_factory=list)  # path, why
    results: List[FileResult] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    new_files: List[Any] = field(default_factory=list)  # scaffold.NewFile
    scaffold_notes: List[Any] = field(default_factory=list)  # scaffold.ScaffoldNote
    runtime_importers: Set[str] = field(default_factory=set)  # changed files that import the new files
    outside_git: List[str] = field(default_factory=list)  # given paths in no git work tree
    written: List[str] = field(default_factory=list)

    @property
    def changed(self) -> List[FileResult]:
        return [result for result in self.results if result.status is FileStatus.CHANGED]

    @property
    def failed(self) -> int:
        return sum(1 for result in self.results if result.status is FileStatus.FAILED)
