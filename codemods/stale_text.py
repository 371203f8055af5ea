"""Words the user wrote about the thread or private loop a rewrite removes.

- The end-of-line comment of a removed line spoke of that line alone, and a comment on lines of
  its own above a removed line that speaks of the machinery (a thread, a loop, a daemon) described
  only what went: they go with the line, visible among the diff's removed lines. Other comments
  above removed lines move onto the next statement that stays (``thread_loop.settle``), so that
  they are neither piled up with the machinery's nor left dangling at the end of the block.
- A docstring of the rewritten function or class that speaks of it ("runs in a background
  thread", "QThread", "its own event loop") now says something false; the rewrite does not edit
  prose, it puts a comment above the docstring for the reviewer:
  ``# loopguard: the docstring says "background thread"; this now runs as a task on the one
  loop``. A second migration finds nothing to rewrite there and adds nothing.
"""

from __future__ import annotations

import re
from typing import Optional, Union

import libcst as cst

from .syntax import docstring_text

# What a thread-plus-loop worker is described with, in English and in Korean (the seeds' users
# write "격리 이벤트 루프 + 스레드"). In a comment of a removed line "loop" (루프) alone is the event
# loop; in a docstring it may be any loop ("polls in a loop").
_WORDS = (
    r"background thread|worker thread|threads?\b|threading|QThread\w*|QRunnable|thread ?pool|daemon"
    r"|(?:its own|private|new|separate|second) (?:event )?loop|event loop|run_until_complete"
    r"|new_event_loop|set_event_loop|run_forever|asyncio\.run|스레드|쓰레드|이벤트 ?루프|(?:새|임시|격리|별도) 루프"
)
MACHINERY = re.compile(rf"(?:{_WORDS})", re.IGNORECASE)
MACHINERY_OF_A_LINE = re.compile(rf"(?:{_WORDS}|\bloops?\b|루프)", re.IGNORECASE)
NOTE_PREFIX = "# loopguard: the docstring says"


def machinery_phrase(text: str) -> Optional[str]:
    """The first words of ``text`` that describe a thread or a private loop, or None."""
    found = MACHINERY.search(text)
    return found.group(0) if found is not None else None


def speaks_of_machinery(line: cst.EmptyLine) -> bool:
    """Whether a comment line of a removed statement describes the thread or loop that went."""
    return line.comment is not None and MACHINERY_OF_A_LINE.search(line.comment.value) is not None


Documented = Union[cst.FunctionDef, cst.ClassDef]


def with_docstring_note(node: Documented) -> Documented:
    """``node`` with a comment above its docstring when the docstring speaks of the machinery."""
    body = node.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return node
    first = body.body[0]
    text = docstring_text(first)
    phrase = machinery_phrase(text) if text is not None else None
    if phrase is None or any(line.comment and line.comment.value.startswith(NOTE_PREFIX) for line in first.leading_lines):
        return node
    note = cst.EmptyLine(
        comment=cst.Comment(f'{NOTE_PREFIX} "{phrase}"; this now runs as a task on the one loop')
    )
    first = first.with_changes(leading_lines=(*first.leading_lines, note))
    return node.with_changes(body=body.with_changes(body=(first, *body.body[1:])))
