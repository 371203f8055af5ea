"""What ``loopguard check`` and ``loopguard migrate`` share about their worker processes.

* Ctrl-C is the parent's to handle. A process ignores it (blocked from the fork until then, so
  that a Ctrl-C at that moment cannot print a process's traceback); the parent kills the
  processes instead of waiting for the files they are working on.
* A process that dies (a crash in the interpreter, the system ending it for lack of memory), or
  that stays stopped (SIGSTOP, a debugger holding it) for ``STOPPED_GRACE_SECONDS`` while the
  parent waits for results, ends the run: the parent kills the processes and names the files
  they were working on. Nothing else is timed: a process that works on a slow file, however
  long, is waited for.
* When the run is done with them the processes are killed too: they have nothing left to do, and
  a stopped one would never end by itself.

Each process takes a slot when it starts and writes there its pid and the index of the task it
works on; the parent reads the slots when a process is lost. A slot is written by its process
only, so it needs no lock.
"""

from __future__ import annotations

import argparse

import contextlib
import itertools
import os
import signal
import sys
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

# How often the parent, while it waits for results, looks whether a process is stopped.
POLL_SECONDS = 0.2
# A stop this short is not reported: Ctrl-Z then `fg`, a profiler's or a debugger's glance.
STOPPED_GRACE_SECONDS = 2.0

_slots: Any = None  # this process's copy of the parent's WorkerSlots
_slot = -1  # the slot this process took


class WorkerLost(Exception):
    """A worker process was lost while working on ``paths``; the processes were killed."""

    what: str  # what became of the process
    why: str  # what causes that

    def __init__(self, paths: Sequence[str]) -> None:
        super().__init__(paths)
        self.paths = sorted(set(paths))

    def describe(self, verb: str) -> str:
        working_on = f"while {verb} {', '.join(self.paths)}" if self.paths else f"while not {verb} a file"
        return f"a worker process {self.what} {working_on} ({self.why})"


class WorkerDied(WorkerLost):
    what = "died"
    why = "a crash, or out of memory"


class WorkerStopped(WorkerLost):
    what = "stayed stopped"
    why = f"SIGSTOP, or a debugger; killed after {STOPPED_GRACE_SECONDS:g} s"


class WorkerSlots:
    """One slot a process: its pid (0: not started yet) and the index of the task it is working
    on (-1: none)."""

    def __init__(self, count: int, context: Any) -> None:
        self.tasks = context.Array("q", [-1] * count, lock=False)
        self.pids = context.Array("q", [0] * count, lock=False)
        self.taken = context.Value("i", 0)

    def in_progress(self, count: int, pids: Optional[Iterable[int]] = None) -> List[int]:
        """The indexes (below ``count``) of the tasks being worked on, by the processes ``pids``
        (None: by any)."""
        wanted = None if pids is None else set(pids)
        return [
            index
            for index, pid in zip(self.tasks, self.pids)
            if 0 <= index < count and (wanted is None or pid in wanted)
        ]


def worker_context() -> Any:
    """The multiprocessing context of the worker processes and of what they share: fork on Linux
    (a process starts as a copy of the parent, so nothing is imported or pickled again)."""
    # Imported here: a run without worker processes should not pay for multiprocessing.
    import multiprocessing

    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)


