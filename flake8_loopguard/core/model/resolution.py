"""Name resolution: the qualified name a dotted expression refers to, through imports, aliases,
star imports and Python's scopes. It runs after the walk, so an import written below a function
still resolves inside it."""

from __future__ import annotations

import ast
from bisect import bisect_right
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import Dict, List, Optional, Sequence, Tuple

from ..apis import BUILTINS_OF_INTEREST, QT_STAR_MODULES, QT_STAR_NAMES, TYPING_UNIONS, TYPING_WRAPPERS, star_exports
from .names import canonical, dotted_parts
from .scopes import CallSite, Scope, ScopeKind


class NameResolution:
    """What a :class:`~.module.Module` answers about names."""

    module_scope: Scope
    calls: List[CallSite]

    def resolve(self, node: ast.AST, scope: Scope) -> Optional[str]:
        """The qualified name an expression refers to, following imports and aliases."""
        if isinstance(node, ast.Subscript):  # a generic alias: `asyncio.Queue[bytes]`
            node = node.value
        parts = dotted_parts(node)
        if parts is None:
            return None
        return self.resolve_parts(parts, scope, getattr(node, "lineno", 0))

    def resolve_parts(self, parts: Sequence[str], scope: Scope, line: int) -> Optional[str]:
        head = parts[0]
        current: Optional[Scope] = scope
        frame = scope.frame
        while current is not None:
            same_frame = current.frame is frame
            # Class bodies are not visible from the functions nested in them.
            if (same_frame or current.kind is not ScopeKind.CLASS) and head in current.bindings:
                qualified = self._binding_at(current.bindings[head], line if same_frame else None)
                if qualified is None:
                    return None
                return canonical(".".join((qualified, *parts[1:])))
            current = current.parent
        starred = self._star_imported(head)
        if starred is not None:
            return canonical(".".join((starred, *parts[1:])))
        if head in BUILTINS_OF_INTEREST:
            return "builtins." + ".".join(parts)
        return None

    def type_members(self, annotation: ast.expr, scope: Scope) -> List[ast.expr]:
        """The types an annotation allows: ``X`` for ``X``, ``Optional[X]``, ``X | None``,
        ``Union[X, None]``, ``Annotated[X, ...]`` or ``"X"``; one entry per member of a union."""
        members: List[ast.expr] = []
        pending = [annotation]
        while pending:  # iterative: `A | B | C | ...` may be long
            node = pending.pop()
            if isinstance(node, ast.Constant):
                if isinstance(node.value, str):
                    parsed = _parse_annotation(node.value)
                    if parsed is not None:
                        pending.append(parsed)
                continue  # `None`, or a string that is no expression
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                pending.extend((node.right, node.left))
                continue
            if isinstance(node, ast.Subscript):
                wrapper = self.resolve(node.value, scope)
                arguments = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                if wrapper in TYPING_UNIONS:
                    pending.extend(reversed(arguments))
                    continue
                if wrapper in TYPING_WRAPPERS and arguments:
                    pending.append(arguments[0])
                    continue
            members.append(node)
        return members

    def _star_imported(self, name: str) -> Optional[str]:
        """``asyncio.run`` for ``run`` after ``from asyncio import *``; the last such import wins."""
        for _line, module in reversed(self.module_scope.star_imports):
            if module in QT_STAR_MODULES:
                if name.startswith("Q") or name in QT_STAR_NAMES:
                    return f"{module}.{name}"
            elif name in star_exports(module):
                return f"{module}.{name}"
        return None

    def _resolve_calls(self) -> None:
        for site in self.calls:
            if site.parts is not None:
                site.qualified = self.resolve_parts(site.parts, site.name_scope, site.node.lineno)

    def _binding_at(self, bindings: List[Tuple[int, Optional[str]]], line: Optional[int]) -> Optional[str]:
        """The binding in force at ``line``: the last one before it, else the first one.

        Without a line (a lookup from a nested function, which runs later) the last
        binding wins.
        """
        if line is None:
            return bindings[-1][1]
        if len(bindings) > _FEW_BINDINGS:
            # The bindings before the first one after `line`: found by bisection in the running
            # maximum of their lines, built once per name, not read through at each call.
            reach = self._binding_reach.get(id(bindings))
            if reach is None:
                reach = self._binding_reach[id(bindings)] = list(accumulate((bound for bound, _ in bindings), max))
            stop = bisect_right(reach, line)
            return bindings[stop - 1][1] if stop else bindings[0][1]
        chosen = bindings[0][1]
        for bound_line, qualified in bindings:
            if bound_line <= line:
                chosen = qualified
            else:
                break
        return chosen

    @cached_property
    def _binding_reach(self) -> Dict[int, List[int]]:
        """Id of a name's list of bindings -> the largest line among its first 1, 2, ... bindings."""
        return {}


@lru_cache(maxsize=256)
def _parse_annotation(text: str) -> Optional[ast.expr]:
    """A string annotation's expression (``"httpx.Client | None"``); None if it is not one."""
    if len(text) > 200:
        return None  # a forward reference is a short name, not a program
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None


_FEW_BINDINGS = 8  # a name bound this often or less is read through
