"""What ``loopguard check`` and ``loopguard migrate`` share about their worker processes: Ctrl-C
is the parent's to handle, and a process that dies (a crash in the interpreter, or the system
ending it for lack of memory) is reported with the files it was working on.

Each process takes a slot when it starts and writes there the index of the task it works on;
when the pool breaks, the parent reads the slots. A slot is written by its process only and
read once the processes are gone, so it needs no lock.
"""

from __future__ import annotations

import signal
from typing import Any, List, Sequence

_slots: Any = None  # this process's copy of the parent's WorkerSlots
_slot = -1  # the slot this process took


class WorkerDied(Exception):
    """A worker process ended while working on one of ``paths``."""

    def __init__(self, paths: Sequence[str]) -> None:
        super().__init__(paths)
        self.paths = sorted(set(paths))

    def describe(self, verb: str) -> str:
        working_on = ", ".join(self.paths) or "no file"
        return f"a worker process died while {verb} {working_on} (a crash, or out of memory)"


class WorkerSlots:
    """One slot a process: the index of the task it is working on, -1 for none."""

    def __init__(self, count: int) -> None:
        # Imported here: a run without worker processes should not pay for multiprocessing.
        import multiprocessing

        self.tasks = multiprocessing.Array("q", [-1] * count, lock=False)
        self.taken = multiprocessing.Value("i", 0)

    def in_progress(self, count: int) -> List[int]:
        """The indexes (below ``count``) of the tasks being worked on."""
        return [index for index in self.tasks if 0 <= index < count]


def start_worker(slots: WorkerSlots) -> None:
    """The initializer of a worker process: take a slot, and leave Ctrl-C to the parent (a
    worker that died of it would only add tracebacks)."""
    global _slots, _slot
    with slots.taken.get_lock():
        _slot = slots.taken.value
        slots.taken.value += 1
    _slots = slots
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def working_on(index: int) -> None:
    """Say which task this process works on (-1: none)."""
    if _slots is not None:
        _slots.tasks[_slot] = index
