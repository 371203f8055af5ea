"""``loopguard migrate``: run the codemods over a project, show the diff or write it, say what is left.

The diff goes to stdout (``loopguard migrate | git apply`` works), everything else to stderr:
one line per file that could not be migrated, the progress bar on a terminal, the closing
summary. The codemods (and libcst) are imported only when this command runs, so
``loopguard check`` never pays for them.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import errno
import hashlib
import io
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

from ...core.config import Config
from ...core.rules import all_rules
from ..discovery import discover
from ..selection import Selection
from ..settings import SettingsError, load_settings
from ..workers import WorkerLost, WorkerPool, job_count, working_on

EXIT_NOTHING_LEFT = 0
EXIT_WORK_LEFT = 1  # changes proposed, or findings left
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's code for Ctrl-C
GIT_TIMEOUT_SECONDS = 60
DIRTY_FILES_SHOWN = 5

# One file's outcome.
CHANGED, UNCHANGED, FAILED = "changed", "unchanged", "failed"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "migrate",
        help="rewrite a project to the one-loop invariants (shows a diff; --write applies it)",
        description=(
            "Run the loopguard codemods over the Python files under PATH (default: the current "
            "directory). Prints a unified diff on stdout; --write applies it. The summary and "
            "every problem go to stderr. Exit: 0 nothing left to do, 1 changes proposed or "
            "findings left, 2 error."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--write", action="store_true", help="write the changes instead of showing them")
    parser.add_argument("--select", metavar="CODEMODS", help="comma-separated codemod names to run (default: all)")
    parser.add_argument(
        "--task-manager",
        metavar="MODULE:NAME",
        help="the TaskManager the rewritten code imports; created from the template when MODULE does not "
        "exist yet (default: loop_runtime:TaskManager)",
    )
    parser.add_argument("--jobs", "-j", type=job_count, default=1, metavar="N", help="worker processes (default: 1)")
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="write even when the paths have uncommitted git changes, or git cannot tell whether they have",
    )


# ----- one file, in a worker ----------------------------------------------------------------


@dataclass(frozen=True)
class MigrationOptions:
    config: Config
    selected: Optional[FrozenSet[str]]
    task_manager: str
    selection: Selection  # what `loopguard check` reports: the codes worth fixing


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


class BadInput(Exception):
    """A file that cannot be migrated; the message says why in a few words."""


def read_source(path: str) -> Tuple[str, str, bytes]:
    """(text, codec, raw bytes). The codec is PEP 263's (``utf-8-sig`` when there is a BOM)."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
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
    )


def _migrate_in_worker(options: MigrationOptions, index: int, path: str) -> FileResult:
    working_on(index)
    try:
        return migrate_file(options, path)
    finally:
        working_on(-1)


# ----- the command ------------------------------------------------------------------------------


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


def run(args: argparse.Namespace) -> int:
    from loopguard_codemods.scaffold import DEFAULT_TASK_MANAGER, TaskManagerTarget

    err = _Stderr()
    try:
        selected = _selected_codemods(args.select)
        target = TaskManagerTarget.parse(args.task_manager or DEFAULT_TASK_MANAGER)
        settings = load_settings(tuple(rule.code for rule in all_rules()), {})
    except (ValueError, SettingsError) as error:
        err.line(f"loopguard migrate: {error}")
        return EXIT_ERROR

    paths = args.paths or ["."]
    state = Run()
    # Before the walk, which asks git too: a refusal is the one line it prints.
    if args.write and not _may_write(paths, args.allow_dirty, state, err):
        return EXIT_ERROR
    files = _files_to_migrate(paths, settings.exclude + settings.extend_exclude, state, err)

    options = MigrationOptions(
        config=settings.engine_config(),
        selected=selected,
        task_manager=str(target),
        selection=Selection(settings),
    )
    try:
        state.results = _migrate_all(options, files, args.jobs, err)
        err.close_progress()
        for result in state.results:
            if result.status == FAILED:
                err.line(result.error)
        _plan_scaffold(state, target)
        if args.write:
            _write_all(state, err)
        else:
            _print_diff(state)
    except BrokenPipeError:
        # The reader of the diff stopped (`| head`): say nothing more on a closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except WorkerLost as lost:
        err.close_progress()
        err.line(f"loopguard migrate: {lost.describe('migrating')}; no file written")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.close_progress()
        written = "no file written"
        if state.written:
            written = f"{len(state.written)} file(s) written before it, each completely"
        err.line(f"loopguard migrate: interrupted; {written}")
        return EXIT_INTERRUPTED
    err.close_progress()
    _print_summary(state, args.write, err)
    return _exit_code(state, args.write)


