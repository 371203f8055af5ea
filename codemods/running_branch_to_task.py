"""Seed pattern 2 (LG103 in the branch): the ``loop.is_running()`` branch becomes one owned task.

::

    if loop.is_running():                      self._task_manager.add_task(
        loop.create_task(self._publish(e))  ->     asyncio.get_running_loop().create_task(self._publish(e)),
    else:                                          name="bus:Publisher:publish",
        loop.run_until_complete(self._publish(e))  )

Under qasync the loop runs once the application has started, so the ``if`` branch is the
intent; the task is registered with the TaskManager (see ``FindingCodemod.register_task``). In
start-up code, before the loop runs, the ``else`` branch is real (it runs the coroutine to
completion, where ``get_running_loop()`` would raise): the branch goes only from a function that
provably runs on the loop, a private one the module calls from coroutines only.
Also understood: the reversed condition (``if not loop.is_running(): ... else: ...``), any
receiver (``self._loop``, ``asyncio.get_event_loop()``), and ``asyncio.ensure_future`` /
``asyncio.create_task`` in the running branch. A local ``loop = asyncio.get_event_loop()`` that
nothing reads any more is dropped with the branch. Comments inside the branch are kept above
the new statement.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from flake8_loopguard.core.apis import LOOP_DRIVER_METHODS, LOOP_GETTER_NAMES, TASK_FACTORY_NAMES
from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, LeaveForHuman, Rewritten
from .stale_text import speaks_of_machinery
from .syntax import mentions_name, own_name, single_small_statement


class RunningBranchToTask(FindingCodemod):
    """``if loop.is_running(): create_task(x) else: run_until_complete(x)`` -> one registered task."""

    NAME = "running_branch_to_task"
    DESCRIPTION = (
        "if loop.is_running(): create_task(x) else: run_until_complete(x) -> a task registered with the TaskManager"
    )
    fixes = ("LG103",)
    VISITS_ONLY_FINDINGS = True
    NOT_THE_BRANCH = (
        "not an `if loop.is_running(): create_task(x) else: run_until_complete(x)` branch: "
        "await the coroutine from a coroutine instead"
    )
    NOT_ITS_SHAPE = (NOT_THE_BRANCH,)

    @classmethod
    def declines(cls, source: str, findings: Sequence[Finding]) -> Optional[str]:
        return None if "is_running" in source else cls.NOT_THE_BRANCH

    def __init__(self, context: cst.codemod.CodemodContext) -> None:
        super().__init__(context)
        # Functions whose branch was rewritten -> loop names that may now be unused there.
        self._freed_loop_names: Dict[cst.FunctionDef, Set[str]] = {}
        self._references: Optional[_References] = None

    def is_target(self, node: cst.Call, finding: Finding) -> bool:
        func = node.func
        return isinstance(func, cst.Attribute) and func.attr.value in LOOP_DRIVER_METHODS

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        branch = self._enclosing_branch()
        if branch is not None and self._coroutine_of(branch) is not None:
            return None  # the whole `if` statement is rewritten in leave_If
        return LeaveForHuman(self.NOT_THE_BRANCH)

    def _enclosing_branch(self) -> Optional[cst.If]:
        """The ``if`` whose branch is exactly the statement holding the current call."""
        chain = self.ancestors
        # ... If, [Else,] IndentedBlock|SimpleStatementSuite, [SimpleStatementLine,] Expr, <call>
        for index in range(len(chain) - 1, -1, -1):
            branch = chain[index]
            if isinstance(branch, cst.If):
                is_elif = index > 0 and isinstance(chain[index - 1], cst.If)
                return None if is_elif else branch  # an `elif` cannot become a plain statement
            if not isinstance(
                chain[index], (cst.Else, cst.IndentedBlock, cst.SimpleStatementSuite, cst.SimpleStatementLine, cst.Expr)
            ):
                return None
        return None

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.BaseStatement:
        if self.ancestors and isinstance(self.ancestors[-1], cst.If):
            return updated_node  # an `elif`: its LG103 was left for a human in rewrite()
        coroutine = self._coroutine_of(original_node)
        if coroutine is None:
            return updated_node
        findings = [finding for finding in self.findings_within(original_node) if finding.code == "LG103"]
        if not findings:
            return updated_node  # silenced by noqa, or not reported: not ours to touch
        function = self._enclosing_function()
        problem = self._may_run_before_the_loop(function) or self.registration_problem(findings[0])
        if problem is not None:
            for finding in findings:
                self.leave_for_human(finding, problem)
            return updated_node
        task = cst.Call(
            func=cst.Attribute(cst.Call(self.asyncio_attr("get_running_loop")), cst.Name("create_task")),
            args=[cst.Arg(coroutine)],
        )
        registered = self.register_task(task, findings[0])
        self.remove_imports_of(original_node)  # `from asyncio import get_event_loop` used only by the branch
        for finding in findings:
            self.record_fix(finding)
        receiver = _running_test_receiver(original_node.test)
        if isinstance(receiver, cst.Name) and function is not None:
            self._freed_loop_names.setdefault(function, set()).add(receiver.value)
        kept_comments = [
            line
            for line in (cst.EmptyLine(comment=comment) for comment in _comments_in(original_node))
            if not speaks_of_machinery(line)  # `# no loop running yet: run it here` went with the else branch
        ]
        return cst.SimpleStatementLine(
            body=[cst.Expr(registered)],
            leading_lines=[*updated_node.leading_lines, *kept_comments],
        )

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        names = self._freed_loop_names.pop(original_node, None)
        if not names:
            return updated_node
        for name in names:
            updated_node = _drop_unused_loop_getter(updated_node, name)
        self.remove_imports_of(original_node)  # what the dropped `loop = get_event_loop()` used
        return updated_node

    def _may_run_before_the_loop(self, function: Optional[cst.FunctionDef]) -> Optional[str]:
        """Why the function holding the branch may run where no loop runs yet (start-up code),
        where its ``else`` branch ran the coroutine to completion; None when it provably runs on
        the loop: a private function the module calls from coroutines only."""
        consequence = (
            "where its else branch runs the coroutine to completion; make its callers await the coroutine instead"
        )
        if function is None:
            return f"module-level code may run before the loop does, {consequence}"
        name = function.name.value
        if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
            return f"{name}() is public: code of other modules may call it before the loop runs, {consequence}"
        if self._references is None:
            self._references = _References(self.position)
            self.module.visit(self._references)
        references = self._references.by_name.get(name, [])
        synchronous = [line for line, from_a_coroutine in references if not from_a_coroutine]
        if synchronous:
            return (
                f"{name}() is called from synchronous code (line {synchronous[0]}), which may run before "
                f"the loop does, {consequence}"
            )
        if not references:
            return f"nothing in the module calls {name}(): its callers may run before the loop does, {consequence}"
        return None

    def _enclosing_function(self) -> Optional[cst.FunctionDef]:
        for ancestor in reversed(self.ancestors):
            if isinstance(ancestor, cst.FunctionDef):
                return ancestor
        return None

    def _coroutine_of(self, branch: cst.If) -> Optional[cst.BaseExpression]:
        """The coroutine both branches run, when ``branch`` has the seed's shape, else None."""
        receiver = _running_test_receiver(branch.test)
        if receiver is None or not isinstance(branch.orelse, cst.Else):
            return None
        running, stopped = branch.body, branch.orelse.body
        if _is_negated(branch.test):
            running, stopped = stopped, running
        created = _single_call(running)
        driven = _single_call(stopped)
        if created is None or driven is None:
            return None
        if not _is_method_call(driven, "run_until_complete") or not self._same_loop(driven.func.value, receiver):  # type: ignore[attr-defined]
            return None
        if not isinstance(created.func, cst.Attribute) or created.func.attr.value not in TASK_FACTORY_NAMES:
            return None
        creator = created.func.value
        if not (isinstance(creator, cst.Name) or self._same_loop(creator, receiver)):
            return None  # `asyncio.ensure_future(x)` or `<the same loop>.create_task(x)`
        if len(created.args) != 1 or len(driven.args) != 1 or created.args[0].keyword or driven.args[0].keyword:
            return None
        coroutine = created.args[0].value
        if self._normalized(coroutine) != self._normalized(driven.args[0].value) or created.args[0].star:
            return None
        return coroutine

    def _same_loop(self, first: cst.BaseExpression, second: cst.BaseExpression) -> bool:
        return _is_loop_getter(first) and _is_loop_getter(second) or self._normalized(first) == self._normalized(second)

    def _normalized(self, node: cst.CSTNode) -> str:
        return re.sub(r"\s+", "", self.module.code_for_node(node))


