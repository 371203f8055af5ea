"""Writing the migration: the runtime module first, then each rewritten file in one step that
keeps its owner, mode and extended attributes, or lists it when it cannot."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import signal
import stat
import tempfile
import threading
from functools import partial
from typing import Callable, Dict, Iterator, List, Optional

from ..discovery import listed_path
from .files import FileStatus, Run
from .output import Stderr


def write_all(state: Run, err: "Stderr") -> None:
    """The new files first (the runtime module), then the rewritten files, each counted as it lands."""
    if state.outside_git and (state.changed or state.new_files):
        err.line(
            f"loopguard migrate: warning: no git work tree holds {', '.join(state.outside_git)}: nothing "
            "written there can be undone (no git history to restore it from)"
        )
    runtime_created = _create_new_files(state, err)
    for result in state.changed:
        try:
            if not runtime_created and result.path in state.runtime_importers:
                raise NotWritten("not written: it would import the runtime module, which could not be created")
            with open(result.path, "rb") as stream:
                current = stream.read()
            if hashlib.sha256(current).hexdigest() != result.digest:
                raise NotWritten("changed on disk during the migration; left as it is now")
            write_atomically(
                result.path, result.after.encode(result.encoding), replaced=partial(state.written.append, result.path)
            )
        except (OSError, NotWritten, CannotKeep) as error:
            if isinstance(error, OSError):
                reason = f"cannot write: {error.strerror or error}"
            elif isinstance(error, CannotKeep):
                reason = f"{error}; left unchanged"
            else:
                reason = str(error)
            result.status, result.error = FileStatus.FAILED, f"{result.path}: {reason}"
            # The summary counts what is on disk: none of this file's fixes, all of its findings.
            result.fixes, result.notes, result.findings_after = {}, [], dict(result.findings_before)
            err.line(result.error)


def _create_new_files(state: Run, err: "Stderr") -> bool:
    """Create the scaffolded files; whether all of them now exist."""
    created = True
    for new_file in state.new_files:
        path = str(new_file.path)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            content = new_file.content.encode("utf-8")
            write_atomically(path, content, new=True, replaced=partial(state.written.append, path))
        except (OSError, FileExistsError) as error:
            message = f"{listed_path(path, state.paths)}: cannot create the runtime module: {error.strerror or error}"
            state.errors.append(message)
            err.line(message)
            created = False
    return created


class NotWritten(Exception):
    """A rewritten file that must not be written now; the message says why."""


class CannotKeep(Exception):
    """Replacing the file would lose what it has (a hard link, its owner, an extended attribute), or it is read-only."""


def write_atomically(path: str, data: bytes, new: bool = False, replaced: Callable[[], None] = lambda: None) -> None:
    """Replace (or, with ``new``, create) ``path`` in one step: a temporary file beside it, then a rename.

    The replacement keeps the file's permission bits, owner and group, and extended attributes;
    a new file gets the umask's bits. ``CannotKeep`` (nothing written) when that cannot be done
    or the file must not be replaced: it has other hard links, which would keep the old text,
    or it is read-only. ``replaced`` runs right after the rename, in the same step as far as
    Ctrl-C is concerned. An interruption at any point leaves the old file whole and no
    temporary file behind.
    """
    folder = os.path.dirname(os.path.abspath(path))
    original: Optional[os.stat_result] = None
    if new:
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path)
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        original = os.stat(path)
        _check_replaceable(path, original)
        mode = stat.S_IMODE(original.st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".loopguard")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if original is not None:
            _keep_owner(temporary, original)
            _keep_extended_attributes(path, temporary)
        os.chmod(temporary, mode)  # after the chown, which clears the set-user-ID and set-group-ID bits
        with _interrupt_deferred():
            os.replace(temporary, path)
            replaced()
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _check_replaceable(path: str, original: os.stat_result) -> None:
    if original.st_nlink > 1:
        raise CannotKeep(f"has {original.st_nlink} hard links; rewriting it would split them")
    # Root may write anything: the owner's write bit says whether the file is meant to change.
    if not original.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise CannotKeep("read-only")


def _keep_owner(temporary: str, original: os.stat_result) -> None:
    made = os.stat(temporary)
    if (made.st_uid, made.st_gid) == (original.st_uid, original.st_gid):
        return
    try:
        os.chown(temporary, original.st_uid, original.st_gid)
    except OSError as error:
        raise CannotKeep(
            f"owned by uid {original.st_uid}, gid {original.st_gid}, which the rewritten file cannot keep "
            f"({error.strerror})"
        ) from None


def _keep_extended_attributes(path: str, temporary: str) -> None:
    """Give ``temporary`` exactly the extended attributes of ``path`` (ACLs and SELinux labels are some)."""
    if not hasattr(os, "listxattr"):
        return
    wanted = _extended_attributes(path)
    present = _extended_attributes(temporary)
    for name, value in wanted.items():
        if present.get(name) != value:
            try:
                os.setxattr(temporary, name, value)
            except OSError as error:
                raise CannotKeep(f"its extended attribute {name} cannot be kept ({error.strerror})") from None
    # One the folder gives every new file (an inherited ACL) would change what the file allows.
    for name in present.keys() - wanted.keys():
        try:
            os.removexattr(temporary, name)
        except OSError as error:
            raise CannotKeep(f"the rewrite would gain the extended attribute {name} ({error.strerror})") from None


def _extended_attributes(path: str) -> Dict[str, bytes]:
    try:
        return {name: os.getxattr(path, name) for name in os.listxattr(path)}
    except OSError as error:
        if error.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return {}  # a file system without them
        raise CannotKeep(f"its extended attributes cannot be read ({error.strerror})") from None


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Ctrl-C during the block takes effect at its end: what the block does is done whole or not at all."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # signal handlers belong to the main thread; a handler set outside Python cannot be restored
        return
    received: List[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            signal.raise_signal(signal.SIGINT)