def _may_write(paths: Sequence[str], allow_dirty: bool, state: Run, err: "_Stderr") -> bool:
    """Whether ``--write`` may go on: git says the paths are clean, or they are in no work tree, or ``allow_dirty``."""
    try:
        trees = uncommitted_changes(paths)
    except GitFailed as failure:
        if not allow_dirty:
            err.line(
                f"loopguard migrate: refusing to write: git cannot tell whether the paths have uncommitted "
                f"changes: {failure}; fix that, or pass --allow-dirty to write anyway"
            )
            return False
        err.line(
            f"loopguard migrate: warning: git cannot tell whether the paths have uncommitted changes: {failure}; "
            "writing anyway (--allow-dirty)"
        )
        return True
    if trees.dirty and not allow_dirty:
        dirty = trees.dirty
        shown = ", ".join(dirty[:DIRTY_FILES_SHOWN]) + (", ..." if len(dirty) > DIRTY_FILES_SHOWN else "")
        err.line(
            f"loopguard migrate: refusing to write: {len(dirty)} file(s) under the given paths have "
            f"uncommitted changes ({shown}); commit or stash them first so the migration can be "
            "reviewed and undone with git, or pass --allow-dirty"
        )
        return False
    state.outside_git = trees.outside
    return True


def _selected_codemods(select: Optional[str]) -> Optional[FrozenSet[str]]:
    """The ``--select`` names (None: all); ``ValueError`` names the unknown ones."""
    from loopguard_codemods.pipeline import selected_codemods

    if select is None:
        return None
    names = frozenset(name.strip() for name in select.split(",") if name.strip())
    try:
        if not names:
            raise ValueError("no codemod named")
        selected_codemods(names)
    except ValueError as error:
        raise ValueError(f"--select: {error}") from None
    return names


def _files_to_migrate(paths: Sequence[str], exclude: Sequence[str], state: Run, err: "_Stderr") -> List[str]:
    """The files ``loopguard check`` would read under ``paths``, minus symbolic links (noted as skipped)."""
    found = discover(paths, exclude)
    state.errors.extend(found.errors)
    for message in found.errors + found.warnings:
        err.line(message)
    linked_folders = [path for path in paths if os.path.islink(path) and os.path.isdir(path)]
    state.skipped.extend((path, "a symbolic link to a folder; not followed") for path in linked_folders)
    files = []
    for path in found.files:
        if any(_is_under(path, folder) for folder in linked_folders):
            continue
        state.scanned += 1
        if os.path.islink(path):
            # Writing through a link would change a file that may lie outside the given paths.
            state.skipped.append((path, "a symbolic link; not followed"))
        else:
            files.append(path)
    return files


def _is_under(path: str, folder: str) -> bool:
    return os.path.abspath(path).startswith(os.path.abspath(folder).rstrip(os.sep) + os.sep)


