"""What the model answers about event loops: which receivers are loops, which calls create,
run or drive one."""

from __future__ import annotations

import ast
from functools import cached_property
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from ..apis import LOOP_DRIVER_METHODS, LOOP_FACTORIES, LOOP_RUNNERS, LOOP_SOURCES
from .names import dotted_parts, receiver_name
from .scopes import CallSite, Scope


class LoopQueries:
    """Mixed into :class:`~.module.Module`."""

    if TYPE_CHECKING:
        imports_loop_library: bool

        def call_site(self, node: ast.AST) -> Optional[CallSite]: ...
        def assignments_to(self, parts: Sequence[str], scope: Scope) -> List[CallSite]: ...
        def resolve(self, node: ast.AST, scope: Scope) -> Optional[str]: ...
        def calls_to(self, names: Sequence[str]) -> List[CallSite]: ...

    def is_loop_expression(self, node: ast.AST, scope: Scope) -> bool:
        """An expression known to be an event loop (see LG201's definition of ``<loop>``)."""
        if isinstance(node, ast.Call):
            site = self.call_site(node)
            return site is not None and site.qualified in LOOP_SOURCES
        parts = dotted_parts(node)
        if parts is None:
            return False
        if "loop" in parts[-1].lower():
            return True
        return any(site.qualified in LOOP_SOURCES for site in self.assignments_to(parts, scope))

    def may_be_loop(self, node: ast.AST, scope: Scope) -> bool:
        """A receiver that may be an event loop (LG103): anything not known to be something else,
        in a module that uses an event-loop library; elsewhere, only what is known to be a loop."""
        if self.is_loop_expression(node, scope):
            return True
        if not self.imports_loop_library:
            return False
        if isinstance(node, ast.Call):
            return False  # `WebSocketApp(...).run_forever()`: the result of a call that is no loop source
        parts = dotted_parts(node)
        if parts is None:
            return True
        return not self.assignments_to(parts, scope)  # bound only from calls that are no loop source

    def loop_calls_in(self, scope: Scope) -> List[Tuple[str, CallSite]]:
        """The scope's own calls that create (LG101), run (LG102) or drive (LG103) an event loop."""
        found = []
        for site in scope.calls:
            if site.qualified in LOOP_FACTORIES:
                found.append(("LG101", site))
            elif site.qualified in LOOP_RUNNERS:
                found.append(("LG102", site))
            elif site.attr in LOOP_DRIVER_METHODS and site.receiver is not None and self.may_be_loop(site.receiver, scope):
                found.append(("LG103", site))
        return found

    def creates_or_runs_loop(self, scope: Scope) -> bool:
        """The scope's own code creates, runs or drives an event loop (LG101-LG103 calls)."""
        return bool(self.loop_calls_in(scope))

    def loop_runner_named(self, node: ast.AST, scope: Scope) -> Optional[str]:
        """A loop runner handed over as the callable itself: ``asyncio.run``,
        ``loop.run_forever``, ``loop.run_until_complete`` (its name), else None."""
        qualified = self.resolve(node, scope)
        if qualified in LOOP_RUNNERS or qualified in LOOP_FACTORIES:
            return qualified
        if isinstance(node, ast.Attribute) and node.attr in LOOP_DRIVER_METHODS and self.may_be_loop(node.value, scope):
            return receiver_name(node) or node.attr
        return None

    @cached_property
    def loop_owning_calls(self) -> List[CallSite]:
        """Every site that creates or starts an event loop, entry points included (for LG107)."""
        return self.calls_to(LOOP_FACTORIES | LOOP_RUNNERS)