def _running_test_receiver(test: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """``R`` of ``R.is_running()`` / ``not R.is_running()``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
    if isinstance(test, cst.Call) and not test.args and _is_method_call(test, "is_running"):
        return test.func.value  # type: ignore[attr-defined]
    return None


def _is_negated(test: cst.BaseExpression) -> bool:
    return isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)


def _is_method_call(call: cst.Call, name: str) -> bool:
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == name


def _is_loop_getter(node: cst.BaseExpression) -> bool:
    """``asyncio.get_event_loop()`` / ``get_running_loop()``, however asyncio is spelled."""
    if not isinstance(node, cst.Call) or node.args:
        return False
    return own_name(node.func) in LOOP_GETTER_NAMES


def _single_call(suite: cst.BaseSuite) -> Optional[cst.Call]:
    """The call of a branch made of one expression statement, else None."""
    if isinstance(suite, cst.IndentedBlock):
        if len(suite.body) != 1 or not isinstance(suite.body[0], cst.SimpleStatementLine):
            return None
        smalls: Sequence[cst.BaseSmallStatement] = suite.body[0].body
    else:
        smalls = suite.body  # type: ignore[attr-defined]
    if len(smalls) != 1 or not isinstance(smalls[0], cst.Expr) or not isinstance(smalls[0].value, cst.Call):
        return None
    return smalls[0].value


class _References(cst.CSTVisitor):
    """Each name's references in the module (``f``, ``obj.f``; not a ``def``'s own name): its
    line, and whether it is a call made by a coroutine's own code."""

    def __init__(self, position) -> None:  # type: ignore[no-untyped-def]
        self.position = position
        self.by_name: Dict[str, List[Tuple[int, bool]]] = {}
        self._functions: List[Union[cst.FunctionDef, cst.Lambda]] = []
        self._called: Set[cst.CSTNode] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for part in (node.decorators, node.params, node.returns):
            for child in part if isinstance(part, Sequence) else [part] if part is not None else []:
                child.visit(self)
        self._functions.append(node)
        node.body.visit(self)
        self._functions.pop()
        return False

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._functions.append(node)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._functions.pop()

    def visit_Call(self, node: cst.Call) -> None:
        self._called.add(node.func.attr if isinstance(node.func, cst.Attribute) else node.func)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._reference(node.attr)

    def visit_Name(self, node: cst.Name) -> None:
        self._reference(node)

    def _reference(self, name: cst.Name) -> None:
        innermost = self._functions[-1] if self._functions else None
        from_a_coroutine = (
            name in self._called and isinstance(innermost, cst.FunctionDef) and innermost.asynchronous is not None
        )
        self.by_name.setdefault(name.value, []).append((self.position(name).start.line, from_a_coroutine))