def _migrate_all(options: MigrationOptions, files: Sequence[str], jobs: int, err: "_Stderr") -> List[FileResult]:
    """The results, in the order of ``files``, computed by ``jobs`` processes. On Ctrl-C (or a
    lost process) the progress bar stops first, then the processes are killed, not waited for."""
    if jobs == 1 or len(files) < 2:
        progress = err.progress(len(files))
        results = []
        for path in files:
            results.append(migrate_file(options, path))
            progress()
        return results
    # Biggest files first: the few large files that need libcst dominate, and starting them
    # early keeps every worker busy until the end.
    by_size = sorted(range(len(files)), key=lambda index: -_size(files[index]))
    pool = WorkerPool(jobs)
    try:
        # The processes are forked at the first submit, before the progress bar's thread starts:
        # a process forked while another thread holds a lock would inherit it held.
        futures = {pool.submit(_migrate_in_worker, options, index, files[index]): index for index in by_size}
        progress = err.progress(len(files))
        ordered: List[Optional[FileResult]] = [None] * len(files)
        for future, result in pool.results(list(futures), files):
            ordered[futures[future]] = result
            progress()
    except BaseException:
        err.close_progress()  # first: the bar must not tick on while the processes end
        raise
    finally:
        pool.kill()
    return [result for result in ordered if result is not None]


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _plan_scaffold(state: Run, target: Any) -> None:
    from pathlib import Path

    from loopguard_codemods.scaffold import imports_module, plan_runtime_module

    rewritten = [(Path(result.path), result.before, result.after) for result in state.changed]
    # Unchanged files that import the TaskManager: an earlier run may have been stopped before
    # it wrote the module; the plan creates it again when it is missing.
    importing = [
        Path(result.path) for result in state.results if result.status == UNCHANGED and result.imports_runtime
    ]
    state.new_files, state.scaffold_notes = plan_runtime_module(target, rewritten, importing)
    if state.new_files:
        state.runtime_importers = {
            result.path for result in state.changed if imports_module(result.after, target.module)
        }


class GitFailed(Exception):
    """git cannot say whether a path has uncommitted changes; the message is one line, git's own when it has one."""


@dataclass
class WorkTrees:
    """What git says about the paths ``--write`` is given."""

    dirty: List[str] = field(default_factory=list)  # modified, staged or untracked files
    outside: List[str] = field(default_factory=list)  # paths in no git work tree


def uncommitted_changes(paths: Sequence[str]) -> WorkTrees:
    """The files under ``paths`` that git reports as modified, staged or untracked, and the paths outside git.

    Raises ``GitFailed`` when git cannot tell: it fails for another reason than "not a git
    repository" (dubious ownership, a broken repository, a timeout), or it cannot be run while
    a ``.git`` above the path says there is a repository.
    """
    trees = WorkTrees()
    by_top: Dict[str, List[str]] = {}
    for path in paths:
        top = _git(["rev-parse", "--show-toplevel"], _nearest_folder(path))
        if top is None:
            if os.path.lexists(path):  # a missing path has nothing to write
                trees.outside.append(path)
        else:
            by_top.setdefault(top.rstrip("\n"), []).append(os.path.abspath(path))
    for top, inside in by_top.items():
        status = _git(["status", "--porcelain", "-z", "--untracked-files=all", "--", *inside], top)
        entries = iter((status or "").split("\0"))
        for entry in entries:
            if len(entry) < 4:
                continue
            trees.dirty.append(os.path.relpath(os.path.join(top, entry[3:])))
            if "R" in entry[:2] or "C" in entry[:2]:
                next(entries, None)  # a rename's or copy's original path follows
    return trees


def _nearest_folder(path: str) -> str:
    """``path`` if it is a folder, else the closest existing folder above it (a path may not exist)."""
    folder = os.path.abspath(path)
    while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    return folder


def _git(arguments: List[str], cwd: str) -> Optional[str]:
    """git's stdout, or None when ``cwd`` is in no git work tree; ``GitFailed`` when git cannot answer."""
    command = f"git {arguments[0]}"
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            # Untranslated messages: "not a git repository" is recognised by its words.
            env={**os.environ, "LC_ALL": "C"},
        )
    except subprocess.TimeoutExpired:
        raise GitFailed(f"{command} did not answer within {GIT_TIMEOUT_SECONDS} s") from None
    except OSError as error:
        repository = _repository_marker(cwd)
        if repository is None:
            return None  # no git and no repository: nothing git could restore
        raise GitFailed(f"cannot run git ({error.strerror or error}) although {repository} exists") from None
    if completed.returncode == 0:
        return os.fsdecode(completed.stdout)
    message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
    # Not "not a git repository: <path>", which is a .git that points nowhere: a broken checkout.
    if message and "not a git repository (or any" in message[0]:
        return None
    raise GitFailed(f"{command} failed: {message[0] if message else f'exit code {completed.returncode}'}")


