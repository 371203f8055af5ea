"""What the whole-project rules ask of the project pass: the facts it gathers across modules, and
the interface (:class:`ProjectFacts`) that :class:`flake8_loopguard.project.Project` implements.
Declared in the core, so that a rule owns its whole-project logic without importing the layer
above it, as it asks the per-file model for the rest."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterator, List, Protocol, Tuple


class HandOverKind(Enum):
    THREAD = "thread"  # the function runs in a worker thread
    COROUTINE = "coroutine"  # the function is called by a coroutine, on the running loop


@dataclass(frozen=True)
class LoopSite:
    """A call that creates or starts an event loop (``Module.loop_owning_calls``)."""

    line: int
    col: int
    call: str
    in_entry_point: bool
    context: str


@dataclass(frozen=True)
class CrossModuleChain:
    """A hand-over in one module whose shortest chain of calls ends, in another module, at a
    function that creates, runs or drives an event loop."""

    path: str  # of the module that hands over
    line: int
    col: int
    context: str  # the enclosing definition of the hand-over
    functions: Tuple[str, ...]  # the chain, the function handed over first
    where: str  # ``path:line`` of the last function, the one whose own code makes the loop
    loop_calls: Tuple[Tuple[str, str], ...]  # (code, called name) of that function's loop calls


class ProjectFacts(Protocol):
    def loop_sites(self) -> List[Tuple[str, LoopSite]]:
        """(path, site) of every loop-owning call of the project, sorted by path, line and column."""

    def cross_module_chains(self, kind: HandOverKind) -> Iterator[CrossModuleChain]:
        """The hand-overs of this kind that reach another module's loop: any loop for a worker
        thread, one that is run or driven for a coroutine."""
