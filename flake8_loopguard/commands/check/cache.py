"""The result cache of ``loopguard check``: per file, its findings, keyed by the file's content.

One file per configuration (the key covers the tool's version, the Python version and every
setting that changes what the rules find), loaded once and written once per run, like ruff's
``.ruff_cache``. Beside the files' records it holds one record of the whole project (the
whole-project findings), valid for the exact set of files and contents it names. A file
whose size and modification time are those recorded is not even read; one whose stat changed
is read and hashed, and only a changed content is checked again.

The file holds two JSON documents, one a line: the records, then the files' whole-project
summaries by path (three quarters of the bytes). A run whose whole-project findings are cached
for these very files never needs a summary, so it parses the first line only; the second is
parsed when the whole-project pass must run, or when a summary changed and the file is written.
One file, written at once, so the two cannot disagree; the MAC covers both.
A corrupt or unwritable cache is a warning, never an error: the run goes on without it.

The cache folder lives in the checked project, where anyone who can change the project can
write. So a results file is trusted only when it carries a MAC over its exact bytes made with
this machine's secret key, which lives outside every project (in the user's cache home): a
file copied from elsewhere, crafted, or written with another key is ignored with a warning
and replaced. A record this machine wrote can still have a wrong shape (a bug, a format
change): it is checked where it is first used, and a malformed one is a miss.

The cache does not grow without bound: entries of files that no longer exist are dropped, and
the results of a configuration not used for a month (or beyond the most recent few) deleted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

from ... import __version__
from ...core.findings import Finding
from .records import CacheEntry, FileRecord, ProjectRecord, Stat

if TYPE_CHECKING:
    from .options import CheckOptions

# 3: results files carry a MAC made with this machine's key; 4: summaries carry entry points;
# 5: the summaries are a second document, after the records.
CACHE_FORMAT = 5
DEFAULT_DIRECTORY = ".loopguard_cache"
# A file modified this recently may change again within the same clock tick: its stat is not
# trusted on the next run (git's "racily clean" rule), its content hash is.
RACY_SECONDS = 2.0

KEY_FILE_NAME = "key"
KEY_SIZE = 32  # bytes of the secret key
# A results file is this line (the MAC of the rest, in hex) followed by the JSON document.
SIGNATURE_PREFIX = b"loopguard-cache-mac "

# The results of the other configurations: a file not used (written, or read and touched) for
# this long is deleted, and only the most recently used few are kept.
UNUSED_SECONDS = 30 * 24 * 3600
KEPT_OTHER_CONFIGURATIONS = 8
TOUCH_SECONDS = 24 * 3600  # a results file read but not written is touched at most this often
# A temporary file this old was left by a run that was killed before renaming it.
LEFTOVER_SECONDS = 24 * 3600

def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def configuration_key(options: CheckOptions) -> str:
    """What names the results of one configuration: everything that changes what a record holds
    (the format, loopguard's and Python's versions, the engine's settings, whether the
    whole-project rules need the summaries)."""
    parts = (str(CACHE_FORMAT), __version__, sys.version.split()[0], repr(options.config), str(options.whole_project))
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]


# ----- this machine's key --------------------------------------------------------------


class KeyHomeError(Exception):
    """The user's cache home cannot hold the key: the run goes on without the cache."""


def key_home() -> Path:
    """``$XDG_CACHE_HOME/loopguard``, else ``~/.cache/loopguard`` (a relative XDG_CACHE_HOME is
    ignored, as the XDG specification says)."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(configured):
        return Path(configured) / "loopguard"
    try:
        return Path.home() / ".cache" / "loopguard"
    except RuntimeError:  # no HOME, and no entry in the password database
        raise KeyHomeError("cannot find the home folder to keep the cache key in") from None


def machine_key(home: Path) -> bytes:
    """The secret key in ``home``, made on first use (the folder 0700, the file 0600).

    Runs that start at the same moment agree on one key: each writes its candidate to a file of
    its own (``O_EXCL``) and links it to the key's name, which only the first link gets; a key
    is never seen half written.
    """
    key_file = home / KEY_FILE_NAME
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = _read_key(key_file)
        if key is None:
            candidate = home / f".key-{os.getpid()}-{os.urandom(6).hex()}"
            descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(descriptor, "wb") as stream:
                    stream.write(os.urandom(KEY_SIZE))
                try:
                    os.link(candidate, key_file)
                except FileExistsError:
                    pass  # another run made it first: its key is the key
            finally:
                os.unlink(candidate)
            key = _read_key(key_file)
    except OSError as error:
        raise KeyHomeError(f"cannot keep the cache key in {home}: {error.strerror or error}") from None
    if key is None or len(key) != KEY_SIZE:
        size = "missing" if key is None else f"{len(key)} bytes, not {KEY_SIZE}"
        raise KeyHomeError(f"the cache key {key_file} is damaged ({size}); delete it to make a new one")
    return key


def _read_key(key_file: Path) -> Optional[bytes]:
    try:
        with key_file.open("rb") as stream:
            return stream.read(KEY_SIZE + 1)
    except FileNotFoundError:
        return None


def signed(key: bytes, name: str, body: bytes) -> bytes:
    """The bytes of a results file called ``name`` holding ``body``, authenticated with ``key``."""
    return signature_line(key, name, body) + body


def signature_line(key: bytes, name: str, body: bytes) -> bytes:
    """The first line of a results file: the MAC of ``body`` and of the file's name."""
    return SIGNATURE_PREFIX + _mac(key, name, body) + b"\n"


