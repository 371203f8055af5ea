"""``loopguard check``: the CI gate. Files in, the engine's findings out, as flake8 prints them.

Per file: read, decode, the engine (the prefilter first, so most files are never parsed), the
file's ``# noqa`` comments, and the summary the whole-project pass needs; the result is cached
by content. Then the whole-project pass (LG107, cross-module LG401/LG102/LG103) over every
summary, flake8's select/ignore/per-file-ignores decision, the baseline, and the report.

The whole-project pass also needs the thread hand-overs and coroutine calls of files the
prefilter skips, but only those that can reach a project function making a loop. So the files
are read in phases: first every file (modelled when the prefilter lets it through, import-scanned
otherwise); then, from those summaries, the names of the functions that create, run or drive a
loop (and of every function or re-export that reaches one); then only the skipped files that
have a hand-over word and name one of them are modelled, again until no new name appears.
"""

from __future__ import annotations

import argparse
import codecs
import gc
import hashlib
import io
import os
import pickle
import sys
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ... import __version__
from .cache import (
    CACHE_FORMAT,
    DEFAULT_DIRECTORY,
    KeyHomeError,
    ResultCache,
    Stat,
    cache_key,
    content_digest,
    key_home,
    machine_key,
)
from ...core.config import OPTIONS, Config
from ...core.engine import analyse_source, collector_paused
from ...core.findings import Finding
from ...core.noqa import silences_file, source_lines, without_noqa
from ...core.rules import RULES, project_rules
from ..discovery import Discovery, GitError, PerFileIgnores, changed_files, discover, tracked_by_git
from ...project import (
    ModuleSummary,
    Project,
    module_name_for,
    summarize,
    summarize_imports_only,
)
from ...project.summary import is_json_row
from .formats import FORMAT_NAMES, Located, render
from ..settings import SYNTAX_ERROR_CODE, Settings, SettingsError, load_settings
from ..workers import WorkerLost, WorkerPool, worker_context, working_on

if TYPE_CHECKING:
    from .baseline import Baseline

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

PLUGIN_PREFIX = "LG"  # what flake8 selects by default for this plugin: every default-on rule
PROJECT_CODES = tuple(rule.code for rule in project_rules())  # what the whole-project pass reports
# With --jobs N: below this many files per process, starting processes costs more than it saves.
FILES_PER_PROCESS = 16
# Without --jobs: files are checked in this process for this long to see whether the rest is worth
# worker processes, each of which costs some 40 ms to start and to hear back from...
SAMPLE_SECONDS = 0.05
# ...and there is a process for each of this many seconds of work left (two for 0.2 s).
SECONDS_PER_PROCESS = 0.1


# ----- the command line --------------------------------------------------------------


def add_parser(commands: Any) -> None:
    """Register ``check`` on the ``loopguard`` subcommand parser."""
    parser = commands.add_parser(
        "check",
        help="check files for loop-ownership violations (the CI gate)",
        description=(
            "Check Python files with every loopguard rule, plus the whole-project rules. Settings come from "
            "[tool.loopguard] in the nearest pyproject.toml; a flag replaces the setting of the same name. "
            "Exit status: 0 clean, 1 violations found, 2 usage or internal error."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check (default: .)")
    selection = parser.add_argument_group("selection (flake8's meaning; CODES are comma-separated codes or prefixes)")
    selection.add_argument(
        "--select", metavar="CODES", help="report only these (replaces the default: every default-on rule)"
    )
    selection.add_argument(
        "--extend-select", metavar="CODES", help="report these too (opt-in rules: LG203, LG303, LG3)"
    )
    selection.add_argument("--ignore", metavar="CODES", help="do not report these")
    selection.add_argument("--per-file-ignores", metavar="MAPPING", help="'glob: CODES' pairs, one per line")
    files = parser.add_argument_group("files")
    files.add_argument(
        "--exclude", metavar="PATTERNS", help="globs of files and folders to skip (replaces the default)"
    )
    files.add_argument("--extend-exclude", metavar="PATTERNS", help="globs of files and folders to skip as well")
    files.add_argument(
        "--diff-against",
        metavar="REV",
        help="report only files changed since the git revision REV, and untracked files (the whole-project rules "
        "still read every file)",
    )
    rules = parser.add_argument_group("rule options (the flake8 plugin's --loopguard-* options)")
    for option in OPTIONS:
        rules.add_argument(f"--{option.name}", metavar="NAMES", help=option.help)
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=FORMAT_NAMES, default="text", help="report format (default: text)")
    output.add_argument("--output-file", "-o", metavar="FILE", type=Path, help="write the report to FILE")
    output.add_argument("--statistics", action="store_true", help="count the findings per code")
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even when violations are found")
    output.add_argument(
        "--verbose", "-v", action="store_true", help="say which configuration is used and how many files were checked"
    )
    baseline = parser.add_argument_group("baseline (ratchet a legacy code base)").add_mutually_exclusive_group()
    baseline.add_argument("--baseline", metavar="FILE", type=Path, help="report only findings not recorded in FILE")
    baseline.add_argument("--write-baseline", metavar="FILE", type=Path, help="record today's findings in FILE")
    run = parser.add_argument_group("running")
    run.add_argument("--jobs", "-j", metavar="N", type=job_count, help="processes to use (default: one per core)")
    run.add_argument("--no-cache", action="store_true", help=f"neither read nor write the cache ({DEFAULT_DIRECTORY}/)")
    run.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        help=f"the cache folder (default: {DEFAULT_DIRECTORY}/ at the project root)",
    )


