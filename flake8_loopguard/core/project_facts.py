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


# The `if`/`else` branches a call is in: (line, column of the `if`, 0 for its body, 1 for its
# `else`). A call in one branch and a call in the other never both run.
Branches = Tuple[Tuple[int, int, int], ...]


class EntryKind(Enum):
    MAIN = "main"  # a `__main__` block (with the functions it calls or hands over), or an entry-point file
    PROCESS = "process"  # a function handed to another process: that process's entry point


@dataclass(frozen=True)
class LoopCall:
    """A call that creates (LG101), runs (LG102) or drives (LG103) an event loop."""

    path: str
    line: int
    col: int
    code: str
    call: str  # the called name: "asyncio.run", "run_until_complete"
    in_entry_point: bool  # entry-point code as its own file sees it (the per-file rules report it if not)
    context: str  # the enclosing definition
    branches: Branches = ()  # of the entry point's own code, where it is (or its chain starts)


@dataclass(frozen=True)
class EntryPoint:
    """Where a process starts, and the loop calls of its own code (the entry-point code: the
    ``__main__`` block and its entry functions, an entry-point file, the function another
    process runs), in the order of their files and lines."""

    kind: EntryKind
    path: str  # of the file that declares it (the hand-over, for another process)
    line: int
    own_loop_calls: Tuple[LoopCall, ...]


@dataclass(frozen=True)
class ReachedLoop:
    """A function outside an entry point's own code that the entry point reaches through calls,
    across modules, and whose own code creates, runs or drives a loop."""

    chain: Tuple[str, ...]  # the functions called, from the entry point's own one to this one
    loop_calls: Tuple[LoopCall, ...]  # this function's
    branches: Branches = ()  # of the entry point's own code, where the chain starts


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
    def entry_points(self) -> List[EntryPoint]:
        """Every entry point of the project, one per process it starts, sorted by path and line."""

    def loops_reached(self, entry: EntryPoint) -> List[ReachedLoop]:
        """The functions outside the entry point's own code, with loop calls, that its code reaches
        through calls across modules, each by its shortest chain; once for each set of branches of
        the entry point's own code the chains start from."""

    def cross_module_chains(self, kind: HandOverKind) -> Iterator[CrossModuleChain]:
        """The hand-overs of this kind that reach another module's loop: any loop for a worker
        thread, one that is run or driven for a coroutine."""
