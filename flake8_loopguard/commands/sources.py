"""Reading a source file, for both commands: its bytes, then its text decoded as Python decodes it.

Every way a file can fail to be Python source text is a :class:`SourceError` whose message says
why in a few words, the same for ``loopguard check`` and ``loopguard migrate`` (each prints it
after the file's name):

* ``not a regular file (a FIFO, a socket or a device); not read``
* ``cannot read: Permission denied`` (the system's reason)
* ``contains NUL bytes; not Python source``
* ``bad encoding declaration: unknown encoding: klingon`` (a coding cookie Python refuses)
* ``cannot decode as utf-8 (line 2, byte 0xff): invalid start byte``
"""

from __future__ import annotations

import io
import os
import tokenize
from codecs import BOM_UTF8
from stat import S_ISREG
from typing import Dict, Iterable, NamedTuple, Tuple

NOT_A_REGULAR_FILE = "not a regular file (a FIFO, a socket or a device); not read"
NUL_BYTES = "contains NUL bytes; not Python source"
# What tokenize says when a cookie line is not UTF-8 and so cannot even be read for a cookie.
_UNREADABLE_COOKIE_LINE = "invalid or missing encoding declaration"


class SourceError(Exception):
    """A file that is not readable Python source text; the message says why."""


class SourceText(NamedTuple):
    text: str
    encoding: str  # PEP 263's codec: ``utf-8-sig`` when there is a BOM; writing back uses it


class Source(NamedTuple):
    text: str
    encoding: str
    data: bytes  # the bytes read


def read_source_bytes(path: str) -> Tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its stat. Anything else is never read: opening is
    non-blocking, since a FIFO that nothing writes to would hold the run forever."""
    try:
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as stream:
            stat = os.fstat(stream.fileno())
            if not S_ISREG(stat.st_mode):
                raise SourceError(NOT_A_REGULAR_FILE)
            return stream.read(), stat
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None


def decode_source(data: bytes) -> SourceText:
    """The text of a source file, decoded the way Python decodes it (BOM, coding cookie, UTF-8)."""
    if b"\0" in data:
        raise SourceError(NUL_BYTES)
    encoding = "utf-8"
    if _may_declare_encoding(data):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as error:
            if error.msg != _UNREADABLE_COOKIE_LINE:
                raise SourceError(f"bad encoding declaration: {_cookie_problem(error.msg)}") from None
            # no cookie could be read: the default, whose error names the byte
    try:
        return SourceText(data.decode(encoding), encoding)
    except UnicodeDecodeError as error:
        seen = error.object[: error.start]  # after the BOM, which utf-8-sig does not count
        line = seen.count(b"\n") + seen.count(b"\r") - seen.count(b"\r\n") + 1
        byte = error.object[error.start : error.start + 1].hex()
        raise SourceError(f"cannot decode as {encoding} (line {line}, byte 0x{byte}): {error.reason}") from None
    except LookupError:  # a codec that does not make text (`# coding: rot13`)
        raise SourceError(f"bad encoding declaration: {encoding} is not a text encoding") from None


def _may_declare_encoding(data: bytes) -> bool:
    """Whether the bytes start with a BOM or have "coding" in their first two lines (where
    tokenize looks for a cookie): most files have neither, and are UTF-8 without asking tokenize."""
    if data.startswith(BOM_UTF8):
        return True
    first_end = data.find(b"\n")
    second_end = data.find(b"\n", first_end + 1) if first_end >= 0 else -1
    return b"coding" in (data if second_end < 0 else data[:second_end])


def _cookie_problem(message: str) -> str:
    # tokenize's "encoding problem: utf-8" is a cookie that contradicts a UTF-8 BOM.
    if message.startswith("encoding problem"):
        return "it contradicts the UTF-8 byte order mark"
    return message


def read_source(path: str) -> Source:
    """The text, codec and bytes of a source file; :class:`SourceError` says why it has none."""
    data, _stat = read_source_bytes(path)
    text, encoding = decode_source(data)
    return Source(text, encoding, data)


def readable_texts(paths: Iterable[str]) -> Dict[str, str]:
    """path -> text of every file of ``paths`` that reads and decodes; the others are left out
    (each is reported once, where the file itself is handled)."""
    texts: Dict[str, str] = {}
    for path in paths:
        try:
            texts[path] = read_source(path).text
        except SourceError:
            continue
    return texts
