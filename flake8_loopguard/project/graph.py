"""The project's call graph across modules: which function a dotted name reaches (through
imports, re-exports and star imports), who calls whom, the shortest chains to a loop, and what
each entry point reaches."""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from functools import cached_property
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

from ..core.findings import Finding
from ..core.project_facts import (
    Branches,
    CrossModuleChain,
    EntryKind,
    EntryPoint,
    HandOverKind,
    LoopCall,
    ReachedLoop,
)
from ..core.rules import project_rules
from .summary import ANY_LOOP, RUNNING_LOOP, FunctionSummary, LoopCallRecord, ModuleSummary

Node = Tuple[str, str]  # (module name, function's qualified name in it)
REEXPORT_HOPS = 100  # imports and star imports followed for one name, at most (real chains are a few hops)


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
        self.resolved: Dict[Tuple[str, str], Optional[Node]] = {}
        self._names_reaching_under: Dict[str, FrozenSet[str]] = {}
        self._chains: Dict[Tuple[str, ...], Dict[Node, Optional[Node]]] = {}
        self._packages_of: Dict[str, List[str]] = {}  # importer -> the packages it is in

    def names_toward_a_loop(self, summary: ModuleSummary) -> Tuple[str, ...]:
        """The names the file of an import-only summary (one the prefilter skipped) must spell for
        a function of it to call, through its imports, a project function that reaches a loop.
        Empty: parsing the file cannot change a whole-project finding.

        Such a file makes no loop itself (it has no loop word), so it matters only as a link: a
        thread or another process it hands a function to, a coroutine it defines, a function of
        it that an entry point or another link calls, reaches a loop only through a call of
        another module's function. The project pass follows such a call through a dotted name
        whose first part is imported: the file imports the function (the class, for a method)
        itself, or a module at or above the one that defines it (or re-exports it), and then
        spells its name (``helpers.load_all()``, ``pkg.refresh()``).
        """
        names: Set[str] = set()
        for local, target in summary.imports.items():
            if self._imports_toward_a_loop(target, summary.module):
                names.add(local)
            else:
                names.update(self._names_toward_a_loop_under(target, summary.module))
        for star in summary.star_imports:
            names.update(self._names_toward_a_loop_under(star, summary.module))
        return tuple(sorted(names))

    def _imports_toward_a_loop(self, target: str, importer: str) -> bool:
        """``from helpers import load_all``: the imported name is a function (or the class of a
        method) that reaches a loop, or a module's re-export of one."""
        # Imports, re-exports and star imports keep the last name or bind it in some module's
        # names: a name no module has cannot lead to a loop (most imports; no lookup needed).
        if target.rpartition(".")[2] not in self._every_name_reaching:
            return False
        node = self.resolve(target, importer)
        if node is not None:
            return node in self.reaching
        owner, _, name = target.rpartition(".")
        module = self._module_named(owner, importer) if owner else None
        return module is not None and name in self._names_reaching_in[module]

    def _names_toward_a_loop_under(self, target: str, importer: str) -> FrozenSet[str]:
        """``import pkg``: the names of the functions (or classes) that reach a loop in ``pkg`` and
        the modules under it, and of their re-exports there."""
        if target not in self._endings_of_modules_with_names:
            return frozenset()  # no module with such names is `target` or under it (most imports)
        module = self._module_named(target, importer)
        if module is None:
            return frozenset()
        names = self._names_reaching_under.get(module)
        if names is None:  # every file that imports the package asks
            found = set(self._names_reaching_in[module])
            modules, prefix = self.module_names, module + "."
            for index in range(bisect_left(modules, prefix), len(modules)):
                if not modules[index].startswith(prefix):
                    break
                found.update(self._names_reaching_in[modules[index]])
            names = self._names_reaching_under[module] = frozenset(found)
        return names

    def _module_named(self, target: str, importer: str) -> Optional[str]:
        if target in self.modules:
            return target
        rerooted = self._rerooted(target + ".*", importer)  # a module of a script's directory
        return rerooted[:-2] if rerooted is not None and rerooted[:-2] in self.modules else None

    @cached_property
    def reaching(self) -> Set[Node]:
        """The functions and coroutines whose calls lead, at any depth, to a loop call (LG101-LG103)."""
        callers: Dict[Node, List[Node]] = {}
        for caller, called in self.callees.items():
            for callee in called:
                callers.setdefault(callee, []).append(caller)
        found = {
            (summary.module, name)
            for summary in self.modules.values()
            for name, function in summary.functions.items()
            if function.loop_calls
        }
        pending = list(found)
        while pending:
            for caller in callers.get(pending.pop(), ()):
                if caller not in found:
                    found.add(caller)
                    pending.append(caller)
        return found

    @cached_property
    def _names_reaching_in(self) -> Dict[str, Set[str]]:
        """Module -> the first names (a function's, a method's class) of its functions that reach
        a loop, and the names its imports give to one."""
        names: Dict[str, Set[str]] = {module: set() for module in self.modules}
        for module, name in self.reaching:
            names[module].add(name.split(".", 1)[0])
        last_names = self._last_names_toward_reaching
        for module, summary in self.modules.items():
            for local, target in summary.imports.items():
                if target.rpartition(".")[2] not in last_names:
                    continue  # resolving it (most of the time of this) cannot end at such a function
                node = self.resolve(target, module)
                if node is not None and node in self.reaching:
                    names[module].add(local)
        return names

    @cached_property
    def _last_names_toward_reaching(self) -> Set[str]:
        """The last names a dotted target ends with when it resolves to a function that reaches
        a loop: that function's own, and the names imports give it (``from a import f as g``,
        then ``from b import g``). Following an import, a star import or a package keeps the
        last name; only an import that renames changes it."""
        names = {name.rpartition(".")[2] for _module, name in self.reaching}
        renames = [
            (target.rpartition(".")[2], local)
            for summary in self.modules.values()
            for local, target in summary.imports.items()
            if local != target.rpartition(".")[2]
        ]
        grew = True
        while grew:
            grew = False
            for last, local in renames:
                if last in names and local not in names:
                    names.add(local)
                    grew = True
        return names

    @cached_property
    def _endings_of_modules_with_names(self) -> FrozenSet[str]:
        """Every dotted ending (``c``, ``b.c``, ``a.b.c``) of every package above or at a module
        with names reaching a loop: what a target must be for ``_module_named`` (itself, or
        under one of the importer's packages) to find a module with such names at or under it."""
        endings: Set[str] = set()
        for module, names in self._names_reaching_in.items():
            if names:
                parts = module.split(".")
                for end in range(1, len(parts) + 1):
                    for start in range(end):
                        endings.add(".".join(parts[start:end]))
        return frozenset(endings)

    @cached_property
    def _every_name_reaching(self) -> FrozenSet[str]:
        return frozenset(name for names in self._names_reaching_in.values() for name in names)

    @cached_property
    def module_names(self) -> List[str]:
        """Sorted: the modules under a package follow it."""
        return sorted(self.modules)

    def findings(self) -> Dict[str, List[Finding]]:
        """The whole-project findings of every rule that has them, keyed by path (only paths with
        findings), each list sorted."""
        found: Dict[str, Dict[Tuple[int, int, str], Finding]] = {}
        for rule in project_rules():
            for path, finding in rule.check_project(self):
                found.setdefault(path, {}).setdefault((finding.line, finding.col, finding.code), finding)
        return {path: sorted(findings.values()) for path, findings in sorted(found.items())}

    # ----- the facts the whole-project rules ask for (core.project_facts.ProjectFacts) -----

    def entry_points(self) -> List[EntryPoint]:
        return list(self._entry_points)

    def loops_reached(self, entry: EntryPoint) -> List[ReachedLoop]:
        own, anchors = self._entry_points[entry]
        own_nodes = set(own)
        starts: Dict[Branches, List[Tuple[Node, str]]] = {}
        for node, context, branches in anchors:
            starts.setdefault(branches, []).append((node, context))
        reached = []
        for branches, nodes in starts.items():
            # Breadth first: each function is reached by its shortest chain.
            previous: Dict[Node, Optional[Node]] = {}
            first_called_from: Dict[Node, str] = {}
            queue: deque = deque()
            reaching = self.reaching  # a function that reaches no loop leads nowhere: not searched
            for node, context in nodes:
                if node not in previous and node not in own_nodes and node in reaching:
                    previous[node] = None
                    first_called_from[node] = context
                    queue.append(node)
            while queue:
                node = queue.popleft()
                if self.function(node).loop_calls:
                    chain = [node]
                    hop = previous[node]
                    while hop is not None:
                        chain.append(hop)
                        hop = previous[hop]
                    context = first_called_from[chain[-1]]
                    names = ([context] if context else []) + [name for _module, name in reversed(chain)]
                    reached.append(ReachedLoop(tuple(names), self.loop_calls(node), branches))
                for callee in self.callees.get(node, ()):
                    if callee not in previous and callee not in own_nodes and callee in reaching:
                        previous[callee] = node
                        queue.append(callee)
        return reached

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
                    tuple((call.code, call.call) for call in self.function(chain[-1]).loop_calls),
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

    def _resolve(self, target: str, seen: Set[str], hops: int = 0, names_left: Optional[int] = None) -> Optional[Node]:
        """The function a dotted target names, through modules, re-exports and star imports.

        An import or a star import leads to its module, so the names still to look up after it
        are no more than before it (``names_left``). More means its module is none of the
        project's and an enclosing package was taken for it: ``from ._speedups import *`` in
        ``pkg``, with no ``pkg/_speedups.py``, would read ``pkg.work`` as
        ``pkg._speedups.work``, then ``pkg._speedups._speedups.work``..., a new name at each
        step (and a new branch at each star import), never a cycle. That search ends there.
        """
        if target in seen or hops > REEXPORT_HOPS:
            return None  # an import cycle, or a chain of re-exports no project has
        seen.add(target)
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            summary = self.modules.get(".".join(parts[:cut]))
            if summary is None:
                continue
            rest = parts[cut:]
            if names_left is not None and len(rest) > names_left:
                return None
            name = ".".join(rest)
            if name in summary.functions:
                return summary.module, name
            if rest[0] in summary.imports:
                return self._resolve(".".join((summary.imports[rest[0]], *rest[1:])), seen, hops + 1, len(rest))
            for star in summary.star_imports:
                found = self._resolve(f"{star}.{name}", seen, hops + 1, len(rest))
                if found is not None:
                    return found
            return None
        return None

    def _rerooted(self, target: str, importer: str) -> Optional[str]:
        """``services.broker.f`` imported by ``app.main`` means ``app.services.broker.f`` when
        ``app/`` is the directory the program runs from."""
        parts = target.split(".")
        # The packages the importer is in ("app.", "app.services." for "app.services.main"):
        # a script's directory is one of them. Looked up, not searched among every module that
        # ends the same way (a project may hold thousands of `*.utils`).
        packages = self._packages_of.get(importer)
        if packages is None:
            packages = self._packages_of[importer] = [
                importer[: index + 1] for index, character in enumerate(importer) if character == "."
            ]
        if not packages:
            return None
        for cut in range(len(parts) - 1, 0, -1):
            suffix = ".".join(parts[:cut])
            candidates = [package + suffix for package in packages if package + suffix in self.modules]
            if len(candidates) == 1:
                return ".".join((candidates[0], *parts[cut:]))
        return None

    def chains_to(self, codes: Tuple[str, ...]) -> Dict[Node, Optional[Node]]:
        """Each plain function that reaches a loop-making plain function (one with a call of
        ``codes``), mapped to the next function on its shortest chain (None: it makes the loop
        itself). A coroutine is no link: calling one runs none of its code."""
        if codes in self._chains:
            return self._chains[codes]
        callers = self.callers
        next_hop: Dict[Node, Optional[Node]] = {}
        self._chains[codes] = next_hop
        queue: deque = deque()
        for summary in self.modules.values():
            for name, function in summary.functions.items():
                if not function.is_async and any(call.code in codes for call in function.loop_calls):
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
    def callees(self) -> Dict[Node, List[Node]]:
        """Each project function or coroutine -> the project functions and coroutines it calls."""
        callees: Dict[Node, List[Node]] = {}
        for summary in self.modules.values():
            for name, function in summary.functions.items():
                node = (summary.module, name)
                called: Dict[Node, None] = {}
                for target in function.calls:
                    callee = self.resolve(target, summary.module)
                    if callee is not None and callee != node:
                        called[callee] = None
                if called:
                    callees[node] = list(called)
        return callees

    @cached_property
    def callers(self) -> Dict[Node, List[Node]]:
        """Each plain project function -> the plain project functions that call it."""
        callers: Dict[Node, List[Node]] = {}
        for caller, called in self.callees.items():
            if self.function(caller).is_async:
                continue
            for callee in called:
                if not self.function(callee).is_async:
                    callers.setdefault(callee, []).append(caller)
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

    # ----- entry points --------------------------------------------------------------

    @cached_property
    def _entry_points(self) -> Dict[EntryPoint, Tuple[List[Node], List[Tuple[Node, str, Branches]]]]:
        """Each entry point -> (its own functions, the functions its own code calls: each with the
        own function that calls it and the branches of the call), sorted by path and line; a
        function handed to other processes from several places is one entry point, the first."""
        process_targets: Set[Node] = set()
        for summary in self.summaries:
            for record in summary.entry_points:
                if record.kind is EntryKind.PROCESS:
                    node = self.resolve(record.functions[0], summary.module) if record.functions else None
                    if node is not None:
                        process_targets.add(node)
        found: Dict[EntryPoint, Tuple[List[Node], List[Tuple[Node, str, Branches]]]] = {}
        processes_seen: Set[Node] = set()
        for summary in sorted(self.summaries, key=lambda summary: summary.path):
            for record in summary.entry_points:
                tops = [node for node in (self.resolve(t, summary.module) for t in record.functions) if node]
                if record.kind is EntryKind.PROCESS and tops:
                    if tops[0] in processes_seen:
                        continue
                    processes_seen.add(tops[0])
                own: Dict[Node, None] = {}
                for top in tops:
                    # what other processes run is theirs (a function is never nested in itself)
                    own.update(dict.fromkeys(self.nested_functions(top, process_targets)))
                if record.kind is EntryKind.PROCESS and tops and tops[0][0] != summary.module:
                    # Another module's function: its own code is read from that module's summary.
                    loop_calls = [call for node in own for call in self.loop_calls(node)]
                    anchors = [(callee, node[1], ()) for node in own for callee in self.callees.get(node, ())]
                else:
                    loop_calls = [
                        LoopCall(summary.path, c.line, c.col, c.code, c.call, True, c.context, c.branches)
                        for c in record.loop_calls
                    ]
                    anchors = []
                    for call in record.calls:
                        node = self.resolve(call.target, summary.module)
                        if node is not None:
                            anchors.append((node, call.context, call.branches))
                loop_calls.sort(key=lambda call: (call.path, call.line, call.col))
                entry = EntryPoint(record.kind, summary.path, record.line, tuple(loop_calls))
                found.setdefault(entry, (list(own), anchors))
        return dict(sorted(found.items(), key=lambda item: (item[0].path, item[0].line)))

    def nested_functions(self, top: Node, excluded: Set[Node]) -> List[Node]:
        """The function and the functions nested in it, but those in ``excluded`` (and theirs);
        the function itself is never excluded."""
        module, name = top
        names = self.function_names[module]
        prefix = name + "."
        found = [top]
        skipped: Optional[str] = None
        for index in range(bisect_left(names, prefix), len(names)):
            nested = names[index]
            if not nested.startswith(prefix):
                break
            if skipped is not None and nested.startswith(skipped):
                continue
            if (module, nested) in excluded:
                skipped = nested + "."
                continue
            found.append((module, nested))
        return found

    @cached_property
    def function_names(self) -> Dict[str, List[str]]:
        """Module -> the qualified names of its summarised functions, sorted: the functions nested
        in one follow it (a dot sorts before every character of a name)."""
        return {module: sorted(summary.functions) for module, summary in self.modules.items()}

    def loop_calls(self, node: Node) -> Tuple[LoopCall, ...]:
        path = self.modules[node[0]].path
        return tuple(self.loop_call(path, node[1], call) for call in self.function(node).loop_calls)

    @staticmethod
    def loop_call(path: str, context: str, call: LoopCallRecord) -> LoopCall:
        return LoopCall(path, call.line, call.col, call.code, call.call, call.in_entry_point, context)
