"""The lines of a source text with an import on them, found without parsing it, once per file:
the prefilter reads the words they spell (which modules a name of the file can be bound to), and
the project pass reads the module-level import statements of a file the prefilter skipped."""

from __future__ import annotations

import re
from typing import List, Optional, Set, Tuple

# A line that starts an import statement; group 1 is its indentation.
IMPORT_START = re.compile(r"([ \t]*)(?:import|from)[ \t]")
WORD = re.compile(r"[A-Za-z_]\w*")


class ImportLines:
    """Each import statement that starts a line, and each other line with ``import`` on it
    (``x = 1; import time``, prose in a docstring): what text scans of imports read."""

    __slots__ = ("source", "statements", "other_lines", "_words", "_renaming")

    def __init__(self, source: str) -> None:
        self.source = source
        # (line start, statement start after the indentation, end): the line that starts with
        # `import`/`from`, with the lines an open bracket or a backslash joins to it, comments cut
        # only when the statement is read.
        self.statements: List[Tuple[int, int, int]] = []
        # (start, end) of a line with `import` elsewhere on it, with what it joins.
        self.other_lines: List[Tuple[int, int]] = []
        self._words: Optional[Set[str]] = None
        self._renaming: Set[str] = set()
        found = source.find("import")
        while found >= 0:
            start = source.rfind("\n", 0, found) + 1
            while start > 0 and _continued(source, start - 1):  # `from \` above this line
                start = source.rfind("\n", 0, start - 1) + 1
            statement = IMPORT_START.match(source, start)
            if statement is not None:
                end = _statement_end(source, statement.end(1))
                self.statements.append((start, statement.end(1), end))
            else:
                end = _line_end(source, found)
                # `x = 1; from m import (` goes on to the closing bracket; the search for the next
                # import does not skip that far (a `(` in a string would hide real imports).
                words_end = end
                if source.count("(", found, end) > source.count(")", found, end):
                    closing = source.find(")", end)
                    words_end = len(source) if closing < 0 else closing
                self.other_lines.append((start, words_end))
            found = source.find("import", end)

    def words(self) -> Set[str]:
        """The words of every import line: the modules a name of the file can be bound to, and
        some other words."""
        if self._words is None:
            self._read_words()
        assert self._words is not None
        return self._words

    def renaming(self) -> Set[str]:
        """The words of the import lines that rename what they import (``check_output as out``)."""
        if self._words is None:
            self._read_words()
        return self._renaming

    def _read_words(self) -> None:
        source, words = self.source, set()
        spans = [(start, end) for start, _body, end in self.statements] + self.other_lines
        for start, end in spans:
            spelled = WORD.findall(source, start, end)
            words.update(spelled)
            if "as" in spelled:
                self._renaming.update(spelled)
        self._words = words

    def statement_text(self, body_start: int, end: int) -> str:
        """A statement's text on one line: comments cut, brackets and backslashes made spaces."""
        lines = self.source[body_start:end].split("\n")
        text = " ".join(line.split("#", 1)[0] for line in lines)
        return text.replace("\\", " ").replace("(", " ").replace(")", " ")


def _statement_end(source: str, position: int) -> int:
    """Where the statement starting at ``position`` ends: the end of its last line, which an open
    bracket or a trailing backslash no longer joins to the next."""
    depth = 0
    while True:
        end = source.find("\n", position)
        end = len(source) if end < 0 else end
        line = source[position:end].split("#", 1)[0]
        depth += line.count("(") - line.count(")")
        if end >= len(source) or not (depth > 0 or line.rstrip().endswith("\\")):
            return end
        position = end + 1


def _line_end(source: str, position: int) -> int:
    """The end of the line at ``position``, with the lines trailing backslashes join to it."""
    end = source.find("\n", position)
    while end > 0 and _continued(source, end):
        end = source.find("\n", end + 1)
    return len(source) if end < 0 else end


def _continued(source: str, newline: int) -> bool:
    """Whether the line ending at ``source[newline]`` ends with a joining backslash."""
    before = source[max(newline - 2, 0) : newline]
    return before.endswith("\\") or before == "\\\r"
