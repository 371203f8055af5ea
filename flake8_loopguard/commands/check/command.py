"""``loopguard check``: the CI gate. Files in, the engine's findings out, as flake8 prints them.

Per file: read, decode, the engine (the prefilter first, so most files are never parsed), the
file's ``# noqa`` comments, and the summary the whole-project pass needs; the result is cached
by content. Then the whole-project pass (LG107, cross-module LG401/LG102/LG103) over every
summary, flake8's select/ignore/per-file-ignores decision, the baseline, and the report.

The whole-project pass also needs the thread hand-overs and coroutine calls of files the
prefilter skips, but only those that can reach a project function making a loop. So the files
are read in phases: first every file (modelled when the prefilter lets it through, import-scanned
otherwise); then, from those summaries, the names of the functions that create, run or drive a
loop (and of every function or re-export that reaches one); then only the skipped files that
have a hand-over word and name one of them are modelled, again until no new name appears.
"""

from __future__ import annotations

import argparse
import codecs
import gc
import io
import os
import sys
from pathlib import Path
from typing import Sequence, Set

from ...core.config import OPTIONS
from ...core.collector import collector_paused
from ..discovery import GitError, changed_files, discover
from ..selection import Selection
from ..settings import SYNTAX_ERROR_CODE, Settings, SettingsError, load_settings
from .cache import DEFAULT_DIRECTORY
from .codes import PROJECT_CODES, RULE_CODES
from .formats import report_format
from .options import CheckOptions, ReportOptions
from .report import EXIT_ERROR, located_findings, located_project_findings, report
from .run import Run


def run(args: argparse.Namespace) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not valid UTF-8 is printed as the bytes it is (as `ls` does), and
        # what the output encoding cannot hold is escaped: never a crash at the last step.
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            utf8 = codecs.lookup(stream.encoding).name == "utf-8"
            stream.reconfigure(errors="surrogateescape" if utf8 else "backslashreplace")
    # What the run keeps has no reference cycles (each model is released after its file), so the
    # cycle collector would only scan the live trees again and again: off for the whole run,
    # in the worker processes too (they start as copies of this one).
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            options = settled_options(args)
        except SettingsError as error:
            print(f"loopguard: {error}", file=sys.stderr)
            return EXIT_ERROR
        return check(options)
    except BrokenPipeError:
        # The reader went away (`loopguard check | head`): say nothing more, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as error:  # a bug of ours: one line, never a traceback in the CI log
        print(f"loopguard: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if collector_was_enabled:
            gc.enable()


def settled_options(args: argparse.Namespace) -> CheckOptions:
    """The run's options: the flags over ``[tool.loopguard]``; :class:`SettingsError` names a bad one."""
    known_codes = RULE_CODES + (SYNTAX_ERROR_CODE,)
    flags = {option.name: getattr(args, option.name.replace("-", "_")) for option in OPTIONS}
    for key in ("select", "ignore", "extend-select", "exclude", "extend-exclude", "per-file-ignores"):
        flags[key] = getattr(args, key.replace("-", "_"))
    settings = load_settings(known_codes, flags)
    selection = Selection(settings)
    return CheckOptions(
        settings=settings,
        paths=tuple(args.paths or ["."]),
        diff_against=args.diff_against,
        verbose=args.verbose,
        jobs=args.jobs,
        cache_dir=None if args.no_cache else Path(args.cache_dir or (settings.root / DEFAULT_DIRECTORY)),
        report=ReportOptions(
            format=report_format(args.format),
            output_file=args.output_file,
            statistics=args.statistics,
            exit_zero=args.exit_zero,
            baseline=args.baseline,
            write_baseline=args.write_baseline,
        ),
        config=settings.engine_config(),
        selection=selection,
        whole_project=selection.reports_any(PROJECT_CODES),
    )


def check(options: CheckOptions) -> int:
    """The run: its exit status."""
    settings, selection, whole_project = options.settings, options.selection, options.whole_project
    run_ = Run(options)
    if options.verbose:
        print(f"loopguard: configuration: {settings.config_file or 'none (defaults)'}", file=sys.stderr)

    paths = options.paths
    discovered = discover(paths, settings.exclude + settings.extend_exclude)
    run_.walked.append(discovered)
    run_.errors.extend(discovered.errors)
    run_.warnings.extend(discovered.warnings)
    reported: Set[str] = set(discovered.files)
    analysed = list(discovered.files)
    if whole_project and _is_project_root(settings) and not _covers_root(paths, settings.root):
        # The whole-project rules see the whole project, whichever files are reported.
        project = discover([os.path.relpath(settings.root)], settings.exclude + settings.extend_exclude)
        run_.walked.append(project)
        known = {os.path.abspath(path) for path in analysed}
        analysed.extend(os.path.normpath(path) for path in project.files if os.path.abspath(path) not in known)
    if options.diff_against is not None:
        try:
            changed = changed_files(options.diff_against)
        except GitError as error:
            print(f"loopguard: --diff-against {options.diff_against}: {error}", file=sys.stderr)
            return EXIT_ERROR
        reported = {path for path in reported if os.path.abspath(path) in changed}
        if not whole_project:
            analysed = [path for path in analysed if path in reported]

    records = run_.records(analysed)
    located = located_findings(records, reported, selection)
    if whole_project:
        with collector_paused():
            located.extend(located_project_findings(records, reported, selection, run_))
    run_.save_cache()
    located.sort(key=lambda item: (item.path, item.finding.line, item.finding.col, item.finding.code))

    # Of the files reported on, those read and checked: an unreadable one is an error line instead,
    # and its baseline entries are not known to be gone.
    checked = {path for path in reported if path in records}
    status = report(options.report, located, checked, selection, run_)
    for warning in run_.warnings:
        print(f"loopguard: warning: {warning}", file=sys.stderr)
    for error in run_.errors:
        print(f"loopguard: {error}", file=sys.stderr)
    if options.verbose:
        if whole_project:
            print(
                f"loopguard: whole-project rules: {run_.modelled_for_project} more files modelled for their "
                "calls of functions that reach a loop",
                file=sys.stderr,
            )
        print(
            f"loopguard: {len(analysed)} files: {run_.checked} checked, {run_.from_cache} unchanged since the cache, "
            f"{len(reported)} reported on",
            file=sys.stderr,
        )
    if run_.errors or any(item.finding.code == SYNTAX_ERROR_CODE for item in located):
        return EXIT_ERROR
    return status


def _is_project_root(settings: Settings) -> bool:
    """A folder known to hold a whole project: the configuration's, or the top of a git work tree."""
    return settings.config_file is not None or (settings.root / ".git").exists()


def _covers_root(paths: Sequence[str], root: Path) -> bool:
    return any(Path(path).resolve() == root for path in paths)
