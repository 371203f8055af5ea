"""One file of ``loopguard check``: read it, check it with the engine, and make its cache record
(its findings after ``# noqa``, its whole-project summary); in this process or in worker
processes that take the next file from a shared counter."""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Sequence, Tuple

from ...core.config import Config
from ..sources import SourceError, decode_source, read_source_bytes
from ..workers import WorkerPool, worker_context, working_on
from .cache import content_digest
from .records import FileRecord, Stat


@dataclass(frozen=True)
class FileTask:
    path: str  # as printed
    absolute: str
    recorded_digest: Optional[str]  # the cached content's, to skip an unchanged file
    summarize: bool  # whether the whole-project rules need the file's summary
    cached: bool  # whether the record goes to the cache (which keys it by the content's digest)
    model: bool = False  # model it even when the prefilter skips it (its hand-overs are needed)
    # Model it only if its text names one of these (or changed since ``recorded_digest``).
    names: Tuple[str, ...] = ()


@dataclass(frozen=True)
class FileOutcome:
    task: FileTask
    stat: Optional[Stat]
    digest: Optional[str]
    record: Optional[FileRecord]  # None: unchanged (take the cached record), or an error
    error: Optional[str]
    names_absent: bool = False  # the text names none of the task's names: not modelled


# A process sends back what it checked after this much CPU time: the parent reads the outcomes
# while the processes check on, instead of all of them after the last file (some 0.03 s over
# the standard library, with one core idle), and the last ones it reads are few.
SHARE_SECONDS = 0.05


class FileWorkers:
    """Worker processes that take the next file to check from a shared counter, in shares of
    ``SHARE_SECONDS`` of work: a share's outcomes come back together, instead of a round trip of
    messages for every few files (which cost a tenth of a run over the standard library)."""

    def __init__(self, count: int, config: Config) -> None:
        self.count = count
        context = worker_context()
        self.next_task = context.Value("q", 0)
        self.pool = WorkerPool(count, _start_worker, (config, self.next_task))
        self.phase = 0  # which list of tasks a share is of (a process unpickles each list once)
        # Forked processes start at the first submit, as copies of this one: the first phase's
        # tasks are already in their copy of this module, not sent with every share.
        self.forks = context.get_start_method() == "fork"

    def check(
        self, tasks: List[FileTask], arrived: Optional[Callable[[FileOutcome], None]] = None
    ) -> List[FileOutcome]:
        """The outcome of each task, in order; each is also handed to ``arrived`` as soon as its
        share is back, while the processes check on. :class:`WorkerLost` names the files being
        checked when a process died or stayed stopped (the processes are killed then)."""
        global _phase_tasks
        self.next_task.value = 0
        self.phase += 1
        shared_tasks: Optional[bytes] = None
        if self.phase == 1 and self.forks:
            _phase_tasks = (self.phase, tasks)
        else:
            # Pickled here once for every share, not once per share by the executor.
            shared_tasks = pickle.dumps(tasks, pickle.HIGHEST_PROTOCOL)
        # Two shares a process: the next one waits in the pipe while a share's outcomes travel.
        shares = [self.pool.submit(_check_share, shared_tasks, self.phase) for _ in range(2 * self.count)]
        outcomes: List[FileOutcome] = [None] * len(tasks)  # type: ignore[list-item]
        for _share, (checked, tasks_left) in self.pool.results(shares, [task.path for task in tasks]):
            if tasks_left:
                shares.append(self.pool.submit(_check_share, shared_tasks, self.phase))
            for index, *outcome in checked:
                outcomes[index] = FileOutcome(tasks[index], *outcome)
                if arrived is not None:
                    arrived(outcomes[index])
        return outcomes

    def close(self) -> None:
        """After the last phase, or at once (Ctrl-C, a process lost): the processes are killed,
        whatever they are doing."""
        self.pool.kill()