class _CommentCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.comments: List[cst.Comment] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.comments.append(node)


def _comments_in(branch: cst.If) -> List[cst.Comment]:
    """The comments inside the ``if`` statement (those above it stay where they are)."""
    collector = _CommentCollector()
    branch.with_changes(leading_lines=()).visit(collector)
    return collector.comments


def _drop_unused_loop_getter(function: cst.FunctionDef, name: str) -> cst.FunctionDef:
    """Drop a top-level ``name = asyncio.get_event_loop()`` of the function that nothing reads."""
    if not isinstance(function.body, cst.IndentedBlock):
        return function
    statements = list(function.body.body)
    for index, statement in enumerate(statements):
        if not _assigns_loop_getter(statement, name):
            continue
        if mentions_name(function, name, ignoring=statement):
            return function
        comments = [line for line in statement.leading_lines if line.comment is not None]
        trailing = statement.trailing_whitespace.comment  # type: ignore[attr-defined]
        if trailing is not None:
            comments.append(cst.EmptyLine(comment=trailing))
        comments = [line for line in comments if not speaks_of_machinery(line)]  # `# the thread's loop`
        del statements[index]
        if index < len(statements):
            following = statements[index]
            statements[index] = following.with_changes(leading_lines=[*comments, *following.leading_lines])
        elif comments:
            return function  # nothing to carry the comments: keep the statement
        return function.with_changes(body=function.body.with_changes(body=statements))
    return function


def _assigns_loop_getter(statement: cst.BaseStatement, name: str) -> bool:
    assign = single_small_statement(statement)
    return (
        isinstance(assign, cst.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
        and assign.targets[0].target.value == name
        and _is_loop_getter(assign.value)
    )
