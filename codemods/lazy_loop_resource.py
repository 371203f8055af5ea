"""LG301: a loop-bound resource built in ``__init__`` is built lazily, on the running loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple, Union

import libcst as cst
from libcst.metadata import (
    ExpressionContext,
    ExpressionContextProvider,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, Rewritten, char_column, source_lines
from .syntax import (
    body_statements,
    code_of,
    instance_parameter,
    is_docstring,
    mentions_name,
    own_name,
    single_small_statement,
    variable_names,
)

# Methods that release a resource: a coroutine that only releases it must not create it first.
RELEASE_METHODS = frozenset({"close", "aclose", "wait_closed", "stop", "disconnect"})


class LeftForHuman(Exception):
    """Raised while planning one attribute: the reason it is left as it is."""


@dataclass
class AttributePlan:
    """How one ``self.<attribute> = Factory(...)`` of ``__init__`` becomes lazy."""

    attribute: str
    findings: List[Finding]
    statement: cst.SimpleStatementLine  # the assignment in __init__
    constructor: cst.Call  # moved into the ensure method, parameters mapped to attributes
    ensure_name: str
    receiver: str  # the instance parameter's name in __init__
    init_index: int  # where __init__ is in the class body
    # coroutine methods that use the resource: each awaits the ensure method first
    users: List[cst.FunctionDef] = field(default_factory=list)
    # statements that release the resource: guarded by `if self.<attribute> is not None:`
    releases: List[cst.SimpleStatementLine] = field(default_factory=list)
    # `if` statements whose test uses the resource: `self.<attribute> is not None and (test)`
    guarded_ifs: List[cst.If] = field(default_factory=list)


class LazyLoopResource(FindingCodemod):
    """``self._session = aiohttp.ClientSession(...)`` in ``__init__`` becomes lazy.

    ``__init__`` sets the attribute to ``None``; a new ``async def _ensure_session(self)`` (named
    after the attribute) builds the resource with the same arguments on the running loop, the
    first time it is awaited, and returns it. Every coroutine method of the class (or of a
    subclass in the module) that uses the resource awaits it first: ``await
    self._ensure_session()`` as its first statement, leaving the uses as they were written. A
    coroutine that only releases it (``await self._session.close()``) does so only when it
    exists (``if self._session is not None:``).

    Left byte for byte unchanged, with the reason: a public attribute (other modules may read
    it), a resource read by synchronous code (it would now see ``None``), used outside its
    class's methods or in a nested function, handed to something else in ``__init__``,
    reassigned elsewhere, or built from ``__init__`` arguments that are not stored on the
    instance; a construction that is not a plain ``self._x = Factory(...)`` statement of
    ``__init__``'s own body.
    """

    NAME = "lazy_loop_resource"
    DESCRIPTION = "build loop-bound resources of __init__ lazily, in an async _ensure_<name>() method"
    fixes = ("LG301",)
    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider, ScopeProvider, ExpressionContextProvider)

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        super().__init__(context)
        self._lines: List[str] = []

    def visit_Module(self, node: cst.Module) -> None:
        self._lines = source_lines(node.code)

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        return None  # planned per class, in visit_ClassDef

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        findings = [finding for finding in self.findings_within(node) if self._class_of_finding(finding) is node]
        if not findings:
            return
        plans: List[AttributePlan] = []
        taken_names: Set[str] = set()
        for attribute_findings, outcome in self._plan_attributes(node, findings):
            if isinstance(outcome, str):
                for finding in attribute_findings:
                    self.leave_for_human(finding, outcome)
                continue
            if outcome.ensure_name in taken_names:
                for finding in attribute_findings:
                    self.leave_for_human(finding, f"another resource of the class also needs {outcome.ensure_name}()")
                continue
            taken_names.add(outcome.ensure_name)
            plans.append(outcome)
        for plan in plans:
            self._schedule(node, plan)
            for finding in plan.findings:
                self.record_fix(finding)

    # ----- locating the findings ---------------------------------------------------

    def _call_at(self, finding: Finding, within: cst.CSTNode) -> Optional[cst.Call]:
        line_text = self._lines[finding.line - 1] if finding.line <= len(self._lines) else ""
        start = (finding.line, char_column(line_text, finding.col))
        finder = _CallsStartingAt(start, self)
        within.visit(finder)
        return finder.found

    def _class_of_finding(self, finding: Finding) -> Optional[cst.ClassDef]:
        """The class whose ``__init__`` holds the finding (looked up from the module)."""
        call = self._call_at(finding, self.module)
        node: Optional[cst.CSTNode] = call
        while node is not None and not isinstance(node, cst.ClassDef):
            node = self.get_metadata(ParentNodeProvider, node, None)
        return node

    # ----- planning ------------------------------------------------------------------

    def _plan_attributes(
        self, class_def: cst.ClassDef, findings: List[Finding]
    ) -> List[Tuple[List[Finding], Union[AttributePlan, str]]]:
        """One outcome per finding group: a plan, or the reason it is left for a human."""
        calls: Dict[Finding, cst.Call] = {}
        for finding in findings:
            call = self._call_at(finding, class_def)
            if call is not None:
                calls[finding] = call
        outermost = {
            finding: call
            for finding, call in calls.items()
            if not any(other is not call and _contains(other, call, self) for other in calls.values())
        }
        # A resource built inside another's arguments moves with it, and shares its outcome.
        groups: Dict[cst.Call, List[Finding]] = {call: [] for call in outermost.values()}
        for finding, call in calls.items():
            owner = next(outer for outer in outermost.values() if outer is call or _contains(outer, call, self))
            groups[owner].append(finding)
        results: List[Tuple[List[Finding], Union[AttributePlan, str]]] = []
        for call, group in groups.items():
            try:
                plan = self._plan_attribute(class_def, call, group)
            except LeftForHuman as left:
                results.append((group, str(left)))
            else:
                results.append((group, plan))
        return results

    def _plan_attribute(self, class_def: cst.ClassDef, call: cst.Call, findings: List[Finding]) -> AttributePlan:
        parent = self.get_metadata(ParentNodeProvider, call)
        if not isinstance(parent, (cst.Assign, cst.AnnAssign)) or parent.value is not call:
            raise LeftForHuman("the resource is not assigned as it is built (`self.x = Factory(...)`)")
        if isinstance(parent, cst.Assign) and len(parent.targets) != 1:
            raise LeftForHuman("the resource is assigned to several targets at once")
        statement = self.get_metadata(ParentNodeProvider, parent)
        block = self.get_metadata(ParentNodeProvider, statement)
        init = self.get_metadata(ParentNodeProvider, block)
        if isinstance(statement, cst.SimpleStatementSuite) or (
            isinstance(statement, cst.SimpleStatementLine) and len(statement.body) != 1
        ):
            raise LeftForHuman("the assignment shares its line with other statements")
        if not (
            isinstance(statement, cst.SimpleStatementLine)
            and isinstance(block, cst.IndentedBlock)
            and isinstance(init, cst.FunctionDef)
            and init.name.value == "__init__"
            and self.get_metadata(ParentNodeProvider, self.get_metadata(ParentNodeProvider, init)) is class_def
        ):
            raise LeftForHuman(
                "the resource is built inside a block of __init__ (if, try, with, loop), not unconditionally"
            )
        receiver = instance_parameter(init)
        target = parent.target if isinstance(parent, cst.AnnAssign) else parent.targets[0].target
        if not (
            receiver is not None
            and isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == receiver
        ):
            raise LeftForHuman(f"the resource is assigned to `{code_of(target)}`, not to an attribute of self")
        attribute = target.attr.value
        if not attribute.startswith("_"):
            # Only the module is visible here; a public attribute is read from other modules too.
            raise LeftForHuman(
                f"self.{attribute} is public: code in other modules may read it and would see None "
                f"(make it private, or rewrite by hand)"
            )
        ensure_name = "_ensure_" + attribute.lstrip("_")
        if mentions_name(self.module, ensure_name):
            raise LeftForHuman(f"the module already uses the name {ensure_name}")
        constructor = self._movable_constructor(call, init, statement, receiver)
        init_index = list(class_def.body.body).index(init)
        plan = AttributePlan(attribute, findings, statement, constructor, ensure_name, receiver, init_index)
        self._plan_users(class_def, plan, target)
        return plan

    def _movable_constructor(
        self, call: cst.Call, init: cst.FunctionDef, statement: cst.SimpleStatementLine, receiver: str
    ) -> cst.Call:
        """The constructor as the ensure method will spell it: ``__init__``'s parameters read
        from the attributes ``__init__`` stored them in."""
        init_scope = self.get_metadata(ScopeProvider, statement)
        stored = _stored_parameters(init, receiver)
        replacements: Dict[cst.Name, cst.BaseExpression] = {}
        for name in variable_names([call]):
            scope = self.get_metadata(ScopeProvider, name, None)
            if scope is None:
                continue
            local = [assignment for assignment in scope[name.value] if assignment.scope is init_scope]
            if not local or name.value == receiver:
                continue
            problem = self._unmovable_argument(name.value, init_scope, stored.get(name.value), init)
            if problem is not None:
                raise LeftForHuman(
                    f"its arguments use `{name.value}`, {problem}: the constructor cannot move out of __init__"
                )
            attribute = stored[name.value]
            replacements[name] = cst.Attribute(cst.Name(receiver), cst.Name(attribute))
        return call.visit(_ReplaceNodes(replacements)) if replacements else call  # type: ignore[return-value]

    def _unmovable_argument(
        self,
        name: str,
        init_scope,
        attribute: Optional[str],
        init: cst.FunctionDef,  # type: ignore[no-untyped-def]
    ) -> Optional[str]:
        """Why a local of ``__init__`` cannot be read back from ``self`` in the ensure method."""
        assignments = list(init_scope.assignments[name])
        if not any(isinstance(assignment.node, cst.Param) for assignment in assignments):
            return "a local variable of __init__"
        if attribute is None:
            return "a parameter of __init__ that is not stored on self"
        if len(assignments) != 1:
            return "a parameter that __init__ reassigns"
        if _assigned_elsewhere(self.module, attribute, init):
            return f"stored in self.{attribute}, which is assigned elsewhere too"
        return None

    def _plan_users(self, class_def: cst.ClassDef, plan: AttributePlan, target: cst.Attribute) -> None:
        """Sort every use of the attribute in the module, or refuse the whole attribute (naming
        every use that stands in the way)."""
        base_classes, subclasses = _related_classes(self.module, class_def)
        # A subclass's methods inherit the ensure method; a base class's methods do not.
        sharing = {class_def, *subclasses}
        loads: Dict[cst.FunctionDef, List[cst.Attribute]] = {}
        problems: List[str] = []
        for use in _attribute_uses(self.module, plan.attribute):
            if use is target:
                continue
            method, nested = self._enclosing_method(use)
            owner = self._owner_class(method) if method is not None else None
            on_instance = isinstance(use.value, cst.Name) and use.value.value == instance_parameter(method)
            if owner not in sharing and owner not in base_classes and on_instance:
                continue  # another class's attribute of the same name
            problem = self._problem_with(use, method if owner in sharing and on_instance else None, nested)
            if problem is not None:
                problems.append(problem.format(line=self.position(use).start.line))
            elif (
                method is not None and self.get_metadata(ExpressionContextProvider, use, None) is ExpressionContext.LOAD
            ):
                loads.setdefault(method, []).append(use)
        for method in loads:
            if isinstance(method.body, cst.SimpleStatementSuite):
                problems.append(f"used by {method.name.value}(), a method written on one line")
        if problems:
            raise LeftForHuman(f"self.{plan.attribute} is " + "; ".join(problems))
        for method, uses in loads.items():
            releases, ifs = self._release_only(method, uses, plan.attribute)
            if releases is None:
                plan.users.append(method)
            else:
                plan.releases.extend(releases)
                plan.guarded_ifs.extend(ifs)

    def _problem_with(self, use: cst.Attribute, method: Optional[cst.FunctionDef], nested: bool) -> Optional[str]:
        """Why ``use`` (in ``method``, None when not in a method of the class) blocks the rewrite,
        with a ``{line}`` placeholder."""
        if method is None:
            return "used outside the methods of its class (line {line})"
        name = method.name.value
        if nested:
            return f"used in a function nested in {name}() (line {{line}})"
        context = self.get_metadata(ExpressionContextProvider, use, None)
        if context is ExpressionContext.DEL:
            return f"deleted in {name}() (line {{line}})"
        if context is ExpressionContext.STORE:
            assigned = self.get_metadata(ParentNodeProvider, self.get_metadata(ParentNodeProvider, use))
            value = getattr(assigned, "value", None)
            if isinstance(value, cst.Name) and value.value == "None":
                return None
            return f"reassigned in {name}() (line {{line}})"
        if name == "__init__":
            return "read in __init__ (line {line}), before a coroutine could create it"
        if method.asynchronous is None:
            return f"read by the synchronous {name}() (line {{line}}), which would see None"
        return None

    def _release_only(
        self, method: cst.FunctionDef, uses: List[cst.Attribute], attribute: str
    ) -> Tuple[Optional[List[cst.SimpleStatementLine]], List[cst.If]]:
        """When ``method`` only releases the resource (or only checks it for ``None``): the
        statements and ``if`` tests to guard. ``(None, [])`` when it really uses the resource."""
        releases: List[cst.SimpleStatementLine] = []
        ifs: List[cst.If] = []
        for use in uses:
            if self._is_none_check(use):
                continue
            covering = self._covering_if(use, method, attribute)
            if covering is False:
                return None, []
            if isinstance(covering, cst.If):
                if covering not in ifs:
                    ifs.append(covering)
                continue
            if covering is True:
                continue
            release = self._release_statement(use)
            if release is None:
                return None, []
            if release not in releases:
                releases.append(release)
        return releases, ifs

    def _is_none_check(self, use: cst.Attribute) -> bool:
        """``self.x is None`` / ``is not None``, or ``self.x`` tested for truth: fine with ``None``."""
        parent = self.get_metadata(ParentNodeProvider, use)
        if isinstance(parent, cst.ComparisonTarget):
            parent = self.get_metadata(ParentNodeProvider, parent)
        if isinstance(parent, cst.Comparison):
            sides = [parent.left, *(target.comparator for target in parent.comparisons)]
            operators = [target.operator for target in parent.comparisons]
            return (
                len(operators) == 1
                and isinstance(operators[0], (cst.Is, cst.IsNot))
                and any(isinstance(side, cst.Name) and side.value == "None" for side in sides)
            )
        if isinstance(parent, (cst.If, cst.While)):
            return parent.test is use
        if isinstance(parent, cst.UnaryOperation):
            return isinstance(parent.operator, cst.Not)
        # `self.x and ...`: only the left operand is tested; a right operand is a value.
        return isinstance(parent, cst.BooleanOperation) and parent.left is use

    def _covering_if(self, use: cst.Attribute, method: cst.FunctionDef, attribute: str) -> Union[cst.If, bool, None]:
        """The ``if`` that makes ``use`` safe: True (its test already checks for None), the
        ``if`` whose test must be guarded, False (an ``else`` branch would change), or None."""
        child: cst.CSTNode = use
        node = self.get_metadata(ParentNodeProvider, use)
        while node is not method:
            if isinstance(node, cst.If) and child is not node.orelse:
                if _is_presence_guard(node.test, attribute):
                    return True
                if child is node.test or child is node.body:
                    return node if node.orelse is None else False
            child, node = node, self.get_metadata(ParentNodeProvider, node)
        return None

    def _release_statement(self, use: cst.Attribute) -> Optional[cst.SimpleStatementLine]:
        """The statement ``await self.x.close()`` (any release method) that ``use`` is the receiver of."""
        member = self.get_metadata(ParentNodeProvider, use, None)
        call = self.get_metadata(ParentNodeProvider, member, None)
        awaited = self.get_metadata(ParentNodeProvider, call, None)
        expression = self.get_metadata(ParentNodeProvider, awaited, None)
        statement = self.get_metadata(ParentNodeProvider, expression, None)
        if (
            isinstance(member, cst.Attribute)
            and member.attr.value in RELEASE_METHODS
            and isinstance(call, cst.Call)
            and call.func is member
            and isinstance(awaited, cst.Await)
            and isinstance(expression, cst.Expr)
            and isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
        ):
            return statement
        return None

    def _enclosing_method(self, node: cst.CSTNode) -> Tuple[Optional[cst.FunctionDef], bool]:
        """The method (a def directly in a class body) around ``node``, and whether a function,
        lambda or class lies in between."""
        nested = False
        current = self.get_metadata(ParentNodeProvider, node, None)
        while current is not None:
            if isinstance(current, cst.FunctionDef) and self._owner_class(current) is not None:
                return current, nested
            if isinstance(current, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                nested = True
            current = self.get_metadata(ParentNodeProvider, current, None)
        return None, nested

    def _owner_class(self, function: cst.FunctionDef) -> Optional[cst.ClassDef]:
        block = self.get_metadata(ParentNodeProvider, function, None)
        owner = self.get_metadata(ParentNodeProvider, block, None) if isinstance(block, cst.IndentedBlock) else None
        return owner if isinstance(owner, cst.ClassDef) else None

    # ----- rewriting -------------------------------------------------------------------

    def _schedule(self, class_def: cst.ClassDef, plan: AttributePlan) -> None:
        attribute, receiver = plan.attribute, plan.receiver
        assignment = plan.statement.body[0]
        if isinstance(assignment, cst.AnnAssign) and not _allows_none(assignment.annotation.annotation):
            self.add_needed_import("typing", "Optional")
        self.defer_edit(plan.statement, ("lazy", attribute), _set_to_none)
        self.defer_edit(class_def, ("ensure", attribute), _add_ensure_method(plan))
        for method in plan.users:
            method_receiver = instance_parameter(method) or receiver
            self.defer_edit(method, ("await", attribute), _await_first(f"await {method_receiver}.{plan.ensure_name}()"))
        for statement in plan.releases:
            method, _ = self._enclosing_method(statement)
            guard = f"{(instance_parameter(method) if method else None) or receiver}.{attribute} is not None"
            self.defer_edit(statement, ("guard", attribute), _guard_statement(guard))
        for if_statement in plan.guarded_ifs:
            method, _ = self._enclosing_method(if_statement)
            guard = f"{(instance_parameter(method) if method else None) or receiver}.{attribute} is not None"
            self.defer_edit(if_statement, ("guard", attribute), _guard_test(guard))


# ----- finding things --------------------------------------------------------------------


class _CallsStartingAt(cst.CSTVisitor):
    """The outermost call of a subtree that starts at a (line, character column)."""

    def __init__(self, start: Tuple[int, int], codemod: FindingCodemod) -> None:
        self.start = start
        self.codemod = codemod
        self.found: Optional[cst.Call] = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found is not None:
            return False
        where = self.codemod.position(node)
        if (where.end.line, where.end.column) < self.start or (where.start.line, where.start.column) > self.start:
            return False
        if isinstance(node, cst.Call) and (where.start.line, where.start.column) == self.start:
            self.found = node
            return False
        return True


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _contains(outer: cst.CSTNode, inner: cst.CSTNode, codemod: FindingCodemod) -> bool:
    node: Optional[cst.CSTNode] = codemod.get_metadata(ParentNodeProvider, inner, None)
    while node is not None:
        if node is outer:
            return True
        node = codemod.get_metadata(ParentNodeProvider, node, None)
    return False


class _AttributeUses(cst.CSTVisitor):
    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        self.uses: List[cst.Attribute] = []
        self.in_strings = False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == self.attribute:
            self.uses.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        # getattr(self, "_session") and friends: uses the codemod cannot follow.
        if node.value.strip("'\"rRbBuU") == self.attribute:
            self.in_strings = True


def _attribute_uses(module: cst.Module, attribute: str) -> List[cst.Attribute]:
    finder = _AttributeUses(attribute)
    module.visit(finder)
    if finder.in_strings:
        raise LeftForHuman(f"the name {attribute} also appears in a string (getattr/setattr?)")
    return finder.uses


def _stored_parameters(init: cst.FunctionDef, receiver: str) -> Dict[str, str]:
    """Parameter -> attribute, for each ``self.attribute = parameter`` statement of ``__init__``
    (annotated or not)."""
    stored: Dict[str, str] = {}
    for statement in body_statements(init):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target: Optional[cst.BaseExpression] = small.targets[0].target
            elif isinstance(small, cst.AnnAssign):
                target = small.target
            else:
                continue
            if (
                isinstance(small.value, cst.Name)
                and isinstance(target, cst.Attribute)
                and isinstance(target.value, cst.Name)
                and target.value.value == receiver
            ):
                stored.setdefault(small.value.value, target.attr.value)
    return stored


class _AttributeStores(cst.CSTVisitor):
    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        self.count = 0

    def _count(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._count(element.value)
        elif isinstance(target, cst.StarredElement):
            self._count(target.value)
        elif isinstance(target, cst.Attribute) and target.attr.value == self.attribute:
            self.count += 1

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._count(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._count(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._count(node.target)


def _assigned_elsewhere(module: cst.Module, attribute: str, init: cst.FunctionDef) -> bool:
    """Whether the attribute that stores a parameter may hold something else by the time the
    resource is built: it is assigned more than once in the module."""
    stores = _AttributeStores(attribute)
    module.visit(stores)
    return stores.count != 1


def _related_classes(module: cst.Module, class_def: cst.ClassDef) -> Tuple[Set[cst.ClassDef], Set[cst.ClassDef]]:
    """The classes of the module that share instances with ``class_def``: (its bases, its subclasses)."""
    classes: Dict[str, cst.ClassDef] = {}

    class Collect(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            classes.setdefault(node.name.value, node)

    module.visit(Collect())

    def bases(node: cst.ClassDef) -> Set[str]:
        found: Set[str] = set()
        pending = [node]
        while pending:
            current = pending.pop()
            for base in current.bases:
                name = own_name(base.value)
                if name and name not in found:
                    found.add(name)
                    if name in classes:
                        pending.append(classes[name])
        return found

    own_bases = {classes[name] for name in bases(class_def) if name in classes}
    subclasses = {node for node in classes.values() if class_def.name.value in bases(node)}
    return own_bases - {class_def}, subclasses - {class_def}


def _is_presence_guard(test: cst.BaseExpression, attribute: str) -> bool:
    """``self.x``, ``self.x is not None``, or either followed by ``and ...``."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _is_presence_guard(test.left, attribute)
    if isinstance(test, cst.Attribute):
        return test.attr.value == attribute and not test.lpar
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        return (
            isinstance(test.left, cst.Attribute)
            and test.left.attr.value == attribute
            and isinstance(target.operator, cst.IsNot)
            and isinstance(target.comparator, cst.Name)
            and target.comparator.value == "None"
        )
    return False


