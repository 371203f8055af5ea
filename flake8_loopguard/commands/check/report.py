"""What ``loopguard check`` prints: the findings the selection reports, less those the baseline
holds, in the chosen format, then the total."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Set, Tuple

from ...core.noqa import silences_file, source_lines, without_noqa
from ..selection import Selection
from ..settings import SYNTAX_ERROR_CODE
from ..sources import SourceError, decode_source
from .located import line_text_of
from .formats import ReportFormat, render
from .located import Located

if TYPE_CHECKING:
    from .baseline import Baseline
    from .options import ReportOptions
    from .records import FileRecord
    from .run import Run

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def located_findings(records: Dict[str, FileRecord], reported: Set[str], selection: Selection) -> List[Located]:
    located = []
    for path, record in records.items():
        if path not in reported:
            continue
        for recorded in record.findings:
            if selection.reports(recorded.finding.code, path):
                located.append(Located(path, recorded.finding, recorded.line_text))
    return located


def located_project_findings(
    records: Dict[str, FileRecord], reported: Set[str], selection: Selection, run_: Run
) -> List[Located]:
    located = []
    for path, findings in run_.project_findings(records).items():
        if path not in reported:
            continue
        wanted = [finding for finding in findings if selection.reports(finding.code, path)]
        if not wanted:
            continue
        try:
            with open(path, "rb") as stream:
                source = decode_source(stream.read()).text
        except (OSError, SourceError) as error:
            run_.error(path, f"changed while being checked: {error}")
            continue
        if silences_file(source):
            continue
        lines = source_lines(source)
        located.extend(Located(path, finding, line_text_of(lines, finding)) for finding in without_noqa(wanted, lines))
    return located


def report(
    options: ReportOptions, located: List[Located], checked: Set[str], selection: Selection, run_: Run
) -> int:
    """Print the report (after the baseline) and its total; the exit status the findings call for."""
    findings = located
    silenced: Optional[int] = None  # with a baseline: the findings it holds back
    baselined = [item for item in findings if item.finding.code != SYNTAX_ERROR_CODE]
    entries_of_missing_files = 0
    if options.write_baseline is not None or options.baseline is not None:
        # Imported here, as the baseline is: a run without one does not pay for it.
        from .baseline import Baseline, BaselineError, write_baseline

        try:
            if options.write_baseline is not None:
                write_baseline(options.write_baseline, baselined)
                print(f"loopguard: {options.write_baseline}: recorded {len(baselined)} findings", file=sys.stderr)
                return EXIT_CLEAN
            baseline = Baseline.load(options.baseline)
        except BaselineError as error:
            run_.errors.append(str(error))
            return EXIT_ERROR
        new, entries_of_missing_files = _apply_baseline(options.baseline, baseline, baselined, checked, selection)
        findings = [item for item in findings if item.finding.code == SYNTAX_ERROR_CODE] + new
        silenced = len(baselined) - len(new)
        findings.sort(key=lambda item: (item.path, item.finding.line, item.finding.col, item.finding.code))
    text = render(options.format, findings)
    if options.statistics:
        statistics = _statistics(findings)
        if options.format.is_a_document or options.output_file is not None:
            sys.stderr.write(statistics)
        else:
            text += statistics
    if run_.workers_lost:
        pass  # the run did not read every file: a total would read as a verdict it cannot give
    elif options.format is ReportFormat.TEXT and options.output_file is None:
        text += _total(findings, len(checked), silenced)
    else:  # the report stays what its format says, nothing more
        sys.stderr.write(_total(findings, len(checked), silenced))
    if options.output_file is not None:
        try:
            options.output_file.write_text(text, encoding="utf-8")
        except OSError as error:
            run_.error(str(options.output_file), f"cannot write the report: {error.strerror or error}")
    else:
        sys.stdout.write(text)
    return EXIT_FINDINGS if (findings or entries_of_missing_files) and not options.exit_zero else EXIT_CLEAN


def _apply_baseline(
    baseline_file: Path, baseline: Baseline, located: List[Located], checked: Set[str], selection: Selection
) -> Tuple[List[Located], int]:
    """The findings ``baseline`` does not silence, and how many of its entries name a file that
    does not exist (they fail the gate: a file of that name created later would be silenced).

    On stderr, one warning per entry that matched nothing: mismatched (edited by hand), or stale
    (its findings are gone from a file checked in this run, or its file does not exist). An entry
    of a code this run does not report, or of an existing file it did not check, is not stale:
    its findings were not looked for.
    """
    from .baseline import normalized_path

    new, removable = baseline.filter(located)
    warnings = [
        f"{baseline_file}: {entry.path}: the {entry.code} entry in {entry.context or 'module level'} does not match "
        f"its fingerprint {entry.fingerprint} (edited by hand?), so it silences nothing"
        for entry in baseline.mismatched
    ]
    checked_paths = {normalized_path(path) for path in checked}
    missing = 0
    for entry in removable:
        path = normalized_path(entry.path)
        if not selection.reports(entry.code, path):
            continue
        where = f"{entry.path}: {entry.count} {entry.code} finding(s) in {entry.context or 'module level'}"
        if not os.path.exists(path):
            missing += 1
            warnings.append(f"{baseline_file}: {where}: the file does not exist; refresh it with --write-baseline")
        elif path in checked_paths:
            warnings.append(f"{baseline_file}: {where} are gone; refresh it with --write-baseline")
    for warning in warnings:
        print(f"loopguard: warning: {warning}", file=sys.stderr)
    if missing:
        print(
            f"loopguard: {baseline_file}: {missing} entry(ies) of files that do not exist fail the gate; refresh the "
            f"baseline with `loopguard check --write-baseline {baseline_file}` on the whole project",
            file=sys.stderr,
        )
    return new, missing


def _total(findings: Sequence[Located], files_checked: int, silenced: Optional[int]) -> str:
    """The closing line: the findings reported, in how many of the files checked, and with a
    baseline how many it held back (``3 new findings in 2 of 1788 files (5 silenced by the baseline)``)."""
    kind = "finding" if silenced is None else "new finding"
    files = _counted(files_checked, "file")
    if findings:
        with_findings = len({item.path for item in findings})
        line = f"{_counted(len(findings), kind)} in {with_findings} of {files}"
    else:
        line = f"no {kind}s in {files}"
    if silenced is not None:
        line += f" ({silenced} silenced by the baseline)"
    return line + "\n"


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _statistics(findings: Sequence[Any]) -> str:
    """flake8's ``--statistics``: per code, the count and the first message."""
    counts: Dict[str, int] = {}
    first_message: Dict[str, str] = {}
    for item in findings:
        code = item.finding.code
        counts[code] = counts.get(code, 0) + 1
        first_message.setdefault(code, item.finding.message)
    return "".join(f"{counts[code]:<5} {code} {first_message[code]}\n" for code in sorted(counts))
