"""What the model answers about event loops: which receivers are loops, which calls create,
run or drive one, and which classes are an event loop's own implementation."""

from __future__ import annotations

import ast
from functools import cached_property
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..apis import (
    ANY_TYPES,
    LOOP_CLASSES,
    LOOP_DRIVER_METHODS,
    LOOP_FACTORIES,
    LOOP_POLICY_CLASSES,
    LOOP_POLICY_METHODS,
    LOOP_RUNNERS,
    LOOP_SOURCES,
)
from .names import dotted_parts, is_self_or_super, receiver_name
from .scopes import CallSite, ClassInfo, FunctionInfo, Scope


class LoopQueries:
    """Mixed into :class:`~.module.Module`."""

    if TYPE_CHECKING:
        imports_loop_library: bool
        classes: List[ClassInfo]
        classes_by_name: Dict[str, ClassInfo]
        calls_by_attr: Dict[str, List[CallSite]]
        direct_same_file_bases: Dict[int, List[ClassInfo]]

        def call_site(self, node: ast.AST) -> Optional[CallSite]: ...
        def assignments_to(self, parts: Sequence[str], scope: Scope) -> Sequence[CallSite]: ...
        def receiver_key(self, parts: Sequence[str], scope: Scope) -> Tuple[str, int]: ...
        def annotated_types(self, parts: Sequence[str], scope: Scope) -> List[Tuple[ast.expr, Scope]]: ...
        def resolve(self, node: ast.AST, scope: Scope) -> Optional[str]: ...
        def calls_to(self, names: Iterable[str]) -> List[CallSite]: ...
        def method_calls(self, attrs: Iterable[str]) -> List[CallSite]: ...
        def same_file_class(self, node: ast.AST, scope: Scope) -> Optional[ClassInfo]: ...
        def inherits_from(self, cls: ClassInfo, qualified_names: Iterable[str]) -> bool: ...
        def method_of(self, cls: ClassInfo, name: str) -> Optional[FunctionInfo]: ...
        def callable_body(self, node: ast.AST, scope: Scope) -> Optional[Scope]: ...

    # ----- what is a loop --------------------------------------------------

    def is_loop_expression(self, node: ast.AST, scope: Scope) -> bool:
        """An expression known to be an event loop (see LG201's definition of ``<loop>``), also
        through its annotation (``ev: Optional[asyncio.AbstractEventLoop]``)."""
        if isinstance(node, ast.Call):
            site = self.call_site(node)
            return site is not None and self.is_loop_source(site)
        parts = dotted_parts(node)
        if parts is None:
            return False
        if "loop" in parts[-1].lower():
            return True
        key = self.receiver_key(parts, scope)
        known = self._loop_receivers.get(key)
        if known is None:  # a name bound many times in one scope is asked about many times
            known = self._loop_receivers[key] = any(
                self.is_loop_source(site) for site in self.assignments_to(parts, scope)
            ) or any(self.is_loop_class(member, read_in) for member, read_in in self.annotated_types(parts, scope))
        return known

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
        if self.assignments_to(parts, scope):
            return False  # bound only from calls that are no loop source
        key = self.receiver_key(parts, scope)
        known = self._unknown_receivers.get(key)
        if known is None:
            # annotated with a type that is no loop (`app: WebSocketApp`); `Any` says nothing
            known = self._unknown_receivers[key] = all(
                self.resolve(member, read_in) in ANY_TYPES for member, read_in in self.annotated_types(parts, scope)
            )
        return known

    @cached_property
    def _loop_receivers(self) -> Dict[Tuple[str, int], bool]:
        """:meth:`receiver_key` -> whether the name or attribute is known to be a loop."""
        return {}

    @cached_property
    def _unknown_receivers(self) -> Dict[Tuple[str, int], bool]:
        """:meth:`receiver_key` -> whether what is known of the name or attribute leaves it a
        possible loop (no call is bound to it, no annotation but ``Any`` says what it is)."""
        return {}

    def is_loop_class(self, node: ast.AST, scope: Scope) -> bool:
        """A type that is an event loop: ``asyncio.AbstractEventLoop`` and the other loop classes,
        or a loop class of this file."""
        if self.resolve(node, scope) in LOOP_CLASSES:
            return True
        cls = self.same_file_class(node, scope)
        return cls is not None and id(cls) in self._loop_class_ids

    def is_loop_source(self, site: CallSite) -> bool:
        """A call whose result is an event loop: a getter, a factory, or a loop class of this file."""
        return site.qualified in LOOP_SOURCES or self.makes_loop(site)

    # ----- an event loop's own implementation ------------------------------

    @cached_property
    def _loop_class_ids(self) -> set:
        """The classes of this file that are event loops (subclasses of a loop class, directly or
        through same-file bases)."""
        return {id(cls) for cls in self.classes if self.inherits_from(cls, LOOP_CLASSES)}

    @cached_property
    def _loop_implementation_ids(self) -> set:
        """The loop classes and the same-file classes they are made of (a mixin's methods run as
        the loop's own)."""
        found: Set[int] = set()
        pending = [cls for cls in self.classes if id(cls) in self._loop_class_ids]
        while pending:  # each class once, however many loop classes it is a base of
            cls = pending.pop()
            if id(cls) not in found:
                found.add(id(cls))
                pending.extend(self.direct_same_file_bases[id(cls)])
        return found

    @cached_property
    def _loop_class_names(self) -> frozenset:
        return frozenset(name for name, cls in self.classes_by_name.items() if id(cls) in self._loop_class_ids)

    def drives_itself(self, site: CallSite) -> bool:
        """``self.run_forever()`` or ``super().run_until_complete(f)`` where the object is the loop
        (a method of an event loop's own implementation), or where the class defines the called
        method itself: the object's own method runs, no loop is driven from outside."""
        if site.receiver is None or not is_self_or_super(site.receiver):
            return False
        cls = site.scope.enclosing_class
        if cls is None:
            return False
        return id(cls) in self._loop_implementation_ids or (
            site.attr is not None and self.method_of(cls, site.attr) is not None
        )

    def makes_loop_for_policy(self, site: CallSite) -> bool:
        """A loop made in an event loop policy's ``new_event_loop``/``get_event_loop``: the
        policy's job."""
        method = site.scope.enclosing_method
        if method is None or method.name not in LOOP_POLICY_METHODS:
            return False
        cls = method.parent_scope.class_info
        return cls is not None and self.inherits_from(cls, LOOP_POLICY_CLASSES)

    # ----- calls that create, run or drive a loop --------------------------

    def makes_loop(self, site: CallSite) -> bool:
        """A call that makes an event loop: a factory (``asyncio.new_event_loop()``,
        ``QEventLoop(app)``) or a loop class of this file (``MyLoop()``)."""
        if site.qualified in LOOP_FACTORIES:
            return True
        return (
            site.qualified is None
            and site.receiver is None
            and site.attr in self._loop_class_names
            and self.same_file_class(site.node.func, site.name_scope) is not None
        )

    def creates_loop(self, site: CallSite) -> bool:
        """A call that makes a loop of its own (LG101): not a policy making the loop it is for."""
        return self.makes_loop(site) and not self.makes_loop_for_policy(site)

    def drives_loop(self, site: CallSite) -> bool:
        """``<x>.run_until_complete(...)``/``<x>.run_forever()`` where ``<x>`` may be a loop
        (LG103), except a loop driving itself."""
        return (
            site.attr in LOOP_DRIVER_METHODS
            and site.receiver is not None
            and not self.drives_itself(site)
            and self.may_be_loop(site.receiver, site.scope)
        )

    @cached_property
    def loop_creations(self) -> List[CallSite]:
        """Every call that creates a loop of its own (LG101 sites, entry points included)."""
        candidates = self.calls_to(LOOP_FACTORIES)
        for name in self._loop_class_names:
            candidates.extend(site for site in self.calls_by_attr.get(name, ()) if self.makes_loop(site))
        found = [site for site in candidates if not self.makes_loop_for_policy(site)]
        found.sort(key=lambda site: (site.line, site.col))
        return found

    @cached_property
    def loop_drivings(self) -> List[CallSite]:
        """Every call that may drive a loop from outside (LG103 sites, entry points included)."""
        return [site for site in self.method_calls(LOOP_DRIVER_METHODS) if self.drives_loop(site)]

    def loop_call_code(self, site: CallSite) -> Optional[str]:
        """Whether the call creates (LG101), runs (LG102) or drives (LG103) an event loop, by the
        code that reports it outside entry-point code; None for any other call."""
        if self.creates_loop(site):
            return "LG101"
        if site.qualified in LOOP_RUNNERS:
            return "LG102"
        if self.drives_loop(site):
            return "LG103"
        return None

    def makes_runners_loop(self, site: CallSite) -> bool:
        """The call is in the ``loop_factory=`` callable of a loop runner
        (``asyncio.run(main(), loop_factory=lambda: QEventLoop(app))``): the loop it makes is the
        one the runner runs, no second loop."""
        return id(site.scope) in self._loop_factory_scopes

    @cached_property
    def _loop_factory_scopes(self) -> set:
        found = set()
        for runner in self.calls_to(LOOP_RUNNERS):
            factory = runner.argument(None, "loop_factory")
            body = self.callable_body(factory, runner.scope) if factory is not None else None
            if body is not None:
                found.add(id(body))
        return found

    def loop_calls_in(self, scope: Scope) -> List[Tuple[str, CallSite]]:
        """The scope's own calls that create (LG101), run (LG102) or drive (LG103) an event loop."""
        found = []
        for site in scope.calls:
            code = self.loop_call_code(site)
            if code is not None:
                found.append((code, site))
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
