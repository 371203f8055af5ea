"""What the engine and the whole-project pass make of one file's text: its cache record (its
findings after ``# noqa``, its whole-project summary). Imported by the first file that needs
checking, so that a run the cache answers never loads the engine, the model or the project pass."""

from __future__ import annotations

from typing import Optional

from ...core.config import Config
from ...core.engine import analyse_source
from ...core.findings import Finding
from ...core.noqa import silences_file, source_lines, without_noqa
from ...project import ModuleSummary, module_name_for, summarize, summarize_imports_only
from ..settings import SYNTAX_ERROR_CODE
from .located import line_text_of
from .records import FileRecord, RecordedFinding


def analyse(source: str, path: str, config: Config, summarize_it: bool, model_anyway: bool) -> FileRecord:
    """The cache record of one file: its findings after ``# noqa``, its whole-project summary
    (``summarize_it``: the whole-project rules need it), and whether that summary is the full
    model's (``modelled``) or the imports only (a later phase may need the file modelled);
    ``model_anyway`` models a file the prefilter would skip."""
    summary: Optional[ModuleSummary] = None
    # Module names are relative to the project root, so the summary does not depend on the spelling.
    module_name = module_name_for(path, config.project_root) if summarize_it else ""
    try:
        analysis = analyse_source(source, path, config, model_anyway=model_anyway)
    except SyntaxError as error:
        if silences_file(source):  # flake8 does not even parse such a file
            return FileRecord((), None, modelled=True)
        syntax_error = Finding(
            error.lineno or 1,
            max((error.offset or 1) - 1, 0),
            SYNTAX_ERROR_CODE,
            f"{type(error).__name__}: {error.msg}",
        )
        line_text = line_text_of(source_lines(source), syntax_error)
        # Modelled as far as it goes: parsing it again would find nothing more.
        return FileRecord((RecordedFinding(syntax_error, line_text),), None, modelled=True)
    modelled = analysis.module is not None
    if summarize_it:
        if analysis.module is None:
            summary = summarize_imports_only(source, path, module_name, analysis.import_lines)
        else:
            summary = summarize(analysis.module, path, module_name, analysis.tree)
    if analysis.module is not None:
        analysis.module.release()
    findings = analysis.findings
    if findings and silences_file(source):
        findings = []
    lines = source_lines(source) if findings else []
    kept = without_noqa(findings, lines)
    return FileRecord(
        tuple(RecordedFinding(finding, line_text_of(lines, finding)) for finding in kept),
        summary.to_json() if summary is not None else None,
        modelled,
    )
