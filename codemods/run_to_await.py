"""LG102/LG103 (with the LG101/LG104 around them) in synchronous code that runs a coroutine to
completion: the function becomes a coroutine that awaits it, and its callers await it, up the
call graph, across modules, until a caller that can already await (a coroutine), a Qt signal
(the function becomes an ``@asyncSlot()``), or the entry point, which then starts the one loop
once (``asyncio.run(main())``, ``qasync.run(main())`` in a Qt program).

The chains are planned over the whole project (``flake8_loopguard.project.await_plan``);
``loopguard migrate`` hands each file its part. Run on its own through
``python -m libcst.tool codemod``, the codemod sees one module, which it takes as the whole
program: it rewrites only chains that stay inside that module.

A chain is rewritten whole or not at all: every edit in the file is checked first
(:mod:`.await_chain.locate`), and a chain any edit of which cannot be made is left as it is, with
the reason, for the caller to stop it in every file.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Dict, List, Mapping, Optional, Sequence, Set, Union

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.findings import Finding
from flake8_loopguard.project.await_plan import FilePlan

from .await_chain.expressions import awaited, loop_started, qasync_spelling, with_awaited_operand
from .await_chain.locate import SCRATCH_AWAIT_OUTCOME, SCRATCH_AWAIT_PLAN, Edits, file_plan, locate_edits
from .await_chain.script_entry import script_entry
from .base import FindingCodemod, HumanNote, Rewritten
from .syntax import comments_within
from .thread_loop.expressions import await_argument
from .thread_loop.settle import Carried, comment_lines, comments_only, header_comment, keep_opening_spacing, settle

LOOP_CODES = ("LG101", "LG102", "LG103", "LG104")
NOT_IN_A_CHAIN = "not in a synchronous function that runs a coroutine to completion"


class RunToAwait(FindingCodemod):
    """A synchronous function that runs a coroutine to completion becomes a coroutine awaiting it."""

    NAME = "run_to_await"
    DESCRIPTION = "a sync function running a coroutine to completion -> a coroutine awaited by its callers"
    fixes = ("LG101", "LG102", "LG103", "LG104", "LG401")

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._plan = FilePlan("")
        self._edits = Edits()
        self._failed: Dict[int, str] = {}
        # Updated nodes, held (not their ids: a freed node's id may be another's later).
        self._removed_lines: Set[cst.CSTNode] = set()  # lines whose every statement goes
        # `try` statements -> what stands in their place (statements, carried comments)
        self._replacements: Dict[cst.CSTNode, List[Union[cst.BaseStatement, Carried]]] = {}
        self._placeholders: Set[cst.CSTNode] = set()  # the `pass` lines put in blocks the rewrite emptied
        self._unregistered: Optional[str] = None  # why a thread's task may not be registered here

    # ----- what the pipeline asks before parsing --------------------------------------

    @classmethod
    def has_work(cls, scratch: Mapping[str, object]) -> bool:
        part = scratch.get(SCRATCH_AWAIT_PLAN)
        return isinstance(part, FilePlan) and part.has_edits

    @classmethod
    def planned_notes(cls, scratch: Mapping[str, object], findings: Sequence[Finding]) -> Optional[List[HumanNote]]:
        part = scratch.get(SCRATCH_AWAIT_PLAN)
        if not isinstance(part, FilePlan) or part.has_edits:
            return None
        return [
            HumanNote(finding.line, finding.code, cls.NAME, part.notes.get((finding.line, finding.code), NOT_IN_A_CHAIN))
            for finding in findings
            if finding.code in cls.fixes
        ]

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        return None  # every finding is settled with its chain, when the module is left

    # ----- the transform -------------------------------------------------------------------

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        self._load_findings(tree)
        source = self._linted.source
        filename = self.context.filename or "<string>"
        self._plan = file_plan(self.context.scratch, source, filename, self.config)
        self._edits, self._failed = locate_edits(tree, self._plan, source, self._source_lines, self.position)
        self.context.scratch[SCRATCH_AWAIT_OUTCOME] = dict(self._failed)
        if not self._edits:
            self._settle_findings()
            return tree
        return VisitorBasedCodemodCommand.transform_module_impl(self, tree)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        edits = self._edits
        result: cst.BaseExpression = with_awaited_operand(updated_node)
        if original_node in edits.runs:
            self.remove_unused_import("asyncio")
            self.remove_imports_of(original_node.func)  # also `run` of `from asyncio import run`
            return await_argument(updated_node, updated_node.args[0])
        if original_node in edits.threads:
            task, _ = edits.threads[original_node]
            thread_call = updated_node.func.value if task.start_call is original_node else updated_node  # type: ignore[attr-defined]
            self.remove_unused_import("threading")
            self.remove_unused_import("threading", "Thread")
            finding = Finding(0, 0, "LG401", "", context=task.context)
            problem = self.registration_problem(finding)
            if problem is not None:
                # Known only here, at the node: the module is left as it was (leave_Module).
                self._unregistered = self._unregistered or problem
                return updated_node
            created = task.task_call(thread_call, self.asyncio_attr("create_task"))
            return self.register_task(created, finding)
        if original_node in edits.joins:
            name, _ = edits.joins[original_node]
            return cst.Await(cst.Name(name))
        if original_node in edits.awaits:
            result = awaited(result)  # type: ignore[arg-type]
        if original_node in edits.loop_starts:
            runner, _ = edits.loop_starts[original_node]
            return loop_started(result, self._runner(runner))
        return result

    def transform_module(self, tree: cst.Module) -> cst.Module:
        result = super().transform_module(tree)
        # Dropping the file's first import (asyncio, threading) must not leave it opening on a blank line.
        if result.header or not result.body or not tree.body or tree.body[0].leading_lines:
            return result
        first = result.body[0]
        lines = list(first.leading_lines)
        while lines and lines[0].comment is None:
            lines.pop(0)
        return result.with_changes(body=[first.with_changes(leading_lines=lines), *result.body[1:]])

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return with_awaited_operand(updated_node)

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        return with_awaited_operand(updated_node)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        removed = self._edits.removed
        if not any(small in removed for small in original_node.body):
            return updated_node
        kept = [new for old, new in zip(original_node.body, updated_node.body) if old not in removed]
        if not kept:
            self._removed_lines.add(updated_node)
            return updated_node
        kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(body=kept)

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.Try:
        """A ``try`` left with nothing but the loop's plumbing goes; a ``finally`` that only closed
        the loop goes, and a ``try`` with neither handlers nor ``finally`` left gives way to its body."""
        if not self._touched(original_node):
            return updated_node
        body, final = updated_node.body, updated_node.finalbody
        dropped: List[cst.EmptyLine] = []
        if final is not None and self._empty(final.body):
            dropped = [*comments_only(final.leading_lines), *header_comment(final.body), *comments_only(final.body.footer)]  # type: ignore[arg-type]
            final = None
        handlers = updated_node.handlers
        if updated_node.orelse is not None or (handlers and not all(self._empty(h.body) for h in handlers)):
            return updated_node.with_changes(finalbody=final)
        if final is not None:
            return updated_node
        if self._empty(body):
            self._replacements[updated_node] = [
                Carried([*comments_only(updated_node.leading_lines), *comments_within(updated_node)])
            ]
            return updated_node
        # The loop's plumbing only, around the work: its body takes its place.
        handler_comments = [line for handler in handlers for line in comments_within(handler)]
        self._replacements[updated_node] = [
            Carried([*updated_node.leading_lines, *header_comment(body)]),  # type: ignore[arg-type]
            *(s for s in body.body if s not in self._placeholders),  # type: ignore[union-attr]
            Carried([*comments_only(body.footer), *handler_comments, *dropped]),  # type: ignore[union-attr]
        ]
        return updated_node

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if not any(s in self._removed_lines or s in self._replacements for s in updated_node.body):
            return updated_node
        items: List[Union[cst.BaseStatement, Carried]] = []
        for statement in updated_node.body:
            if statement in self._removed_lines:
                items.append(Carried(comment_lines(statement)))
            else:
                items.extend(self._replacements.get(statement, [statement]))
        statements, _dangling = settle(items)  # comments of removed lines that nothing follows go
        statements = keep_opening_spacing(updated_node.body, statements)
        if not statements:
            placeholder = cst.SimpleStatementLine(body=[cst.Pass()])
            self._placeholders.add(placeholder)
            statements = [placeholder]
        return updated_node.with_changes(body=statements)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> Union[cst.FunctionDef, cst.FlattenSentinel[cst.FunctionDef]]:
        edits = self._edits
        if original_node in edits.make_async:
            updated_node = updated_node.with_changes(asynchronous=cst.Asynchronous())
        decorators = edits.slot_decorators.get(original_node)
        if decorators is not None:
            for decorator in original_node.decorators:
                self.remove_imports_of(decorator)  # `Slot` once `@Slot()` is `@asyncSlot()`
            updated_node = updated_node.with_changes(decorators=decorators)
            if edits.slot_import is not None:
                self.add_needed_import(*edits.slot_import)
        script_end = edits.script_ends.get(original_node)
        if script_end is not None:
            wrapper, coroutine = script_entry(updated_node, self._runner(script_end[0]))
            return cst.FlattenSentinel([wrapper, coroutine])
        return updated_node

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self._unregistered is not None:
            return self._rewrite_nothing(original_node, f"a thread's task cannot be registered: {self._unregistered}")
        if SCRATCH_AWAIT_PLAN not in self.context.scratch:
            # Run alone, nothing after this codemod fixes what its coroutines would be flagged
            # for (blocking calls: blocking_to_async, in loopguard migrate): then it rewrites nothing.
            introduced = self._introduced(updated_node.code)
            if introduced:
                return self._rewrite_nothing(
                    original_node,
                    f"as coroutines, its functions would be flagged {introduced} (loopguard migrate fixes that too)"
                )
        self._settle_findings()
        return updated_node

    def _rewrite_nothing(self, original_node: cst.Module, why: str) -> cst.Module:
        """Every chain of the file fails here for ``why``: the module stays as it was."""
        self._failed = {number: why for number in self._plan.chains}
        self._edits = Edits()
        self._deferred.clear()  # nothing is added either: the manager, the imports
        self.context.scratch.pop(AddImportsVisitor.CONTEXT_KEY, None)
        self.context.scratch.pop(RemoveImportsVisitor.CONTEXT_KEY, None)
        self.context.scratch[SCRATCH_AWAIT_OUTCOME] = dict(self._failed)
        self._settle_findings()
        return original_node

    def _introduced(self, code: str) -> str:
        before = Counter(finding.code for finding in self.module_findings)
        after = Counter(finding.code for finding in check_source(code, self.context.filename or "<string>", self.config))
        return ", ".join(sorted(after - before))

    # ----- helpers -------------------------------------------------------------------

    def _touched(self, node: cst.Try) -> bool:
        removed = self._edits.removed
        finder = _Holds(removed)
        node.visit(finder)
        return finder.found

    def _empty(self, block: cst.BaseSuite) -> bool:
        """A block the rewrite left holding only a ``pass`` of its own."""
        return isinstance(block, cst.IndentedBlock) and all(s in self._placeholders for s in block.body)

    def _runner(self, runner: str) -> cst.BaseExpression:
        if runner == "qasync":
            spelled, needs_import = qasync_spelling(self.module)
            if needs_import:
                self.add_needed_import("qasync")
            return spelled
        return self.asyncio_attr("run")

    def _settle_findings(self) -> None:
        """Each finding this codemod fixes: fixed with its chain, or noted with why not."""
        plan, failed = self._plan, self._failed
        applied_positions = {
            (line, col) for (line, col, _name), (_code, number) in plan.loop_calls.items() if number not in failed
        }
        applied_positions |= {(line, col) for (line, col, _name), number in plan.thread_tasks.items() if number not in failed}
        failed_at = {(line, col): failed[number] for (line, col, _name), (_c, number) in plan.loop_calls.items() if number in failed}
        failed_at.update(
            {(line, col): failed[number] for (line, col, _name), number in plan.thread_tasks.items() if number in failed}
        )
        for _key, finding in self._fixable:
            where = (finding.line, finding.col)
            if where in applied_positions and bool(self._edits):
                self.record_fix(finding)
            elif where in failed_at:
                route = plan.routes.get((finding.line, finding.code))
                why = f"in {os.path.normpath(plan.path)}: {failed_at[where]}"
                self.leave_for_human(finding, f"{route}: {why}" if route else f"the chain cannot be rewritten: {why}")
            else:
                self.leave_for_human(finding, plan.notes.get((finding.line, finding.code), NOT_IN_A_CHAIN))


class _Holds(cst.CSTVisitor):
    def __init__(self, wanted: Mapping[cst.CSTNode, int]) -> None:
        self.wanted = wanted
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node in self.wanted:
            self.found = True
        return not self.found