def _repository_marker(folder: str) -> Optional[str]:
    """The ``.git`` (folder or file) at or above ``folder``, if any."""
    while True:
        marker = os.path.join(folder, ".git")
        if os.path.lexists(marker):
            return marker
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# ----- writing ------------------------------------------------------------------------------


def _write_all(state: Run, err: "_Stderr") -> None:
    """The new files first (the runtime module), then the rewritten files, each counted as it lands."""
    if state.outside_git and (state.changed or state.new_files):
        err.line(
            f"loopguard migrate: warning: no git work tree holds {', '.join(state.outside_git)}: nothing "
            "written there can be undone (no git history to restore it from)"
        )
    runtime_created = _create_new_files(state, err)
    for result in state.changed:
        try:
            if not runtime_created and result.path in state.runtime_importers:
                raise BadInput("not written: it would import the runtime module, which could not be created")
            with open(result.path, "rb") as stream:
                current = stream.read()
            if hashlib.sha256(current).hexdigest() != result.digest:
                raise BadInput("changed on disk during the migration; left as it is now")
            write_atomically(
                result.path, result.after.encode(result.encoding), replaced=partial(state.written.append, result.path)
            )
        except (OSError, BadInput, CannotKeep) as error:
            if isinstance(error, OSError):
                reason = f"cannot write: {error.strerror or error}"
            elif isinstance(error, CannotKeep):
                reason = f"{error}; left unchanged"
            else:
                reason = str(error)
            result.status, result.error = FAILED, f"{result.path}: {reason}"
            # The summary counts what is on disk: none of this file's fixes, all of its findings.
            result.fixes, result.notes, result.findings_after = {}, [], dict(result.findings_before)
            err.line(result.error)


def _create_new_files(state: Run, err: "_Stderr") -> bool:
    """Create the scaffolded files; whether all of them now exist."""
    created = True
    for new_file in state.new_files:
        path = str(new_file.path)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            content = new_file.content.encode("utf-8")
            write_atomically(path, content, new=True, replaced=partial(state.written.append, path))
        except (OSError, FileExistsError) as error:
            message = f"{_display(path)}: cannot create the runtime module: {error.strerror or error}"
            state.errors.append(message)
            err.line(message)
            created = False
    return created


class CannotKeep(Exception):
    """Replacing the file would lose what it has (a hard link, its owner, an extended attribute), or it is read-only."""


def write_atomically(path: str, data: bytes, new: bool = False, replaced: Callable[[], None] = lambda: None) -> None:
    """Replace (or, with ``new``, create) ``path`` in one step: a temporary file beside it, then a rename.

    The replacement keeps the file's permission bits, owner and group, and extended attributes;
    a new file gets the umask's bits. ``CannotKeep`` (nothing written) when that cannot be done
    or the file must not be replaced: it has other hard links, which would keep the old text,
    or it is read-only. ``replaced`` runs right after the rename, in the same step as far as
    Ctrl-C is concerned. An interruption at any point leaves the old file whole and no
    temporary file behind.
    """
    folder = os.path.dirname(os.path.abspath(path))
    original: Optional[os.stat_result] = None
    if new:
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path)
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        original = os.stat(path)
        _check_replaceable(path, original)
        mode = stat.S_IMODE(original.st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".loopguard")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if original is not None:
            _keep_owner(temporary, original)
            _keep_extended_attributes(path, temporary)
        os.chmod(temporary, mode)  # after the chown, which clears the set-user-ID and set-group-ID bits
        with _interrupt_deferred():
            os.replace(temporary, path)
            replaced()
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _check_replaceable(path: str, original: os.stat_result) -> None:
    if original.st_nlink > 1:
        raise CannotKeep(f"has {original.st_nlink} hard links; rewriting it would split them")
    # Root may write anything: the owner's write bit says whether the file is meant to change.
    if not original.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise CannotKeep("read-only")


def _keep_owner(temporary: str, original: os.stat_result) -> None:
    made = os.stat(temporary)
    if (made.st_uid, made.st_gid) == (original.st_uid, original.st_gid):
        return
    try:
        os.chown(temporary, original.st_uid, original.st_gid)
    except OSError as error:
        raise CannotKeep(
            f"owned by uid {original.st_uid}, gid {original.st_gid}, which the rewritten file cannot keep "
            f"({error.strerror})"
        ) from None


