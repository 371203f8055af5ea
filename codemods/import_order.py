"""Imports a codemod adds go where isort would put them, and only they move.

libcst's ``AddImportsVisitor`` decides WHAT to add (nothing already imported, names of an existing
``from x import`` line joined to it) and puts new lines after the file's first import block and
new names first in the line. :class:`IsortPlacedImports` keeps its decisions and moves the added
lines and names to isort's place (:mod:`project_style`: the project's isort or ruff settings, else
the black profile), leaving every line the file had where it was:

- a new line goes into the group (the run of import lines of one isort section: stdlib, third
  party, first party, local) of its section, before the first line that sorts after it; a new
  section gets a group of its own between the groups of the sections before and after it, set off
  by a blank line. A comment above an existing line stays with that line;
- a name joined to ``from x import a, c`` goes where it sorts (``a, b, c``) when the line is
  sorted, at its end otherwise; a line that becomes longer than the project's line length is
  wrapped in parentheses, one name a line, as black does.

A module the migration is about to create (the runtime module, scaffolded after the rewrite) is
first party although isort cannot see it yet: ``first_party`` names it.

Imports a rewrite leaves unused are dropped by libcst's ``RemoveImportsVisitor``, only when nothing
uses them any more (its scope analysis counts a name listed in ``__all__`` as used);
:func:`safe_removals` first keeps from it the import of a module whose loading may have a side
effect the program relies on: only the standard library's modules, the Qt bindings' and qasync's
are dropped.
"""

from __future__ import annotations

from typing import Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.codemod import CodemodContext

from flake8_loopguard.core.apis import QT_BINDINGS

from .project_style import ProjectStyle, style_for
from .syntax import dotted, is_docstring
from .top_level_imports import TopLevelAddImports

# Besides the standard library: modules whose import registers nothing a program could rely on.
SIDE_EFFECT_FREE = QT_BINDINGS | {"qasync", "qtinter"}
RemovalRequest = Tuple[str, Optional[str], Optional[str]]  # RemoveImportsVisitor's (module, obj, asname)


class IsortPlacedImports(TopLevelAddImports):
    def __init__(self, context: CodemodContext, first_party: Iterable[str] = ()) -> None:
        super().__init__(context)
        self.style: ProjectStyle = style_for(context.filename)
        self.first_party = frozenset(first_party)
        self._joined: Set[int] = set()  # ids of the `from x import` nodes names were joined to

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        joined = super().leave_ImportFrom(original_node, updated_node)
        if joined is updated_node or isinstance(updated_node.names, cst.ImportStar):
            return joined
        kept = {id(alias) for alias in updated_node.names}
        added = [alias for alias in joined.names if id(alias) not in kept]
        names = list(updated_node.names)
        for alias in added:
            names = self._with_name(names, alias)
        joined = updated_node.with_changes(names=names)
        self._joined.add(id(joined))
        return joined

    def _with_name(self, names: List[cst.ImportAlias], alias: cst.ImportAlias) -> List[cst.ImportAlias]:
        keys = [self.style.name_key(dotted(name.name)) for name in names]
        key = self.style.name_key(dotted(alias.name))
        at = len(names)
        if keys == sorted(keys):
            at = next((index for index, existing in enumerate(keys) if existing > key), len(names))
        separator = names[0].comma if len(names) > 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        if not isinstance(separator, cst.Comma):
            separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        if at == len(names):
            last = names[-1]
            return [*names[:-1], last.with_changes(comma=separator), alias.with_changes(comma=last.comma)]
        return [*names[:at], alias.with_changes(comma=separator), *names[at:]]

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        result = super().leave_Module(original_node, updated_node)
        kept = {id(statement) for statement in updated_node.body}
        added = [statement for statement in result.body if id(statement) not in kept and _is_import_line(statement)]
        body = [statement for statement in result.body if id(statement) in kept or not _is_import_line(statement)]
        for statement in added:
            body = self._placed(body, statement)
        body = [self._wrapped(statement, result) for statement in body]
        return result.with_changes(body=body)

    # ----- a new line into its group ----------------------------------------------------------

    def _sort_place(self, statement: cst.SimpleStatementLine) -> Tuple[int, tuple]:
        """(rank of the line's isort section, its key within the section)."""
        small = statement.body[0]
        if isinstance(small, cst.Import):
            module, level, is_from = dotted(small.names[0].name), 0, False
        else:
            assert isinstance(small, cst.ImportFrom)
            module = dotted(small.module) if small.module is not None else ""
            level, is_from = len(small.relative), True
        section = self.style.section(module, level, self.first_party)
        return self.style.section_rank(section), self.style.module_key("." * level + module, is_from)

    def _placed(self, body: List[cst.BaseStatement], statement: cst.SimpleStatementLine) -> List[cst.BaseStatement]:
        start = 1 if body and is_docstring(body[0]) else 0
        end = start
        while end < len(body) and _is_import_line(body[end]):
            end += 1
        if start == end:  # no import block: where libcst puts it
            return [*body[:start], statement, *body[start:]]
        rank, key = self._sort_place(statement)
        places = [self._sort_place(body[index]) for index in range(start, end)]  # type: ignore[arg-type]
        same_section = [index for index, (other_rank, _) in enumerate(places) if other_rank == rank]
        if same_section:
            group_start = group_end = same_section[0]
            while group_end + 1 < len(places) and places[group_end + 1][0] == rank:
                group_end += 1
            at = next((index for index in range(group_start, group_end + 1) if places[index][1] > key), group_end + 1)
            return _inserted(body, start + at, statement, first_of_group=at == group_start, new_group=False, after=at > 0)
        # A group of its own, before the group of the first section that comes after it.
        at = next((index for index, (other_rank, _) in enumerate(places) if other_rank > rank), len(places))
        return _inserted(body, start + at, statement, first_of_group=at < len(places), new_group=True, after=at > 0)

    # ----- a joined line too long ----------------------------------------------------------------

    def _wrapped(self, statement: cst.BaseStatement, module: cst.Module) -> cst.BaseStatement:
        """A ``from x import ...`` line this visitor joined names to, wrapped when too long."""
        if not _is_import_line(statement) or len(statement.body) != 1:  # type: ignore[union-attr]
            return statement
        small = statement.body[0]  # type: ignore[union-attr]
        if id(small) not in self._joined or small.lpar is not None:
            return statement
        line = module.code_for_node(statement.with_changes(leading_lines=())).rstrip("\n")
        if len(line) <= self.style.line_length or "\n" in line:
            return statement
        return statement.with_changes(body=[parenthesized(small)])


