"""What ``loopguard migrate`` prints: the diff on stdout, and on stderr the problems, the
progress bar and the closing summary."""

from __future__ import annotations

import difflib
import io
import os
import sys
from collections import Counter
from typing import Any, Callable, List, Optional

from .files import Run

ANSI = {"header": "\x1b[1m", "hunk": "\x1b[36m", "-": "\x1b[31m", "+": "\x1b[32m"}
ANSI_RESET = "\x1b[0m"
NO_NEWLINE = "\\ No newline at end of file\n"


def print_diff(state: Run) -> None:
    out = sys.stdout.buffer
    colour = _use_colour(sys.stdout)
    for result in state.changed:
        out.write(file_diff(result.path, result.before, result.after, result.encoding, colour))
    for new_file in state.new_files:
        out.write(file_diff(str(new_file.path), None, new_file.content, "utf-8", colour))
    out.flush()


def _use_colour(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


def file_diff(path: str, before: Optional[str], after: str, encoding: str, colour: bool = False) -> bytes:
    """A git-style unified diff of one file (``a/path``, ``b/path``; ``/dev/null`` for a new file).

    The lines are encoded as the file is, BOM included, so that ``patch`` and ``git apply``
    reproduce the exact bytes ``--write`` would.
    """
    display = display_path(path)
    old_name = "/dev/null" if before is None else _prefixed("a", display)
    codec = encoding
    if encoding == "utf-8-sig":
        codec = "utf-8"
        before = None if before is None else "\ufeff" + before
        after = "\ufeff" + after
    old_lines = [] if before is None else _lines(before)
    chunks: List[bytes] = []
    for line in difflib.unified_diff(old_lines, _lines(after), old_name, _prefixed("b", display), n=3):
        is_header = line.startswith(("--- ", "+++ "))
        text = line.rstrip("\n") + "\n" if is_header else line
        if not is_header and not text.endswith(("\n", "\r")):
            text += "\n" + NO_NEWLINE
        kind = "header" if is_header else "hunk" if line.startswith("@@") else line[:1]
        encoded = text.encode("utf-8", "surrogateescape") if is_header else text.encode(codec, "surrogateescape")
        if colour and kind in ANSI:
            encoded = ANSI[kind].encode() + encoded.rstrip(b"\n") + ANSI_RESET.encode() + b"\n"
        chunks.append(encoded)
    return b"".join(chunks)


def _lines(text: str) -> List[str]:
    """Lines with their endings, split where Python splits them (``\\n``, ``\\r\\n``, ``\\r``)."""
    return io.StringIO(text, newline="").readlines()


def display_path(path: str) -> str:
    """The path relative to the current directory when it is below it, else absolute; with ``/``."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    shown = absolute if relative.startswith(os.pardir) else relative
    return shown.replace(os.sep, "/")


def _prefixed(side: str, display: str) -> str:
    return display if os.path.isabs(display) else f"{side}/{display}"


class Stderr:
    """Lines and the progress bar on stderr; the bar only on a terminal, and lines print above it."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self._progress: Any = None

    def line(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, file=sys.stderr, flush=True)

    def progress(self, total: int) -> Callable[[], None]:
        if not self.terminal or total == 0:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("migrating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=self.console(), transient=True,
        )
        self._progress.start()
        task = self._progress.add_task("migrate", total=total)
        return lambda: self._progress.advance(task)

    def close_progress(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def console(self) -> Any:
        from rich.console import Console

        # Off a terminal, no colour and a width that keeps every row on one line.
        return Console(stderr=True, highlight=False, width=None if self.terminal else 200)


def print_summary(state: Run, wrote: bool, err: Stderr) -> None:
    from rich.table import Table

    console = err.console()
    files = Table("files", "")
    files.columns[1].justify = "right"
    files.add_row("scanned", str(state.scanned))
    files.add_row("changed" if wrote else "would change", str(len(state.changed)))
    files.add_row("skipped", str(len(state.skipped)))
    files.add_row("failed", str(state.failed + len(state.errors)))
    if state.new_files:
        files.add_row("created" if wrote else "would create", str(len(state.new_files)))
    console.print(files)

    for path, why in state.skipped:
        console.print(f"skipped {display_path(path)}: {why}", markup=False)

    fixes: Counter = Counter()
    for result in state.results:
        fixes.update(result.fixes)
    if fixes:
        table = Table("codemod", "fixes")
        table.columns[1].justify = "right"
        for name, count in sorted(fixes.items()):
            table.add_row(name, str(count))
        console.print(table)

    notes = [
        (display_path(result.path), line, code, codemod, reason)
        for result in state.results
        for line, code, codemod, reason in result.notes
    ]
    notes += [(display_path(str(note.path)), note.line, "", "scaffold", note.reason) for note in state.scaffold_notes]
    if notes:
        # Plain `path:line: CODE why` lines, never cut to fit a table: editors and CI logs link them.
        console.print(f"left for a human ({len(notes)}):", markup=False)
        for path, line, code, codemod, reason in sorted(notes):
            by = f" [{codemod}]" if codemod else ""
            console.print(f"{path}:{line}: {code or 'note'} {reason}{by}", markup=False, soft_wrap=True)

    before: Counter = Counter()
    after: Counter = Counter()
    for result in state.results:
        before.update(result.findings_before)
        after.update(result.findings_after)
    if before or after:
        table = Table("linter findings", "before", "after")
        table.columns[1].justify = table.columns[2].justify = "right"
        for code in sorted(set(before) | set(after)):
            table.add_row(code, str(before[code]), str(after[code]))
        table.add_row("total", str(sum(before.values())), str(sum(after.values())))
        console.print(table)

    for new_file in state.new_files:
        verb = "created" if wrote else "would create"
        console.print(f"{verb} {display_path(str(new_file.path))}: TaskManager, LoopGuard and shutdown()", markup=False)
    console.print(_verdict(state, wrote), markup=False)


def _verdict(state: Run, wrote: bool) -> str:
    changes = len(state.changed) + len(state.new_files)
    if wrote:
        head = f"{len(state.written)} file(s) written." if state.written else "nothing to write."
    elif changes:
        head = f"{changes} file(s) would change: read the diff, then run again with --write."
    else:
        head = "nothing to change."
    left = sum(len(result.notes) for result in state.results) + len(state.scaffold_notes)
    if left:
        head += f" {left} left for a human (listed above)."
    if state.failed or state.errors:
        head += f" {state.failed + len(state.errors)} file(s) could not be migrated (see the lines above)."
    return head