def job_count(text: str) -> int:
    """``--jobs N`` (check and migrate): a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


# ----- one file ----------------------------------------------------------------------


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
    record: Optional[Dict[str, Any]]  # None: unchanged (take the cached record), or an error
    error: Optional[str]
    names_absent: bool = False  # the text names none of the task's names: not modelled


class _Workers:
    """Worker processes that take the next file to check from a shared counter: the tasks go
    out to each process once and its outcomes come back once, instead of a round trip of
    messages for every few files (which cost a tenth of a run over the standard library)."""

    def __init__(self, count: int, config: Config) -> None:
        self.count = count
        self.next_task = worker_context().Value("q", 0)
        self.pool = WorkerPool(count, _start_worker, (config, self.next_task))

    def check(self, tasks: List[FileTask]) -> List[FileOutcome]:
        """The outcome of each task, in order; :class:`WorkerLost` names the files being checked
        when a process died or stayed stopped (the processes are killed then)."""
        self.next_task.value = 0
        # Pickled here once for every process, not once per process by the executor.
        shared_tasks = pickle.dumps(tasks, pickle.HIGHEST_PROTOCOL)
        shares = [self.pool.submit(_check_share, shared_tasks) for _ in range(self.count)]
        outcomes: List[FileOutcome] = [None] * len(tasks)  # type: ignore[list-item]
        for _share, checked in self.pool.results(shares, [task.path for task in tasks]):
            for index, *outcome in checked:
                outcomes[index] = FileOutcome(tasks[index], *outcome)
        return outcomes

    def close(self) -> None:
        """After the last phase, or at once (Ctrl-C, a process lost): the processes are killed,
        whatever they are doing."""
        self.pool.kill()


_worker_config: Optional[Config] = None
_next_task: Any = None  # the shared counter of the tasks taken


def _start_worker(config: Config, next_task: Any) -> None:
    global _worker_config, _next_task
    _worker_config, _next_task = config, next_task


def _check_share(shared_tasks: bytes) -> List[Tuple[Any, ...]]:
    """Check the next untaken task until none is left: for each checked here, its index and its
    outcome's fields after the task (the parent has the tasks: sending them back made the
    results twice as slow to unpickle)."""
    assert _worker_config is not None
    tasks: List[FileTask] = pickle.loads(shared_tasks)
    done = []
    while True:
        with _next_task.get_lock():
            index = _next_task.value
            _next_task.value = index + 1
        if index >= len(tasks):
            return done
        working_on(index)
        outcome = check_file(tasks[index], _worker_config)
        done.append((index, outcome.stat, outcome.digest, outcome.record, outcome.error, outcome.names_absent))
        working_on(-1)


NOT_A_REGULAR_FILE = "not a regular file (a FIFO, a socket or a device); not read"


def check_file(task: FileTask, config: Config) -> FileOutcome:
    """Read and check one file; every failure becomes a one-line error naming the file."""
    try:
        # Opened without blocking: a FIFO that nothing writes to would hold the run forever.
        with open(os.open(task.absolute, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as stream:
            stat = os.fstat(stream.fileno())
            if not S_ISREG(stat.st_mode):
                return FileOutcome(task, None, None, None, NOT_A_REGULAR_FILE)
            data = stream.read()
    except OSError as error:
        return FileOutcome(task, None, None, None, f"cannot read: {error.strerror or error}")
    file_stat = (stat.st_mtime_ns, stat.st_size)
    digest = content_digest(data) if task.cached else None
    if task.names:
        # A file changed since its record was made is modelled whatever it names now.
        if digest == task.recorded_digest and not _names_any(data, task.names):
            return FileOutcome(task, file_stat, digest, None, None, names_absent=True)
    elif digest is not None and digest == task.recorded_digest:
        return FileOutcome(task, file_stat, digest, None, None)
    try:
        source = decode_source(data)
        record = analyse(source, task, config)
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
        text = decode_source(data)
    except SourceError:
        return True
    # Split into words at every ASCII byte that cannot be part of a name (UTF-8 bytes of other
    # characters can): one pass in C, several times faster than a search per name.
    words = text.encode("utf-8", "surrogatepass").translate(_NAME_BYTES).split()
    return not {name.encode("utf-8") for name in names}.isdisjoint(words)


_NAME_BYTES = bytes(
    code if code >= 0x80 or chr(code).isalnum() or chr(code) == "_" else ord(" ") for code in range(256)
)


class SourceError(Exception):
    """Bytes that are not Python source text."""


def decode_source(data: bytes) -> str:
    """The text of a source file, decoded the way Python decodes it (BOM, coding cookie, UTF-8)."""
    if b"\0" in data:
        raise SourceError("contains NUL bytes; not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except SyntaxError as error:  # an unknown or contradictory coding cookie
        raise SourceError(f"cannot decode: {error.msg if hasattr(error, 'msg') else error}") from None
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode: {error}") from None


def analyse(source: str, task: FileTask, config: Config) -> Dict[str, Any]:
    """The cache record of one file: its findings after ``# noqa``, its whole-project summary, and
    whether that summary is the full model's (``modelled``) or the imports only (a later phase
    may need the file modelled)."""
    summary: Optional[ModuleSummary] = None
    # Module names are relative to the project root, so the summary does not depend on the spelling.
    module_name = module_name_for(task.path, config.project_root) if task.summarize else ""
    try:
        analysis = analyse_source(source, task.path, config, model_anyway=task.model)
    except SyntaxError as error:
        if silences_file(source):  # flake8 does not even parse such a file
            return {"findings": [], "summary": None, "modelled": True}
        syntax_error = Finding(
            error.lineno or 1,
            max((error.offset or 1) - 1, 0),
            SYNTAX_ERROR_CODE,
            f"{type(error).__name__}: {error.msg}",
        )
        return {
            "findings": [_finding_json(syntax_error, _line_text(source_lines(source), syntax_error))],
            "summary": None,
            "modelled": True,  # as far as it goes: parsing it again would find nothing more
        }
    modelled = analysis.module is not None
    if task.summarize:
        if analysis.module is None:
            summary = summarize_imports_only(source, task.path, module_name)
        else:
            summary = summarize(analysis.module, task.path, module_name, analysis.tree)
    if analysis.module is not None:
        analysis.module.release()
    findings = analysis.findings
    if findings and silences_file(source):
        findings = []
    lines = source_lines(source) if findings else []
    kept = without_noqa(findings, lines)
    return {
        "findings": [_finding_json(f, _line_text(lines, f)) for f in kept],
        "summary": summary.to_json() if summary is not None else None,
        "modelled": modelled,
    }



FINDING_ROW = (int, int, str, str, str, str)  # what _finding_json makes: line, col, code, message, context, line text


def is_record(value: Any) -> bool:
    """Whether a cached value has the shape :func:`analyse` gives a record (a cache this machine
    wrote can still hold another: a bug, a format change)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("findings"), list)
        and all(is_json_row(row, FINDING_ROW) for row in value["findings"])
        # The summary's inside is checked where it is read: a run that the cache answers never reads it.
        and "summary" in value
        and (value["summary"] is None or isinstance(value["summary"], dict))
        and isinstance(value.get("modelled"), bool)
        and isinstance(value.get("names_tested", ""), str)
    )


