"""The chains ``run_to_await`` rewrites, found over the whole project.

A plain function whose own body runs a coroutine to completion (``asyncio.run(c)``,
``loop.run_until_complete(c)``) becomes a coroutine that awaits it; then every caller must
await it, so every plain function that calls it becomes a coroutine too, up the call graph. And
a coroutine runs on a running loop: every plain function it calls that runs a loop of its own
must become a coroutine as well, or it would start a loop inside the running one. A *chain* is
therefore a connected part of the call graph among the plain functions that reach a loop run;
it ends where a caller can already await (a coroutine), where a Qt signal calls it (the
function becomes an ``@asyncSlot()``), and at the entry point (the ``__main__`` block's call
becomes ``asyncio.run(f())``, the one loop, started once). A console-script function is an entry
point its script wrapper calls synchronously: it stays a plain function that starts the one loop
on a coroutine holding its body (``def main(): return asyncio.run(_main_async())``).

A chain is rewritten whole or not at all. It stops at any function that must stay synchronous
(a special method, a property, a function handed to a thread by synchronous code, to an
executor or to another process, a function referenced without being called, one that nothing
in the project calls), at a call that cannot await (in a lambda, a generator expression, at
import time, under a threading lock), and at an entry point that would start more than one loop.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, replace
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from .facts import (
    IN_COROUTINE,
    OTHER_PROCESS,
    THREAD_RUN,
    AT_IMPORT,
    EXECUTOR,
    IN_FUNCTION,
    IN_GENERATOR,
    IN_LAMBDA,
    IN_MAIN,
    PROCESS,
    SIGNAL,
    THREAD,
    CallFacts,
    FunctionFacts,
    HandOverFacts,
    ModuleFacts,
)
from .plan import AwaitPlan, Chain, FilePlan, Position, Stop as PlanStop, digest
from .references import RESOLVED, NameUse

Node = Tuple[str, str]  # (module name, qualified name of the function)


def script_coroutine(name: str) -> str:
    """The coroutine that takes the body of the console-script function ``name``."""
    return f"_{name}_async"

FIXED_CODES = ("LG101", "LG102", "LG103", "LG104")
THREAD_CODE = "LG401"


@dataclass(frozen=True)
class Stop:
    node: Node  # the function the chain stops at
    reason: str
    # The function runs in a worker thread or another process, never on the main thread: its
    # own loop cannot clash with the one an entry point starts.
    elsewhere: bool = False


class ChainPlanner:
    """Joins the modules' facts into chains; ``project`` (a ``graph.Project``) resolves a dotted
    target, as a module spells it, to the project function it names, and knows the imports."""

    def __init__(
        self,
        facts: Sequence[ModuleFacts],
        project,
        sources: Mapping[str, str],
        console_scripts: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.facts = {module.module: module for module in facts}
        self.project = project  # graph.Project over every file's summary
        self.resolve = project.resolve
        self.sources = sources  # path -> the text the facts were read from
        self.functions: Dict[Node, FunctionFacts] = {}
        for module in self.facts.values():
            for name, function in module.functions.items():
                self.functions[(module.module, name)] = function
        self.callers: Dict[Node, List[Tuple[str, CallFacts]]] = {}
        self.hand_overs: Dict[Node, List[Tuple[str, HandOverFacts]]] = {}
        for module in self.facts.values():
            for call in module.calls:
                callee = self.target(call.target, module.module)
                if callee is None:
                    continue
                self.callers.setdefault(callee, []).append((module.module, call))
            for hand_over in module.hand_overs:
                callee = self.target(hand_over.target, module.module)
                if callee is not None:
                    self.hand_overs.setdefault(callee, []).append((module.module, hand_over))
        self._reaching: Optional[Set[Node]] = None
        self.scanned_everywhere: Set[str] = set()  # names whose uses were read in every modelled file
        self._groups_found: Optional[List[Tuple[List[Node], bool]]] = None
        self.methods_named: Dict[str, List[Node]] = {}
        for node, function in sorted(self.functions.items()):
            if function.is_method:
                self.methods_named.setdefault(function.short_name, []).append(node)
        self.uses: Dict[Node, List[Tuple[str, NameUse]]] = {}
        self.unresolved_uses: Dict[str, List[Tuple[str, NameUse]]] = {}  # short name -> attribute uses
        self.unreadable: Dict[str, List[str]] = {}  # short name -> files that could not be parsed
        # The module-level functions console scripts name -> how the project declares them.
        self.scripts: Dict[Node, str] = {}
        for spelled, declared in (console_scripts or {}).items():
            module, _colon, name = spelled.partition(":")
            function = self.functions.get((module, name))
            if function is not None and not function.is_method and "." not in name:
                self.scripts[(module, name)] = declared

    def target(self, dotted: str, importer: str) -> Optional[Tuple[str, str]]:
        node = self.resolve(dotted, importer)
        return node if node in self.functions else None

    # ----- the plain functions that reach a loop run -----------------------------------

    @property
    def reaching(self) -> Set[Node]:
        """Plain functions whose own body runs a loop, and the plain functions that call one
        (also from a lambda or a generator expression of theirs: it may run while they run;
        also through a method call the project pass cannot follow, when a method of that name
        reaches a loop)."""
        if self._reaching is None:
            found = {node for node, function in self.functions.items() if function.runs_loop and not function.is_async}
            pending = list(found)
            while pending:
                node = pending.pop()
                if node in self.scripts:
                    continue  # it stays synchronous: its callers call a plain function, as before
                for caller in self._callers_of(node):
                    function = self.functions.get(caller)
                    if function is not None and not function.is_async and caller not in found:
                        found.add(caller)
                        pending.append(caller)
            self._reaching = found
        return self._reaching

    def _callers_of(self, node: Node) -> Iterator[Node]:
        """The defs that call the function, or may: an unfollowed call of a method of its name."""
        for module, call in self.callers.get(node, ()):
            yield module, call.caller
        if self.functions[node].is_method:
            for module, use in self.unresolved_uses.get(node[1].rpartition(".")[2], ()):
                if use.caller:
                    yield module, use.caller

    def converting(self) -> List[List[Node]]:
        """The chains that may still be rewritten: none of their functions must stay synchronous
        for a reason of its own (a test, a property, a decorator...), which stops a chain
        whatever its other callers are."""
        return [
            members
            for members, seeded in self._groups()
            if seeded and not any(self._own_reasons(node, self.functions[node]) for node in members)
        ]

    def names_to_model(self) -> Set[str]:
        """The names of the functions of the chains that may be rewritten: a file that spells none
        of them holds no caller of theirs (a file never modelled has no function rewritten)."""
        return {name.rpartition(".")[2] for members in self.converting() for _module, name in members}

    def modules_to_model(self) -> Set[str]:
        """The modules of those functions: a caller of one imports its module, a package above
        it, or a name from them (or is that module)."""
        return {module for members in self.converting() for module, _name in members}

    def names_to_scan(self) -> Tuple[Set[str], Set[str], Set[str]]:
        """(names whose uses are read in every file, method names whose uses are read in the
        modules of these chains, those modules). Every use of a function of a chain that may be
        rewritten matters (a reference stops it), and of the functions of the other chains of
        its program (whether they stay on other threads); an unfollowed call of a method that
        runs a loop matters where it could join a chain that may be rewritten."""
        converting = self.converting()
        everywhere = self.names_to_model()
        modules = {module for members in converting for module, _name in members}
        entries = [module for members in converting for module in self._loop_starters(members)]
        if entries:
            program = self._imported_from(entries)
            for members, _seeded in self._groups():
                if any(module in program for module, _name in members):
                    everywhere.update(name.rpartition(".")[2] for _module, name in members)
        methods = {node[1].rpartition(".")[2] for node in self.reaching if self.functions[node].is_method}
        return everywhere, methods, modules

    def add_uses(self, module: str, uses: Iterable[NameUse]) -> None:
        self._reaching = None
        self._groups_found = None
        for use in uses:
            if use.kind == RESOLVED and use.target is not None:
                self.uses.setdefault(use.target, []).append((module, use))
            else:
                self.unresolved_uses.setdefault(use.name, []).append((module, use))

    def add_unreadable(self, path: str, names: Iterable[str]) -> None:
        for name in names:
            self.unreadable.setdefault(name, []).append(path)

    # ----- chains -----------------------------------------------------------------------

    def chains(self) -> List[List[Node]]:
        """The connected parts of the call graph among the functions that reach a loop run (and
        the coroutines whose own body runs one), that hold at least one finding to fix; the
        functions a ``__main__`` block calls are in one chain (it starts one loop)."""
        return [members for members, seeded in self._groups() if seeded]

    def _groups(self) -> List[Tuple[List[Node], bool]]:
        """Every connected part (with whether it holds a finding to fix), in file order."""
        if self._groups_found is None:
            self._groups_found = self._find_groups()
        return self._groups_found

    def _find_groups(self) -> List[Tuple[List[Node], bool]]:
        reaching = self.reaching
        parent: Dict[Node, Node] = {node: node for node in reaching}

        def root(node: Node) -> Node:
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        main_calls: Dict[str, List[Node]] = {}
        for callee in reaching:
            for caller in self._callers_of(callee):
                if caller in parent:
                    parent[root(caller)] = root(callee)
            for module, call in self.callers.get(callee, ()):
                if call.place == IN_MAIN:
                    main_calls.setdefault(module, []).append(callee)
            for module, hand_over in self.hand_overs.get(callee, ()):
                starter = (module, hand_over.starter)
                if hand_over.kind == THREAD and starter in parent:
                    # A starter that becomes a coroutine runs the worker as a task on its loop.
                    parent[root(starter)] = root(callee)
        for callees in main_calls.values():
            for callee in callees[1:]:
                parent[root(callees[0])] = root(callee)
        groups: Dict[Node, List[Node]] = {}
        for node in sorted(reaching):
            groups.setdefault(root(node), []).append(node)
        found = [(members, any(self.functions[m].seeds for m in members)) for members in groups.values()]
        # A coroutine that runs a loop itself only needs its own body rewritten.
        found += [([node], True) for node, function in sorted(self.functions.items()) if function.is_async and function.seeds]
        return sorted(found, key=lambda group: self._first_place(group[0]))

    def _first_place(self, members: Sequence[Node]) -> Tuple[str, int]:
        return min((self.facts[module].path, self.functions[(module, name)].line) for module, name in members)

    # ----- why a chain stops -------------------------------------------------------------

    def stops(self, members: Sequence[Node]) -> List[Stop]:
        chain = set(members)
        stops: List[Stop] = []
        qasync_somewhere = any(module.imports_qasync for module in self.facts.values())
        for node in members:
            function = self.functions[node]
            elsewhere = function.stays_sync.endswith((THREAD_RUN, OTHER_PROCESS))
            stops.extend(Stop(node, why, elsewhere) for why in self._own_reasons(node, function))
            if function.is_async:
                continue
            if node in self.scripts:
                stops.extend(Stop(node, why) for why in self._script_reasons(node, function, chain))
                continue
            handed = self.hand_overs.get(node, [])
            called = self.callers.get(node, [])
            for module, call in called:
                why = self._call_reason(chain, module, call)
                if why:
                    stops.append(Stop(node, why))
            slot = False
            for module, hand_over in handed:
                where = self.where(module, hand_over.line)
                if hand_over.kind == THREAD:
                    starter = (module, hand_over.starter)
                    if not (hand_over.starter_is_async or starter in chain):
                        stops.append(Stop(node, f"{where} runs it in a thread started by synchronous code", True))
                elif hand_over.kind == EXECUTOR:
                    stops.append(Stop(node, f"{where} runs it in an executor's worker thread", True))
                elif hand_over.kind == PROCESS:
                    stops.append(Stop(node, f"{where} runs it in another process", True))
                elif hand_over.kind == SIGNAL:
                    slot = True
                    why = self._slot_reason(module, qasync_somewhere)
                    if why:
                        stops.append(Stop(node, f"{where} connects it to a Qt signal, but {why}"))
            if function.slot_decorated and not called and not handed:
                slot = True
                why = self._slot_reason(node[0], qasync_somewhere)
                if why:
                    stops.append(Stop(node, f"it is a Qt slot, but {why}"))
            uses = self._use_reasons(node, function, handed, chain)
            if not called and not handed and not slot and not uses:
                stops.append(
                    Stop(
                        node,
                        f"nothing in the project calls {node[1]}(): code outside it (a framework, a callback's "
                        "caller, a library's users) calls it synchronously",
                    )
                )
            stops.extend(Stop(node, why) for why in uses)
        stops.extend(self._main_block_stops(members))
        return stops

    def _own_reasons(self, node: Node, function: FunctionFacts) -> List[str]:
        reasons = [function.stays_sync] if function.stays_sync else []
        for call in function.loop_calls:
            if call.silenced:
                reasons.append(f"its {call.call}() at line {call.line} is silenced with # noqa")
            elif call.unsafe_await and call.code in ("LG102", "LG103"):
                reasons.append(f"line {call.line}: {call.unsafe_await}")
        if function.other_codemods_loop_calls and not function.is_async:
            line = function.other_codemods_loop_calls[0]
            reasons.append(f"its `if loop.is_running():` branch at line {line} is running_branch_to_task's")
        return reasons

    def _script_reasons(self, node: Node, function: FunctionFacts, chain: Set[Node]) -> List[str]:
        """Why a console-script function cannot end its chain: it stays synchronous and starts the
        one loop, which must be entry-point code for the linter; no code on the loop may call it."""
        script = f"{node[1]}() is {self.scripts[node]}"
        facts = self.facts[node[0]]
        reasons = []
        if not function.entry_code:
            reasons.append(
                f"{script}: it stays synchronous and would start the loop outside entry-point code (LG102); "
                "call it from its module's `if __name__ == \"__main__\":` block, or name its file in `entry-points`"
            )
        if facts.imports_qt and (not facts.imports_qasync or facts.runs_qt_exec):
            reasons.append(f"{script} in a Qt program: make qasync drive the application first")
        coroutine = script_coroutine(node[1])
        if coroutine in facts.functions:
            reasons.append(f"{script}: the coroutine taking its body would be {coroutine}(), which its module defines")
        for module, call in self.callers.get(node, ()):
            if call.place == IN_COROUTINE or (module, call.caller) in chain:
                reasons.append(f"{script}, which starts a loop, and {self.where(module, call.line)} calls it on the loop")
        return reasons

    def _call_reason(self, chain: Set[Node], module: str, call: CallFacts) -> str:
        where = self.where(module, call.line)
        if call.unsafe_await:
            return f"{where}: {call.unsafe_await}"
        if call.place == IN_FUNCTION and (module, call.caller) not in chain:
            return f"{where}: called by {call.caller}(), which stays synchronous"
        if call.place == AT_IMPORT:
            return f"{where} calls it at import time"
        if call.place == IN_LAMBDA:
            return f"{where} calls it in a lambda"
        if call.place == IN_GENERATOR:
            return f"{where} calls it in a generator expression"
        return ""

    def _slot_reason(self, module: str, qasync_somewhere: bool) -> str:
        facts = self.facts[module]
        if not facts.imports_qt:
            return "its module imports no Qt binding"
        if not qasync_somewhere:
            return "the program does not run qasync's loop, which an @asyncSlot() needs"
        if facts.runs_qt_exec and not facts.imports_qasync:
            return "its module runs Qt's own loop with exec()"
        return ""

    def _use_reasons(
        self, node: Node, function: FunctionFacts, handed: Sequence[Tuple[str, HandOverFacts]], chain: Set[Node]
    ) -> List[str]:
        accounted = {(module, hand_over.argument) for module, hand_over in handed}
        reasons = []
        for module, use in self.uses.get(node, ()):
            if use.called or (module, (use.line, use.col)) in accounted:
                continue
            reasons.append(f"{self.where(module, use.line)} uses {use.name} without calling it")
        short = node[1].rpartition(".")[2]
        if function.is_method:
            for module, use in self.unresolved_uses.get(short, ()):
                reasons.append(
                    f"{self.where(module, use.line)} {'calls' if use.called else 'uses'} .{short} on an object the "
                    "project pass cannot follow"
                )
            for other in self.methods_named.get(short, ()):
                facts = self.functions[other]
                if other != node and other not in chain:
                    reasons.append(
                        f"another method named {short}() ({self.where(other[0], facts.line)}) may run in its place"
                    )
        for path in self.unreadable.get(short, ()):
            reasons.append(f"{os.path.normpath(path)} mentions {short} and cannot be parsed")
        return reasons

    def _main_block_stops(self, members: Sequence[Node]) -> List[Stop]:
        stops = []
        for module, callers in self._main_calls(members).items():
            facts = self.facts[module]
            path = os.path.normpath(facts.path)
            first = callers[0][0]
            if len(callers) > 1:
                lines = ", ".join(str(call.line) for _node, call in callers)
                why = f"the entry code of {path} would start the loop {len(callers)} times (lines {lines})"
                stops.append(Stop(first, why))
            if facts.main_loop_calls:
                why = f"the entry code of {path} already runs a loop at line {facts.main_loop_calls[0]}"
                stops.append(Stop(first, why))
            if facts.imports_qt and (not facts.imports_qasync or facts.runs_qt_exec):
                stops.append(Stop(first, f"Qt's own loop drives {path}: make qasync drive the application first"))
        return stops

    def _loop_starters(self, members: Sequence[Node]) -> Dict[str, Node]:
        """Where the chain's program starts the one loop: module -> the function of the chain its
        ``__main__`` block calls first, or its console-script function."""
        starters = {module: calls[0][0] for module, calls in self._main_calls(members).items()}
        for node in members:
            if node in self.scripts:
                starters.setdefault(node[0], node)
        return starters

    def _main_calls(self, members: Sequence[Node]) -> Dict[str, List[Tuple[Node, CallFacts]]]:
        found: Dict[str, List[Tuple[Node, CallFacts]]] = {}
        for node in members:
            for module, call in self.callers.get(node, ()):
                if call.place == IN_MAIN:
                    found.setdefault(module, []).append((node, call))
        for calls in found.values():
            calls.sort(key=lambda item: (item[1].line, item[1].col))
        return found

    # ----- the plan ------------------------------------------------------------------------

    def plan(self) -> AwaitPlan:
        files: Dict[str, _FileEdits] = {}

        def edits(module: str) -> "_FileEdits":
            path = self.facts[module].path
            if path not in files:
                files[path] = _FileEdits(path)
            return files[path]

        chains: Dict[int, Chain] = {}
        stopped: Dict[int, PlanStop] = {}
        all_stops, needs = self._all_stops()
        numbers = {members[0]: number for number, members in enumerate(self.chains(), start=1)}
        for number, members in enumerate(self.chains(), start=1):
            findings: List[Tuple[str, int, str, Node]] = []
            for module, name in members:
                function = self.functions[(module, name)]
                file = edits(module)
                if not function.is_async:
                    file.make_async[name] = number
                for call in function.loop_calls:
                    file.loop_calls[(call.line, call.col, call.name)] = (call.code, number)
                    if call.reported and call.code in FIXED_CODES:
                        findings.append((file.path, call.line, call.code, (module, name)))
                if function.is_async:
                    continue
                if (module, name) in self.scripts:
                    # Its callers call a plain function, as before; it starts the one loop.
                    file.script_ends[name] = ("qasync" if self.facts[module].imports_qt else "asyncio", number)
                    continue
                for caller_module, call in self.callers.get((module, name), ()):
                    if call.place == IN_MAIN:
                        runner = "qasync" if self.facts[caller_module].imports_qt else "asyncio"
                        edits(caller_module).loop_starts[(call.line, call.col, call.name)] = (runner, number)
                    else:
                        edits(caller_module).awaits[(call.line, call.col, call.name)] = number
                if function.stays_sync.endswith(THREAD_RUN):
                    findings.append((file.path, function.line, THREAD_CODE, (module, name)))
                for caller_module, hand_over in self.hand_overs.get((module, name), ()):
                    if hand_over.kind in (THREAD, EXECUTOR):
                        findings.append((self.facts[caller_module].path, hand_over.line, THREAD_CODE, (module, name)))
                    if hand_over.kind == THREAD:
                        key = (hand_over.line, hand_over.col, hand_over.name)
                        edits(caller_module).thread_tasks[key] = number
                    elif hand_over.kind == SIGNAL:
                        file.slots[name] = number
                if function.slot_decorated and name not in file.slots and not self.callers.get((module, name)):
                    file.slots[name] = number
            paths = tuple(sorted(path for path, file in files.items() if number in file.numbers()))
            stops = all_stops[members[0]]
            stop = min(stops, key=lambda s: self._place_of(s.node)) if stops else None
            until = stop.node if stop is not None else None
            routes = {node: self.describe(members, node, until) for *_rest, node in findings}
            chains[number] = Chain(
                number,
                paths,
                tuple(sorted({(p, line, code, routes[node]) for p, line, code, node in findings})),
                tuple(sorted(numbers[first] for first in needs.get(members[0], ()))),
            )
            if stop is not None:
                more = f" (and {len(stops) - 1} more)" if len(stops) > 1 else ""
                stopped[number] = PlanStop(self.name_of(stop.node), stop.reason + more)
        routes: Dict[str, Dict[Tuple[int, str], str]] = {}
        for chain in chains.values():
            for path, line, code, route in chain.findings:
                routes.setdefault(path, {})[(line, code)] = route
        plan = AwaitPlan(
            {
                path: file.freeze(digest(self.sources.get(path, "")), routes.get(path, {}))
                for path, file in files.items()
            },
            chains,
        )
        plan = plan.stopped(stopped)
        return self._with_other_notes(plan)

    def _all_stops(self) -> Tuple[Dict[Node, List[Stop]], Dict[Node, List[Node]]]:
        """Each chain's stops, and the chains it needs rewritten too, by their first functions.

        An entry point may start the loop only if no function that runs a loop of its own and
        stays synchronous could run on the main thread of its program (the modules its entry
        module imports, at any depth): the other chains there must be rewritten as well, or stop
        only where their functions run in a thread or another process."""
        groups = self._groups()
        own = {members[0]: self.stops(members) for members, _seeded in groups}
        stops_of: Dict[Node, List[Stop]] = {}
        needs: Dict[Node, List[Node]] = {}
        for members, seeded in groups:
            stops = list(own[members[0]])
            entries = self._loop_starters(members)
            if seeded and entries and not stops:
                program = self._imported_from(entries)
                for others, others_seeded in groups:
                    if others is members or not any(module in program for module, _name in others):
                        continue
                    theirs = own[others[0]]
                    seen_everywhere = all(
                        name.rpartition(".")[2] in self.scanned_everywhere for _module, name in others
                    )
                    if others_seeded and not theirs and seen_everywhere:
                        needs.setdefault(members[0], []).append(others[0])
                    elif not theirs or not seen_everywhere or any(not stop.elsewhere for stop in theirs):
                        first_entry = next(iter(entries.values()))
                        why = (
                            f"{self.name_of(min(others, key=self._place_of))} runs a loop of its own and stays "
                            "synchronous: inside the loop this entry point would start, it would fail"
                        )
                        stops.append(Stop(first_entry, why))
                        break
            stops_of[members[0]] = stops
        return stops_of, needs

    def _imported_from(self, modules: Iterable[str]) -> Set[str]:
        """The project modules these modules import, at any depth, with themselves."""
        known = self.project.modules
        found: Set[str] = set()
        pending = list(modules)
        while pending:
            module = pending.pop()
            if module in found or module not in known:
                continue
            found.add(module)
            summary = known[module]
            for target in [*summary.imports.values(), *summary.star_imports]:
                parts = target.split(".")
                for cut in range(len(parts), 0, -1):
                    name = ".".join(parts[:cut])
                    if name in known:
                        pending.append(name)
                        break
        return found

    def _with_other_notes(self, plan: AwaitPlan) -> AwaitPlan:
        """The findings no chain holds, each with why."""
        files = dict(plan.files)
        for module in self.facts.values():
            notes: Dict[Tuple[int, str], str] = {}
            for line, code, where in module.stray_findings:
                notes[(line, code)] = (
                    "module-level code of a module that is not an entry point: if the file is a script, "
                    "name it in `entry-points`; else it runs a loop at import time"
                    if where == "module level"
                    else f"not in a function ({where}): nothing to make a coroutine of"
                )
            for name, function in module.functions.items():
                for line in function.other_codemods_loop_calls:
                    notes[(line, "LG103")] = (
                        f"an `if loop.is_running():` branch of {name}(): running_branch_to_task's shape, not this codemod's"
                    )
            for name, function in module.functions.items():
                if function.runs_loop:
                    continue
                for call in function.loop_calls:
                    if call.reported and call.code in FIXED_CODES:
                        notes[(call.line, call.code)] = (
                            f"{name}() makes or installs a loop but runs no coroutine on it: "
                            "the loop is set up for other code"
                        )
            current = files.get(module.path)
            if notes:
                known = dict(current.notes) if current is not None else {}
                base = current if current is not None else FilePlan(module.path, digest(self.sources.get(module.path, "")))
                files[module.path] = replace(base, notes={**notes, **known})
        return AwaitPlan(files, plan.chains)

    def _place_of(self, node: Node) -> Tuple[str, int]:
        return self.facts[node[0]].path, self.functions[node].line

    def where(self, module: str, line: int) -> str:
        return f"{os.path.normpath(self.facts[module].path)}:{line}"

    def name_of(self, node: Node) -> str:
        return f"{self.where(node[0], self.functions[node].line)} {node[1]}()"

    def describe(self, members: Sequence[Node], start: Node, until: Optional[Node] = None) -> str:
        """``a.py:3 fetch() -> b.py:9 load()``: from ``start`` up its callers in the chain, to
        ``until`` when the way leads there, else as far up as it goes."""
        chain = set(members)
        previous: Dict[Node, Optional[Node]] = {start: None}
        queue = deque([start])
        last = start
        while queue:
            node = queue.popleft()
            last = node
            if node == until:
                break
            for module, call in sorted(self.callers.get(node, ()), key=lambda item: (item[1].line, item[1].col)):
                caller = (module, call.caller)
                if caller in chain and caller not in previous:
                    previous[caller] = node
                    queue.append(caller)
        path: List[Node] = []
        hop: Optional[Node] = until if until in previous else last
        while hop is not None:
            path.append(hop)
            hop = previous.get(hop)
        return " -> ".join(self.name_of(node) for node in reversed(path))


class _FileEdits:
    def __init__(self, path: str) -> None:
        self.path = path
        self.make_async: Dict[str, int] = {}
        self.loop_calls: Dict[Position, Tuple[str, int]] = {}
        self.awaits: Dict[Position, int] = {}
        self.loop_starts: Dict[Position, Tuple[str, int]] = {}
        self.slots: Dict[str, int] = {}
        self.thread_tasks: Dict[Position, int] = {}
        self.script_ends: Dict[str, Tuple[str, int]] = {}

    def numbers(self) -> Set[int]:
        found = set(self.make_async.values()) | set(self.awaits.values()) | set(self.slots.values())
        found |= {number for _code, number in self.loop_calls.values()}
        found |= {number for _runner, number in self.loop_starts.values()}
        found |= {number for _runner, number in self.script_ends.values()}
        return found | set(self.thread_tasks.values())

    def freeze(self, source_digest: str, routes: Mapping[Tuple[int, str], str]) -> FilePlan:
        return FilePlan(
            self.path,
            source_digest,
            dict(self.make_async),
            dict(self.loop_calls),
            dict(self.awaits),
            dict(self.loop_starts),
            dict(self.slots),
            dict(self.thread_tasks),
            dict(self.script_ends),
            routes=dict(routes),
        )