def _keep_extended_attributes(path: str, temporary: str) -> None:
    """Give ``temporary`` exactly the extended attributes of ``path`` (ACLs and SELinux labels are some)."""
    if not hasattr(os, "listxattr"):
        return
    wanted = _extended_attributes(path)
    present = _extended_attributes(temporary)
    for name, value in wanted.items():
        if present.get(name) != value:
            try:
                os.setxattr(temporary, name, value)
            except OSError as error:
                raise CannotKeep(f"its extended attribute {name} cannot be kept ({error.strerror})") from None
    # One the folder gives every new file (an inherited ACL) would change what the file allows.
    for name in present.keys() - wanted.keys():
        try:
            os.removexattr(temporary, name)
        except OSError as error:
            raise CannotKeep(f"the rewrite would gain the extended attribute {name} ({error.strerror})") from None


def _extended_attributes(path: str) -> Dict[str, bytes]:
    try:
        return {name: os.getxattr(path, name) for name in os.listxattr(path)}
    except OSError as error:
        if error.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return {}  # a file system without them
        raise CannotKeep(f"its extended attributes cannot be read ({error.strerror})") from None


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Ctrl-C during the block takes effect at its end: what the block does is done whole or not at all."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # signal handlers belong to the main thread; a handler set outside Python cannot be restored
        return
    received: List[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            signal.raise_signal(signal.SIGINT)


# ----- the diff ---------------------------------------------------------------------------------


ANSI = {"header": "\x1b[1m", "hunk": "\x1b[36m", "-": "\x1b[31m", "+": "\x1b[32m"}
ANSI_RESET = "\x1b[0m"
NO_NEWLINE = "\\ No newline at end of file\n"


def _print_diff(state: Run) -> None:
    out = sys.stdout.buffer
    colour = _use_colour(sys.stdout)
    for result in state.changed:
        out.write(file_diff(result.path, result.before, result.after, result.encoding, colour))
    for new_file in state.new_files:
        out.write(file_diff(str(new_file.path), None, new_file.content, "utf-8", colour))
    out.flush()


def _use_colour(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


def file_diff(path: str, before: Optional[str], after: str, encoding: str, colour: bool = False) -> bytes:
    """A git-style unified diff of one file (``a/path``, ``b/path``; ``/dev/null`` for a new file).

    The lines are encoded as the file is, BOM included, so that ``patch`` and ``git apply``
    reproduce the exact bytes ``--write`` would.
    """
    display = _display(path)
    old_name = "/dev/null" if before is None else _prefixed("a", display)
    codec = encoding
    if encoding == "utf-8-sig":
        codec = "utf-8"
        before = None if before is None else "\ufeff" + before
        after = "\ufeff" + after
    old_lines = [] if before is None else _lines(before)
    chunks: List[bytes] = []
    for line in difflib.unified_diff(old_lines, _lines(after), old_name, _prefixed("b", display), n=3):
        is_header = line.startswith(("--- ", "+++ "))
        text = line.rstrip("\n") + "\n" if is_header else line
        if not is_header and not text.endswith(("\n", "\r")):
            text += "\n" + NO_NEWLINE
        kind = "header" if is_header else "hunk" if line.startswith("@@") else line[:1]
        encoded = text.encode("utf-8", "surrogateescape") if is_header else text.encode(codec, "surrogateescape")
        if colour and kind in ANSI:
            encoded = ANSI[kind].encode() + encoded.rstrip(b"\n") + ANSI_RESET.encode() + b"\n"
        chunks.append(encoded)
    return b"".join(chunks)


def _lines(text: str) -> List[str]:
    """Lines with their endings, split where Python splits them (``\\n``, ``\\r\\n``, ``\\r``)."""
    return io.StringIO(text, newline="").readlines()


def _display(path: str) -> str:
    """The path relative to the current directory when it is below it, else absolute; with ``/``."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    shown = absolute if relative.startswith(os.pardir) else relative
    return shown.replace(os.sep, "/")


def _prefixed(side: str, display: str) -> str:
    return display if os.path.isabs(display) else f"{side}/{display}"


# ----- stderr: problems, progress, summary -----------------------------------------------------


class _Stderr:
    """Lines and the progress bar on stderr; the bar only on a terminal, and lines print above it."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self._progress: Any = None

    def line(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, file=sys.stderr, flush=True)

    def progress(self, total: int) -> Callable[[], None]:
        if not self.terminal or total == 0:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("migrating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=self.console(), transient=True,
        )
        self._progress.start()
        task = self._progress.add_task("migrate", total=total)
        return lambda: self._progress.advance(task)

    def close_progress(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def console(self) -> Any:
        from rich.console import Console

        # Off a terminal, no colour and a width that keeps every row on one line.
        return Console(stderr=True, highlight=False, width=None if self.terminal else 200)


def _print_summary(state: Run, wrote: bool, err: _Stderr) -> None:
    from rich.table import Table

    console = err.console()
    files = Table("files", "")
    files.columns[1].justify = "right"
    files.add_row("scanned", str(state.scanned))
    files.add_row("changed" if wrote else "would change", str(len(state.changed)))
    files.add_row("skipped", str(len(state.skipped)))
    files.add_row("failed", str(state.failed + len(state.errors)))
    if state.new_files:
        files.add_row("created" if wrote else "would create", str(len(state.new_files)))
    console.print(files)

    for path, why in state.skipped:
        console.print(f"skipped {_display(path)}: {why}", markup=False)

    fixes: Counter = Counter()
    for result in state.results:
        fixes.update(result.fixes)
    if fixes:
        table = Table("codemod", "fixes")
        table.columns[1].justify = "right"
        for name, count in sorted(fixes.items()):
            table.add_row(name, str(count))
        console.print(table)

    notes = [
        (_display(result.path), line, code, codemod, reason)
        for result in state.results
        for line, code, codemod, reason in result.notes
    ]
    notes += [(_display(str(note.path)), note.line, "", "scaffold", note.reason) for note in state.scaffold_notes]
    if notes:
        # Plain `path:line: CODE why` lines, never cut to fit a table: editors and CI logs link them.
        console.print(f"left for a human ({len(notes)}):", markup=False)
        for path, line, code, codemod, reason in sorted(notes):
            by = f" [{codemod}]" if codemod else ""
            console.print(f"{path}:{line}: {code or 'note'} {reason}{by}", markup=False, soft_wrap=True)

    before: Counter = Counter()
    after: Counter = Counter()
    for result in state.results:
        before.update(result.findings_before)
        after.update(result.findings_after)
    if before or after:
        table = Table("linter findings", "before", "after")
        table.columns[1].justify = table.columns[2].justify = "right"
        for code in sorted(set(before) | set(after)):
            table.add_row(code, str(before[code]), str(after[code]))
        table.add_row("total", str(sum(before.values())), str(sum(after.values())))
        console.print(table)

    for new_file in state.new_files:
        verb = "created" if wrote else "would create"
        console.print(f"{verb} {_display(str(new_file.path))}: TaskManager, LoopGuard and shutdown()", markup=False)
    console.print(_verdict(state, wrote), markup=False)


def _verdict(state: Run, wrote: bool) -> str:
    changes = len(state.changed) + len(state.new_files)
    if wrote:
        head = f"{len(state.written)} file(s) written." if state.written else "nothing to write."
    elif changes:
        head = f"{changes} file(s) would change: read the diff, then run again with --write."
    else:
        head = "nothing to change."
    left = sum(len(result.notes) for result in state.results) + len(state.scaffold_notes)
    if left:
        head += f" {left} left for a human (listed above)."
    if state.failed or state.errors:
        head += f" {state.failed + len(state.errors)} file(s) could not be migrated (see the lines above)."
    return head


def _exit_code(state: Run, wrote: bool) -> int:
    if state.failed or state.errors:
        return EXIT_ERROR
    findings_left = any(result.findings_after for result in state.results)
    notes_left = any(result.notes for result in state.results) or state.scaffold_notes
    changes_proposed = not wrote and (state.changed or state.new_files)
    return EXIT_WORK_LEFT if findings_left or notes_left or changes_proposed else EXIT_NOTHING_LEFT