def _line_text(lines: Sequence[str], finding: Finding) -> str:
    return lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""


def _finding_json(finding: Finding, line_text: str) -> List[Any]:
    return [finding.line, finding.col, finding.code, finding.message, finding.context, line_text]


# ----- selection ---------------------------------------------------------------------


class Selection:
    """flake8's decision for a code: selected (explicitly, or by default), ignored, or both and the
    longer prefix wins. ``per-file-ignores`` adds to ``ignore`` for the files it matches."""

    def __init__(self, settings: Settings) -> None:
        self.explicitly_selected = (settings.select or ()) + settings.extend_select
        self.by_default = settings.select is None
        self.ignore = settings.ignore
        self.per_file = PerFileIgnores(settings.per_file_ignores)

    def reports(self, code: str, path: str) -> bool:
        if code == SYNTAX_ERROR_CODE:
            return True  # a file that does not parse is never hidden
        return self._decide(code, self.ignore + self.per_file.codes_for(path))

    def reports_any(self, codes: Iterable[str]) -> bool:
        """Whether some of ``codes`` may be reported in a file that ``per-file-ignores`` leaves alone."""
        return any(self._decide(code, self.ignore) for code in codes)

    def _decide(self, code: str, ignore: Sequence[str]) -> bool:
        ignored = _longest_prefix(code, ignore)
        selected = _longest_prefix(code, self.explicitly_selected)
        if selected is not None:
            return ignored is None or len(selected) > len(ignored)
        return self.by_default and code.startswith(PLUGIN_PREFIX) and ignored is None