def parenthesized(node: cst.ImportFrom) -> cst.ImportFrom:
    """``from x import (\\n    a,\\n    b,\\n)``: black's layout of a line too long."""
    one_a_line = cst.Comma(
        whitespace_after=cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace("    ")
        )
    )
    last = cst.Comma(
        whitespace_after=cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), last_line=cst.SimpleWhitespace(""))
    )
    names = list(node.names)  # type: ignore[arg-type]
    names = [name.with_changes(comma=one_a_line) for name in names[:-1]] + [names[-1].with_changes(comma=last)]
    return node.with_changes(
        names=names,
        lpar=cst.LeftParen(
            whitespace_after=cst.ParenthesizedWhitespace(
                first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace("    ")
            )
        ),
        rpar=cst.RightParen(),
    )


def _inserted(
    body: List[cst.BaseStatement],
    at: int,
    statement: cst.SimpleStatementLine,
    first_of_group: bool,
    new_group: bool,
    after: bool,
) -> List[cst.BaseStatement]:
    """``body`` with ``statement`` at ``at``: the first line of a group takes the blank lines that
    set the group off (a comment stays with the line it is above); a new group is set off by one
    blank line (``after``: from the import line before it) and from the group after it."""
    following = body[at] if at < len(body) else None
    leading: Sequence[cst.EmptyLine] = ()
    if first_of_group and following is not None:
        blank = _leading_blank_lines(following)
        leading = following.leading_lines[:blank]
        rest = following.leading_lines[blank:]
        following = following.with_changes(leading_lines=(cst.EmptyLine(indent=False), *rest) if new_group else rest)
        if new_group and after and not leading:
            leading = (cst.EmptyLine(indent=False),)
    elif new_group:
        leading = (cst.EmptyLine(indent=False),)
    tail = [following] if following is not None else []
    return [*body[:at], statement.with_changes(leading_lines=tuple(leading)), *tail, *body[at + 1 :]]


def _leading_blank_lines(statement: cst.BaseStatement) -> int:
    count = 0
    for line in statement.leading_lines:
        if line.comment is not None:
            break
        count += 1
    return count


def _is_import_line(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


# ----- what may be removed -----------------------------------------------------------------------


def safe_removals(requests: Sequence[RemovalRequest], style: ProjectStyle) -> List[RemovalRequest]:
    """The removal requests that cannot drop a side effect of loading the module."""
    return [
        request
        for request in requests
        if request[0].partition(".")[0] in SIDE_EFFECT_FREE or style.section(request[0]) in ("STDLIB", "FUTURE")
    ]
