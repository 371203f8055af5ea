"""The worker classes of a migration and their starters in other modules: planned once over every
file of the run, carried out file by file, and kept whole.

A converted ``QRunnable`` and the pools of other modules that start it change together: the worker's
file converts the class, each starter's file rewrites ``pool.start(job)`` to ``job.start()``. When
one of them does not (the class is left for a reason of its own, a starter's file fails or is not
migrated), the worker is stopped everywhere: the plan drops it, and the files it touched are
migrated again without it, the worker's note naming the place that stopped it.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .files import FileResult, FileStatus, MigrationOptions

WORKER_CLASS_TO_TASK = "worker_class_to_task"

MigrateAll = Callable[[MigrationOptions, Sequence[str]], List[FileResult]]


def plan_workers(options: MigrationOptions, sources: Mapping[str, str]) -> Tuple[Optional[Any], str]:
    """The starter plan over ``sources`` (path -> text of the run's readable files; None when
    that codemod is not selected), and the error that kept it from being made (then no worker
    with starters elsewhere is converted)."""
    if options.selected is not None and WORKER_CLASS_TO_TASK not in options.selected:
        return None, ""
    from loopguard_codemods.worker_class.starters import StarterPlan, plan_starters

    selection = options.selection
    try:
        return plan_starters(sources, options.config, lambda path, code: selection.reports(code, path=path)), ""
    except Exception as error:  # a bug of ours must not cost the other codemods' work
        why = f"{WORKER_CLASS_TO_TASK}: internal error while planning starters ({type(error).__name__}: {error})"
        return StarterPlan(), why


def keep_workers_whole(
    options: MigrationOptions, files: Sequence[str], results: List[FileResult], migrate_all: MigrateAll
) -> Tuple[List[FileResult], MigrationOptions]:
    """``results`` once every worker that some file did not carry out is stopped everywhere, and the
    options with the plan as it ends."""
    plan = options.starter_plan
    while plan is not None:
        by_path = {result.path: result for result in results}
        stops: Dict[str, str] = {}
        refused: Dict[str, str] = {}  # worker -> the file that left it (its own note says why)
        for key, worker in sorted(plan.workers.items()):
            if not worker.starters:
                continue  # nothing elsewhere changes with it
            own = by_path.get(worker.path)
            if own is not None and key not in own.workers_done:
                stops[key] = f"{worker.name} is not converted"
                refused[key] = worker.path
                continue
            for path, place in sorted(worker.starters.items()):
                why = _why_not_done(by_path.get(path), key, path)
                if why is not None:
                    stops[key] = f"{worker.name} is started at {place}, which cannot be rewritten: {why}"
                    break
        if not stops:
            break
        touched = sorted(
            {
                path
                for key in stops
                for path in (plan.workers[key].path, *plan.workers[key].starters)
                if path != refused.get(key) and by_path.get(path) is not None
                and by_path[path].status not in (FileStatus.FAILED, FileStatus.SKIPPED)
            }
        )
        plan = plan.stopped(stops)
        options = replace(options, starter_plan=plan)
        again = {result.path: result for result in migrate_all(options, [p for p in files if p in touched])}
        results = [again.get(result.path, result) for result in results]
    return results, options


def _why_not_done(result: Optional[FileResult], key: str, path: str) -> Optional[str]:
    shown = os.path.normpath(path)
    if result is None:
        return None
    if result.status is FileStatus.FAILED:
        return f"{shown} cannot be rewritten ({_short(result.error, path)})"
    if result.status is FileStatus.SKIPPED:
        return f"{shown} is not migrated ({result.skip_reason})"
    if key not in result.workers_done:
        return f"{shown} left it unchanged"
    return None


def _short(error: str, path: str) -> str:
    prefix = f"{path}: "
    return error[len(prefix):] if error.startswith(prefix) else error
