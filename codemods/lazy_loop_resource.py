"""LG301/LG302: a loop-bound resource built in ``__init__``, or at module level at import time, is
built lazily, on the running loop."""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple, Union

import libcst as cst
from libcst.metadata import (
    ExpressionContext,
    ExpressionContextProvider,
    GlobalScope,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, Rewritten
from .lazy_resource import AttributePlan, LeftForHuman
from .lazy_resource.edits import add_ensure_method, allows_none, await_first, set_to_none
from .lazy_resource.facts import (
    CallsStartingAt,
    ReplaceNodes,
    assigned_elsewhere,
    attribute_uses,
    contains,
    first_change,
    is_immutable_annotation,
    modules_reading,
    related_classes,
    stored_parameters,
)
from .lazy_resource.module_level import ModulePlan, add_ensure_functions, plan_module_resource
from .syntax import body_statements, code_of, instance_parameter, mentions_name, variable_names


# The close method of the resources the shutdown sequence closes (a factory not named here, a
# server that stops rather than closes, is left to the code that closes it).
CLOSE_METHODS = {
    "aiohttp.ClientSession": "close",
    "aiohttp.TCPConnector": "close",
    "grpc.aio.insecure_channel": "close",
    "grpc.aio.secure_channel": "close",
    "httpx.AsyncClient": "aclose",
}
REGISTER_CLOSER = "register_closer"


class LazyLoopResource(FindingCodemod):
    """``self._session = aiohttp.ClientSession(...)`` in ``__init__`` becomes lazy.

    ``__init__`` sets the attribute to ``None``; a new ``async def _ensure_session(self)`` (named
    after the attribute) builds the resource with the same arguments on the running loop, the
    first time it is awaited, and returns it. Every coroutine method of the class (or of a
    subclass in the module) that reads the resource awaits it first: ``await
    self._ensure_session()`` as its first statement, leaving the uses as they were written; a
    ``close()`` too, so that a use after it fails as it did instead of building a resource
    that nothing closes.

    Left byte for byte unchanged, with the reason: a public attribute, or a private one another
    module of the project reads (they would see None), a resource read by synchronous code,
    used outside its class's methods or in a nested function, handed to something else in
    ``__init__``, reassigned or set to None elsewhere, built from arguments that may change
    before the first use (``__init__`` locals and unstored parameters, parameters not annotated
    with an immutable type, attributes or module names changed in the module), or a
    construction that is not a plain ``self._x = Factory(...)`` statement of ``__init__``'s own
    body.

    LG302, a resource built at import time, the same way: at module level ``session = None`` and
    an ``async def _ensure_session()`` (:mod:`.lazy_resource.module_level`); in a class body a
    static ``_ensure_session()`` that sets the class attribute on the class holding it. Where the
    file's runtime module exists with ``register_closer``, the ensure function registers the
    resource's close method, so that ``shutdown()`` closes it.
    """

    NAME = "lazy_loop_resource"
    DESCRIPTION = "build loop-bound resources of __init__, module level or class bodies lazily, on the running loop"
    fixes = ("LG301", "LG302")
    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider, ScopeProvider, ExpressionContextProvider)

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        return None  # planned per class (visit_ClassDef) and per module (visit_Module)

    def visit_Module(self, node: cst.Module) -> None:
        """LG302: the module-level resources, planned together (their ensure functions are added
        by one edit of the module), and those of class bodies, each with its class."""
        at_import = [finding for _key, finding in self._fixable if finding.code == "LG302"]
        plans: List[ModulePlan] = []
        class_names: Set[Tuple[cst.ClassDef, str]] = set()
        for call, findings in self._outermost_calls(node, at_import).items():
            owner = self._class_of_finding(findings[0])
            try:
                if owner is not None:
                    class_plan = self._plan_class_attribute(owner, call, findings)
                    if (owner, class_plan.ensure_name) in class_names:
                        raise LeftForHuman(f"another resource of the class also needs {class_plan.ensure_name}()")
                    class_names.add((owner, class_plan.ensure_name))
                    class_plan.close_method = self._shutdown_closes(call, findings)
                    self._schedule(owner, class_plan)
                    for finding in findings:
                        self.record_fix(finding)
                    continue
                plan = plan_module_resource(self, call, findings)
                if any(other.ensure_name == plan.ensure_name for other in plans):
                    raise LeftForHuman(f"another resource of the module also needs {plan.ensure_name}()")
                plan.close_method = self._shutdown_closes(call, findings)
            except LeftForHuman as left:
                for finding in findings:
                    self.leave_for_human(finding, str(left))
                continue
            plans.append(plan)
        if not plans:
            return
        self.defer_edit(node, "ensure functions", add_ensure_functions(plans, node))
        for plan in plans:
            assignment = plan.statement.body[0]
            if isinstance(assignment, cst.AnnAssign) and not allows_none(assignment.annotation.annotation):
                self.add_needed_import("typing", "Optional")
            self.defer_edit(plan.statement, ("lazy", plan.name), set_to_none)
            for function in plan.users:
                self.defer_edit(function, ("await", plan.name), await_first(f"await {plan.ensure_name}()"))
            for finding in plan.findings:
                self.record_fix(finding)

    def _shutdown_closes(self, call: cst.Call, findings: List[Finding]) -> Optional[str]:
        """The close method of the resource ``call`` builds when the runtime's ``shutdown()`` is to
        close it (then the runtime's ``register_closer`` is imported): the file's runtime module
        exists and defines ``register_closer``, and the factory's close method is known."""
        start = self.position(call).start
        factory = next((f.call for f in findings if self.start_of(f) == (start.line, start.column)), "")
        method = CLOSE_METHODS.get(factory)
        choice = self._task_manager_import() if method is not None else None
        if choice is None or choice.unavailable or not choice.exists:
            return None
        if self.runtime_name_unavailable(REGISTER_CLOSER) is not None:
            return None
        self.add_needed_import(choice.module, REGISTER_CLOSER)
        return method

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        findings = [
            finding
            for finding in self.findings_within(node)
            if finding.code == "LG301" and self._class_of_finding(finding) is node
        ]
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
        results: List[Tuple[List[Finding], Union[AttributePlan, str]]] = []
        for call, group in self._outermost_calls(class_def, findings).items():
            try:
                plan = self._plan_attribute(class_def, call, group)
            except LeftForHuman as left:
                results.append((group, str(left)))
            else:
                results.append((group, plan))
        return results

    def _outermost_calls(self, within: cst.CSTNode, findings: List[Finding]) -> Dict[cst.Call, List[Finding]]:
        """The findings by the outermost resource call they are in: a resource built inside
        another's arguments moves with it, and shares its outcome."""
        calls: Dict[Finding, cst.Call] = {}
        for finding in findings:
            call = self._call_at(finding, within)
            if call is not None:
                calls[finding] = call
        outermost = {
            finding: call
            for finding, call in calls.items()
            if not any(other is not call and contains(other, call, self) for other in calls.values())
        }
        groups: Dict[cst.Call, List[Finding]] = {call: [] for call in outermost.values()}
        for finding, call in calls.items():
            owner = next(outer for outer in outermost.values() if outer is call or contains(outer, call, self))
            groups[owner].append(finding)
        return groups

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

    def _plan_class_attribute(self, class_def: cst.ClassDef, call: cst.Call, findings: List[Finding]) -> AttributePlan:
        """``_session = Factory(...)`` in a class body: a class attribute every instance (and
        subclass) shares, built by a static ``_ensure_session()`` on the class that holds it."""
        parent = self.get_metadata(ParentNodeProvider, call)
        if not isinstance(parent, (cst.Assign, cst.AnnAssign)) or parent.value is not call:
            raise LeftForHuman("the resource is not assigned to a name of the class body as it is built")
        if isinstance(parent, cst.Assign) and len(parent.targets) != 1:
            raise LeftForHuman("the resource is assigned to several targets at once")
        target = parent.target if isinstance(parent, cst.AnnAssign) else parent.targets[0].target
        statement = self.get_metadata(ParentNodeProvider, parent)
        block = self.get_metadata(ParentNodeProvider, statement)
        if not isinstance(target, cst.Name):
            raise LeftForHuman(f"the resource is assigned to `{code_of(target)}`, not to a name of the class body")
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            raise LeftForHuman("the assignment shares its line with other statements")
        if block is not class_def.body:
            raise LeftForHuman("the resource is built inside a block of the class body (if, try), not unconditionally")
        attribute, owner = target.value, class_def.name.value
        if not attribute.startswith("_"):
            raise LeftForHuman(
                f"{owner}.{attribute} is public: code in other modules may read it and would see None "
                "(make it private, or rewrite by hand)"
            )
        ensure_name = "_ensure_" + attribute.lstrip("_")
        if mentions_name(self.module, ensure_name):
            raise LeftForHuman(f"the module already uses the name {ensure_name}")
        scope = self.get_metadata(ScopeProvider, target)
        problems = []
        for assignment in scope.assignments[attribute]:
            node = getattr(assignment, "node", None)
            if node is not None and node is not target:
                problems.append(f"bound again in the class body (line {self.position(node).start.line})")
            for access in assignment.references:
                line = self.position(access.node).start.line
                problems.append(
                    f"used in the class body (line {line}), at import time, before a coroutine could create it"
                )
        for subclass in related_classes(self.module, class_def)[1]:
            if any(target_name == attribute for target_name in _class_body_names(subclass)):
                problems.append(f"bound again in the body of its subclass {subclass.name.value}")
        if problems:
            raise LeftForHuman(f"{owner}.{attribute} is " + "; ".join(problems))
        for name in variable_names([call]):
            name_scope = self.get_metadata(ScopeProvider, name, None)
            if name_scope is scope and name.value in name_scope.assignments:
                raise LeftForHuman(
                    f"its arguments use `{name.value}`, a name of the class body, which the method that builds it "
                    "cannot see"
                )
            if name_scope is not None:
                self._refuse_changing_global(name, name_scope)
        index = list(class_def.body.body).index(statement)
        plan = AttributePlan(attribute, findings, statement, call, ensure_name, owner, index, shared_by=owner)
        self._plan_users(class_def, plan, target)  # type: ignore[arg-type]
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
            if name.value != receiver:
                self._refuse_changing_global(name, scope)
            local = [assignment for assignment in scope[name.value] if assignment.scope is init_scope]
            if not local or name.value == receiver:
                continue
            problem = self._unmovable_argument(name.value, init_scope, stored.get(name.value), init)
            if problem is not None:
                raise LeftForHuman(
                    f"its arguments use `{name.value}`, {problem}: the constructor cannot move out of __init__"
                )
            attribute = stored[name.value]
            self._refuse_changing_attribute(attribute, init, receiver)
            replacements[name] = cst.Attribute(cst.Name(receiver), cst.Name(attribute))
        for node in _attributes_of(call, receiver):
            if isinstance(node, cst.Call):
                raise LeftForHuman(
                    f"its arguments call {code_of(node.func)}(), which reads the object as it is when the resource "
                    "is built, later than __init__"
                )
            self._refuse_changing_attribute(node.attr.value, init, receiver)
        return call.visit(ReplaceNodes(replacements)) if replacements else call  # type: ignore[return-value]

    def _refuse_changing_attribute(self, attribute: str, init: cst.FunctionDef, receiver: str) -> None:
        """An argument read from ``self.<attribute>`` keeps its value until the first use: private,
        assigned once (in ``__init__``), never changed in place in the module, and holding a
        parameter of ``__init__`` only when its annotation says it cannot change."""
        spelled = f"self.{attribute}"
        if not attribute.startswith("_"):
            raise LeftForHuman(
                f"its arguments use {spelled}, which code of other modules may change before the first use: "
                "make it private, or rewrite by hand"
            )
        if assigned_elsewhere(self.module, attribute, init):
            raise LeftForHuman(f"its arguments use {spelled}, which is assigned elsewhere too")
        changed_at = first_change(self.module, attribute, True, self.position)
        if changed_at is not None:
            raise LeftForHuman(
                f"its arguments use {spelled}, which the module changes (line {changed_at}): a resource built "
                "later would see the change"
            )
        parameter = _parameter_stored_in(init, receiver, attribute)
        if parameter is not None and not (
            parameter.annotation is not None and is_immutable_annotation(parameter.annotation.annotation)
        ):
            raise LeftForHuman(
                f"its arguments use `{parameter.name.value}`, a parameter of __init__ not annotated with an "
                "immutable type (str, int, float, bool, bytes, tuple, frozenset): the caller may change it before "
                "the first use, which a resource built later would see"
            )

    def _refuse_changing_global(self, name: cst.Name, scope) -> None:  # type: ignore[no-untyped-def]
        """A module-level name the arguments read keeps its value until the first use: bound once,
        never changed in place in the module."""
        bindings = [assignment for assignment in scope[name.value] if isinstance(assignment.scope, GlobalScope)]
        if len(bindings) > 1:
            raise LeftForHuman(f"its arguments use `{name.value}`, which the module binds more than once")
        changed_at = first_change(self.module, name.value, False, self.position) if bindings else None
        if changed_at is not None:
            raise LeftForHuman(
                f"its arguments use `{name.value}`, which the module changes (line {changed_at}): a resource "
                "built later would see the change"
            )

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
        class_names = [related.name.value for related in sharing]
        for module in modules_reading(self.context.filename or "", plan.attribute, class_names):
            problems.append(f"read by {module}, another module that names {class_def.name.value}: it would see None")
        if problems:
            raise LeftForHuman(f"self.{plan.attribute} is " + "; ".join(problems))
        # Every coroutine that reads it awaits it first, a close() too: the resource it closes
        # exists, as the eager one did, so a use after close() fails as it did, rather than
        # building a new resource that nothing closes.
        plan.users.extend(loads)

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
                return (
                    f"set to None in {name}() (line {{line}}): the lazy accessor would build a new one on the "
                    "next use, which nothing would close"
                )
            return f"reassigned in {name}() (line {{line}})"
        if name == "__init__":
            return "read in __init__ (line {line}), before a coroutine could create it"
        if method.asynchronous is None:
            return f"read by the synchronous {name}() (line {{line}}), which would see None"
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


