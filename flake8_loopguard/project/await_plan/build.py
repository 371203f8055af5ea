"""The ``run_to_await`` plan of a whole project, from its source texts.

The files the prefilter lets through (they mention a loop) are modelled first; then, round after
round, every other file that spells the name of a function that may become a coroutine (a caller,
a re-export, a reference), and the uses of those names are read, until no new file or name is
needed. Every other file counts for its import
lines alone, read without parsing, as in the check command's project pass."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from ...core.config import Config
from ...core.engine import analyse_source
from ...core.findings import Finding
from ...core.model import Module
from ...core.noqa import is_silenced, noqa_lines, silences_file, source_lines
from ...core.prefilter import may_have_findings
from ..graph import Project
from ..imports import module_name_for
from ..summary import FunctionSummary, ModuleSummary, summarize, summarize_imports_only, target_finder
from .chains import ChainPlanner
from .facts import ModuleFacts, module_facts
from .plan import AwaitPlan
from .references import name_uses

Reports = Callable[[str, str], bool]  # (path, code) -> whether the user's selection reports it


@dataclass
class _Modelled:
    module: Module
    tree: ast.Module
    facts: ModuleFacts


def plan_project(sources: Mapping[str, str], config: Config, reports: Optional[Reports] = None) -> AwaitPlan:
    """The plan for the files ``sources`` holds (path -> text)."""
    return _Builder(sources, config, reports).plan()


def plan_module(source: str, path: str, config: Config, reports: Optional[Reports] = None) -> AwaitPlan:
    """The plan of one module taken as the whole program (a codemod run on its own)."""
    return plan_project({path: source}, config, reports)


class _Builder:
    def __init__(self, sources: Mapping[str, str], config: Config, reports: Optional[Reports]) -> None:
        self.sources = sources
        self.config = config
        self.reports = reports
        self.names = {path: module_name_for(path, config.project_root) for path in sources}
        self.modelled: Dict[str, _Modelled] = {}
        self.unreadable: List[str] = []
        self.summaries: Dict[str, ModuleSummary] = {}

    def plan(self) -> AwaitPlan:
        try:
            for path, source in self.sources.items():
                if may_have_findings(source, self.config):
                    self.model(path)
            for path, source in self.sources.items():
                if path not in self.modelled and path not in self.unreadable:
                    self.summaries[path] = summarize_imports_only(source, path, self.names[path])
            scanned: Set[str] = set()
            while True:
                # The uses of the names known so far may add callers (an unfollowed method call),
                # whose names need their own uses, maybe in files not modelled yet.
                planner = self.planner()
                self.add_uses(planner, scanned)
                names = planner.names_to_look_up()
                spelled = _word_pattern(names)
                wanted = [
                    path
                    for path, source in self.sources.items()
                    if names and path not in self.modelled and path not in self.unreadable and spelled.search(source)
                ]
                for path in wanted:
                    self.model(path)
                if not wanted and names <= scanned:
                    return planner.plan()
                scanned |= names
        finally:
            for modelled in self.modelled.values():
                modelled.module.release()

    def model(self, path: str) -> None:
        source = self.sources[path]
        try:
            analysis = analyse_source(source, path, self.config, model_anyway=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self.unreadable.append(path)
            self.summaries.pop(path, None)
            return
        assert analysis.module is not None and isinstance(analysis.tree, ast.Module)
        reported, silenced = self.split(path, source, analysis.findings)
        name = self.names[path]
        facts = module_facts(analysis.module, analysis.tree, path, name, reported, silenced)
        self.modelled[path] = _Modelled(analysis.module, analysis.tree, facts)
        summary = summarize(analysis.module, path, name, analysis.tree)
        # Every function resolves, also one that calls nothing of the project's (the check
        # command's summary leaves those out: they lead to no loop).
        for qualified, function in facts.functions.items():
            summary.functions.setdefault(qualified, FunctionSummary(function.line, function.is_async))
        self.summaries[path] = summary

    def split(self, path: str, source: str, findings: Iterable[Finding]) -> Tuple[List[Finding], List[Finding]]:
        """The findings the user's selection reports, and those a ``# noqa`` silences."""
        whole_file = silences_file(source)
        silenced_lines = noqa_lines(source_lines(source))
        reported: List[Finding] = []
        silenced: List[Finding] = []
        for finding in findings:
            if whole_file or is_silenced(finding.code, silenced_lines.get(finding.line)):
                silenced.append(finding)
            elif self.reports is None or self.reports(path, finding.code):
                reported.append(finding)
        return reported, silenced

    def planner(self) -> ChainPlanner:
        project = Project(list(self.summaries.values()))
        return ChainPlanner([m.facts for m in self.modelled.values()], project, self.sources)

    def add_uses(self, planner: ChainPlanner, names: Iterable[str]) -> None:
        wanted = frozenset(names)
        if not wanted:
            return
        spelled = _word_pattern(wanted)
        for path, modelled in self.modelled.items():
            if not spelled.search(self.sources[path]):
                continue
            summary = self.summaries[path]
            module = summary.module
            # Names this module's imports give to those functions (`from helpers import fetch as f`).
            local = {alias for alias, target in summary.imports.items() if target.rpartition(".")[2] in wanted}
            finder = target_finder(modelled.module, path, module, modelled.tree)

            def resolve(target: str, importer: str = module) -> Optional[Tuple[str, str]]:
                return planner.target(target, importer)

            planner.add_uses(module, name_uses(modelled.module, modelled.tree, module, finder, resolve, wanted | local))
        for path in self.unreadable:
            planner.add_unreadable(path, (name for name in wanted if re.search(rf"\b{name}\b", self.sources[path])))


def _word_pattern(names: Iterable[str]) -> "re.Pattern[str]":
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b")
