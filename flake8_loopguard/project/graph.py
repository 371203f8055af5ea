"""The project's call graph across modules: which function a dotted name reaches (through
imports, re-exports and star imports), who calls whom, and the shortest chains to a loop."""

from __future__ import annotations

from collections import deque
from functools import cached_property
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from ..core.findings import Finding
from ..core.project_facts import CrossModuleChain, HandOverKind, LoopSite
from ..core.rules import project_rules
from .summary import ANY_LOOP, RUNNING_LOOP, FunctionSummary, ModuleSummary

Node = Tuple[str, str]  # (module name, function's qualified name in it)



class Project:
    """The whole-project pass over the modules' summaries. The call graph across modules is
    built once, however many questions are asked (the check command asks for the names that
    reach a loop, then for the findings)."""

    def __init__(self, summaries: Sequence[ModuleSummary]) -> None:
        self.summaries = list(summaries)
        # Two files with one module name (``pkg/m.py`` and ``src/pkg/m.py``): the first names it.
        self.modules: Dict[str, ModuleSummary] = {}
        for summary in self.summaries:
            self.modules.setdefault(summary.module, summary)
        # "services.broker" -> ["app.services.broker"]: for imports written relative to a
        # script's directory rather than to the project root
        self.by_suffix: Dict[str, List[str]] = {}
        for name in self.modules:
            parts = name.split(".")
            for start in range(1, len(parts)):
                self.by_suffix.setdefault(".".join(parts[start:]), []).append(name)
        self.resolved: Dict[Tuple[str, str], Optional[Node]] = {}
        self._chains: Dict[Tuple[str, ...], Dict[Node, Optional[Node]]] = {}

    def loop_reaching_names(self) -> Set[str]:
        """The names a file must mention for its hand-overs to reach a function of another module
        that creates, runs or drives a loop (or calls one, at any depth).

        The project pass follows a call into another module only through a dotted name written in
        the calling file, whose first part is imported: so the file names the function (the class,
        for a method) or a name an import gives it (``from m import helper as run_it``, a package's
        re-export under another name, at any depth of re-exports).
        """
        names = {name.split(".", 1)[0] for _module, name in self.chains_to(ANY_LOOP)}
        while names:
            aliases = {
                local
                for summary in self.summaries
                for local, target in summary.imports.items()
                if local not in names and target.rsplit(".", 1)[-1] in names
            }
            if not aliases:
                break
            names |= aliases
        return names

    def findings(self) -> Dict[str, List[Finding]]:
        """The whole-project findings of every rule that has them, keyed by path (only paths with
        findings), each list sorted."""
        found: Dict[str, Dict[Tuple[int, int, str], Finding]] = {}
        for rule in project_rules():
            for path, finding in rule.check_project(self):
                found.setdefault(path, {}).setdefault((finding.line, finding.col, finding.code), finding)
        return {path: sorted(findings.values()) for path, findings in sorted(found.items())}

    # ----- the facts the whole-project rules ask for (core.project_facts.ProjectFacts) -----

    def loop_sites(self) -> List[Tuple[str, LoopSite]]:
        return sorted(
            ((summary.path, site) for summary in self.summaries for site in summary.loop_sites),
            key=lambda item: (item[0], item[1].line, item[1].col),
        )

    def cross_module_chains(self, kind: HandOverKind) -> Iterator[CrossModuleChain]:
        next_hop = self.chains_to(ANY_LOOP if kind is HandOverKind.THREAD else RUNNING_LOOP)
        for summary in self.summaries:
            for hand_over in summary.hand_overs:
                if hand_over.kind is not kind:
                    continue
                start = self.resolve(hand_over.target, summary.module)
                if start is None or start not in next_hop:
                    continue
                chain = self.chain(start, next_hop)
                if all(module == summary.module for module, _name in chain):
                    continue  # the engine's per-file rules own what stays in one module
                yield CrossModuleChain(
                    summary.path,
                    hand_over.line,
                    hand_over.col,
                    hand_over.context,
                    tuple(name for _module, name in chain),
                    self.where(chain[-1]),
                    self.function(chain[-1]).loop_calls,
                )

    # ----- the call graph ------------------------------------------------------------

    def resolve(self, target: str, importer: str) -> Optional[Node]:
        key = (target, importer)
        if key not in self.resolved:
            found = self._resolve(target, set())
            if found is None:
                rerooted = self._rerooted(target, importer)
                found = self._resolve(rerooted, set()) if rerooted is not None else None
            self.resolved[key] = found
        return self.resolved[key]

    def _resolve(self, target: str, seen: Set[str]) -> Optional[Node]:
        """The function a dotted target names, through modules, re-exports and star imports."""
        if target in seen:
            return None  # an import cycle
        seen.add(target)
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            summary = self.modules.get(".".join(parts[:cut]))
            if summary is None:
                continue
            rest = parts[cut:]
            name = ".".join(rest)
            if name in summary.functions:
                return summary.module, name
            if rest[0] in summary.imports:
                return self._resolve(".".join((summary.imports[rest[0]], *rest[1:])), seen)
            for star in summary.star_imports:
                found = self._resolve(f"{star}.{name}", seen)
                if found is not None:
                    return found
            return None
        return None

    def _rerooted(self, target: str, importer: str) -> Optional[str]:
        """``services.broker.f`` imported by ``app.main`` means ``app.services.broker.f`` when
        ``app/`` is the directory the program runs from."""
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            candidates = [
                name
                for name in self.by_suffix.get(".".join(parts[:cut]), ())
                if importer.startswith(name[: len(name) - len(".".join(parts[:cut]))])
            ]
            if len(candidates) == 1:
                return ".".join((candidates[0], *parts[cut:]))
        return None

    def chains_to(self, codes: Tuple[str, ...]) -> Dict[Node, Optional[Node]]:
        """Each function that reaches a loop-making function (one with a call of ``codes``),
        mapped to the next function on its shortest chain (None: it makes the loop itself)."""
        if codes in self._chains:
            return self._chains[codes]
        callers = self.callers
        next_hop: Dict[Node, Optional[Node]] = {}
        self._chains[codes] = next_hop
        queue: deque = deque()
        for summary in self.modules.values():
            for name, function in summary.functions.items():
                if any(code in codes for code, _call in function.loop_calls):
                    node = (summary.module, name)
                    next_hop[node] = None
                    queue.append(node)
        while queue:
            callee = queue.popleft()
            for caller in callers.get(callee, ()):
                if caller not in next_hop:
                    next_hop[caller] = callee
                    queue.append(caller)
        return next_hop

    @cached_property
    def callers(self) -> Dict[Node, List[Node]]:
        """Each project function -> the project functions that call it."""
        callers: Dict[Node, List[Node]] = {}
        for summary in self.modules.values():
            for name, function in summary.functions.items():
                node = (summary.module, name)
                for target in function.calls:
                    callee = self.resolve(target, summary.module)
                    if callee is not None and callee != node:
                        callers.setdefault(callee, []).append(node)
        return callers

    def chain(self, start: Node, next_hop: Dict[Node, Optional[Node]]) -> List[Node]:
        chain = [start]
        hop = next_hop[start]
        while hop is not None:
            chain.append(hop)
            hop = next_hop[hop]
        return chain

    def function(self, node: Node) -> FunctionSummary:
        return self.modules[node[0]].functions[node[1]]

    def where(self, node: Node) -> str:
        return f"{self.modules[node[0]].path}:{self.function(node).line}"
