"""LG401/LG101 of a long-lived loop thread: the program's entry point already runs the one loop,
so the thread and its loop go and what was submitted to it runs on the one loop.

Before (a script whose ``__main__`` block runs ``asyncio.run(main())`` or ``qasync.run(main())``)::

    _loop = asyncio.new_event_loop()
    threading.Thread(target=_loop.run_forever, daemon=True).start()

    async def handle(n):
        asyncio.run_coroutine_threadsafe(audit(n), _loop)
        return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()

After::

    async def handle(n):
        _task_manager.add_task(asyncio.create_task(audit(n)), name="service:handle")
        return await fetch(n)

The shape and what each submission becomes: :mod:`.loop_thread.shape`. The loop may be a
module-level name (also one a function declares ``global`` and makes) or ``self.X`` set in a
method (then every use is ``self.X`` in that class); the thread's target may be a method that
only installs and runs ``self.X``; a ``close()`` that stops the loop and joins the thread loses
those lines.
Submissions from a module-level function that only threads started by coroutines run stay
``run_coroutine_threadsafe`` onto the one loop, which the entry coroutine captures first. The
thread is left as it is, with the reason, when any use of its loop has no one-loop meaning this
codemod can write: a submission from other synchronous code (waiting there for the result would
block the one loop), a future kept, the loop stopped or handed on, a non-daemon thread, a
``.result()`` whose ``await`` would sit under a threading lock or between a read and a write of an
attribute, a task the TaskManager cannot take here, another event loop in the module (the
submitting coroutines may run on it); and when the entry point runs no loop that the submitted
coroutines would run on (a library module; a GUI main loop such as Tk's, which keeps the main
thread).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from flake8_loopguard.core.findings import Finding

from .await_chain.expressions import awaited, with_awaited_operand
from .base import FindingCodemod, Rewritten, TaskRegistrationRefused
from .loop_thread.shape import AWAIT, CALL_SOON, TASK, UNWRAP, LoopThread, LoopThreads, Submission
from .syntax import comments_within, is_docstring
from .thread_loop.settle import without_opening_blank_lines
from .worker_class.bases import ModuleImports

# A finding of any of these outside the loop thread's own lines is another event loop of the module.
LOOP_CODES = frozenset({"LG101", "LG102", "LG103", "LG104", "LG401"})
NOT_A_LOOP_THREAD = "not a long-lived loop thread of this module (`Thread(target=loop.run_forever)`)"


class LoopThreadToMainLoop(FindingCodemod):
    """A daemon thread running ``loop.run_forever`` goes; its submissions run on the one loop."""

    NAME = "loop_thread_to_main_loop"
    DESCRIPTION = "a long-lived loop thread fed by run_coroutine_threadsafe -> its work on the one loop"
    # The LG402 of a `.result()` that becomes an await goes too; LG402 stays out of the codes a
    # codemod is said to fix, as most LG402 wait on a loop no codemod can see (the summary says so).
    fixes = ("LG401", "LG101", "LG103", "LG104")
    NOT_ITS_SHAPE = (NOT_A_LOOP_THREAD,)

    @classmethod
    def declines(cls, source: str, findings: Sequence[Finding]) -> Optional[str]:
        # Its loop threads are planned from their LG401 findings only: without one, every finding
        # it claims is noted as not its shape, which needs no parse (transform_module_impl says
        # the same when the codemod runs alone).
        if "run_forever" not in source or not any(finding.code == "LG401" for finding in cls.claimed(findings)):
            return NOT_A_LOOP_THREAD
        return None

    @classmethod
    def claimed(cls, module_findings: Sequence[Finding]) -> Sequence[Finding]:
        """Only in a module where a thread runs ``run_forever`` (LG401 at ``Thread(target=X.run_forever)``,
        or LG103 at the ``X.run_forever()`` of a thread's function): elsewhere its findings are other
        codemods' or none's, and this one has nothing to say about them."""
        loop_thread = any(
            (finding.code == "LG401" and ".run_forever() runs" in finding.message)
            or (finding.code == "LG103" and finding.call.endswith(".run_forever"))
            for finding in module_findings
        )
        return module_findings if loop_thread else ()

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._threads: List[LoopThread] = []
        self._submissions: Dict[cst.Call, Submission] = {}
        self._removed: Dict[cst.SimpleStatementLine, LoopThread] = {}
        # Submissions from other threads keep the loop's name: bound to None at import, to the one
        # loop when the entry coroutine starts (before any coroutine can start such a thread).
        self._captures: Dict[cst.FunctionDef, str] = {}
        self._unbound: Dict[cst.SimpleStatementLine, str] = {}
        self._refused: Optional[str] = None  # why a task may not be registered here: nothing is rewritten

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        return None  # settled with its thread, when the module is left

    # ----- the plan ---------------------------------------------------------------------------

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        self._load_findings(tree)
        if not any(finding.code == "LG401" for _key, finding in self._fixable):
            self._settle()  # no thread to plan from: nothing is parsed further
            return tree
        return VisitorBasedCodemodCommand.transform_module_impl(self, tree)

    def visit_Module(self, node: cst.Module) -> None:
        imports = ModuleImports()
        node.visit(imports)
        entry_point_file = self.config.is_entry_point_file(self.context.filename or "")
        shapes = LoopThreads(node, self.position, imports.bound, entry_point_file)
        starts = {key for key, finding in self._fixable if finding.code == "LG401"}
        fixable = {finding for _key, finding in self._fixable}
        silenced = [f for f in self.module_findings if f.code in self.fixes and f not in fixable]
        for call, ancestors in shapes.calls_at(starts):
            found = shapes.plan(call, ancestors)
            if found is None:
                continue
            kept = next((f for f in silenced if f.line in found.lines), None)
            if kept is not None and not found.problem:
                found.problem = f"line {kept.line} carries a `# noqa` for {kept.code}: the loop it makes or runs stays"
            other = next((f for f in self.module_findings if f.code in LOOP_CODES and f.line not in found.lines), None)
            if other is not None and not found.problem:
                found.problem = (
                    f"line {other.line} makes or runs another event loop ({other.code}): the coroutines that submit "
                    "to this one may run on it, not on the one loop"
                )
            self._threads.append(found)
            if not found.problem:
                self._submissions.update(found.submissions)
                self._removed.update({statement: found for statement in found.removed})
                if found.capture_in is not None:
                    self._captures[found.capture_in] = found.loop
                    self._unbound[found.creation] = found.loop  # type: ignore[index]

    # ----- the rewrite ------------------------------------------------------------------------

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        result = with_awaited_operand(updated_node)
        submission = self._submissions.get(original_node)
        if submission is None:
            return result
        if submission.kind == AWAIT:
            inner = updated_node.func.value  # type: ignore[attr-defined]  # run_coroutine_threadsafe(c, X)
            return awaited(inner.args[0].value).with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
        if submission.kind == UNWRAP:
            return updated_node.args[0].value.args[0].value  # type: ignore[attr-defined]
        if submission.kind == CALL_SOON:
            running = cst.Call(func=self.asyncio_attr("get_running_loop"))
            return updated_node.with_changes(func=cst.Attribute(running, cst.Name("call_soon")))
        assert submission.kind == TASK
        finding = Finding(submission.line, 0, "LG401", "", context=submission.context)
        problem = self.registration_problem(finding)
        if problem is not None:
            self._refused = self._refused or f"line {submission.line}'s task cannot be registered: {problem}"
            return updated_node
        try:
            coroutine = updated_node.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            task = cst.Call(func=self.asyncio_attr("create_task"), args=[coroutine])
            return self.register_task(task, finding)
        except TaskRegistrationRefused as refused:
            self._refused = self._refused or f"line {submission.line}'s task cannot be registered: {refused}"
            return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return with_awaited_operand(updated_node)

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        return with_awaited_operand(updated_node)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        name = self._unbound.get(original_node)
        if name is None:
            return updated_node
        unbound = cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=cst.Name("None"))
        return updated_node.with_changes(body=[unbound])

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        name = self._captures.get(original_node)
        if name is None:
            return updated_node
        running = cst.Call(func=self.asyncio_attr("get_running_loop"))
        capture = [
            cst.SimpleStatementLine(body=[cst.Global(names=[cst.NameItem(cst.Name(name))])]),
            cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=running)]),
        ]
        body = list(updated_node.body.body)
        at = 1 if body and is_docstring(body[0]) else 0
        return updated_node.with_changes(body=updated_node.body.with_changes(body=[*body[:at], *capture, *body[at:]]))

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        statements, leftover = self._without_removed(original_node.body, updated_node.body, blank_lines=1)
        if statements is None:
            return updated_node
        if not statements:
            statements = [cst.SimpleStatementLine(body=[cst.Pass()])]
        return updated_node.with_changes(body=statements, footer=[*leftover, *updated_node.footer])

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self._refused is not None:
            for found in self._threads:
                found.problem = found.problem or f"{self._refused}; the module is left as it was"
            self._deferred.clear()  # nothing is added either: the manager, the imports
            self.context.scratch.pop(AddImportsVisitor.CONTEXT_KEY, None)
            self.context.scratch.pop(RemoveImportsVisitor.CONTEXT_KEY, None)
            self._settle()
            return original_node
        statements, leftover = self._without_removed(original_node.body, updated_node.body, blank_lines=2)
        if statements is not None:
            updated_node = updated_node.with_changes(body=statements, footer=[*leftover, *updated_node.footer])
        if self._removed:
            self.remove_unused_import("threading")
            self.remove_unused_import("threading", "Thread")
        self._settle()
        return updated_node

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return without_opening_blank_lines(tree, super().transform_module(tree))

    # ----- helpers ----------------------------------------------------------------------------

    def _without_removed(
        self, original: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement], blank_lines: int
    ) -> Tuple[Optional[List[cst.BaseStatement]], List[cst.EmptyLine]]:
        """The block without the loop threads' lines, their lines (comments, blank lines) carried to
        the next statement with at most ``blank_lines`` blank lines in a row (a module keeps the two
        before a ``def``); (None, []) when the block holds none of them."""
        if not any(statement in self._removed for statement in original):
            return None, []
        statements: List[cst.BaseStatement] = []
        pending: List[cst.EmptyLine] = []
        for old, new in zip(original, updated):
            if old in self._removed:
                pending.extend(_carried_lines(new))
                continue
            if pending:
                new = new.with_changes(leading_lines=_at_most(blank_lines, [*pending, *new.leading_lines]))
                pending = []
            statements.append(new)
        return statements, [line for line in pending if line.comment is not None]

    def _settle(self) -> None:
        """Each finding of a loop thread: fixed with it, or noted with why it stays; the others are not its shape."""
        for _key, finding in self._fixable:
            owner = next((found for found in self._threads if finding.line in found.lines), None)
            if owner is None:
                self.leave_for_human(finding, NOT_A_LOOP_THREAD)
            elif owner.problem:
                self.leave_for_human(finding, owner.problem)
            else:
                self.record_fix(finding)


def _at_most(blank_lines: int, lines: Sequence[cst.EmptyLine]) -> List[cst.EmptyLine]:
    """``lines`` with no run of more than ``blank_lines`` blank lines."""
    kept: List[cst.EmptyLine] = []
    run = 0
    for line in lines:
        run = run + 1 if line.comment is None else 0
        if run <= blank_lines:
            kept.append(line)
    return kept


def _carried_lines(statement: cst.BaseStatement) -> List[cst.EmptyLine]:
    """What of a removed statement stays: its leading lines, then every comment in it."""
    own = list(statement.leading_lines)
    return [*own, *(line for line in comments_within(statement) if line not in own)]

