"""One ``loopguard check`` run: its files read in phases (every file, then the skipped files the
whole-project pass needs), the cache consulted and kept, the whole-project pass."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ...core.collector import collector_paused
from ...core.findings import Finding
from ..discovery import Discovery, GitError, tracked_by_git
from ..workers import WorkerLost
from .cache import KeyHomeError, ResultCache, configuration_key, key_home, machine_key
from . import files
from .files import FileOutcome, FileTask, FileWorkers
from .options import CheckOptions
from .records import FileRecord, ProjectRecord, Stat

if TYPE_CHECKING:
    from ...project import ModuleSummary, Project

# With --jobs N: below this many files per process, starting processes costs more than it saves.
FILES_PER_PROCESS = 16
# Without --jobs: files are checked in this process for this long to see whether the rest is worth
# worker processes, each of which costs some 40 ms to start and to hear back from...
SAMPLE_SECONDS = 0.05
# ...and there is a process for each of this many seconds of work left (two for 0.2 s). The sample
# ends sooner, after this many files, once the rest at their pace is what a process per core
# needs: on a large tree the other cores are not left idle for the whole sample (the standard
# library's first files, most of them skipped by the prefilter, are 0.35 s of work at their pace:
# asking for twice a process per core kept it sampling in one process for the whole 0.05 s).
SECONDS_PER_PROCESS = 0.1
SAMPLE_FILES_AT_LEAST = 20
_ANALYSIS = f"{__package__}.analysis"  # the module that loads the engine, the rules and the project pass


class Run:
    """One ``loopguard check`` invocation: its settings, messages and counters."""

    def __init__(self, options: CheckOptions) -> None:
        self.options = options
        self.whole_project = options.whole_project
        self.config = options.config
        self.errors: List[str] = []
        self.warnings: List[str] = []
        self.checked = 0
        self.from_cache = 0
        self.modelled_for_project = 0  # files the prefilter skips, modelled for the whole-project rules
        self.cache: Optional[ResultCache] = None
        self.walked: List[Discovery] = []  # what git listed there tells whether it tracks the cache
        self._digests: Dict[str, Optional[str]] = {}  # path -> content digest of its record
        self._cached_project_findings: Optional[Dict[str, Tuple[Finding, ...]]] = None  # for these very files
        # path -> (a record's summary JSON, that summary read): read once however often the record is replaced
        self._summaries: Dict[str, Tuple[Dict[str, Any], ModuleSummary]] = {}
        # id -> a summary's JSON made in this run, not read from the cache: its shape needs no
        # check. (Held here, so that no JSON read later can take the id of one freed.)
        self._made_here: Dict[int, Dict[str, Any]] = {}
        self._project: Optional[Project] = None  # of the records as they are now
        self._sizes: Dict[str, int] = {}  # path -> size in bytes, of the files read
        self._workers: Optional[FileWorkers] = None  # the worker processes, while the files are read
        self.workers_lost = False

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def records(self, paths: Sequence[str]) -> Dict[str, FileRecord]:
        """path -> its record, for every file that could be read and decoded."""
        cache = self.cache = self._open_cache()
        tasks = []
        records: Dict[str, FileRecord] = {}
        digests = self._digests
        for path in paths:
            absolute = os.path.abspath(path)
            try:
                stat: Optional[os.stat_result] = os.stat(absolute)
            except OSError:
                stat = None  # reading it will say why
            if cache is not None and stat is not None:
                record = cache.lookup(absolute, Stat(stat.st_mtime_ns, stat.st_size))
                if record is not None:
                    records[path] = record
                    digests[path] = cache.recorded_digest(absolute)
                    continue
            digest = cache.recorded_digest(absolute) if cache is not None else None
            tasks.append(FileTask(path, absolute, digest, self.whole_project, cache is not None))
            self._sizes[path] = stat.st_size if stat is not None else 0
        self.from_cache = len(records)
        try:
            self._collect(self._check(tasks), records, digests, cache)
            # In the order of the paths (the cached records came first): the project pass, which
            # names a module after its first file, must not depend on what the cache held.
            records = {path: records[path] for path in paths if path in records}
            if self.whole_project and cache is not None:
                # The same files with the same contents as when the cache was written: the earlier
                # run already modelled what the project needs, and found what there is to find.
                self._cached_project_findings = cache.project_findings(self._fingerprint(records))
            if self.whole_project and self._cached_project_findings is None:
                if cache is not None:
                    self._check_cached_summaries(records, digests, cache)
                self._model_hand_over_files(records, digests, cache)
        finally:
            if self._workers is not None:
                self._workers.close()
                self._workers = None
        return records

    def project_findings(self, records: Dict[str, FileRecord]) -> Dict[str, Sequence[Finding]]:
        """The whole-project findings by path, from the cache when no file changed since."""
        if self._cached_project_findings is not None:
            return self._cached_project_findings
        found = self.project(records).findings()
        if self.cache is not None:
            by_path = {path: tuple(findings) for path, findings in found.items()}
            self.cache.store_project(ProjectRecord(self._fingerprint(records), by_path))
        return found

    def save_cache(self) -> None:
        if self.cache is not None:
            self.cache.save()
            self.warnings.extend(self.cache.warnings)

    def _fingerprint(self, records: Dict[str, FileRecord]) -> str:
        """The files (as spelled: the findings name them so) and their contents."""
        parts = (f"{path}\0{self._digests.get(path)}" for path in sorted(records))
        return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()

    def _collect(
        self,
        outcomes: Iterable[FileOutcome],
        records: Dict[str, FileRecord],
        digests: Dict[str, Optional[str]],
        cache: Optional[ResultCache],
    ) -> None:
        for outcome in outcomes:
            task = outcome.task
            if outcome.error is not None:
                self.error(task.path, outcome.error)
                records.pop(task.path, None)
                continue
            record = outcome.record
            if record is None and cache is not None:
                record = cache.record_of(task.absolute)
                self.from_cache += 1
            elif task.model:
                self.modelled_for_project += 1
            else:
                self.checked += 1
            if record is None:
                continue
            records[task.path] = record
            if outcome.record is not None and record.summary is not None:
                self._made_here[id(record.summary)] = record.summary
            self._project = None
            if outcome.digest is not None:
                digests[task.path] = outcome.digest
            if cache is not None and outcome.stat is not None and outcome.digest is not None:
                cache.store(task.absolute, outcome.stat, outcome.digest, record)

    def _model_hand_over_files(
        self, records: Dict[str, FileRecord], digests: Dict[str, Optional[str]], cache: Optional[ResultCache]
    ) -> None:
        """Model the import-scanned files that may call, through their imports, a function of the
        project that reaches a loop: the files that spell one of the names
        ``Project.names_toward_a_loop`` gives each. What they add may make more functions reach
        a loop, so repeat until a round models no file: a middle module between a thread (or an
        entry point) and a loop helper is modelled at any depth, and no other file is parsed.

        A file whose text spells none of its names records their digest (``names_tested``): a
        later run with the same names (an unchanged project) does not read it again.
        """
        while True:
            project = self.project(records)
            tasks, tested = [], {}
            for path, record in records.items():
                summary = None if record.modelled else self._summary(path, record)
                names = project.names_toward_a_loop(summary) if summary is not None else ()
                if not names:
                    continue
                names_digest = hashlib.blake2b("\0".join(names).encode(), digest_size=8).hexdigest()
                if record.names_tested != names_digest:
                    tested[path] = names_digest
                    absolute = os.path.abspath(path)
                    tasks.append(FileTask(path, absolute, digests.get(path), True, cache is not None, True, names))
            if not tasks:
                return
            modelled = []
            for outcome in self._check(tasks):
                if outcome.names_absent:
                    path = outcome.task.path
                    records[path] = records[path]._replace(names_tested=tested[path])
                    if cache is not None:
                        cache.replace_record(outcome.task.absolute, records[path])
                else:
                    modelled.append(outcome)
            if not modelled:
                return
            self._collect(modelled, records, digests, cache)

    def project(self, records: Dict[str, FileRecord]) -> Project:
        """The whole-project pass over ``records``, built again only when a record changed."""
        if self._project is None:
            from ...project import Project  # the project pass: not loaded when the cache answers

            self._project = Project(self.summaries(records))
        return self._project

    def summaries(self, records: Dict[str, FileRecord]) -> List[ModuleSummary]:
        """The whole-project summaries of ``records``, each read from JSON once per record."""
        summaries = []
        for path, record in records.items():
            summary = self._summary(path, record)
            if summary is not None:
                summaries.append(summary)
        return summaries

    def _read_summary(self, outcome: FileOutcome) -> None:
        """Read the summary of a record made in this run, as :meth:`_collect` takes it later."""
        record = outcome.record
        if record is not None and record.summary is not None:
            self._made_here[id(record.summary)] = record.summary
            self._summary(outcome.task.path, record)

    def _summary(self, path: str, record: FileRecord) -> Optional[ModuleSummary]:
        data = record.summary
        if data is None:
            return None
        known = self._summaries.get(path)
        if known is not None and known[0] is data:
            return known[1]
        from ...project import ModuleSummary

        summary = ModuleSummary.from_json(data, checked=id(data) not in self._made_here)
        summary.path = path  # the cache may hold it under another spelling (`a.py`, `./a.py`)
        self._summaries[path] = (data, summary)
        return summary

    def _check_cached_summaries(
        self, records: Dict[str, FileRecord], digests: Dict[str, Optional[str]], cache: ResultCache
    ) -> None:
        """Read every summary before the whole-project pass needs them (the cache keeps them
        apart from the records): a cached one missing or of another shape is a miss, and its
        file is checked again. (A run that the cache answers whole never reads them, so pays
        nothing for this.)"""
        malformed = []
        for path, record in records.items():
            absolute = os.path.abspath(path)
            if cache.summary_elsewhere(absolute):
                with_summary = cache.with_summary(absolute, record)
                if with_summary is None:
                    malformed.append(path)
                    continue
                records[path] = record = with_summary
            try:
                self._summary(path, record)
            except ValueError:
                malformed.append(path)
        if malformed:
            cache.report_malformed()
            self.from_cache -= len(malformed)
            stale = {path: records[path] for path in malformed}
            tasks = [FileTask(path, os.path.abspath(path), None, True, True) for path in malformed]
            self._collect(self._check(tasks), records, digests, cache)
            for path, record in stale.items():
                if records.get(path) is record:  # not checked again (the worker processes failed)
                    del records[path]

    def _open_cache(self) -> Optional[ResultCache]:
        """The cache, when this machine's key can be had and the folder is not the repository's."""
        directory = self.options.cache_dir
        if directory is None:
            return None
        try:
            secret = machine_key(key_home())
        except KeyHomeError as error:
            self.warnings.append(f"{error}; running without the cache")
            return None
        # A cache committed to the repository is never trusted, whoever wrote it (a key can leak),
        # and never written to (that would change the repository's files).
        try:
            tracked = self._tracked_by_git(directory)
        except GitError as error:
            self.warnings.append(f"cannot tell whether git tracks the cache {directory} ({error}); running without it")
            return None
        if tracked:
            self.warnings.append(
                f"the cache {directory} is tracked by git: a committed cache is never trusted; running without it"
            )
            return None
        with collector_paused():  # thousands of small records, no cycles among them
            return ResultCache.open(directory, configuration_key(self.options), secret)

    def _tracked_by_git(self, directory: Path) -> bool:
        """Whether git tracks the cache folder: from what the walk listed, else from git."""
        for discovered in self.walked:
            tracked = discovered.tracked_by_git(str(directory))
            if tracked is not None:
                return tracked
        return tracked_by_git(str(directory))

    def _check(self, tasks: List[FileTask]) -> List[FileOutcome]:
        """The outcome of each task, in order; from worker processes when the work pays for them
        (see :meth:`_process_count`), which, once started, serve the later phases too. The largest
        files go first, so that no process is left with a large one at the end."""
        if self.workers_lost:
            return []  # already reported; the run ends with exit code 2
        checked_here: List[FileOutcome] = []
        if self._workers is None:
            checked_here, count = self._process_count(tasks)
            tasks = tasks[len(checked_here) :]
            if count <= 1:
                return checked_here + [files.check_file(task, self.config) for task in tasks]
            self._workers = FileWorkers(count, self.config)
        sizes = self._sizes
        order = sorted(range(len(tasks)), key=lambda index: sizes.get(tasks[index].path, 0), reverse=True)
        outcomes: List[FileOutcome] = [None] * len(tasks)  # type: ignore[list-item]
        # The whole-project pass reads each summary: read while the processes check on, not after.
        arrived = self._read_summary if self.whole_project else None
        try:
            for index, outcome in zip(order, self._workers.check([tasks[i] for i in order], arrived)):
                outcomes[index] = outcome
            return checked_here + outcomes
        except WorkerLost as lost:
            self.errors.append(f"{lost.describe('checking')}; the other files were not reported")
            self.workers_lost = True
            return []

    def _process_count(self, tasks: List[FileTask]) -> Tuple[List[FileOutcome], int]:
        """How many processes should check ``tasks``, and the outcomes of the first tasks if they
        were checked here to decide that.

        ``--jobs N``: up to N, one per ``FILES_PER_PROCESS`` files. Without it, up to one per core,
        as many as the work pays for: files differ tenfold in what they cost (the prefilter skips
        most, a module full of coroutines is modelled), so the first files are checked here for
        ``SAMPLE_SECONDS`` and what is left, at that pace, gets a process per
        ``SECONDS_PER_PROCESS``.
        """
        if self.options.jobs is not None:
            return [], min(self.options.jobs, len(tasks) // FILES_PER_PROCESS)
        cores = _cores()
        if cores == 1 or not tasks:
            return [], 1
        # CPU time, not wall time: on a machine busy with other work the files look no costlier.
        started = time.process_time()
        checked: List[FileOutcome] = []
        paced = 0  # the files checked before the clock (re)started, not part of the pace
        engine_loaded = _ANALYSIS in sys.modules
        for task in tasks:
            checked.append(files.check_file(task, self.config))
            if not engine_loaded and _ANALYSIS in sys.modules:
                # The first file to be analysed loaded the engine: the pace is the files', not the
                # import's. (It is imported by need, so that a few unreadable or unchanged files
                # in a run the cache answers do not load it.)
                engine_loaded = True
                started, paced = time.process_time(), len(checked)
                continue
            spent, sampled = time.process_time() - started, len(checked) - paced
            if spent >= SAMPLE_SECONDS or (
                sampled >= SAMPLE_FILES_AT_LEAST
                and spent / sampled * (len(tasks) - len(checked)) >= cores * SECONDS_PER_PROCESS
            ):
                break
        if len(checked) == paced:
            return checked, 1  # nothing left once the engine was loaded
        seconds_left = (time.process_time() - started) / (len(checked) - paced) * (len(tasks) - len(checked))
        return checked, min(cores, int(seconds_left / SECONDS_PER_PROCESS))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
