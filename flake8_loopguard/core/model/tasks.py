"""What the model answers about tasks: where each is made, who owns it, whether it is dropped."""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from functools import cached_property
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..apis import CALLBACK_TAKERS, TASK_FACTORIES, TASK_GROUP_FACTORIES, TASK_MANAGER_METHODS
from ..config import Config
from .names import dotted_parts, receiver_name
from .scopes import CallSite, Scope, Usage


class TaskQueries:
    """Mixed into :class:`~.module.Module`."""

    if TYPE_CHECKING:
        config: Config
        calls: List[CallSite]
        module_scope: Scope
        weak_reads: set
        context_bindings: List[Tuple[Scope, str, ast.Call, bool]]

        def call_site(self, node: ast.AST) -> Optional[CallSite]: ...
        def assignments_to(self, parts: Sequence[str], scope: Scope) -> Sequence[CallSite]: ...
        def receiver_key(self, parts: Sequence[str], scope: Scope) -> Tuple[str, int]: ...
        def resolve(self, node: ast.AST, scope: Scope) -> Optional[str]: ...
        def calls_to(self, names: Iterable[str]) -> List[CallSite]: ...
        def method_calls(self, attrs: Iterable[str]) -> List[CallSite]: ...
        def is_loop_expression(self, node: ast.AST, scope: Scope) -> bool: ...

    def is_task_group(self, node: ast.AST, scope: Scope) -> bool:
        """A name bound by ``async with asyncio.TaskGroup() as name``."""
        return isinstance(node, ast.Name) and (id(scope.frame), node.id) in self.task_group_names

    @cached_property
    def task_group_names(self) -> Set[Tuple[int, str]]:
        """(frame id, name) of each ``async with asyncio.TaskGroup() as name``: built once, not
        scanned for every ``tg.create_task()``."""
        found = set()
        for bound_scope, name, call, is_async in self.context_bindings:
            if is_async:
                site = self.call_site(call)
                if site is not None and site.qualified in TASK_GROUP_FACTORIES:
                    found.add((id(bound_scope.frame), name))
        return found

    def is_task_manager(self, node: ast.AST, scope: Optional[Scope] = None) -> bool:
        """A receiver named like the TaskManager (``self._task_manager``,
        ``TaskManager.instance()``), or a local alias of one (``tm = self._task_manager``)."""
        if self.config.is_task_manager_name(receiver_name(node)):
            return True
        if scope is not None and isinstance(node, ast.Name):
            owner = scope.binding_scope(node.id)
            if owner is not None:
                alias = owner.aliases.get(node.id)
                if alias is not None and self.config.is_task_manager_name(alias):
                    return True
            key = self.receiver_key((node.id,), scope)
            known = self._task_manager_names.get(key)
            if known is None:  # asked for each task made or registered through the name
                known = self._task_manager_names[key] = any(
                    self.config.is_task_manager_name(site.qualified or receiver_name(site.node))
                    for site in self.assignments_to((node.id,), scope)
                )
            return known
        return False

    @cached_property
    def _task_manager_names(self) -> Dict[Tuple[str, int], bool]:
        """:meth:`receiver_key` of a name -> whether a call bound to it gives the TaskManager."""
        return {}

    def in_task_manager_class(self, site: CallSite) -> bool:
        """Inside the TaskManager's own methods, where tasks are made to be registered."""
        owner = site.scope.enclosing_class
        return owner is not None and self.config.is_task_manager_name(owner.name)

    def is_task_manager_registration(self, site: CallSite) -> bool:
        return (
            site.attr in TASK_MANAGER_METHODS
            and site.receiver is not None
            and self.is_task_manager(site.receiver, site.scope)
        )

    @cached_property
    def task_creations(self) -> List[CallSite]:
        """``asyncio.create_task``, ``asyncio.ensure_future`` and ``<loop>.create_task`` calls."""
        sites = list(self.calls_to(TASK_FACTORIES))
        for site in self.method_calls(("create_task",)):
            if site.qualified in TASK_FACTORIES:
                continue
            assert site.receiver is not None
            if self.is_task_group(site.receiver, site.scope) or self.is_task_manager(site.receiver, site.scope):
                continue
            if self.is_loop_expression(site.receiver, site.scope):
                sites.append(site)
        sites.sort(key=lambda site: (site.line, site.col))
        return sites

    @cached_property
    def task_factories_handed_to_callbacks(self) -> List[Tuple[CallSite, str]]:
        """``loop.call_soon_threadsafe(asyncio.ensure_future, coro)``: the task factory itself is
        the callback, so the task it makes is dropped. (the scheduling call, the factory's name)"""
        found = []
        for site in self.method_calls(CALLBACK_TAKERS):
            for argument in site.node.args:
                if isinstance(argument, (ast.Name, ast.Attribute)):
                    qualified = self.resolve(argument, site.name_scope)
                    if qualified in TASK_FACTORIES:
                        found.append((site, qualified.rsplit(".", 1)[-1]))
                    elif (
                        isinstance(argument, ast.Attribute)
                        and argument.attr == "create_task"
                        and self.is_loop_expression(argument.value, site.scope)
                    ):
                        found.append((site, "create_task"))
        return found

    def parent_call(self, site: CallSite) -> Optional[CallSite]:
        return self.call_arguments_parent.get(id(site.node))

    @cached_property
    def call_arguments_parent(self) -> Dict[int, CallSite]:
        """Call node id -> the call it is a direct argument of."""
        parents: Dict[int, CallSite] = {}
        for site in self.calls:
            for argument in site.node.args:
                parents[id(argument)] = site
            for keyword in site.node.keywords:
                parents[id(keyword.value)] = site
        return parents

    @cached_property
    def task_name_reads(self) -> Dict[Tuple[int, str], List[Tuple[int, int]]]:
        """(scope id, name) -> where that local name is read (line, column), sorted, in its own
        scope and in the scopes nested in it that see it, but the reads by
        ``add_done_callback()`` / ``set_name()`` (they keep nothing alive); only for the names
        tasks are bound to. Built once per module, so a check costs the same whatever the number
        of tasks and closures."""
        names = {target for site in self.task_creations for target in site.targets if "." not in target}
        reads: Dict[Tuple[int, str], List[Tuple[int, int]]] = {}
        if not names:
            return reads
        weak_reads = self.weak_reads
        for scope in self.module_scope.descendants():
            for name in names.intersection(scope.loads):
                owner = scope.binding_scope(name)
                if owner is not None:
                    reads.setdefault((id(owner), name), []).extend(
                        (read.lineno, read.col_offset) for read in scope.loads[name] if id(read) not in weak_reads
                    )
        for positions in reads.values():
            positions.sort()
        return reads

    def is_unused_task_name(self, site: CallSite) -> bool:
        """A task bound only to local names that are never read again (or read only by
        ``add_done_callback()`` / ``set_name()``, which keep nothing alive), or rebound before
        any read."""
        if site.usage != Usage.BOUND or not site.targets or not site.scope.is_function:
            return False
        return all(self._task_name_unused(site, target) for target in site.targets)

    def _task_name_unused(self, site: CallSite, name: str) -> bool:
        if "." in name:
            return False  # stored in an attribute: kept
        owner = site.name_scope.binding_scope(name)
        if owner is None or not owner.is_function:
            return False  # a global or nonlocal name outlives the function
        reads = self.task_name_reads.get((id(owner), name))
        if not reads:
            return True
        return self._rebound_before_read(site, owner, name, reads)

    def _rebound_before_read(self, site: CallSite, owner: Scope, name: str, reads: List[Tuple[int, int]]) -> bool:
        """``t = create_task(a)`` followed, in the same block and before any read, by ``t = ...``."""
        statement = site.statement
        if statement is None or owner.function_info is None:
            return False
        end = (statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
        lines = self._binding_lines(owner, name)
        later = bisect_right(lines, end[0])
        if later == len(lines):
            return False
        rebinding_line = lines[later]
        first_read = bisect_left(reads, end)  # the first read at or after the end of the statement
        if first_read < len(reads) and reads[first_read][0] <= rebinding_line:
            return False
        blocks = self._statement_blocks.get(id(owner.function_info.node))
        if blocks is None:
            blocks = self._statement_blocks[id(owner.function_info.node)] = _statement_blocks(owner.function_info.node)
        block_lines = blocks.get(id(statement))
        return block_lines is not None and rebinding_line in block_lines

    def _binding_lines(self, owner: Scope, name: str) -> List[int]:
        """The lines the scope binds the name at, sorted (each task asks: sorted once)."""
        key = (id(owner), name)
        lines = self._sorted_binding_lines.get(key)
        if lines is None:
            lines = self._sorted_binding_lines[key] = sorted(line for line, _ in owner.bindings.get(name, ()))
        return lines

    @cached_property
    def _sorted_binding_lines(self) -> Dict[Tuple[int, str], List[int]]:
        """(scope id, name) -> what :meth:`_binding_lines` gives, built on first use."""
        return {}

    @cached_property
    def _statement_blocks(self) -> Dict[int, Dict[int, Set[int]]]:
        """Function node id -> what :func:`_statement_blocks` gives for it, built on first use."""
        return {}

    def names_registered_with_task_manager(self, scope: Scope) -> set:
        """Local names passed to a TaskManager registration (``tm.add_task(task)``) in this scope."""
        return self.task_manager_registered_names.get(id(scope), set())

    @cached_property
    def task_manager_registered_names(self) -> Dict[int, set]:
        """Scope id -> local names registered there (positionally or by keyword); scope id 0 ->
        attributes registered anywhere (``tm.add_task(self._poll_task)``). Built once, not once
        per task."""
        registered: Dict[int, set] = {0: set()}
        for site in self.method_calls(TASK_MANAGER_METHODS):
            if not self.is_task_manager_registration(site):
                continue
            for argument in [*site.node.args, *(keyword.value for keyword in site.node.keywords)]:
                if isinstance(argument, ast.Name):
                    owner = site.name_scope.binding_scope(argument.id) or site.scope
                    registered.setdefault(id(owner), set()).add(argument.id)
                elif isinstance(argument, ast.Attribute):
                    parts = dotted_parts(argument)
                    if parts is not None:
                        registered[0].add(".".join(parts))
        return registered

    def is_registered_with_task_manager(self, site: CallSite) -> bool:
        """The task is passed to the TaskManager: where it is made, or through the name or
        attribute it was stored in."""
        parent = self.parent_call(site)
        if parent is not None and self.is_task_manager_registration(parent):
            return True
        if site.usage != Usage.BOUND:
            return False
        for target in site.targets:
            if "." in target:
                if target in self.task_manager_registered_names[0]:
                    return True
            else:
                owner = site.name_scope.binding_scope(target) or site.scope
                if target in self.names_registered_with_task_manager(owner):
                    return True
        return False


def _statement_blocks(function: ast.AST) -> Dict[int, Set[int]]:
    """Each statement of the function's own code (not of the functions and classes nested in
    it) -> the lines its statement list starts statements at: a statement starting at one of
    them stands in the same list, so it runs after it on every path."""
    blocks: Dict[int, Set[int]] = {}
    pending = [function.body]  # type: ignore[attr-defined]
    while pending:
        block = pending.pop()
        lines = {item.lineno for item in block}
        for item in block:
            blocks[id(item)] = lines
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(item, field, None)
                if isinstance(inner, list) and inner:
                    if isinstance(inner[0], ast.stmt):
                        pending.append(inner)
                    else:  # except handlers and match cases hold the statement lists
                        pending.extend(part.body for part in inner)
    return blocks
