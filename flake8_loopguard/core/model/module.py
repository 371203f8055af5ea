"""The semantic model of one module: what the walk recorded, the indexes built on first use,
and the questions about classes, callables and receivers; the loop, task and Qt questions
come from their own mixins."""

from __future__ import annotations

import ast
from bisect import bisect_left, bisect_right
from collections import deque
from functools import cached_property
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..apis import FUNCTOOLS_PARTIAL, QT_MODULES
from ..config import Config
from .loops import LoopQueries
from .names import dotted_parts
from .qt import QtQueries
from .record import WalkRecord
from .resolution import NameResolution
from .scopes import CallSite, ClassInfo, FunctionInfo, Scope, ScopeKind, Usage
from .tasks import TaskQueries
from .walk import Walker
from .workers import WorkerQueries


class Module(WalkRecord, NameResolution, LoopQueries, TaskQueries, QtQueries, WorkerQueries):
    """Everything the rules may ask about one module."""

    def __init__(self, tree: ast.AST, filename: str, config: Config) -> None:
        self.filename = filename
        self.config = config
        WalkRecord.__init__(self)
        self._same_file_bases: Dict[int, List[ClassInfo]] = {}  # every `self.method()` asks
        Walker(self).walk(tree)
        self._resolve_calls()

    def release(self) -> None:
        """Break the references between scopes, calls and definitions, so that the module is
        freed as soon as its last reference goes, without the cycle collector (which a gate
        that models thousands of files with the collector off would otherwise need). The module
        answers no question afterwards."""
        for scope in list(self.module_scope.descendants()):
            for slot in Scope.LINKS:
                setattr(scope, slot, None)
        self.__dict__.clear()

    # ----- indexes built once, on first use --------------------------------

    @cached_property
    def calls_by_name(self) -> Dict[str, List[CallSite]]:
        index: Dict[str, List[CallSite]] = {}
        for site in self.calls:
            if site.qualified is not None:
                index.setdefault(site.qualified, []).append(site)
        return index

    @cached_property
    def calls_by_attr(self) -> Dict[str, List[CallSite]]:
        index: Dict[str, List[CallSite]] = {}
        for site in self.calls:
            if site.attr is not None:
                index.setdefault(site.attr, []).append(site)
        return index

    def calls_to(self, names: Iterable[str]) -> List[CallSite]:
        found: List[CallSite] = []
        for name in names:
            found.extend(self.calls_by_name.get(name, ()))
        found.sort(key=lambda site: (site.line, site.col))
        return found

    def method_calls(self, attrs: Iterable[str]) -> List[CallSite]:
        """Calls of the form ``<anything>.attr(...)``."""
        found = [site for attr in attrs for site in self.calls_by_attr.get(attr, ()) if site.receiver is not None]
        found.sort(key=lambda site: (site.line, site.col))
        return found

    @cached_property
    def entry_functions(self) -> set:
        """Module-level functions that the ``__main__`` block calls directly (``main()``,
        ``sys.exit(main())``) or hands over as a callable (``typer.run(main)``, ``fire.Fire(main)``)."""
        return set(self.entry_function_calls)

    @cached_property
    def entry_function_calls(self) -> Dict[str, List[CallSite]]:
        """Each entry function -> the calls of the ``__main__`` block that call it or hand it over."""
        module_functions = self.module_scope.functions
        entry: Dict[str, List[CallSite]] = {}
        for site in self.calls:
            if not site.in_main_block or site.scope is not self.module_scope:
                continue
            named = [site.attr] if site.receiver is None and site.attr in module_functions else []
            arguments = [*site.node.args, *(keyword.value for keyword in site.node.keywords)]
            named.extend(
                argument.id
                for argument in arguments
                if isinstance(argument, ast.Name) and argument.id in module_functions
            )
            for name in dict.fromkeys(named):
                entry.setdefault(name, []).append(site)
        return entry

    def branches_of(self, site: CallSite) -> Tuple[Tuple[int, int, int], ...]:
        """The ``if``/``else`` branches the call is in, within its function (or the module), outer
        first: (line, column of the ``if``, 0 for its body or 1 for its ``else``). Two calls one
        of which is in the body and the other in the ``else`` of the same ``if`` never both run."""
        by_line = self._branches_by_line.get(id(site.scope))
        if by_line is None:
            by_line = self._branches_by_line[id(site.scope)] = self._branches_of_calls(site.scope)
        return by_line.get(site.line, ())

    def _branches_of_calls(self, frame: Scope) -> Dict[int, Tuple[Tuple[int, int, int], ...]]:
        """The line of each call of the frame -> its branches (lines in none left out): each
        ``if`` finds the calls in its branches by bisection, instead of each call reading every
        ``if`` of its function."""
        lines = sorted({site.line for site in frame.calls})
        found: Dict[int, List[Tuple[int, int, int]]] = {}
        for _frame, if_line, if_col, body_start, body_end, else_start, else_end in self._if_else_by_frame.get(
            id(frame), ()
        ):
            for line in lines[bisect_left(lines, body_start) : bisect_right(lines, body_end)]:
                found.setdefault(line, []).append((if_line, if_col, 0))
            for line in lines[bisect_left(lines, else_start) : bisect_right(lines, else_end)]:
                if not body_start <= line <= body_end:
                    found.setdefault(line, []).append((if_line, if_col, 1))
        return {line: tuple(branches) for line, branches in found.items()}

    @cached_property
    def _branches_by_line(self) -> Dict[int, Dict[int, Tuple[Tuple[int, int, int], ...]]]:
        """Frame id -> :meth:`_branches_of_calls`, built on first use."""
        return {}

    @cached_property
    def _if_else_by_frame(self) -> Dict[int, List[Tuple[int, int, int, int, int, int, int]]]:
        index: Dict[int, List[Tuple[int, int, int, int, int, int, int]]] = {}
        for statement in sorted(self.if_else_statements, key=lambda statement: (statement[1], statement[2])):
            index.setdefault(statement[0], []).append(statement)
        return index

    @cached_property
    def is_entry_point_file(self) -> bool:
        return self.config.is_entry_point_file(self.filename)

    @cached_property
    def imports_qt(self) -> bool:
        return bool((self.imported_modules | self.typing_imported_modules) & QT_MODULES)

    @cached_property
    def imports_qasync(self) -> bool:
        return "qasync" in self.imported_modules or "qasync" in self.typing_imported_modules

    @cached_property
    def imports_loop_library(self) -> bool:
        """The program uses an event-loop library (an import for annotations only does not count)."""
        return bool(self.imported_modules & {"asyncio", "qasync", "uvloop"})

    # ----- questions the rules ask -----------------------------------------

    def in_entry_point(self, site: CallSite) -> bool:
        """Entry-point code: the ``__main__`` block and the functions it calls or hands over, an
        entry-point file, or a function that another process runs (its own entry point)."""
        return (
            self.is_entry_point_file
            or site.in_main_block
            or site.scope.top_function in self.entry_functions
            or self.in_process_entry(site.scope)
        )

    def call_site(self, node: ast.AST) -> Optional[CallSite]:
        return self.call_by_node.get(id(node))

    # ----- classes, methods and the callables handed around ----------------

    @cached_property
    def classes_by_name(self) -> Dict[str, ClassInfo]:
        """Module-level classes by name: the same-file bases a class may inherit from."""
        return {info.name: info for info in self.classes if info.scope.parent is self.module_scope}

    @cached_property
    def direct_same_file_bases(self) -> Dict[int, List[ClassInfo]]:
        """Class id -> the module-level classes of this file its bases name, as written."""
        by_name = self.classes_by_name
        return {
            id(cls): [by_name[base.id] for base in cls.node.bases if isinstance(base, ast.Name) and base.id in by_name]
            for cls in self.classes
        }

    def same_file_bases(self, cls: ClassInfo) -> List[ClassInfo]:
        """The class and its base classes defined in this file, nearest first (cycles cut)."""
        known = self._same_file_bases.get(id(cls))
        if known is None:
            known = self._same_file_bases[id(cls)] = self._find_same_file_bases(cls)
        return known

    def _find_same_file_bases(self, cls: ClassInfo) -> List[ClassInfo]:
        found: List[ClassInfo] = []
        seen: Set[int] = set()
        pending = deque([cls])
        direct = self.direct_same_file_bases
        while pending:
            current = pending.popleft()
            if id(current) in seen:
                continue
            seen.add(id(current))
            found.append(current)
            pending.extend(direct.get(id(current), ()))
        return found

    def method_of(self, cls: ClassInfo, name: str) -> Optional[FunctionInfo]:
        """``cls.name`` as Python finds it among the class and its same-file bases.

        Up a chain of classes with one same-file base each, the answer is the first class's
        that defines the name, or the answer of the class the chain ends at: found once for the
        whole chain, so a deep hierarchy costs its depth once, not once per class."""
        known = self._methods
        chain: List[ClassInfo] = []
        on_chain: Set[int] = set()
        current = cls
        while True:
            key = (id(current), name)
            if key in known:
                found = known[key]
                break
            if name in current.methods:
                found = current.methods[name]
                break
            if id(current) in on_chain:
                found = None  # a cycle of classes of one base each, none of which defines it
                break
            chain.append(current)
            on_chain.add(id(current))
            bases = {id(base): base for base in self.direct_same_file_bases.get(id(current), ())}
            if not bases:
                found = None
                break
            if len(bases) > 1:  # Python looks through several bases breadth first (nearest first here)
                owners = self.same_file_bases(current)
                found = next((owner.methods[name] for owner in owners if name in owner.methods), None)
                break
            current = next(iter(bases.values()))
        for link in chain:
            known[(id(link), name)] = found
        return found

    @cached_property
    def _methods(self) -> Dict[Tuple[int, str], Optional[FunctionInfo]]:
        """(class id, method name) -> :meth:`method_of`'s answer."""
        return {}

    def same_file_class(self, node: ast.AST, scope: Scope) -> Optional[ClassInfo]:
        """The module-level class of this file a name refers to (``MyLoop`` in ``MyLoop()``)."""
        if not isinstance(node, ast.Name):
            return None
        cls = self.classes_by_name.get(node.id)
        if cls is None or scope.binding_scope(node.id) is not self.module_scope:
            return None
        return cls

    def inherits_from(self, cls: ClassInfo, qualified_names: Iterable[str]) -> bool:
        """Whether a base of the class (directly or through same-file bases) is one of these."""
        wanted = frozenset(qualified_names)
        inheriting = self._inheriting.get(wanted)
        if inheriting is None:
            inheriting = self._inheriting[wanted] = self._classes_inheriting(wanted)
        return id(cls) in inheriting

    @cached_property
    def _inheriting(self) -> Dict[frozenset, Set[int]]:
        """The qualified names of base classes -> the ids of the classes that inherit from one."""
        return {}

    def _classes_inheriting(self, wanted: frozenset) -> Set[int]:
        """The classes one of whose bases is one of ``wanted``, then their same-file subclasses
        at any depth: each class's bases are read once, whatever the depth of the hierarchy."""
        subclasses: Dict[int, List[ClassInfo]] = {}
        found: Set[int] = set()
        pending: List[ClassInfo] = []
        for cls in self.classes:
            parent = cls.scope.parent
            if parent is not None and any(self.resolve(base, parent) in wanted for base in cls.node.bases):
                found.add(id(cls))
                pending.append(cls)
            for base in self.direct_same_file_bases[id(cls)]:
                subclasses.setdefault(id(base), []).append(cls)
        while pending:
            for subclass in subclasses.get(id(pending.pop()), ()):
                if id(subclass) not in found:
                    found.add(id(subclass))
                    pending.append(subclass)
        return found

    def function_referenced(self, node: ast.AST, scope: Scope) -> Optional[FunctionInfo]:
        """The def a reference names: ``worker`` (any enclosing scope), ``self.method`` (also
        inherited from a same-file base), or either wrapped in ``functools.partial(...)``."""
        node = self.unwrap_partial(node, scope)
        if isinstance(node, ast.Name):
            current: Optional[Scope] = scope
            own_scope = True
            while current is not None:
                if own_scope or current.kind is not ScopeKind.CLASS:
                    if node.id in current.functions:
                        return current.functions[node.id]
                    if node.id in current.bindings:
                        return None  # bound to something other than a def
                own_scope = current.kind is ScopeKind.COMPREHENSION
                current = current.parent
            return None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            owner = scope.enclosing_class
            if owner is not None:
                return self.method_of(owner, node.attr)
        return None

    def unwrap_partial(self, node: ast.AST, scope: Scope) -> ast.AST:
        """``functools.partial(f, ...)`` -> ``f``; anything else as it is."""
        while isinstance(node, ast.Call) and node.args and self.resolve(node.func, scope) == FUNCTOOLS_PARTIAL:
            node = node.args[0]
        return node

    def callable_body(self, node: ast.AST, scope: Scope) -> Optional[Scope]:
        """The body scope of the def or lambda a callable expression stands for."""
        node = self.unwrap_partial(node, scope)
        if isinstance(node, ast.Lambda):
            return self.lambda_scopes.get(id(node))
        function = self.function_referenced(node, scope)
        return function.scope if function is not None else None

    # ----- what a receiver is ----------------------------------------------

    def assignments_to(self, parts: Sequence[str], scope: Scope) -> Sequence[CallSite]:
        """Calls whose result was bound to this name (in the scope that owns the name: this one
        or an enclosing function or module) or attribute (anywhere in the module)."""
        if len(parts) == 1:
            owner = scope.binding_scope(parts[0]) or self.module_scope
            return self.bound_calls_by_owner.get((parts[0], id(owner)), ())
        return self.bound_calls.get(".".join(parts), ())

    def receiver_key(self, parts: Sequence[str], scope: Scope) -> Tuple[str, int]:
        """What the answers about a name or attribute depend on: the dotted name, and for a name,
        the scope that owns it (0 for an attribute: its bindings anywhere in the module count)."""
        if len(parts) == 1:
            return parts[0], id(scope.binding_scope(parts[0]) or self.module_scope)
        return ".".join(parts), 0

    @cached_property
    def bound_calls_by_owner(self) -> Dict[Tuple[str, int], List[CallSite]]:
        """(name, id of the scope that owns it) -> the calls bound to the name there: each
        receiver asks, so the owner of each binding is found once, not once per question."""
        index: Dict[Tuple[str, int], List[CallSite]] = {}
        for key, sites in self.bound_calls.items():
            if "." in key:
                continue
            for site in sites:
                owner = site.name_scope.binding_scope(key)
                if owner is not None:
                    index.setdefault((key, id(owner)), []).append(site)
        return index

    @cached_property
    def bound_calls(self) -> Dict[str, List[CallSite]]:
        index: Dict[str, List[CallSite]] = {}
        for site in self.calls:
            if site.usage == Usage.BOUND:
                for target in site.targets:
                    index.setdefault(target, []).append(site)
        for scope, name, call, _is_async in self.context_bindings:
            site = self.call_site(call)
            if site is not None:
                index.setdefault(name, []).append(site)
        for names, call in self.alternative_bindings:
            site = self.call_site(call)
            if site is not None:
                for name in names:
                    index.setdefault(name, []).append(site)
        return index

    def annotated_types(self, parts: Sequence[str], scope: Scope) -> List[Tuple[ast.expr, Scope]]:
        """The types annotations give a name (a parameter, ``x: T = ...``; in the scope that owns
        the name, as for :meth:`assignments_to`) or an attribute (``self.client: T`` in a method,
        ``client: T`` in a class body; anywhere in the module): each member of ``Optional[...]``,
        ``Union[...]``, ``X | None`` or a string annotation, with the scope it is read in."""
        entries = self.annotations_by_target.get(self.receiver_key(parts, scope))
        if not entries:
            return []
        return [
            (member, read_in) for annotation, read_in in entries for member in self.type_members(annotation, read_in)
        ]

    @cached_property
    def annotations_by_target(self) -> Dict[Tuple[str, int], List[Tuple[ast.expr, Scope]]]:
        """:meth:`receiver_key` of the annotated name or attribute -> (annotation, the scope it is
        read in), in the order of the file."""
        index: Dict[Tuple[str, int], List[Tuple[ast.expr, Scope]]] = {}
        for key, bound_in, annotation, read_in in self.annotations:
            if "." in key:
                target = (key, 0)
            else:
                owner = bound_in.binding_scope(key)
                if owner is None:
                    continue
                target = (key, id(owner))
            index.setdefault(target, []).append((annotation, read_in))
        return index

    def is_instance_of(self, node: ast.AST, scope: Scope, classes: Iterable[str]) -> bool:
        """A receiver made by one of these classes: ``requests.Session()``, directly, through the
        name or attribute it was bound to, or by ``with requests.Session() as s``; returned by a
        function of this file annotated so (``def get_pool() -> ProcessPoolExecutor``); or
        annotated with one of them (``session: Optional[requests.Session]``)."""
        wanted = frozenset(classes)
        if isinstance(node, ast.Call):
            site = self.call_site(node)
            return site is not None and (site.qualified in wanted or self._returns(site, wanted))
        parts = dotted_parts(node)
        if parts is None:
            return False
        key = (*self.receiver_key(parts, scope), wanted)
        known = self._instances.get(key)
        if known is None:  # a name bound many times in one scope is asked about many times
            known = self._instances[key] = any(
                site.qualified in wanted or self._returns(site, wanted) for site in self.assignments_to(parts, scope)
            ) or any(self.resolve(member, read_in) in wanted for member, read_in in self.annotated_types(parts, scope))
        return known

    @cached_property
    def _instances(self) -> Dict[Tuple[str, int, frozenset], bool]:
        """(:meth:`receiver_key`, the classes) -> whether the name or attribute is made by one of them."""
        return {}

    def bound_call_names(self, parts: Sequence[str], scope: Scope) -> frozenset:
        """The qualified names of the calls bound to a name or attribute (:meth:`assignments_to`)."""
        key = self.receiver_key(parts, scope)
        known = self._bound_call_names.get(key)
        if known is None:
            known = self._bound_call_names[key] = frozenset(
                site.qualified for site in self.assignments_to(parts, scope) if site.qualified is not None
            )
        return known

    @cached_property
    def _bound_call_names(self) -> Dict[Tuple[str, int], frozenset]:
        """:meth:`receiver_key` -> what :meth:`bound_call_names` gives, built on first use."""
        return {}

    def _returns(self, site: CallSite, classes: frozenset) -> bool:
        """A call of a function of this file whose return annotation is one of ``classes``."""
        function = self.function_referenced(site.node.func, site.name_scope)
        returns = getattr(function.node, "returns", None) if function is not None else None
        if returns is None:
            return False
        read_in = function.parent_scope  # type: ignore[union-attr]
        return any(self.resolve(member, read_in) in classes for member in self.type_members(returns, read_in))

    def value_sources(self, node: ast.AST, scope: Scope) -> Sequence[CallSite]:
        """The calls a value comes from: the call itself, or those bound to the name or attribute."""
        if isinstance(node, ast.Call):
            site = self.call_site(node)
            return [site] if site is not None else []
        parts = dotted_parts(node)
        return self.assignments_to(parts, scope) if parts is not None else []

    @cached_property
    def functions(self) -> List[FunctionInfo]:
        found = []
        for scope in self.module_scope.descendants():
            if scope.function_info is not None:
                found.append(scope.function_info)
        found.sort(key=lambda info: info.node.lineno)
        return found

    def calls_in(self, function: FunctionInfo) -> List[CallSite]:
        """Calls made by the function's own body (not by functions nested in it)."""
        return function.scope.calls
