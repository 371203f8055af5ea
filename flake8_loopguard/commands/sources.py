"""Reading a source file, for both commands."""

from __future__ import annotations

import os
from stat import S_ISREG
from typing import Tuple

NOT_A_REGULAR_FILE = "not a regular file (a FIFO, a socket or a device); not read"


class NotARegularFile(OSError):
    """A FIFO, a socket or a device where a module was expected."""

    def __init__(self) -> None:
        super().__init__(NOT_A_REGULAR_FILE)


def read_regular_file(path: str) -> Tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its stat; :class:`NotARegularFile` for anything else,
    which is never read: opening is non-blocking, since a FIFO that nothing writes to would hold
    the run forever."""
    with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as stream:
        stat = os.fstat(stream.fileno())
        if not S_ISREG(stat.st_mode):
            raise NotARegularFile()
        return stream.read(), stat
