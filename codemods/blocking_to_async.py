"""LG403: a blocking call in a coroutine is awaited off the loop.

``time.sleep(x)`` becomes ``await asyncio.sleep(x)``; every other blocking call ``f(*args,
**kwargs)`` becomes ``await asyncio.to_thread(f, *args, **kwargs)``, which runs it in a worker
thread while the loop goes on.
"""

from __future__ import annotations

from typing import List, Optional, Set

import libcst as cst
from libcst.codemod import CodemodContext

from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, LeaveForHuman, Rewritten
from .interleaving import held_lock, lock_names, lock_reason, read_then_written
from .syntax import imported_modules

# Their coroutines do not run on an asyncio loop: asyncio.sleep/to_thread would fail there.
OTHER_EVENT_LOOPS = ("trio", "anyio", "curio")


class BlockingToAsync(FindingCodemod):
    """Keep the loop running: sleep on it, and run the other blocking calls in a thread.

    Left for a human: a call in a generator expression (``await`` would turn it into an
    async generator), a call outside the body of the coroutine itself, every call in a
    module that imports trio, anyio or curio (its coroutines may not run on asyncio), and a
    call where an ``await`` would let another task in where the blocking call let none (see
    :mod:`.interleaving`): under a threading lock, or between a read and a write of an attribute.
    """

    NAME = "blocking_to_async"
    DESCRIPTION = "time.sleep(x) -> await asyncio.sleep(x); other blocking calls -> await asyncio.to_thread(f, ...)"
    fixes = ("LG403",)
    VISITS_ONLY_FINDINGS = True

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._imported_loops: Optional[List[str]] = None
        self._locks: Optional[Set[str]] = None  # what the module assigns a lock to

    def is_target(self, node: cst.Call, finding: Finding) -> bool:
        # `requests.get(url).json()` and `requests.Session().get(url)` start where the finding
        # is; the blocking call is the one named in the finding (an imported alias is a Name).
        func = node.func
        if isinstance(func, cst.Name):
            return True
        return isinstance(func, cst.Attribute) and func.attr.value == finding.call.rpartition(".")[2]

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        other_loop = self._other_event_loop()
        if other_loop is not None:
            return LeaveForHuman(f"the module imports {other_loop}: use its own sleep / thread API, not asyncio's")
        if self._in_generator_expression():
            return LeaveForHuman("in a generator expression: await would make it an async generator")
        interleaving = self._interleaving_problem()
        if interleaving is not None:
            return LeaveForHuman(interleaving)
        if finding.call == "time.sleep":
            self._drop_time_import(node.func)
            call = node.with_changes(func=self.asyncio_attr("sleep"), lpar=(), rpar=())
        else:
            call = cst.Call(
                func=self.asyncio_attr("to_thread"),
                args=[_first_argument(node.func, node), *node.args],
                whitespace_after_func=node.whitespace_after_func,
                whitespace_before_args=node.whitespace_before_args,
            )
        return self._awaited(call, node)

    def _other_event_loop(self) -> Optional[str]:
        """trio, anyio or curio when the module imports one (looked up once per module)."""
        if self._imported_loops is None:
            finder = _ImportedRoots()
            self.module.visit(finder)
            self._imported_loops = sorted(finder.roots & set(OTHER_EVENT_LOOPS))
        return self._imported_loops[0] if self._imported_loops else None

    def _interleaving_problem(self) -> Optional[str]:
        """Why an ``await`` in place of the current call would let another task in where the
        blocking call let none: a threading lock held around it, or an attribute read before it
        and written after it in the coroutine. None when there is neither."""
        call = self.current_node
        function = next((node for node in reversed(self.ancestors) if isinstance(node, cst.FunctionDef)), None)
        if call is None or function is None:
            return None
        if self._locks is None:
            self._locks = lock_names(self.module)
        held = held_lock(self.ancestors, call, self.position, self._locks)
        if held is not None:
            return lock_reason(held)
        lost = read_then_written(function, call, self.position)
        if lost is not None:
            attribute, read_line, write_line = lost
            return (
                f"an await here would sit between the read of {attribute} (line {read_line}) and its write "
                f"(line {write_line}): another task could change it in between, and one update would be lost; "
                "reorder by hand"
            )
        return None

    def _in_generator_expression(self) -> bool:
        for ancestor in reversed(self.ancestors):
            if isinstance(ancestor, cst.GeneratorExp):
                return True
            if isinstance(ancestor, (cst.FunctionDef, cst.Lambda)):
                return False
        return False

    def _awaited(self, call: cst.Call, replaced: cst.Call) -> cst.Await:
        """``await call``, parenthesized where the call was the start of a longer primary."""
        parent = self.ancestors[-1] if self.ancestors else None
        lpar, rpar = replaced.lpar, replaced.rpar
        if not lpar and _is_primary_position(parent, self.current_node):
            lpar, rpar = (cst.LeftParen(),), (cst.RightParen(),)
        return cst.Await(expression=call, lpar=lpar, rpar=rpar)

    def _drop_time_import(self, func: cst.BaseExpression) -> None:
        """Drop ``import time`` / ``from time import sleep`` once the rewrite leaves it unused."""
        if isinstance(func, cst.Name):
            self.remove_unused_import("time", "sleep", None if func.value == "sleep" else func.value)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            alias = func.value.value
            self.remove_unused_import("time", None, None if alias == "time" else alias)


class _ImportedRoots(cst.CSTVisitor):
    """The top-level package names a module imports, anywhere in it."""

    def __init__(self) -> None:
        self.roots: Set[str] = set()

    def visit_Import(self, node: cst.Import) -> None:
        self.roots.update(module.partition(".")[0] for module in imported_modules(node))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.roots.update(module.partition(".")[0] for module in imported_modules(node))


def _first_argument(func: cst.BaseExpression, call: cst.Call) -> cst.Arg:
    """The called function as ``to_thread``'s first argument, laid out like the arguments after it."""
    if not call.args:
        return cst.Arg(func)
    spacing = call.whitespace_before_args
    if isinstance(spacing, cst.ParenthesizedWhitespace):
        # Arguments on their own lines: the function gets its own line too (comments stay put).
        after_comma = cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(), indent=spacing.indent, last_line=spacing.last_line
        )
    else:
        after_comma = cst.SimpleWhitespace(" ")
    return cst.Arg(func, comma=cst.Comma(whitespace_after=after_comma))


def _is_primary_position(parent: Optional[cst.CSTNode], original: Optional[cst.CSTNode]) -> bool:
    """Whether an ``await`` in place of ``original`` would swallow what follows it."""
    if isinstance(parent, cst.Attribute) or isinstance(parent, cst.Subscript):
        return parent.value is original
    if isinstance(parent, cst.Call):
        return parent.func is original
    return False
