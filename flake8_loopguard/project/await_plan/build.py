"""The ``run_to_await`` plan of a whole project, from its source texts.

The files the prefilter lets through (they mention a loop) are modelled first; then, round after
round, every other file that spells the name of a function that may become a coroutine (a caller,
a re-export, a reference), and the uses of those names are read, until no new file or name is
needed. Every other file counts for its import
lines alone, read without parsing, as in the check command's project pass."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from ...core.collector import collector_paused
from ...core.config import Config
from ...core.engine import analyse_source
from ...core.findings import Finding
from ...core.model import Module
from ...core.noqa import is_silenced, noqa_lines, silences_file, source_lines
from ...core.prefilter import may_have_findings
from ...core.rules import enabled_rules
from ..graph import Project
from ..imports import module_name_for
from ..summary import FunctionSummary, ModuleSummary, summarize, summarize_imports_only, target_finder
from .chains import FIXED_CODES, THREAD_CODE, ChainPlanner
from .facts import ModuleFacts, module_facts
from .plan import AwaitPlan
from .references import NameIndex, NameUse, name_uses

PLANNED_CODES = frozenset({*FIXED_CODES, THREAD_CODE})
Reports = Callable[[str, str], bool]  # (path, code) -> whether the user's selection reports it


@dataclass
class _Modelled:
    module: Module
    tree: ast.Module
    facts: ModuleFacts
    index: Optional[NameIndex] = None  # made when the uses of a name are first read here


def plan_project(
    sources: Mapping[str, str],
    config: Config,
    reports: Optional[Reports] = None,
    console_scripts: Optional[Mapping[str, str]] = None,
) -> AwaitPlan:
    """The plan for the files ``sources`` holds (path -> text). ``console_scripts``: the functions
    the project's console scripts call, ``"module:function"`` -> how the project declares it.

    With the cycle collector paused: the modelled files stay alive until the plan is made, and
    each collection scanned them all again (a quarter of the plan's time over the standard
    library, for no memory: the same peak without it)."""
    with collector_paused():
        return _Builder(sources, config, reports, console_scripts or {}).plan()


def plan_module(source: str, path: str, config: Config, reports: Optional[Reports] = None) -> AwaitPlan:
    """The plan of one module taken as the whole program (a codemod run on its own)."""
    return plan_project({path: source}, config, reports)


class _Builder:
    def __init__(
        self, sources: Mapping[str, str], config: Config, reports: Optional[Reports], console_scripts: Mapping[str, str]
    ) -> None:
        self.sources = sources
        self.console_scripts = console_scripts
        self.config = config
        self.reports = reports
        self.names = {path: module_name_for(path, config.project_root) for path in sources}
        # Only the findings of the codes run_to_await fixes matter here.
        self.rules = [rule for rule in enabled_rules(config) if rule.code in PLANNED_CODES]
        self.modelled: Dict[str, _Modelled] = {}
        self.unreadable: List[str] = []
        self.summaries: Dict[str, ModuleSummary] = {}
        self.scanned: Dict[str, Set[str]] = {}  # path -> the names whose uses were read there
        self.uses: Dict[str, Tuple[str, List[NameUse]]] = {}  # path -> (module, the uses read)
        self._project: Optional[Project] = None
        self.everywhere: Set[str] = set()  # names whose uses are read in every modelled file

    def plan(self) -> AwaitPlan:
        try:
            for path, source in self.sources.items():
                if may_have_findings(source, self.config):
                    self.model(path)
            for path, source in self.sources.items():
                if path not in self.modelled and path not in self.unreadable:
                    self.summaries[path] = summarize_imports_only(source, path, self.names[path])
            while True:
                # The uses of the names known so far may add callers (an unfollowed method call),
                # whose names need their own uses, maybe in files not modelled yet.
                planner = self.planner()
                everywhere, methods, modules = planner.names_to_scan()
                spelled = _word_pattern(planner.names_to_model())
                modules = planner.modules_to_model()
                wanted = [
                    path
                    for path, source in self.sources.items()
                    if path not in self.modelled
                    and path not in self.unreadable
                    and self.imports_any(path, modules)
                    and spelled.search(source)
                ]
                for path in wanted:
                    self.model(path)
                scanned = self.scan_uses(everywhere, [*self.modelled, *self.unreadable])
                in_chains = [path for path, modelled in self.modelled.items() if modelled.facts.module in modules]
                scanned = self.scan_uses(methods, in_chains) or scanned
                self.everywhere |= everywhere
                if not wanted and not scanned:
                    planner.scanned_everywhere = set(self.everywhere)
                    return planner.plan()
        finally:
            for modelled in self.modelled.values():
                modelled.module.release()

    def model(self, path: str) -> None:
        source = self.sources[path]
        try:
            analysis = analyse_source(source, path, self.config, self.rules, model_anyway=True)
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

    def imports_any(self, path: str, modules: Set[str]) -> bool:
        """Whether the file's imports may reach one of the modules: it imports the module, a
        package above it, a name of it, or a module whose name ends like it (a script's
        directory on the path: `services.broker` for `app.services.broker`)."""
        summary = self.summaries.get(path)
        if summary is None:
            return True  # not read yet: assume it may
        targets = [*summary.imports.values(), *summary.star_imports]
        return any(_related(target, module) for target in targets for module in modules)

    def planner(self) -> ChainPlanner:
        project = Project(list(self.summaries.values()))
        planner = ChainPlanner([m.facts for m in self.modelled.values()], project, self.sources, self.console_scripts)
        for module, uses in self.uses.values():
            planner.add_uses(module, uses)
        for path in self.unreadable:
            source = self.sources[path]
            planner.add_unreadable(path, (name for name in self.scanned.get(path, ()) if re.search(rf"\b{name}\b", source)))
        return planner

    def scan_uses(self, names: Set[str], paths: Iterable[str]) -> bool:
        """Read the uses of the names not read yet in these files; whether there were any."""
        scanned_any = False
        for path in paths:
            new = names - self.scanned.setdefault(path, set())
            if not new:
                continue
            scanned_any = True
            self.scanned[path] |= new
            modelled = self.modelled.get(path)
            if modelled is None or not _word_pattern(new).search(self.sources[path]):
                continue
            summary = self.summaries[path]
            module = summary.module
            # Names this module's imports give to those functions (`from helpers import fetch as f`).
            local = {alias for alias, target in summary.imports.items() if target.rpartition(".")[2] in new}
            finder = target_finder(modelled.module, path, module, modelled.tree)
            project = Project(list(self.summaries.values())) if self._project is None else self._project
            self._project = project
            facts_functions = {m.facts.module: m.facts.functions for m in self.modelled.values()}

            def resolve(target: str, importer: str = module) -> Optional[Tuple[str, str]]:
                node = project.resolve(target, importer)
                return node if node is not None and node[1] in facts_functions.get(node[0], {}) else None

            if modelled.index is None:
                modelled.index = NameIndex(modelled.module, modelled.tree)
            found = list(name_uses(modelled.module, modelled.index, module, finder, resolve, new | local))
            self.uses.setdefault(path, (module, []))[1].extend(found)
        self._project = None
        return scanned_any


def _related(target: str, module: str) -> bool:
    """``target`` (an imported dotted name) may lead to ``module``: its first name is one of the
    module's (``store.query`` re-exported by the package of ``store.db``; ``services.broker.f``
    for ``app.services.broker``, a script's directory on the path)."""
    return target.partition(".")[0] in module.split(".")


@lru_cache(maxsize=256)
def _words(names: FrozenSet[str]) -> "re.Pattern[str]":
    if not names:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, names))) + r")\b")


def _word_pattern(names: Iterable[str]) -> "re.Pattern[str]":
    return _words(frozenset(names))