def verified_body(key: bytes, name: str, data: bytes) -> Optional[bytes]:
    """The body of a results file when its MAC verifies (checked before anything parses it)."""
    header, newline, body = data.partition(b"\n")
    if not (newline and header.startswith(SIGNATURE_PREFIX)):
        return None
    if not hmac.compare_digest(header[len(SIGNATURE_PREFIX) :], _mac(key, name, body)):
        return None
    return body


def _mac(key: bytes, name: str, body: bytes) -> bytes:
    # HMAC-SHA256: twice blake2b's speed where the processor has SHA instructions (a warm run
    # authenticates megabytes). The file's name (its configuration) is authenticated too: a
    # results file cannot be renamed to answer for another configuration.
    mac = hmac.new(key, name.encode("utf-8", "surrogateescape") + b"\n", "sha256")
    mac.update(body)
    return mac.hexdigest().encode("ascii")


# ----- the results of one configuration -------------------------------------------------


class ResultCache:
    """A :class:`CacheEntry` by absolute path, and one :class:`ProjectRecord`. An entry is read
    from its JSON when it is first asked for; one of another shape is a miss (reported once)."""

    def __init__(self, file: Path, secret: bytes) -> None:
        """An empty cache, to be written to ``file``; :meth:`open` reads one."""
        self.file = file
        self.warnings: List[str] = []
        self._secret = secret
        self._stored: Dict[str, Any] = {}  # path -> the JSON of its entry, not read yet
        self._entries: Dict[str, CacheEntry] = {}  # path -> its entry, read or stored by this run
        self._project: Optional[ProjectRecord] = None
        self._loaded_mtime: Optional[float] = None  # of the file read, when it was trusted
        self._changed = False
        self._seen: Set[str] = set()  # paths this run found on disk: their entries are alive
        self._malformed_reported = False
        # The summaries: the text of the second document until one is asked for, then by path.
        # An entry's record whose summary is there reads ``"summary": true`` in the first.
        self._summaries_text = b"{}"
        self._summaries: Optional[Dict[str, Any]] = None
        self._summary_elsewhere: Set[str] = set()  # read entries whose summary is in the second document
        self._summaries_changed = False  # a summary stored: the second document is written anew

    @classmethod
    def open(cls, directory: Path, key: str, secret: bytes) -> ResultCache:
        """The results of configuration ``key`` in ``directory``; ``secret`` is this machine's key."""
        file = directory / f"results-{key}.json"
        cache = cls(file, secret)
        try:
            with file.open("rb") as stream:
                mtime = os.fstat(stream.fileno()).st_mtime
                data = stream.read()
        except (FileNotFoundError, NotADirectoryError):
            return cache  # no cache yet
        except OSError as error:
            cache.warnings.append(f"ignoring the unreadable cache {file}: {error.strerror or error}")
            return cache
        cache._changed = True  # unless it is trusted below: replaced by one this machine wrote
        body = verified_body(secret, file.name, data)
        del data  # the body is a copy: a large cache need not be held twice while it is parsed
        if body is None:
            cache.warnings.append(f"the cache {file} was not written by this machine's loopguard; ignored")
            return cache
        records_text, _newline, summaries_text = body.partition(b"\n")
        del body
        try:
            document = json.loads(records_text)  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            if not (isinstance(document, dict) and document.get("format") == CACHE_FORMAT):
                raise ValueError("unknown format")
            files = document.get("files")
            if not isinstance(files, dict):
                raise ValueError('"files" is not an object')
        except ValueError as error:
            cache.warnings.append(f"ignoring the unreadable cache {file}: {error}")
            return cache
        cache._stored = files
        cache._summaries_text = summaries_text
        cache._loaded_mtime = mtime
        cache._changed = False
        project = document.get("project")
        if project is not None:
            cache._project = ProjectRecord.from_json(project)
            if cache._project is None:
                cache.report_malformed()  # computed again
        return cache

    def lookup(self, path: str, stat: Stat) -> Optional[FileRecord]:
        """The record of ``path`` (which exists: ``stat`` is its own) when its stat is the one
        recorded (and was trustworthy then)."""
        self._seen.add(path)
        entry = self._entry(path)
        if entry is not None and entry.stat == stat and entry.stat.mtime_ns != 0:
            return entry.record
        return None

    def recorded_digest(self, path: str) -> Optional[str]:
        entry = self._entry(path)
        return entry.digest if entry is not None else None

    def record_of(self, path: str) -> Optional[FileRecord]:
        """The record of ``path``, read now and found unchanged since (its content digest)."""
        self._seen.add(path)
        entry = self._entry(path)
        return entry.record if entry is not None else None

    def store(self, path: str, stat: Stat, digest: str, record: FileRecord) -> None:
        trusted = stat if time.time() - stat.mtime_ns / 1e9 > RACY_SECONDS else Stat(0, stat.size)
        entry = CacheEntry(trusted, digest, record)
        self._seen.add(path)
        known = self._entries.get(path)
        # A record that is not the one kept is a new result (the file was checked again).
        if known is None or (known.stat, known.digest) != (entry.stat, entry.digest) or known.record is not record:
            self._entries[path] = entry
            self._changed = True
            if known is None or known.record is not record:
                self._summary_stored(path, record)

    def replace_record(self, path: str, record: FileRecord) -> None:
        """Keep ``record`` for ``path``, whose content is the one its entry names."""
        known = self._entry(path)
        if known is not None:
            self._entries[path] = known._replace(record=record)
            self._changed = True
            self._summary_stored(path, record)

    def summary_elsewhere(self, path: str) -> bool:
        """Whether the record of ``path`` read from the cache has its summary in the second
        document (it reads None until :meth:`with_summary` gives it)."""
        return path in self._summary_elsewhere

    def with_summary(self, path: str, record: FileRecord) -> Optional[FileRecord]:
        """``record`` (the cached record of ``path``) with its summary from the second document;
        None when that has none of the right type for it (a malformed record: check it again)."""
        summary = self._read_summaries().get(path)
        return record._replace(summary=summary) if type(summary) is dict else None

    def project_findings(self, fingerprint: str) -> Optional[Dict[str, Tuple[Finding, ...]]]:
        """The whole-project findings stored for exactly these files and contents (``fingerprint``)."""
        if self._project is not None and self._project.fingerprint == fingerprint:
            return self._project.findings
        return None

    def store_project(self, project: ProjectRecord) -> None:
        self._project = project
        self._changed = True

    def report_malformed(self) -> None:
        """A record has a shape this version does not write: it is treated as absent (once a
        warning), and the cache is written again without it."""
        self._changed = True
        if not self._malformed_reported:
            self._malformed_reported = True
            self.warnings.append(
                f"ignoring malformed records in the cache {self.file}; what they held is computed again"
            )

    def save(self) -> None:
        """Write the cache if anything changed or a file it names is gone; delete the results
        of the configurations no longer used."""
        # Only the entries of files this run did not find on disk need a look.
        known = self._stored.keys() | self._entries.keys()
        gone = [path for path in known - self._seen if not os.path.lexists(path)]
        for path in gone:
            self._stored.pop(path, None)
            self._entries.pop(path, None)
        if self._changed or gone:
            self._write()
        elif self._loaded_mtime is not None and time.time() - self._loaded_mtime > TOUCH_SECONDS:
            try:
                os.utime(self.file)  # used: the runs of other configurations must not prune it
            except OSError:
                pass  # then it may be pruned, and is only computed again
        self._prune_other_configurations()

    def _write(self) -> None:
        files = dict(self._stored)  # their summaries, if any, are in the second document already
        new_summaries: Dict[str, Any] = {}
        for path, entry in self._entries.items():
            value = entry.to_json()
            summary = entry.record.summary
            if summary is not None:
                value[3]["summary"] = True
                new_summaries[path] = summary
            elif path in self._summary_elsewhere:
                value[3]["summary"] = True
            files[path] = value
        if new_summaries or self._summaries_changed:
            # The kept files' summaries: the new ones, and the others as read (one missing there
            # is a miss when next asked for, and its file is checked again).
            read = self._read_summaries()
            for path in files.keys() - new_summaries.keys():
                if path in read:
                    new_summaries[path] = read[path]
            summaries_text = json.dumps(new_summaries, separators=(",", ":")).encode("ascii")
        else:
            summaries_text = self._summaries_text  # no summary changed: the second document as read
        project = self._project.to_json() if self._project is not None else None
        document = {"format": CACHE_FORMAT, "files": files, "project": project}
        # ASCII: a path that is not valid UTF-8 (surrogate escapes) still round-trips. JSON text
        # holds no line break (json.dumps escapes them in strings): a line is one document.
        text = json.dumps(document, separators=(",", ":"))
        body = b"".join((text.encode("ascii"), b"\n", summaries_text))
        del text  # a large cache is not held three times over while it is written
        import tempfile  # here: a run that changed nothing writes nothing and does not pay for it

        try:
            _prepare_directory(self.file.parent)
            descriptor, temporary = tempfile.mkstemp(prefix=".results-", dir=self.file.parent)
            try:
                with os.fdopen(descriptor, "wb") as stream:
                    stream.write(signature_line(self._secret, self.file.name, body))
                    stream.write(body)
                os.replace(temporary, self.file)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as error:
            self.warnings.append(f"cannot write the cache {self.file}: {error.strerror or error}")

    def _prune_other_configurations(self) -> None:
        """Delete the results of configurations not used for a month, or beyond the most recently
        used few, and the temporary files of runs killed while writing."""
        now = time.time()
        others: List[Tuple[float, str]] = []
        try:
            with os.scandir(self.file.parent) as listing:
                for entry in listing:
                    if entry.name == self.file.name:
                        continue
                    if entry.name.startswith("results-") and entry.name.endswith(".json"):
                        others.append((_mtime(entry), entry.path))
                    elif entry.name.startswith(".results-") and now - _mtime(entry) > LEFTOVER_SECONDS:
                        _remove(entry.path)
        except OSError:
            return  # no folder yet, or one we cannot list: nothing we could clean
        others.sort(reverse=True)
        for rank, (mtime, path) in enumerate(others):
            if rank >= KEPT_OTHER_CONFIGURATIONS or now - mtime > UNUSED_SECONDS:
                _remove(path)

    def _entry(self, path: str) -> Optional[CacheEntry]:
        entry = self._entries.get(path)
        if entry is not None or path not in self._stored:
            return entry
        value = self._stored.pop(path)
        record_value = value[3] if type(value) is list and len(value) == 4 else None
        elsewhere = type(record_value) is dict and record_value.get("summary") is True
        if elsewhere:
            record_value["summary"] = None  # given by with_summary() when the project pass needs it
        entry = CacheEntry.from_json(value)
        if entry is None:
            self.report_malformed()
            return None
        if elsewhere:
            self._summary_elsewhere.add(path)
        self._entries[path] = entry
        return entry

    def _summary_stored(self, path: str, record: FileRecord) -> None:
        """``record`` is now the record of ``path``: its summary, if any, goes to the second document."""
        self._summary_elsewhere.discard(path)
        if record.summary is not None:
            self._summaries_changed = True

    def _read_summaries(self) -> Dict[str, Any]:
        """The second document, parsed on first use; of another shape it is empty (every summary
        asked for is then a miss)."""
        if self._summaries is None:
            try:
                summaries = json.loads(self._summaries_text)
            except ValueError:
                summaries = None
            self._summaries = summaries if isinstance(summaries, dict) else {}
        return self._summaries


def _mtime(entry: os.DirEntry) -> float:  # type: ignore[type-arg]
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return time.time()  # gone meanwhile, or unreadable: not old


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # another run removed it, or the folder is read-only: it is only kept longer


def _prepare_directory(directory: Path) -> None:
    """Create the cache folder, marked as a cache for backup tools and ignored by git, as ruff does."""
    if directory.is_dir():
        return
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".gitignore").write_text("# Automatically created by loopguard.\n*\n", encoding="utf-8")
    (directory / "CACHEDIR.TAG").write_text(
        "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by loopguard.\n",
        encoding="utf-8",
    )