class WorkerPool:
    """``count`` worker processes; ``initializer(*initargs)`` runs in each once it took its slot.
    Used as a context manager, the pool is killed however the block ends (done, Ctrl-C, a
    process lost)."""

    def __init__(self, count: int, initializer: Optional[Callable[..., None]] = None, initargs: Tuple = ()) -> None:
        # Imported here: a run without worker processes should not pay for them.
        from concurrent.futures import ProcessPoolExecutor

        context = worker_context()
        self.slots = WorkerSlots(count, context)
        self.executor = ProcessPoolExecutor(
            count, mp_context=context, initializer=_start_worker, initargs=(self.slots, initializer, initargs)
        )

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exception: object) -> None:
        self.kill()

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in a process: its future. The processes start at the first call."""
        with _ctrl_c_blocked():
            return self.executor.submit(function, *args)

    def results(self, futures: Sequence[Any], paths: Sequence[str]) -> Iterator[Tuple[Any, Any]]:
        """(future, its result) as each future completes; a future appended to ``futures`` (a
        list) while they are read is waited for too. A lost process ends the wait: the
        processes are killed, and :class:`WorkerDied` or :class:`WorkerStopped` names
        ``paths[index]`` of the tasks that were being worked on."""
        from concurrent.futures.process import BrokenProcessPool
        from queue import Empty, SimpleQueue

        # One callback a future, instead of waiting on every pending one again after each result.
        completed: SimpleQueue = SimpleQueue()
        watched = 0  # the futures given a callback
        stopped_since: Dict[int, float] = {}  # pid -> when it was first seen stopped
        next_look = time.monotonic() + POLL_SECONDS
        for yielded in itertools.count():
            for future in futures[watched:]:
                future.add_done_callback(completed.put)
            watched = len(futures)
            if yielded == watched:
                return
            future = None
            while future is None:
                if time.monotonic() >= next_look:
                    self._raise_if_stopped(stopped_since, paths)
                    next_look = time.monotonic() + POLL_SECONDS
                with contextlib.suppress(Empty):
                    future = completed.get(timeout=max(next_look - time.monotonic(), 0))
            try:
                result = future.result()
            except BrokenProcessPool:
                working_on = self.slots.in_progress(len(paths))
                self.kill()
                raise WorkerDied([paths[index] for index in working_on]) from None
            yield future, result

    def kill(self) -> None:
        """End the processes at once, whatever they are doing (the run is done with them, or
        abandons them), and the executor's threads with them."""
        # The executor's own processes (Python 3.14 has kill_workers() for this): one that ended
        # is not signalled, so no other process that took its pid can be.
        for process in list((self.executor._processes or {}).values()):
            with contextlib.suppress(ProcessLookupError, ValueError):
                if process.is_alive():
                    process.kill()
        # A task still in the pipe to the processes (a large one: the whole task list) has no
        # reader any more: the thread feeding it would wait forever, and the shutdown with it.
        call_queue = getattr(self.executor, "_call_queue", None)
        if call_queue is not None:
            call_queue.cancel_join_thread()
        # A result a killed process was writing stays half in the pipe: the executor's thread
        # reading it would wait forever for the rest, since this process holds the pipe's other
        # end too. Closing that end leaves the dead processes' ends only, so the read ends (EOF).
        result_queue = getattr(self.executor, "_result_queue", None)
        writer = getattr(result_queue, "_writer", None)
        if writer is not None:
            with contextlib.suppress(OSError):
                writer.close()
        # With its processes gone the executor winds down at once; waiting for that leaves none of
        # its threads running while Python exits (where one of them could print a traceback).
        self.executor.shutdown(cancel_futures=True)

    def _raise_if_stopped(self, stopped_since: Dict[int, float], paths: Sequence[str]) -> None:
        """:class:`WorkerStopped` (the processes killed) once a process has been stopped for the
        grace period; ``stopped_since`` keeps when each was first seen stopped, by pid."""
        now = time.monotonic()
        for pid in list(self.executor._processes or {}):
            if _is_stopped(pid):
                stopped_since.setdefault(pid, now)
            else:
                stopped_since.pop(pid, None)
        stopped = [pid for pid, since in stopped_since.items() if now - since >= STOPPED_GRACE_SECONDS]
        if stopped:
            working_on = self.slots.in_progress(len(paths), stopped)
            self.kill()
            raise WorkerStopped([paths[index] for index in working_on])


def _is_stopped(pid: int) -> bool:
    """Whether the process is stopped by a signal or by a tracer (read on Linux; elsewhere a
    stopped process is not noticed)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            status = stream.read()
    except OSError:
        return False
    # "pid (name) state ...": the name may hold spaces and parentheses; the last ")" ends it.
    fields = status[status.rfind(b")") + 1 :].split()
    return bool(fields) and fields[0] in (b"T", b"t")


@contextlib.contextmanager
def _ctrl_c_blocked() -> Iterator[None]:
    """Ctrl-C waits while processes may be forked: a process inherits the block and lifts it once
    it ignores Ctrl-C; the parent gets a Ctrl-C that came meanwhile when it lifts its own."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start_worker(slots: WorkerSlots, initializer: Optional[Callable[..., None]], initargs: Tuple) -> None:
    """The initializer of a worker process: leave Ctrl-C to the parent (a process that died of it
    would only add tracebacks), take a slot, run ``initializer``."""
    global _slots, _slot
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    with slots.taken.get_lock():
        _slot = slots.taken.value
        slots.taken.value += 1
    slots.pids[_slot] = os.getpid()
    _slots = slots
    if initializer is not None:
        initializer(*initargs)


def working_on(index: int) -> None:
    """Say which task this process works on (-1: none)."""
    if _slots is not None:
        _slots.tasks[_slot] = index


def job_count(text: str) -> int:
    """``--jobs N`` (check and migrate): a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
