"""The result cache of ``loopguard check``: per file, its findings, keyed by the file's content.

One JSON file per configuration (the key covers the tool's version, the Python version and
every setting that changes what the rules find), loaded once and written once per run, like
ruff's ``.ruff_cache``. Beside the files' records it holds one record of the whole project
(the whole-project findings), valid for the exact set of files and contents it names. A file whose size and modification time are those recorded is not even
read; one whose stat changed is read and hashed, and only a changed content is checked again.
A corrupt or unwritable cache is a warning, never an error: the run goes on without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

CACHE_FORMAT = 2  # 2: records say whether the file was modelled or import-scanned; the project record
DEFAULT_DIRECTORY = ".loopguard_cache"
# A file modified this recently may change again within the same clock tick: its stat is not
# trusted on the next run (git's "racily clean" rule), its content hash is.
RACY_SECONDS = 2.0

Stat = Tuple[int, int]  # (st_mtime_ns, st_size)


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def cache_key(parts: Sequence[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]


class ResultCache:
    """Records by absolute path: ``[mtime_ns, size, digest, record]``; ``record`` is any JSON value."""

    def __init__(
        self, file: Path, entries: Dict[str, Any], warnings: List[str], project: Optional[Dict[str, Any]] = None
    ) -> None:
        self.file = file
        self.warnings = warnings
        self._entries = entries
        self._project = project  # {"fingerprint": str, "record": any JSON value}
        self._changed = False
        self._corrupt_entry_reported = False

    @classmethod
    def open(cls, directory: Path, key: str) -> ResultCache:
        file = directory / f"results-{key}.json"
        warnings: List[str] = []
        entries: Dict[str, Any] = {}
        project: Optional[Dict[str, Any]] = None
        try:
            with file.open("rb") as stream:
                document = json.load(stream)
            if not (isinstance(document, dict) and document.get("format") == CACHE_FORMAT):
                raise ValueError("unknown format")
            files = document.get("files")
            if not isinstance(files, dict):
                raise ValueError('"files" is not an object')
            entries = files
            project = document.get("project")
            if not (isinstance(project, dict) and isinstance(project.get("fingerprint"), str)):
                project = None  # none yet, or damaged: it is only computed again
        except (FileNotFoundError, NotADirectoryError):
            pass  # no cache yet
        except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            warnings.append(f"ignoring the unreadable cache {file}: {error}")
        return cls(file, entries, warnings, project)

    def lookup(self, path: str, stat: Stat) -> Optional[Any]:
        """The record of ``path`` when its stat is the one recorded (and was trustworthy then)."""
        entry = self._entry(path)
        if entry is not None and entry[0] == stat[0] and entry[1] == stat[1] and entry[0] != 0:
            return entry[3]
        return None

    def recorded_digest(self, path: str) -> Optional[str]:
        entry = self._entry(path)
        return entry[2] if entry is not None else None

    def record_of(self, path: str) -> Optional[Any]:
        entry = self._entry(path)
        return entry[3] if entry is not None else None

    def store(self, path: str, stat: Stat, digest: str, record: Any) -> None:
        mtime_ns = stat[0] if time.time() - stat[0] / 1e9 > RACY_SECONDS else 0
        entry = [mtime_ns, stat[1], digest, record]
        if self._entries.get(path) != entry:
            self._entries[path] = entry
            self._changed = True

    def project_record(self, fingerprint: str) -> Optional[Any]:
        """The project record stored for exactly these files and contents (``fingerprint``)."""
        if self._project is not None and self._project["fingerprint"] == fingerprint:
            return self._project.get("record")
        return None

    def store_project(self, fingerprint: str, record: Any) -> None:
        project = {"fingerprint": fingerprint, "record": record}
        if self._project != project:
            self._project = project
            self._changed = True

    def changed_in_place(self) -> None:
        """A record handed out by :meth:`lookup` or :meth:`record_of` was updated: save it."""
        self._changed = True

    def save(self) -> None:
        """Write the cache if anything changed, dropping the files that no longer exist."""
        if not self._changed:
            return
        for path in [path for path in self._entries if not os.path.lexists(path)]:
            del self._entries[path]
        document = {"format": CACHE_FORMAT, "files": self._entries, "project": self._project}
        import tempfile  # here: a run that changed nothing writes nothing and does not pay for it

        try:
            _prepare_directory(self.file.parent)
            descriptor, temporary = tempfile.mkstemp(prefix=".results-", dir=self.file.parent)
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                    # ASCII: a path that is not valid UTF-8 (surrogate escapes) still round-trips.
                    json.dump(document, stream, separators=(",", ":"))
                os.replace(temporary, self.file)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as error:
            self.warnings.append(f"cannot write the cache {self.file}: {error.strerror or error}")

    def _entry(self, path: str) -> Optional[List[Any]]:
        entry = self._entries.get(path)
        if entry is None:
            return None
        if (
            isinstance(entry, list)
            and len(entry) == 4
            and isinstance(entry[0], int)
            and isinstance(entry[1], int)
            and isinstance(entry[2], str)
        ):
            return entry
        if not self._corrupt_entry_reported:
            self._corrupt_entry_reported = True
            self.warnings.append(f"ignoring corrupt entries in the cache {self.file}")
        return None


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