class _ReplaceNodes(cst.CSTTransformer):
    def __init__(self, replacements: Dict[cst.Name, cst.BaseExpression]) -> None:
        super().__init__()
        self.replacements = replacements

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self.replacements.get(original_node, updated_node)


# ----- the edits -----------------------------------------------------------------------------


def _set_to_none(statement: cst.CSTNode) -> cst.CSTNode:
    """``self._x = None``; an annotation that does not allow None becomes ``Optional[...]``."""
    assert isinstance(statement, cst.SimpleStatementLine)
    assign = statement.body[0]
    assert isinstance(assign, (cst.Assign, cst.AnnAssign))
    assign = assign.with_changes(value=cst.Name("None"))
    if isinstance(assign, cst.AnnAssign) and not _allows_none(assign.annotation.annotation):
        optional = cst.Subscript(
            value=cst.Name("Optional"),
            slice=[cst.SubscriptElement(cst.Index(assign.annotation.annotation))],
        )
        assign = assign.with_changes(annotation=assign.annotation.with_changes(annotation=optional))
    return statement.with_changes(body=[assign])


def _allows_none(annotation: cst.BaseExpression) -> bool:
    """``Optional[X]``, ``X | None``, ``Union[..., None]``, ``None``, or a string annotation
    (left as written: the codemod does not parse it)."""
    if isinstance(annotation, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(annotation, cst.Name):
        return annotation.value == "None"
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return _allows_none(annotation.left) or _allows_none(annotation.right)
    if isinstance(annotation, cst.Subscript):
        head = own_name(annotation.value)
        if head == "Optional":
            return True
        if head == "Union":
            return any(
                isinstance(element.slice, cst.Index) and _allows_none(element.slice.value)
                for element in annotation.slice
            )
    return False


def _add_ensure_method(plan: AttributePlan):  # type: ignore[no-untyped-def]
    def edit(class_def: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(class_def, cst.ClassDef) and isinstance(class_def.body, cst.IndentedBlock)
        body = list(class_def.body.body)
        at = plan.init_index + 1
        # Placed after __init__ and the ensure methods already added after it, in order.
        while at < len(body) and isinstance(body[at], cst.FunctionDef) and body[at].name.value.startswith("_ensure_"):
            at += 1
        self_name, attribute = plan.receiver, plan.attribute
        method = cst.parse_statement(
            f"async def {plan.ensure_name}({self_name}):\n"
            f"    if {self_name}.{attribute} is None:\n"
            f"        {self_name}.{attribute} = None\n"
            f"    return {self_name}.{attribute}\n"
        )
        assert isinstance(method, cst.FunctionDef)
        method = method.visit(_ConstructorInserted(plan.constructor))  # type: ignore[assignment]
        spacing = body[at].leading_lines if at < len(body) else ()
        blank = [line for line in spacing if line.comment is None] or [cst.EmptyLine(indent=False)]
        body.insert(at, method.with_changes(leading_lines=blank))
        return class_def.with_changes(body=class_def.body.with_changes(body=body))

    return edit


class _ConstructorInserted(cst.CSTTransformer):
    """Puts the constructor in place of the ``None`` the template assigns."""

    def __init__(self, constructor: cst.Call) -> None:
        super().__init__()
        self.constructor = constructor

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        return updated_node.with_changes(value=self.constructor)


def _await_first(text: str):  # type: ignore[no-untyped-def]
    def edit(method: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(method, cst.FunctionDef) and isinstance(method.body, cst.IndentedBlock)
        body = list(method.body.body)
        at = 1 if body and is_docstring(body[0]) else 0
        while at < len(body) and _awaits_an_ensure_method(body[at]):
            at += 1  # several resources: their awaits in the order of __init__
        body.insert(at, cst.parse_statement(text + "\n"))
        return method.with_changes(body=method.body.with_changes(body=body))

    return edit


def _awaits_an_ensure_method(statement: cst.BaseStatement) -> bool:
    expression = single_small_statement(statement)
    awaited = expression.value if isinstance(expression, cst.Expr) else None
    call = awaited.expression if isinstance(awaited, cst.Await) else None
    func = call.func if isinstance(call, cst.Call) else None
    return isinstance(func, cst.Attribute) and func.attr.value.startswith("_ensure_") and not call.args


def _guard_statement(guard: str):  # type: ignore[no-untyped-def]
    def edit(statement: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(statement, cst.SimpleStatementLine)
        template = cst.parse_statement(f"if {guard}:\n    pass\n")
        assert isinstance(template, cst.If) and isinstance(template.body, cst.IndentedBlock)
        inner = statement.with_changes(leading_lines=())
        return template.with_changes(
            leading_lines=statement.leading_lines, body=template.body.with_changes(body=[inner])
        )

    return edit


def _guard_test(guard: str):  # type: ignore[no-untyped-def]
    def edit(if_statement: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(if_statement, cst.If)
        test = if_statement.test
        loose = isinstance(test, (cst.IfExp, cst.Lambda, cst.NamedExpr)) or (
            isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or)
        )
        if loose and not test.lpar:
            test = test.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        guarded = cst.BooleanOperation(
            left=cst.parse_expression(guard),
            operator=cst.And(),
            right=test,
        )
        return if_statement.with_changes(test=guarded)

    return edit
