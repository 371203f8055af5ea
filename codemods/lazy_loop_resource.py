"""LG301: a loop-bound resource built in ``__init__`` is built lazily, on the running loop."""

from __future__ import annotations

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

from .base import FindingCodemod, Rewritten
from .lazy_resource import AttributePlan, LeftForHuman
from .lazy_resource.edits import add_ensure_method, allows_none, await_first, guard_statement, guard_test, set_to_none
from .lazy_resource.facts import (
    CallsStartingAt,
    ReplaceNodes,
    assigned_elsewhere,
    attribute_uses,
    contains,
    is_presence_guard,
    related_classes,
    stored_parameters,
)
from .syntax import code_of, instance_parameter, mentions_name, variable_names

# Methods that release a resource: a coroutine that only releases it must not create it first.
RELEASE_METHODS = frozenset({"close", "aclose", "wait_closed", "stop", "disconnect"})


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
        finder = CallsStartingAt(self.start_of(finding), self)
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
            if not any(other is not call and contains(other, call, self) for other in calls.values())
        }
        # A resource built inside another's arguments moves with it, and shares its outcome.
        groups: Dict[cst.Call, List[Finding]] = {call: [] for call in outermost.values()}
        for finding, call in calls.items():
            owner = next(outer for outer in outermost.values() if outer is call or contains(outer, call, self))
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
        stored = stored_parameters(init, receiver)
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
        return call.visit(ReplaceNodes(replacements)) if replacements else call  # type: ignore[return-value]

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
        if assigned_elsewhere(self.module, attribute, init):
            return f"stored in self.{attribute}, which is assigned elsewhere too"
        return None

    def _plan_users(self, class_def: cst.ClassDef, plan: AttributePlan, target: cst.Attribute) -> None:
        """Sort every use of the attribute in the module, or refuse the whole attribute (naming
        every use that stands in the way)."""
        base_classes, subclasses = related_classes(self.module, class_def)
        # A subclass's methods inherit the ensure method; a base class's methods do not.
        sharing = {class_def, *subclasses}
        loads: Dict[cst.FunctionDef, List[cst.Attribute]] = {}
        problems: List[str] = []
        for use in attribute_uses(self.module, plan.attribute):
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
                if is_presence_guard(node.test, attribute):
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
        if isinstance(assignment, cst.AnnAssign) and not allows_none(assignment.annotation.annotation):
            self.add_needed_import("typing", "Optional")
        self.defer_edit(plan.statement, ("lazy", attribute), set_to_none)
        self.defer_edit(class_def, ("ensure", attribute), add_ensure_method(plan))
        for method in plan.users:
            method_receiver = instance_parameter(method) or receiver
            self.defer_edit(method, ("await", attribute), await_first(f"await {method_receiver}.{plan.ensure_name}()"))
        for statement in plan.releases:
            method, _ = self._enclosing_method(statement)
            guard = f"{(instance_parameter(method) if method else None) or receiver}.{attribute} is not None"
            self.defer_edit(statement, ("guard", attribute), guard_statement(guard))
        for if_statement in plan.guarded_ifs:
            method, _ = self._enclosing_method(if_statement)
            guard = f"{(instance_parameter(method) if method else None) or receiver}.{attribute} is not None"
            self.defer_edit(if_statement, ("guard", attribute), guard_test(guard))
