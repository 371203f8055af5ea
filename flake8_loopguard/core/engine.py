"""source text -> prefilter -> ast -> one walk -> semantic model -> rules -> findings."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable, List, Optional

from .collector import collector_paused
from .config import DEFAULT_CONFIG, Config
from .model import Module
from .import_lines import ImportLines
from .prefilter import may_have_findings
from .findings import Finding
from .rules import Rule, enabled_rules, findings_of


@dataclass
class Analysis:
    """What the engine made of one file: for the adapters that need more than the findings
    (the project pass reads the model; nothing is parsed or walked twice)."""

    findings: List[Finding] = field(default_factory=list)
    tree: Optional[ast.AST] = None  # None when the prefilter skipped the file
    module: Optional[Module] = None
    # The import lines the prefilter found, when it skipped the file: the project pass reads
    # such a file's imports from them.
    import_lines: Optional[ImportLines] = None


def analyse_source(
    source: str,
    filename: str = "<string>",
    config: Config = DEFAULT_CONFIG,
    rules: Optional[Iterable[Rule]] = None,
    model_anyway: bool = False,
) -> Analysis:
    """Prefilter, parse, model and check. A file that does not parse raises ``SyntaxError`` for
    the caller to report. ``model_anyway`` models a file the prefilter would skip (the project
    pass needs the thread hand-overs of files that mention no loop)."""
    if not model_anyway:
        import_lines = ImportLines(source)
        if not may_have_findings(source, config, import_lines):
            return Analysis(import_lines=import_lines)
    with collector_paused():
        tree = ast.parse(source, filename=filename)
        module = Module(tree, filename, config)
        return Analysis(_findings(module, config, rules), tree, module)


def check_tree(
    tree: ast.AST,
    source: str,
    filename: str,
    config: Config = DEFAULT_CONFIG,
    rules: Optional[Iterable[Rule]] = None,
) -> List[Finding]:
    """Findings for an already parsed module; ``source`` only feeds the prefilter."""
    if not may_have_findings(source, config):
        return []
    with collector_paused():
        module = Module(tree, filename, config)
        findings = _findings(module, config, rules)
        module.release()
        return findings


def check_source(
    source: str,
    filename: str = "<string>",
    config: Config = DEFAULT_CONFIG,
    rules: Optional[Iterable[Rule]] = None,
) -> List[Finding]:
    """Parse and check. A file that does not parse raises ``SyntaxError`` for the caller to report."""
    analysis = analyse_source(source, filename, config, rules)
    if analysis.module is not None:
        analysis.module.release()
    return analysis.findings


def _findings(module: Module, config: Config, rules: Optional[Iterable[Rule]]) -> List[Finding]:
    return findings_of(enabled_rules(config) if rules is None else rules, module)
