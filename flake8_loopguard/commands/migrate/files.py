"""One file of ``loopguard migrate``: read it, run the codemods over it, lint the result; and the
run's state, file by file."""

from __future__ import annotations

import hashlib
import io
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from ...core.config import Config
from ..selection import Selection
from ..sources import NOT_A_REGULAR_FILE, NotARegularFile, read_regular_file
from ..workers import working_on

# One file's outcome.
CHANGED, UNCHANGED, FAILED = "changed", "unchanged", "failed"


@dataclass(frozen=True)
class MigrationOptions:
    config: Config
    selected: Optional[FrozenSet[str]]
    task_manager: str
    selection: Selection  # what `loopguard check` reports: the codes worth fixing
    await_plan: Optional[Any] = None  # project.await_plan.AwaitPlan: run_to_await's chains over the run


@dataclass
class FileResult:
    path: str
    status: str
    error: str = ""  # one line, naming the file, when status is FAILED
    digest: str = ""  # of the bytes read: the file must still hold them when it is written
    encoding: str = "utf-8"
    before: str = ""  # the texts, kept only when the file changes
    after: str = ""
    fixes: Dict[str, int] = field(default_factory=dict)
    notes: List[Tuple[int, str, str, str]] = field(default_factory=list)  # line, code, codemod, reason
    findings_before: Dict[str, int] = field(default_factory=dict)
    findings_after: Dict[str, int] = field(default_factory=dict)
    imports_runtime: bool = False  # as the run leaves it: `from <runtime module> import <TaskManager>`
    await_failures: Dict[int, str] = field(default_factory=dict)  # run_to_await chains not rewritten here


class BadInput(Exception):
    """A file that cannot be migrated; the message says why in a few words."""


def read_source(path: str) -> Tuple[str, str, bytes]:
    """(text, codec, raw bytes). The codec is PEP 263's (``utf-8-sig`` when there is a BOM)."""
    try:
        data, _stat = read_regular_file(path)
    except NotARegularFile:
        raise BadInput(NOT_A_REGULAR_FILE) from None
    except OSError as error:
        raise BadInput(f"cannot read: {error.strerror or error}") from None
    if b"\0" in data:
        raise BadInput("contains NUL bytes; not a Python source file")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise BadInput(f"bad encoding declaration: {error.msg}") from None
    try:
        return data.decode(encoding), encoding, data
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        raise BadInput(f"cannot decode as {encoding} (line {line}, byte 0x{byte}): {error.reason}") from None


def migrate_file(options: MigrationOptions, path: str) -> FileResult:
    """Read, migrate and check one file; never raises for anything the file contains."""
    from loopguard_codemods.pipeline import UnsafeRewrite, migrate_source
    from loopguard_codemods.scaffold import imports_name

    try:
        source, encoding, data = read_source(path)
        result = migrate_source(
            source,
            path,
            options.config,
            options.selected,
            task_manager=options.task_manager,
            reported=partial(options.selection.reports, path=path),
            await_plan=options.await_plan,
        )
        after_bytes = result.source_after.encode(encoding)
    except BadInput as error:
        return FileResult(path, FAILED, f"{path}: {error}")
    except SyntaxError as error:
        where = f"{path}:{error.lineno}:{(error.offset or 1)}" if error.lineno else path
        return FileResult(path, FAILED, f"{where}: syntax error: {error.msg}; left unchanged")
    except UnsafeRewrite as error:
        left = "" if "unchanged" in error.reason else "; left unchanged"
        return FileResult(path, FAILED, f"{path}: {error.reason}{left}")
    except UnicodeEncodeError as error:
        return FileResult(path, FAILED, f"{path}: the result cannot be written as {error.encoding}; left unchanged")
    except (RecursionError, MemoryError):
        return FileResult(path, FAILED, f"{path}: too deeply nested or too large to rewrite; left unchanged")
    except Exception as error:  # a bug of ours must cost one file, not the run
        return FileResult(path, FAILED, f"{path}: internal error: {type(error).__name__}: {error}; left unchanged")
    changed = after_bytes != data
    return FileResult(
        path,
        CHANGED if changed else UNCHANGED,
        digest=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        before=source if changed else "",
        after=result.source_after if changed else "",
        fixes={name: count for name, count in result.fixes.items() if count},
        notes=[(note.line, note.code, note.codemod, note.reason) for note in result.left_for_human],
        findings_before=dict(Counter(finding.code for finding in result.findings_before)),
        findings_after=dict(Counter(finding.code for finding in result.findings_after)),
        imports_runtime=imports_name(result.source_after, *options.task_manager.split(":")),
        await_failures=result.await_failures,
    )


def migrate_in_worker(options: MigrationOptions, index: int, path: str) -> FileResult:
    working_on(index)
    try:
        return migrate_file(options, path)
    finally:
        working_on(-1)


@dataclass
class Run:
    """What the run found, for the summary and the exit code."""

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
        return [result for result in self.results if result.status == CHANGED]

    @property
    def failed(self) -> int:
        return sum(1 for result in self.results if result.status == FAILED)
