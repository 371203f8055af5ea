"""What ``loopguard migrate`` prints: the diff on stdout, and on stderr the problems, the
progress bar and the closing summary."""

from __future__ import annotations

import difflib
import io
import os
import sys
from collections import Counter
from typing import Any, Callable, List, Optional, Sequence

from ..discovery import listed_path
from .files import Run

ANSI = {"header": "\x1b[1m", "hunk": "\x1b[36m", "-": "\x1b[31m", "+": "\x1b[32m"}
ANSI_RESET = "\x1b[0m"
NO_NEWLINE = "\\ No newline at end of file\n"


def print_diff(state: Run) -> None:
    """One section per file, changed or created, sorted by path."""
    out = sys.stdout.buffer
    colour = _use_colour(sys.stdout)
    files = [(result.path, result.before, result.after, result.encoding) for result in state.changed]
    files += [(str(new_file.path), None, new_file.content, "utf-8") for new_file in state.new_files]
    for path, before, after, encoding in sorted(files, key=lambda file: display_path(file[0])):
        out.write(file_diff(path, before, after, encoding, colour))
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
    """The path in the diff's headers: relative to the current directory when it is below it
    (``a/app/x.py``, never ``a/./app/x.py``, which ``git apply`` refuses), else absolute; with ``/``.
    Everything else shows paths as ``loopguard check`` does (``discovery.listed_path``)."""
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
            # As given: no markup, no highlighting, no emoji (rich reads `x.py:100:` as one).
            self._progress.console.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)
        else:
            print(text, file=sys.stderr, flush=True)

    def progress(self, total: int) -> Callable[[], None]:
        if not self.terminal or total == 0:
            return lambda: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("migrating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True, highlight=False), transient=True,
        )
        self._progress.start()
        task = self._progress.add_task("migrate", total=total)
        return lambda: self._progress.advance(task)

    def close_progress(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def print_summary(state: Run, wrote: bool, err: Stderr) -> None:
    """The closing summary, plain text (no markup, no emoji codes: ``x.py:100:`` stays as it is),
    for reading and for the editors and CI logs that link ``path:line:``."""
    created = _created(state, wrote)
    files = [("scanned", state.scanned), ("changed" if wrote else "would change", len(state.changed))]
    if state.new_files:
        files.append(("created" if wrote else "would create", created))
    files += [("skipped", len(state.skipped)), ("failed", state.failed + len(state.errors))]
    sections = [_table(("files", ""), files)]
    if state.skipped:
        sections.append([f"skipped {path}: {why}" for path, why in state.skipped])

    fixes: Counter = Counter()
    for result in state.results:
        fixes.update(result.fixes)
    if fixes:
        sections.append(_table(("codemod", "fixes"), sorted(fixes.items())))

    left = left_for_human(state, wrote)
    notes = len(state.scaffold_notes)  # among ``left``: notes on the project's code, not findings
    if left:
        count = f"{len(left)}: {_counted(len(left) - notes, 'finding')}, {_counted(notes, 'note')}" if notes else len(left)
        sections.append([f"left for a human ({count}):", *left])

    before: Counter = Counter()
    after: Counter = Counter()
    for result in state.results:
        before.update(result.findings_before)
        after.update(result.findings_after)
    if before or after:
        rows = [(code, before[code], after[code]) for code in sorted(set(before) | set(after))]
        rows.append(("total", sum(before.values()), sum(after.values())))
        sections.append(_table(("linter findings", "before", "after"), rows))

    verb = "created" if wrote else "would create"
    closing = [
        f"{verb} {listed_path(str(new_file.path), state.paths)}: TaskManager, LoopGuard and shutdown()"
        for new_file in state.new_files
        if not wrote or str(new_file.path) in state.written
    ]
    sections.append(closing + [_verdict(state, wrote, len(left), notes, created)])
    err.line("\n\n".join("\n".join(lines) for lines in sections))


def left_for_human(state: Run, wrote: bool) -> List[str]:
    """One ``path:line: CODE why [codemod]`` line per finding left, sorted by path, then line:
    where ``loopguard check`` finds it in the file as the run leaves it (in diff mode: as it is)."""
    notes = [
        (result.path, line, code, codemod, reason)
        for result in state.results
        for line, code, codemod, reason in (result.notes if wrote else result.notes_before)
    ]
    notes += [
        (listed_path(str(note.path), state.paths), note.line, "", "scaffold", note.reason)
        for note in state.scaffold_notes
    ]
    return [
        f"{path}:{line}: {code or 'note'} {reason}" + (f" [{codemod}]" if codemod else "")
        for path, line, code, codemod, reason in sorted(notes)
    ]


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> List[str]:
    """Plain aligned columns: the first left-aligned, the numbers right-aligned."""
    cells = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    return [
        "  ".join(
            [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        ).rstrip()
        for row in cells
    ]


def _created(state: Run, wrote: bool) -> int:
    if not wrote:
        return len(state.new_files)
    return sum(1 for new_file in state.new_files if str(new_file.path) in state.written)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _verdict(state: Run, wrote: bool, left: int, notes: int, created: int) -> str:
    changed = len(state.changed)
    if wrote:
        parts = [f"{changed} file(s) written"] if changed else []
        if created:
            parts.append(f"{created} created" if parts else f"{created} file(s) created")
        head = " and ".join(parts) + "." if parts else "nothing to write."
    elif changed or created:
        parts = [f"{changed} file(s) would change"] if changed else []
        if created:
            parts.append(f"{created} would be created" if parts else f"{created} file(s) would be created")
        head = " and ".join(parts) + ": read the diff, then run again with --write."
    else:
        head = "nothing to change."
    if left and notes:
        head += f" {_counted(left - notes, 'finding')} and {_counted(notes, 'note')} left for a human (listed above)."
    elif left:
        head += f" {left} left for a human (listed above)."
    if state.failed or state.errors:
        head += f" {state.failed + len(state.errors)} file(s) could not be migrated (see the lines above)."
    return head
