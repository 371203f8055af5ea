"""Ctrl-C, the same for every command: ``cli.main`` alone turns it into one line on stderr
(``loopguard: interrupted``) and exit 130.

A command lets :class:`KeyboardInterrupt` through, after its ``with`` and ``finally`` blocks have
killed its worker processes (:class:`~flake8_loopguard.commands.workers.WorkerPool` does on
every way out) and stopped its progress bar. A command with something to add, such as what it
had written by then, raises :class:`Interrupted` with its own line instead.
"""

from __future__ import annotations


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, and the line that says what the command had done by then."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line
