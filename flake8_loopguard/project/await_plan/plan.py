"""The plan ``run_to_await`` carries out: which functions become coroutines, which calls are
awaited, where the entry point starts the one loop; computed once per migration from the whole
project, and handed to each file as its part.

A *chain* (a component of the call graph: functions that run a coroutine to completion, their
callers, and the functions those reach) is rewritten whole or not at all: every edit carries its
chain's number, and a chain that cannot be rewritten somewhere is stopped everywhere
(:meth:`AwaitPlan.stopped`), its findings listed with the reason."""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field, replace
from typing import Dict, List, Mapping, Tuple

# A call: ast's line and column (UTF-8 bytes), and its called name as written (calls that start at
# the same place, `asyncio.get_event_loop().run_until_complete(c)`, differ by it).
Position = Tuple[int, int, str]


def digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class FilePlan:
    """One file's part of the plan; positions are those of the source the plan was made from
    (``digest``). Each edit maps to its chain's number."""

    path: str
    digest: str = ""
    make_async: Mapping[str, int] = field(default_factory=dict)  # function (qualified name) -> chain
    # Loop calls of the functions that become coroutines: position -> (code, chain). The code is
    # LG101-LG104, or "get" for get_event_loop()/get_running_loop().
    loop_calls: Mapping[Position, Tuple[str, int]] = field(default_factory=dict)
    awaits: Mapping[Position, int] = field(default_factory=dict)  # calls that become `await f(...)`
    loop_starts: Mapping[Position, Tuple[str, int]] = field(default_factory=dict)  # -> (runner, chain)
    slots: Mapping[str, int] = field(default_factory=dict)  # functions that become @asyncSlot()
    thread_tasks: Mapping[Position, int] = field(default_factory=dict)  # Thread(...) calls that become tasks
    # Console-script functions: each stays synchronous and starts the one loop on a coroutine
    # that takes its body: function -> (runner, chain).
    script_ends: Mapping[str, Tuple[str, int]] = field(default_factory=dict)
    # Why each finding the codemod fixes is left, by (line, code).
    notes: Mapping[Tuple[int, str], str] = field(default_factory=dict)
    # The chain each finding of a chain is in, from its loop run up (for the note when the file
    # cannot take the chain).
    routes: Mapping[Tuple[int, str], str] = field(default_factory=dict)

    @property
    def chains(self) -> List[int]:
        found = set(self.make_async.values()) | set(self.slots.values()) | set(self.awaits.values())
        found |= {chain for _code, chain in self.loop_calls.values()}
        found |= {chain for _runner, chain in self.loop_starts.values()}
        found |= set(self.thread_tasks.values())
        found |= {chain for _runner, chain in self.script_ends.values()}
        return sorted(found)

    @property
    def has_edits(self) -> bool:
        return bool(self.chains)

    def without(self, chain: int, notes: Mapping[Tuple[int, str], str]) -> "FilePlan":
        """This part with none of the chain's edits, and with the notes added."""
        return replace(
            self,
            make_async={k: v for k, v in self.make_async.items() if v != chain},
            loop_calls={k: v for k, v in self.loop_calls.items() if v[1] != chain},
            awaits={k: v for k, v in self.awaits.items() if v != chain},
            loop_starts={k: v for k, v in self.loop_starts.items() if v[1] != chain},
            slots={k: v for k, v in self.slots.items() if v != chain},
            thread_tasks={k: v for k, v in self.thread_tasks.items() if v != chain},
            script_ends={k: v for k, v in self.script_ends.items() if v[1] != chain},
            notes={**self.notes, **notes},
        )


@dataclass(frozen=True)
class Chain:
    """What a chain touches: its files, and the findings its rewrite fixes, each with its route
    up the chain (``a.py:9 fetch() -> b.py:3 load()``)."""

    number: int
    paths: Tuple[str, ...]
    findings: Tuple[Tuple[str, int, str, str], ...]  # (path, line, code, route)
    # Chains of the same program that must be rewritten too (this one starts the loop they
    # would otherwise run their own loops inside).
    needs: Tuple[int, ...] = ()


@dataclass(frozen=True)
class Stop:
    """Why a chain is not rewritten: where it stops (``b.py:3 load()``; ``""`` when no function
    says it: a file that could not be rewritten) and why."""

    at: str
    why: str

    def note(self, route: str) -> str:
        if not self.at:
            return f"{route}: {self.why}"
        if route == self.at or route.endswith(" -> " + self.at):
            return f"{route} stops the chain: {self.why}"
        return f"{route}; {self.at} stops the chain: {self.why}"


@dataclass(frozen=True)
class AwaitPlan:
    files: Mapping[str, FilePlan] = field(default_factory=dict)
    chains: Mapping[int, Chain] = field(default_factory=dict)  # the chains still to rewrite

    def for_path(self, path: str) -> FilePlan:
        return self.files.get(path) or FilePlan(path)

    def stopped(self, stops: Mapping[int, Stop]) -> "AwaitPlan":
        """The plan without these chains; their findings are noted with the reason."""
        files = dict(self.files)
        chains = dict(self.chains)
        stops = dict(stops)
        pending = sorted(stops)
        while pending:  # a chain that needs a stopped one stops too
            stopped = pending.pop(0)
            for chain in chains.values():
                if stopped in chain.needs and chain.number not in stops:
                    first = chains[stopped].findings[0][3] if chains[stopped].findings else f"chain {stopped}"
                    stops[chain.number] = Stop("", f"it would start the loop while {first} stays synchronous")
                    pending.append(chain.number)
        for number, stop in sorted(stops.items()):
            chain = chains.pop(number, None)
            if chain is None:
                continue
            for path in chain.paths:
                notes = {(line, code): stop.note(route) for where, line, code, route in chain.findings if where == path}
                files[path] = files.get(path, FilePlan(path)).without(number, notes)
        return AwaitPlan(files, chains)


# A process's published plans, read once each.
_READ: Dict[str, AwaitPlan] = {}
WAIT_SECONDS = 0.01


@dataclass(frozen=True)
class PublishedPlan:
    """The plan of a migration that runs worker processes, made by the process that starts them
    while they start on the files, then published to ``path`` (a pickle, moved into place whole).
    A worker reads it when a file needs it (:meth:`plan` waits for it until then); the workers'
    tasks carry only the path."""

    path: str

    @property
    def ready(self) -> bool:
        return self.path in _READ or os.path.exists(self.path)

    def plan(self) -> AwaitPlan:
        read = _READ.get(self.path)
        while read is None:
            try:
                with open(self.path, "rb") as stream:
                    read = _READ[self.path] = pickle.load(stream)
            except FileNotFoundError:
                time.sleep(WAIT_SECONDS)
        return read

    def for_path(self, path: str) -> FilePlan:
        return self.plan().for_path(path)

    def publish(self, plan: AwaitPlan) -> None:
        partial = f"{self.path}.part"
        with open(partial, "wb") as stream:
            pickle.dump(plan, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, self.path)
