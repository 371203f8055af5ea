"""The ``run_to_await`` chains of a migration: planned once over every file of the run, carried
out file by file, and kept whole.

A chain spans files; each file's rewrite checks its own part and may refuse it (a shape the
codemod does not take, a file that fails as a whole). Then the chain is stopped in every file:
the plan drops it, with the reason, and the files it touched are migrated again without it, until
no chain fails. The files it touched are few (those of the failed chains), and a chain stopped
once never comes back, so this ends.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .console_scripts import console_scripts
from .files import FileResult, FileStatus, MigrationOptions

RUN_TO_AWAIT = "run_to_await"

MigrateAll = Callable[[MigrationOptions, Sequence[str]], List[FileResult]]


def plan_chains(options: MigrationOptions, sources: Mapping[str, str]) -> Tuple[Optional[Any], str]:
    """The ``run_to_await`` plan over ``sources`` (path -> text of the run's readable files; None
    when that codemod is not selected), and the error that kept it from being made (then the
    plan is empty: no chain is rewritten)."""
    if options.selected is not None and RUN_TO_AWAIT not in options.selected:
        return None, ""
    from ...project.await_plan import AwaitPlan, plan_project

    selection = options.selection
    scripts = console_scripts(Path(options.config.project_root or os.curdir))
    try:
        return plan_project(sources, options.config, lambda path, code: selection.reports(code, path=path), scripts), ""
    except Exception as error:  # a bug of ours must not cost the other codemods' work
        why = f"run_to_await: internal error while planning its chains ({type(error).__name__}: {error}); none rewritten"
        return AwaitPlan(), why


def keep_chains_whole(
    options: MigrationOptions, files: Sequence[str], results: List[FileResult], migrate_all: MigrateAll
) -> List[FileResult]:
    """``results`` once every chain that failed somewhere is stopped everywhere it reached."""
    from ...project.await_plan.plan import Stop

    plan = options.await_plan
    while plan is not None:
        failures: Dict[int, Stop] = {}
        by_path = {result.path: result for result in results}
        for number, chain in sorted(plan.chains.items()):
            for path in chain.paths:
                result = by_path.get(path)
                if result is None:
                    continue
                shown = os.path.normpath(path)
                if result.status is FileStatus.FAILED:
                    failures[number] = Stop("", f"{shown} cannot be rewritten ({_short(result.error, path)})")
                elif result.status is FileStatus.SKIPPED:
                    failures[number] = Stop("", f"{shown} is not migrated ({result.skip_reason})")
                elif number in result.await_failures:
                    failures[number] = Stop("", f"in {shown}: {result.await_failures[number]}")
                if number in failures:
                    break
        if not failures:
            break
        # The file that refused a chain already left it (and says why): the others take it back.
        refused = {(number, result.path) for result in results for number in result.await_failures}
        refused |= {
            (number, result.path)
            for result in results
            if result.status in (FileStatus.FAILED, FileStatus.SKIPPED)
            for number in failures
        }
        touched = sorted(
            {path for number in failures for path in plan.chains[number].paths if (number, path) not in refused}
        )
        plan = plan.stopped(failures)
        options = replace(options, await_plan=plan)
        again = {result.path: result for result in migrate_all(options, [p for p in files if p in touched])}
        results = [again.get(result.path, result) for result in results]
    return results


def places_as_written(results: Sequence[FileResult]) -> None:
    """After ``--write``: each ``path:line`` a note's reason names (the functions of a chain, in
    this file or another) moved to the same place in the files as written, as the notes' own
    lines are. Diff mode names the files as they are, which its notes' reasons already do."""
    from loopguard_codemods.pipeline import line_mover

    movers = {
        os.path.normpath(result.path): line_mover(result.before, result.after)
        for result in results
        if result.status is FileStatus.CHANGED
    }
    if not movers:
        return
    # The longest path first, and none inside a longer one ("src/app.py:3" is not "app.py:3").
    spelled = "|".join(re.escape(path) for path in sorted(movers, key=len, reverse=True))
    place = re.compile(rf"(?<![\w./\\-])({spelled}):(\d+)\b")

    def moved(match: "re.Match[str]") -> str:
        return f"{match.group(1)}:{movers[match.group(1)](int(match.group(2)))}"

    for result in results:
        result.notes = [(line, code, codemod, place.sub(moved, reason)) for line, code, codemod, reason in result.notes]


def _short(error: str, path: str) -> str:
    prefix = f"{path}: "
    return error[len(prefix):] if error.startswith(prefix) else error