_worker_config: Optional[Config] = None
_next_task: Any = None  # the shared counter of the tasks taken
# The tasks of the phase this process last worked on (in the parent: the first phase's, which the
# processes forked at its first share find here).
_phase_tasks: Tuple[int, List[FileTask]] = (0, [])


def _start_worker(config: Config, next_task: Any) -> None:
    global _worker_config, _next_task
    _worker_config, _next_task = config, next_task


def _check_share(shared_tasks: Optional[bytes], phase: int) -> Tuple[List[Tuple[Any, ...]], bool]:
    """Check the next untaken task until none is left or ``SHARE_SECONDS`` of CPU time are spent:
    for each checked here, its index and its outcome's fields after the task (the parent has the
    tasks: sending them back made the results twice as slow to unpickle), and whether tasks may
    be left. ``shared_tasks``: the phase's tasks, pickled; None when this process was forked with
    them."""
    global _phase_tasks
    assert _worker_config is not None
    if _phase_tasks[0] != phase:
        assert shared_tasks is not None
        _phase_tasks = (phase, pickle.loads(shared_tasks))
    tasks = _phase_tasks[1]
    done = []
    ends = time.process_time() + SHARE_SECONDS
    while time.process_time() < ends:
        with _next_task.get_lock():
            index = _next_task.value
            _next_task.value = index + 1
        if index >= len(tasks):
            return done, False
        working_on(index)
        outcome = check_file(tasks[index], _worker_config)
        done.append((index, outcome.stat, outcome.digest, outcome.record, outcome.error, outcome.names_absent))
        working_on(-1)
    return done, True


def check_file(task: FileTask, config: Config) -> FileOutcome:
    """Read and check one file; every failure becomes a one-line error naming the file."""
    try:
        data, stat = read_source_bytes(task.absolute)
    except SourceError as error:
        return FileOutcome(task, None, None, None, str(error))
    file_stat = Stat(stat.st_mtime_ns, stat.st_size)
    digest = content_digest(data) if task.cached else None
    if task.names:
        # A file changed since its record was made is modelled whatever it names now.
        if digest == task.recorded_digest and not _names_any(data, task.names):
            return FileOutcome(task, file_stat, digest, None, None, names_absent=True)
    elif digest is not None and digest == task.recorded_digest:
        return FileOutcome(task, file_stat, digest, None, None)
    try:
        source = decode_source(data).text
        # The engine and the project pass are loaded by the first file that needs them: a run the
        # cache answers never imports them.
        from .analysis import analyse

        record = analyse(source, task.path, config, task.summarize, task.model)
    except SourceError as error:
        return FileOutcome(task, file_stat, digest, None, str(error))
    except RecursionError:
        return FileOutcome(task, file_stat, digest, None, "too deeply nested to analyse (RecursionError)")
    except MemoryError:  # also what the parser raises when its stack overflows on deep nesting
        return FileOutcome(task, file_stat, digest, None, "too deeply nested or too large to analyse (MemoryError)")
    except Exception as error:  # a bug of ours must name the file, not end the run with a traceback
        return FileOutcome(task, file_stat, digest, None, f"internal error: {type(error).__name__}: {error}")
    return FileOutcome(task, file_stat, digest, record, None)


def _names_any(data: bytes, names: Sequence[str]) -> bool:
    """Whether the text has one of ``names`` as a word; text that does not decode counts as
    having one (modelling it says why it cannot be read)."""
    try:
        text = decode_source(data).text
    except SourceError:
        return True
    # Split into words at every ASCII byte that cannot be part of a name (UTF-8 bytes of other
    # characters can): one pass in C, several times faster than a search per name.
    words = text.encode("utf-8", "surrogatepass").translate(_NAME_BYTES).split()
    return not {name.encode("utf-8") for name in names}.isdisjoint(words)


_NAME_BYTES = bytes(
    code if code >= 0x80 or chr(code).isalnum() or chr(code) == "_" else ord(" ") for code in range(256)
)