def _class_body_names(class_def: cst.ClassDef) -> List[str]:
    """The names the statements of a class body assign."""
    names: List[str] = []
    for statement in body_statements(class_def):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                names.extend(target.target.value for target in small.targets if isinstance(target.target, cst.Name))
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                names.append(small.target.value)
    return names


def _attributes_of(call: cst.Call, receiver: str) -> List[Union[cst.Attribute, cst.Call]]:
    """The ``self.<x>`` reads of the constructor's arguments, and its calls of ``self.<x>(...)``."""
    found: List[Union[cst.Attribute, cst.Call]] = []

    class Reads(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == receiver:
                found.append(node)

        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name) and node.value.value == receiver:
                found.append(node)

    for argument in call.args:
        argument.visit(Reads())
    calls = [node for node in found if isinstance(node, cst.Call)]
    return calls or found


def _parameter_stored_in(init: cst.FunctionDef, receiver: str, attribute: str) -> Optional[cst.Param]:
    """The parameter of ``__init__`` that ``self.<attribute> = <parameter>`` stores, if any."""
    stored = {attribute_name: parameter for parameter, attribute_name in stored_parameters(init, receiver).items()}
    name = stored.get(attribute)
    params = [*init.params.posonly_params, *init.params.params, *init.params.kwonly_params]
    return next((param for param in params if param.name.value == name), None)
