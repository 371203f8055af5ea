"""``loopguard migrate``: run the codemods over a project, show the diff or write it, say what is left.

The diff goes to stdout (``loopguard migrate | git apply`` works), everything else to stderr:
one line per file that could not be migrated, the progress bar on a terminal, the closing
summary. The codemods (and libcst) are imported only when this command runs, so
``loopguard check`` never pays for them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Callable, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from ...core.rules import all_rules
from ..discovery import discover
from ..interrupted import Interrupted
from ..selection import Selection
from ..settings import SettingsError, load_settings
from ..sources import SourceError, read_source, readable_texts
from ..workers import WorkerLost, WorkerPool

EXIT_NOTHING_LEFT = 0
EXIT_WORK_LEFT = 1  # changes proposed, or findings left
EXIT_ERROR = 2
DIRTY_FILES_SHOWN = 5
from . import files as file_migration
from .chains import RUN_TO_AWAIT, keep_chains_whole, places_as_written, plan_chains
from .files import FileResult, FileStatus, MigrationOptions, Run, migrate_in_worker
from .git import GitFailed, uncommitted_changes
from .output import Stderr, print_diff, print_summary
from .starters import WORKER_CLASS_TO_TASK, keep_workers_whole, plan_workers
from .writing import write_all


# ----- the command ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    from loopguard_codemods.placement import RuntimePlacement
    from loopguard_codemods.scaffold import TaskManagerTarget

    err = Stderr()
    try:
        selected = _selected_codemods(args.select)
        target = TaskManagerTarget.parse(args.task_manager) if args.task_manager else None
        settings = load_settings(tuple(rule.code for rule in all_rules()), {})
    except (ValueError, SettingsError) as error:
        err.line(f"loopguard migrate: {error}")
        return EXIT_ERROR

    paths = args.paths or ["."]
    state = Run(paths=list(paths))
    # Before the walk, which asks git too: a refusal is the one line it prints.
    if args.write and not _may_write(paths, args.allow_dirty, state, err):
        return EXIT_ERROR
    files = _files_to_migrate(paths, settings.exclude + settings.extend_exclude, state, err)

    options = MigrationOptions(
        config=settings.engine_config(),
        selected=selected,
        selection=Selection(settings),
        placement=RuntimePlacement(target, scaffolds=True, cwd=Path.cwd()),
    )
    try:
        # Both project plans read every file: once, for both.
        sources = readable_texts(files) if _plans_project(options) else {}
        starter_plan, planning_error = plan_workers(options, sources)
        if planning_error:
            err.line(f"loopguard migrate: {planning_error}")
            state.errors.append(planning_error)
        options = replace(options, starter_plan=starter_plan)
        options, state.results = _plan_and_migrate(options, files, sources, args.jobs, state, err)
        # Workers first: the chains' files are then migrated again with the workers as they end.
        state.results, options = keep_workers_whole(
            options, files, state.results, lambda again, paths: _migrate_all(again, paths, args.jobs, err)
        )
        state.results = keep_chains_whole(
            options, files, state.results, lambda again, paths: _migrate_all(again, paths, args.jobs, err)
        )
        err.close_progress()
        for result in state.results:
            if result.status is FileStatus.FAILED:
                err.line(result.error)
            elif result.status is FileStatus.SKIPPED:
                state.skipped.append((result.path, result.skip_reason))
        _plan_scaffold(state)
        if args.write:
            write_all(state, err)
            places_as_written(state.results)
        else:
            print_diff(state)
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
        raise Interrupted(f"loopguard migrate: interrupted; {written}") from None
    err.close_progress()
    print_summary(state, args.write, err)
    return _exit_code(state, args.write)


def _may_write(paths: Sequence[str], allow_dirty: bool, state: Run, err: "Stderr") -> bool:
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


def _files_to_migrate(paths: Sequence[str], exclude: Sequence[str], state: Run, err: "Stderr") -> List[str]:
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


def _plan_and_migrate(
    options: MigrationOptions,
    files: Sequence[str],
    sources: Mapping[str, str],
    jobs: int,
    state: Run,
    err: "Stderr",
) -> Tuple[MigrationOptions, List[FileResult]]:
    """The options with ``run_to_await``'s plan, and the files' results. With worker processes,
    this process makes the plan while they start on the files, and publishes it to them once
    made (a ``PublishedPlan``); else it makes the plan first."""

    def planned() -> MigrationOptions:
        plan, planning_error = plan_chains(options, sources)
        if planning_error:
            err.line(f"loopguard migrate: {planning_error}")
            state.errors.append(planning_error)
        return replace(options, await_plan=plan)

    run_to_await = options.selected is None or RUN_TO_AWAIT in options.selected
    if not run_to_await or not _uses_workers(jobs, files):
        options = planned()
        return options, _migrate_all(options, files, jobs, err)
    from ...project.await_plan import PublishedPlan

    made: List[MigrationOptions] = []
    with tempfile.TemporaryDirectory(prefix="loopguard-migrate-") as folder:
        published = PublishedPlan(os.path.join(folder, "await_plan.pickle"))

        def plan_meanwhile() -> None:
            made.append(planned())
            published.publish(made[0].await_plan)

        results = _migrate_all(replace(options, await_plan=published), files, jobs, err, plan_meanwhile)
    return made[0], results


def _plans_project(options: MigrationOptions) -> bool:
    """Whether a codemod that plans over the whole project (its chains, its workers' starters) runs."""
    selected = options.selected
    return selected is None or RUN_TO_AWAIT in selected or WORKER_CLASS_TO_TASK in selected


def _uses_workers(jobs: int, files: Sequence[str]) -> bool:
    return jobs != 1 and len(files) >= 2


def _migrate_all(
    options: MigrationOptions,
    files: Sequence[str],
    jobs: int,
    err: "Stderr",
    meanwhile: Callable[[], None] = lambda: None,
) -> List[FileResult]:
    """The results, in the order of ``files``, computed by ``jobs`` processes, while this one
    runs ``meanwhile``. On Ctrl-C (or a lost process) the progress bar stops first, then the
    processes are killed, not waited for."""
    if not _uses_workers(jobs, files):
        meanwhile()
        progress = err.progress(len(files))
        results = []
        for path in files:
            results.append(file_migration.migrate_file(options, path))
            progress()
        return results
    # Biggest files first: the few large files that need libcst dominate, and starting them
    # early keeps every worker busy until the end.
    by_size = sorted(range(len(files)), key=lambda index: -_size(files[index]))
    with WorkerPool(jobs) as pool:
        try:
            # The processes are forked at the first submit, before the progress bar's thread starts:
            # a process forked while another thread holds a lock would inherit it held.
            futures = {pool.submit(migrate_in_worker, options, index, files[index]): index for index in by_size}
            progress = err.progress(len(files))
            meanwhile()
            ordered: List[Optional[FileResult]] = [None] * len(files)
            while futures:
                waiting = []  # files that reached the plan before it was published (meanwhile() published it)
                for future, result in pool.results(list(futures), files):
                    if result is None:
                        waiting.append(futures[future])
                        continue
                    ordered[futures[future]] = result
                    progress()
                futures = {pool.submit(migrate_in_worker, options, index, files[index]): index for index in waiting}
        except BaseException:
            err.close_progress()  # first: the bar must not tick on while the processes end
            raise
    return [result for result in ordered if result is not None]


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _plan_scaffold(state: Run) -> None:
    from loopguard_codemods.scaffold import RuntimeUser, plan_runtime_module

    # Unchanged files that import the TaskManager (or a worker base) count too: an earlier run may
    # have been stopped before it wrote the module; the plan creates it again when it is missing.
    importing = [result for result in state.results if result.imports_runtime]
    users = [
        RuntimeUser(result.task_manager_import, result.status is FileStatus.CHANGED, _text_left(result))
        for result in importing
    ]
    state.new_files, state.scaffold_notes = plan_runtime_module(users)
    created = {new_file.path for new_file in state.new_files}
    state.runtime_importers = {
        result.path for result in importing if result.task_manager_import.module_file in created
    }


def _text_left(result: FileResult) -> str:
    """The file's text as the run leaves it: an unchanged file's is read again (the run keeps only
    the texts of the files it changes)."""
    if result.status is FileStatus.CHANGED:
        return result.after
    try:
        return read_source(result.path)[0]
    except SourceError:
        return ""


def _exit_code(state: Run, wrote: bool) -> int:
    if state.failed or state.errors:
        return EXIT_ERROR
    findings_left = any(result.findings_after for result in state.results)
    notes_left = any(result.notes for result in state.results) or state.scaffold_notes
    changes_proposed = not wrote and (state.changed or state.new_files)
    return EXIT_WORK_LEFT if findings_left or notes_left or changes_proposed else EXIT_NOTHING_LEFT