def _longest_prefix(code: str, prefixes: Sequence[str]) -> Optional[str]:
    matching = [prefix for prefix in prefixes if code.startswith(prefix)]
    return max(matching, key=len) if matching else None


# ----- the run -----------------------------------------------------------------------


class Run:
    """One ``loopguard check`` invocation: its settings, messages and counters."""

    def __init__(self, args: argparse.Namespace, settings: Settings, whole_project: bool) -> None:
        self.args = args
        self.whole_project = whole_project
        self.settings = settings
        self.config = settings.engine_config()
        self.errors: List[str] = []
        self.warnings: List[str] = []
        self.checked = 0
        self.from_cache = 0
        self.modelled_for_project = 0  # files the prefilter skips, modelled for the whole-project rules
        self.cache: Optional[ResultCache] = None
        self.walked: List[Discovery] = []  # what git listed there tells whether it tracks the cache
        self._digests: Dict[str, Optional[str]] = {}  # path -> content digest of its record
        self._cached_project_findings: Optional[Dict[str, List[Finding]]] = None  # for these very files
        self._summaries: Dict[str, Tuple[Dict[str, Any], ModuleSummary]] = {}  # path -> (record, its summary)
        self._project: Optional[Project] = None  # of the records as they are now
        self._sizes: Dict[str, int] = {}  # path -> size in bytes, of the files read
        self._workers: Optional[_Workers] = None  # the worker processes, while the files are read
        self.workers_lost = False

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def records(self, paths: Sequence[str]) -> Dict[str, Dict[str, Any]]:
        """path -> cache record, for every file that could be read and decoded."""
        cache = self.cache = self._open_cache()
        tasks = []
        records: Dict[str, Dict[str, Any]] = {}
        digests = self._digests
        for path in paths:
            absolute = os.path.abspath(path)
            try:
                stat: Optional[os.stat_result] = os.stat(absolute)
            except OSError:
                stat = None  # reading it will say why
            if cache is not None and stat is not None:
                record = cache.lookup(absolute, (stat.st_mtime_ns, stat.st_size))
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
                record = cache.project_record(self._fingerprint(records))
                if record is not None:
                    self._cached_project_findings = _project_findings_of(record)
                    if self._cached_project_findings is None:
                        cache.report_malformed()
            if self.whole_project and self._cached_project_findings is None:
                if cache is not None:
                    self._check_cached_summaries(records, digests, cache)
                self._model_hand_over_files(records, digests, cache)
        finally:
            if self._workers is not None:
                self._workers.close()
                self._workers = None
        return records

    def project_findings(self, records: Dict[str, Dict[str, Any]]) -> Dict[str, List[Finding]]:
        """The whole-project findings by path, from the cache when no file changed since."""
        if self._cached_project_findings is not None:
            return self._cached_project_findings
        found = self.project(records).findings()
        if self.cache is not None:
            record = {
                path: [[f.line, f.col, f.code, f.message, f.context] for f in findings]
                for path, findings in found.items()
            }
            self.cache.store_project(self._fingerprint(records), record)
        return found

    def save_cache(self) -> None:
        if self.cache is not None:
            self.cache.save()
            self.warnings.extend(self.cache.warnings)

    def _fingerprint(self, records: Dict[str, Dict[str, Any]]) -> str:
        """The files (as spelled: the findings name them so) and their contents."""
        parts = (f"{path}\0{self._digests.get(path)}" for path in sorted(records))
        return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()

    def _collect(
        self,
        outcomes: Iterable[FileOutcome],
        records: Dict[str, Dict[str, Any]],
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
            self._project = None
            if outcome.digest is not None:
                digests[task.path] = outcome.digest
            if cache is not None and outcome.stat is not None and outcome.digest is not None:
                cache.store(task.absolute, outcome.stat, outcome.digest, record)

    def _model_hand_over_files(
        self, records: Dict[str, Dict[str, Any]], digests: Dict[str, Optional[str]], cache: Optional[ResultCache]
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
                summary = None if record.get("modelled") else self._summary(path, record)
                names = project.names_toward_a_loop(summary) if summary is not None else ()
                if not names:
                    continue
                names_digest = hashlib.blake2b("\0".join(names).encode(), digest_size=8).hexdigest()
                if record.get("names_tested") != names_digest:
                    tested[path] = names_digest
                    absolute = os.path.abspath(path)
                    tasks.append(FileTask(path, absolute, digests.get(path), True, cache is not None, True, names))
            if not tasks:
                return
            modelled = []
            for outcome in self._check(tasks):
                if outcome.names_absent:
                    records[outcome.task.path]["names_tested"] = tested[outcome.task.path]
                    if cache is not None:
                        cache.changed_in_place()
                else:
                    modelled.append(outcome)
            if not modelled:
                return
            self._collect(modelled, records, digests, cache)

    def project(self, records: Dict[str, Dict[str, Any]]) -> Project:
        """The whole-project pass over ``records``, built again only when a record changed."""
        if self._project is None:
            self._project = Project(self.summaries(records))
        return self._project

    def summaries(self, records: Dict[str, Dict[str, Any]]) -> List[ModuleSummary]:
        """The whole-project summaries of ``records``, each read from JSON once per record."""
        summaries = []
        for path, record in records.items():
            summary = self._summary(path, record)
            if summary is not None:
                summaries.append(summary)
        return summaries

    def _summary(self, path: str, record: Dict[str, Any]) -> Optional[ModuleSummary]:
        data = record["summary"]
        if data is None:
            return None
        known = self._summaries.get(path)
        if known is not None and known[0] is record:
            return known[1]
        summary = ModuleSummary.from_json(data)
        summary.path = path  # the cache may hold it under another spelling (`a.py`, `./a.py`)
        self._summaries[path] = (record, summary)
        return summary

    def _check_cached_summaries(
        self, records: Dict[str, Dict[str, Any]], digests: Dict[str, Optional[str]], cache: ResultCache
    ) -> None:
        """Read every summary before the whole-project pass needs them: a cached one of another
        shape is a miss, and its file is checked again. (A run that the cache answers whole
        never reads them, so pays nothing for this.)"""
        malformed = []
        for path, record in records.items():
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
        if self.args.no_cache:
            return None
        directory = Path(self.args.cache_dir or (self.settings.root / DEFAULT_DIRECTORY))
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
        key = cache_key(
            (str(CACHE_FORMAT), __version__, sys.version.split()[0], repr(self.config), str(self.whole_project))
        )
        with collector_paused():  # thousands of small records, no cycles among them
            return ResultCache.open(directory, key, secret, is_record)

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
                return checked_here + [check_file(task, self.config) for task in tasks]
            self._workers = _Workers(count, self.config)
        sizes = self._sizes
        order = sorted(range(len(tasks)), key=lambda index: sizes.get(tasks[index].path, 0), reverse=True)
        outcomes: List[FileOutcome] = [None] * len(tasks)  # type: ignore[list-item]
        try:
            for index, outcome in zip(order, self._workers.check([tasks[i] for i in order])):
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
        if self.args.jobs is not None:
            return [], min(self.args.jobs, len(tasks) // FILES_PER_PROCESS)
        cores = _cores()
        if cores == 1 or not tasks:
            return [], 1
        started = time.perf_counter()
        checked = []
        for task in tasks:
            checked.append(check_file(task, self.config))
            if time.perf_counter() - started >= SAMPLE_SECONDS:
                break
        seconds_left = (time.perf_counter() - started) / len(checked) * (len(tasks) - len(checked))
        return checked, min(cores, int(seconds_left / SECONDS_PER_PROCESS))


PROJECT_FINDING_ROW = (int, int, str, str, str)  # line, col, code, message, context


def _project_findings_of(record: Any) -> Optional[Dict[str, List[Finding]]]:
    """The findings a cached project record holds; None when it has another shape."""
    if not isinstance(record, dict):
        return None
    found = {}
    for path, rows in record.items():
        if not (isinstance(rows, list) and all(is_json_row(row, PROJECT_FINDING_ROW) for row in rows)):
            return None
        found[path] = [Finding(*row) for row in rows]
    return found


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(args: argparse.Namespace) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not valid UTF-8 is printed as the bytes it is (as `ls` does), and
        # what the output encoding cannot hold is escaped: never a crash at the last step.
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            utf8 = codecs.lookup(stream.encoding).name == "utf-8"
            stream.reconfigure(errors="surrogateescape" if utf8 else "backslashreplace")
    # What the run keeps has no reference cycles (each model is released after its file), so the
    # cycle collector would only scan the live trees again and again: off for the whole run,
    # in the worker processes too (they start as copies of this one).
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("loopguard: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`loopguard check | head`): say nothing more, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as error:  # a bug of ours: one line, never a traceback in the CI log
        print(f"loopguard: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if collector_was_enabled:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    known_codes = tuple(RULES) + PROJECT_CODES + (SYNTAX_ERROR_CODE,)
    flags = {option.name: getattr(args, option.name.replace("-", "_")) for option in OPTIONS}
    for key in ("select", "ignore", "extend-select", "exclude", "extend-exclude", "per-file-ignores"):
        flags[key] = getattr(args, key.replace("-", "_"))
    try:
        settings = load_settings(known_codes, flags)
    except SettingsError as error:
        print(f"loopguard: {error}", file=sys.stderr)
        return EXIT_ERROR
    selection = Selection(settings)
    whole_project = selection.reports_any(PROJECT_CODES)
    run_ = Run(args, settings, whole_project)
    if args.verbose:
        print(f"loopguard: configuration: {settings.config_file or 'none (defaults)'}", file=sys.stderr)

    paths = args.paths or ["."]
    discovered = discover(paths, settings.exclude + settings.extend_exclude)
    run_.walked.append(discovered)
    run_.errors.extend(discovered.errors)
    run_.warnings.extend(discovered.warnings)
    reported: Set[str] = set(discovered.files)
    analysed = list(discovered.files)
    if whole_project and _is_project_root(settings) and not _covers_root(paths, settings.root):
        # The whole-project rules see the whole project, whichever files are reported.
        project = discover([os.path.relpath(settings.root)], settings.exclude + settings.extend_exclude)
        run_.walked.append(project)
        known = {os.path.abspath(path) for path in analysed}
        analysed.extend(os.path.normpath(path) for path in project.files if os.path.abspath(path) not in known)
    if args.diff_against is not None:
        try:
            changed = changed_files(args.diff_against)
        except GitError as error:
            print(f"loopguard: --diff-against {args.diff_against}: {error}", file=sys.stderr)
            return EXIT_ERROR
        reported = {path for path in reported if os.path.abspath(path) in changed}
        if not whole_project:
            analysed = [path for path in analysed if path in reported]

    records = run_.records(analysed)
    located = _located(records, reported, selection)
    if whole_project:
        with collector_paused():
            located.extend(_project_located(records, reported, selection, run_))
    run_.save_cache()
    located.sort(key=lambda item: (item.path, item.finding.line, item.finding.col, item.finding.code))

    # Of the files reported on, those read and checked: an unreadable one is an error line instead,
    # and its baseline entries are not known to be gone.
    checked = {path for path in reported if path in records}
    status = _report(args, located, checked, selection, run_)
    for warning in run_.warnings:
        print(f"loopguard: warning: {warning}", file=sys.stderr)
    for error in run_.errors:
        print(f"loopguard: {error}", file=sys.stderr)
    if args.verbose:
        if whole_project:
            print(
                f"loopguard: whole-project rules: {run_.modelled_for_project} more files modelled for their "
                "calls of functions that reach a loop",
                file=sys.stderr,
            )
        print(
            f"loopguard: {len(analysed)} files: {run_.checked} checked, {run_.from_cache} unchanged since the cache, "
            f"{len(reported)} reported on",
            file=sys.stderr,
        )
    if run_.errors or any(item.finding.code == SYNTAX_ERROR_CODE for item in located):
        return EXIT_ERROR
    return status


def _is_project_root(settings: Settings) -> bool:
    """A folder known to hold a whole project: the configuration's, or the top of a git work tree."""
    return settings.config_file is not None or (settings.root / ".git").exists()


def _covers_root(paths: Sequence[str], root: Path) -> bool:
    return any(Path(path).resolve() == root for path in paths)


def _located(records: Dict[str, Dict[str, Any]], reported: Set[str], selection: Selection) -> List[Located]:
    located = []
    for path, record in records.items():
        if path not in reported:
            continue
        for line, col, code, message, context, line_text in record["findings"]:
            if selection.reports(code, path):
                located.append(Located(path, Finding(line, col, code, message, context), line_text))
    return located


def _project_located(
    records: Dict[str, Dict[str, Any]], reported: Set[str], selection: Selection, run_: Run
) -> List[Located]:
    located = []
    for path, findings in run_.project_findings(records).items():
        if path not in reported:
            continue
        wanted = [finding for finding in findings if selection.reports(finding.code, path)]
        if not wanted:
            continue
        try:
            with open(path, "rb") as stream:
                source = decode_source(stream.read())
        except (OSError, SourceError) as error:
            run_.error(path, f"changed while being checked: {error}")
            continue
        if silences_file(source):
            continue
        lines = source_lines(source)
        located.extend(Located(path, finding, _line_text(lines, finding)) for finding in without_noqa(wanted, lines))
    return located


def _report(
    args: argparse.Namespace, located: List[Located], checked: Set[str], selection: Selection, run_: Run
) -> int:
    """Print the report (after the baseline) and its total; the exit status the findings call for."""
    findings = located
    silenced: Optional[int] = None  # with a baseline: the findings it holds back
    baselined = [item for item in findings if item.finding.code != SYNTAX_ERROR_CODE]
    entries_of_missing_files = 0
    if args.write_baseline is not None or args.baseline is not None:
        # Imported here, as the baseline is: a run without one does not pay for it.
        from .baseline import Baseline, BaselineError, write_baseline

        try:
            if args.write_baseline is not None:
                write_baseline(args.write_baseline, baselined)
                print(f"loopguard: {args.write_baseline}: recorded {len(baselined)} findings", file=sys.stderr)
                return EXIT_CLEAN
            baseline = Baseline.load(args.baseline)
        except BaselineError as error:
            run_.errors.append(str(error))
            return EXIT_ERROR
        new, entries_of_missing_files = _apply_baseline(args.baseline, baseline, baselined, checked, selection)
        findings = [item for item in findings if item.finding.code == SYNTAX_ERROR_CODE] + new
        silenced = len(baselined) - len(new)
        findings.sort(key=lambda item: (item.path, item.finding.line, item.finding.col, item.finding.code))
    text = render(args.format, findings)
    if args.statistics:
        statistics = _statistics(findings)
        machine_readable = args.format in ("json", "sarif")
        if machine_readable or args.output_file is not None:
            sys.stderr.write(statistics)
        else:
            text += statistics
    if run_.workers_lost:
        pass  # the run did not read every file: a total would read as a verdict it cannot give
    elif args.format == "text" and args.output_file is None:
        text += _total(findings, len(checked), silenced)
    else:  # the report stays what its format says, nothing more
        sys.stderr.write(_total(findings, len(checked), silenced))
    if args.output_file is not None:
        try:
            args.output_file.write_text(text, encoding="utf-8")
        except OSError as error:
            run_.error(str(args.output_file), f"cannot write the report: {error.strerror or error}")
    else:
        sys.stdout.write(text)
    return EXIT_FINDINGS if (findings or entries_of_missing_files) and not args.exit_zero else EXIT_CLEAN


def _apply_baseline(
    baseline_file: Path, baseline: Baseline, located: List[Located], checked: Set[str], selection: Selection
) -> Tuple[List[Located], int]:
    """The findings ``baseline`` does not silence, and how many of its entries name a file that
    does not exist (they fail the gate: a file of that name created later would be silenced).

    On stderr, one warning per entry that matched nothing: mismatched (edited by hand), or stale
    (its findings are gone from a file checked in this run, or its file does not exist). An entry
    of a code this run does not report, or of an existing file it did not check, is not stale:
    its findings were not looked for.
    """
    from .baseline import normalized_path

    new, removable = baseline.filter(located)
    warnings = [
        f"{baseline_file}: {entry.path}: the {entry.code} entry in {entry.context or 'module level'} does not match "
        f"its fingerprint {entry.fingerprint} (edited by hand?), so it silences nothing"
        for entry in baseline.mismatched
    ]
    checked_paths = {normalized_path(path) for path in checked}
    missing = 0
    for entry in removable:
        path = normalized_path(entry.path)
        if not selection.reports(entry.code, path):
            continue
        where = f"{entry.path}: {entry.count} {entry.code} finding(s) in {entry.context or 'module level'}"
        if not os.path.exists(path):
            missing += 1
            warnings.append(f"{baseline_file}: {where}: the file does not exist; refresh it with --write-baseline")
        elif path in checked_paths:
            warnings.append(f"{baseline_file}: {where} are gone; refresh it with --write-baseline")
    for warning in warnings:
        print(f"loopguard: warning: {warning}", file=sys.stderr)
    if missing:
        print(
            f"loopguard: {baseline_file}: {missing} entry(ies) of files that do not exist fail the gate; refresh the "
            f"baseline with `loopguard check --write-baseline {baseline_file}` on the whole project",
            file=sys.stderr,
        )
    return new, missing


def _total(findings: Sequence[Located], files_checked: int, silenced: Optional[int]) -> str:
    """The closing line: the findings reported, in how many of the files checked, and with a
    baseline how many it held back (``3 new findings in 2 of 1788 files (5 silenced by the baseline)``)."""
    kind = "finding" if silenced is None else "new finding"
    files = _counted(files_checked, "file")
    if findings:
        with_findings = len({item.path for item in findings})
        line = f"{_counted(len(findings), kind)} in {with_findings} of {files}"
    else:
        line = f"no {kind}s in {files}"
    if silenced is not None:
        line += f" ({silenced} silenced by the baseline)"
    return line + "\n"


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _statistics(findings: Sequence[Any]) -> str:
    """flake8's ``--statistics``: per code, the count and the first message."""
    counts: Dict[str, int] = {}
    first_message: Dict[str, str] = {}
    for item in findings:
        code = item.finding.code
        counts[code] = counts.get(code, 0) + 1
        first_message.setdefault(code, item.finding.message)
    return "".join(f"{counts[code]:<5} {code} {first_message[code]}\n" for code in sorted(counts))
