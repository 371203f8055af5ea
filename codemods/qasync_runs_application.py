"""LG503: ``app.exec()`` under qasync becomes ``loop.run_forever()`` on the module's QEventLoop.

Qt's own ``exec()`` never marks the asyncio loop as running: every coroutine that asks for the
running loop fails. qasync 0.28's ``QEventLoop.run_forever()`` runs the same ``exec()`` with the
loop marked running, and returns what ``exec()`` returned, so ``sys.exit(app.exec())`` becomes
``sys.exit(loop.run_forever())`` with the same exit code. When nothing runs after it in its
function (``sys.exit``, ``return``, the last statement), the statement also goes into ``with
loop:``, which closes the loop when the application ends; inside a ``with loop:`` already, only
the call changes.

The loop is the ``qasync.QEventLoop`` the code made before the call: the one an enclosing
``with`` names, else the only one made in the function (or at module level). Left for a human,
with the reason: no QEventLoop made there (the start-up is to become a coroutine run by
``qasync.run(main())``, which needs a human), several of them, one closed before the call, one
made with ``already_running=True``, an ``exec()`` in a coroutine or on an application made in
the same expression, and a call that would become a finding (``run_forever()`` outside the
entry point is LG103).
"""

from __future__ import annotations

from collections import Counter
from typing import List, Optional, Sequence, Tuple, Union

import libcst as cst
from libcst.codemod import CodemodContext

from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, LeaveForHuman, Rewritten
from .qt_imports import QtImports
from .syntax import body_statements, dotted, mentions_name, single_small_statement

QASYNC_LOOP_CLASSES = frozenset({"QEventLoop", "QSelectorEventLoop", "QIOCPEventLoop"})
# Calls after which nothing else of the program runs.
EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit"})


class QasyncRunsApplication(FindingCodemod):
    """The qasync loop drives the application: ``app.exec()`` -> ``loop.run_forever()``."""

    NAME = "qasync_runs_application"
    DESCRIPTION = "app.exec() under qasync -> loop.run_forever() on the QEventLoop the start-up made"
    fixes = ("LG503",)

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._imports: Optional[QtImports] = None

    def is_target(self, node: cst.Call, finding: Finding) -> bool:
        return isinstance(node.func, cst.Attribute) and node.func.attr.value in ("exec", "exec_")

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        if finding.in_coroutine:
            return LeaveForHuman(
                "exec() is called in a coroutine: a loop already runs there; end the coroutine instead"
            )
        receiver = node.func.value  # type: ignore[attr-defined]
        if isinstance(receiver, (cst.Call, cst.BooleanOperation)):
            return LeaveForHuman("the application is made in the exec() call itself: make it, then its QEventLoop")
        call = self.current_node
        assert isinstance(call, cst.Call)
        self._imports = None  # read again for this call's scopes
        loop = self._loop_for(call)
        if isinstance(loop, LeaveForHuman):
            return loop
        replacement = node.with_changes(
            func=cst.Attribute(cst.Name(loop), cst.Name("run_forever"), dot=node.func.dot)  # type: ignore[attr-defined]
        )
        introduced = self._introduced_finding(call, replacement)
        if introduced is not None:
            return LeaveForHuman(
                f"{loop}.run_forever() here would be {introduced.code} ({introduced.message}): drive the application"
                " from the entry point"
            )
        statement = self._statement()
        if statement is not None and not self._inside_with(loop) and self._nothing_runs_after(statement):
            self.defer_edit(statement, ("with", loop), _within_with(loop))
        return replacement

    # ----- which loop --------------------------------------------------------------------------

    def _loop_for(self, call: cst.Call) -> Union[str, LeaveForHuman]:
        """The name of the QEventLoop that drives the application at ``call``."""
        line = self.position(call).start.line
        for ancestor in reversed(self.ancestors):
            if isinstance(ancestor, cst.With):
                for item in ancestor.items:
                    name = self._with_loop(item)
                    if name is not None:
                        return name
        scope, where = self._scope()
        made = self._loops_made(body_statements(scope) if isinstance(scope, cst.FunctionDef) else scope.body, line)
        if isinstance(scope, cst.FunctionDef) and not made:
            # The module's loop, unless the function binds that name itself (a parameter, any
            # assignment; not under `global`): libcst's scope of the function says which.
            local = self.scope_of(scope.body)
            made = [
                made_here
                for made_here in self._loops_made(self.module.body, line)
                if local is None or made_here[0] not in local.assignments
            ]
        names = sorted({name for name, _, _ in made})
        if not names:
            return LeaveForHuman(
                f"no qasync QEventLoop is made before this exec() in {where}: make the start-up a coroutine run by"
                " qasync.run(main()), or make the loop (loop = qasync.QEventLoop(app)) and run it"
            )
        if len(names) > 1:
            return LeaveForHuman(
                f"several QEventLoops are made in {where} ({', '.join(names)}): which one drives the application"
                " is for a human"
            )
        name = names[0]
        if any(_keyword(made_call, "already_running") for _, _, made_call in made):
            return LeaveForHuman(f"{name} is made with already_running=True: it does not run the application itself")
        closed = self._closed_before(scope, name, line)
        if closed is not None:
            return LeaveForHuman(f"{name} is closed at line {closed}, before this exec() runs")
        return name

    def _with_loop(self, item: cst.WithItem) -> Optional[str]:
        if item.asname is not None and isinstance(item.asname.name, cst.Name) and self._is_qasync_loop(item.item):
            return item.asname.name.value
        if isinstance(item.item, cst.Name) and any(name == item.item.value for name, _, _ in self._all_loops_made()):
            return item.item.value
        return None

    def _scope(self) -> Tuple[Union[cst.FunctionDef, cst.Module], str]:
        function = next((node for node in reversed(self.ancestors) if isinstance(node, cst.FunctionDef)), None)
        if function is None:
            return self.module, "module-level code"
        return function, f"{function.name.value}()"

    def _loops_made(self, statements: Sequence[cst.BaseStatement], before_line: int) -> List[Tuple[str, int, cst.Call]]:
        """``(name, line, call)`` of each ``name = QEventLoop(...)`` of the block (its compound
        statements included, not nested functions or classes) before ``before_line``."""
        found = []
        for assign in _assignments(statements):
            value = assign.value
            line = self.position(assign).start.line
            if line >= before_line or not isinstance(value, cst.Call) or not self._is_qasync_loop(value):
                continue
            for target in assign.targets:
                if isinstance(target.target, cst.Name):
                    found.append((target.target.value, line, value))
        return found

    def _all_loops_made(self) -> List[Tuple[str, int, cst.Call]]:
        scope, _ = self._scope()
        statements = body_statements(scope) if isinstance(scope, cst.FunctionDef) else scope.body
        end = 1 << 30
        return [*self._loops_made(statements, end), *self._loops_made(self.module.body, end)]

    def _is_qasync_loop(self, expression: cst.BaseExpression) -> bool:
        """``QEventLoop(...)`` (any of qasync's loop classes, under any import of them)."""
        if not isinstance(expression, cst.Call):
            return False
        if self._imports is None:
            # The start-up may import qasync in its function or its `if __name__` block.
            blocks = [node.body for node in self.ancestors if isinstance(node, cst.IndentedBlock)]
            self._imports = QtImports([*self.module.body, *(s for block in blocks for s in block)])
        imports = self._imports
        func = dotted(expression.func)
        head, _, own = func.rpartition(".")
        if head:
            imported = imports.names.get(head)
            is_qasync_module = imported is not None and imported.module == "qasync" and imported.obj is None
            return own in QASYNC_LOOP_CLASSES and is_qasync_module
        imported = imports.names.get(own)
        if imported is not None:
            return imported.module == "qasync" and imported.obj in QASYNC_LOOP_CLASSES
        return own in QASYNC_LOOP_CLASSES and "qasync" in imports.star_modules

    def _closed_before(self, scope: Union[cst.FunctionDef, cst.Module], name: str, line: int) -> Optional[int]:
        """The line where ``with name:`` or ``name.close()`` closes the loop before ``line``."""
        finder = _LoopClosers(name, scope)
        scope.visit(finder)
        ends = [
            (self.position(node).start.line, self.position(node).end.line) for node in finder.closers
        ]
        closed = [start for start, end in ends if end < line]
        return min(closed) if closed else None

    # ----- checks and the statement ---------------------------------------------------------------

    def _introduced_finding(self, original: cst.Call, replacement: cst.Call) -> Optional[Finding]:
        """A finding the replaced call would have that the module does not have now."""
        changed = self.module.deep_replace(original, replacement)
        assert isinstance(changed, cst.Module)
        after = check_source(changed.code, self.context.filename or "<string>", self.config)
        new = Counter(f.code for f in after) - Counter(f.code for f in self.module_findings)
        return next((f for f in after if f.code in new), None)

    def _statement(self) -> Optional[cst.SimpleStatementLine]:
        for ancestor in reversed(self.ancestors):
            if isinstance(ancestor, cst.SimpleStatementLine):
                return ancestor if len(ancestor.body) == 1 else None
            if isinstance(ancestor, (cst.BaseCompoundStatement, cst.Lambda)):
                return None
        return None

    def _inside_with(self, name: str) -> bool:
        withs = [node for node in self.ancestors if isinstance(node, cst.With)]
        return any(mentions_name(item, name) for node in withs for item in node.items)

    def _nothing_runs_after(self, statement: cst.SimpleStatementLine) -> bool:
        """The statement leaves its function or the program (``sys.exit(...)``, ``return``), or is
        the last thing its function (or the module) runs, through enclosing ``if`` blocks."""
        small = single_small_statement(statement)
        if isinstance(small, (cst.Return, cst.Raise)):
            return True
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and dotted(small.value.func) in EXITS:
            return True
        chain = list(self.ancestors)
        current: cst.CSTNode = statement
        for parent in reversed(chain[: chain.index(statement)]):
            if isinstance(parent, cst.IndentedBlock):
                if parent.body[-1] is not current:
                    return False
            elif isinstance(parent, cst.Module):
                return parent.body[-1] is current
            elif isinstance(parent, cst.FunctionDef):
                return True
            elif isinstance(parent, cst.If):
                current = parent  # its body, elif or else done, what follows the whole `if` runs
            elif not isinstance(parent, cst.Else):
                return False  # try, for, while, with: more of it may run after the statement
        return False


def _within_with(loop: str):  # type: ignore[no-untyped-def]
    """``statement`` -> ``with loop:\\n    statement`` (comments above the statement stay above)."""

    def edit(statement: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(statement, cst.SimpleStatementLine)
        return cst.With(
            items=[cst.WithItem(cst.Name(loop))],
            body=cst.IndentedBlock(body=[statement.with_changes(leading_lines=())]),
            leading_lines=statement.leading_lines,
        )

    return edit


def _keyword(call: cst.Call, name: str) -> bool:
    return any(arg.keyword is not None and arg.keyword.value == name for arg in call.args)


def _assignments(statements: Sequence[cst.BaseStatement]) -> List[cst.Assign]:
    collector = _Assignments()
    for statement in statements:
        statement.visit(collector)
    return collector.found


class _Assignments(cst.CSTVisitor):
    """The assignments of a block, not those of the functions and classes it defines."""

    def __init__(self) -> None:
        self.found: List[cst.Assign] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        self.found.append(node)


class _LoopClosers(cst.CSTVisitor):
    """``with <name>:`` blocks and ``<name>.close()`` calls of a scope (not of the functions it defines)."""

    def __init__(self, name: str, scope: cst.CSTNode) -> None:
        self.name = name
        self.scope = scope
        self.closers: List[cst.CSTNode] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node is self.scope

    def visit_With(self, node: cst.With) -> None:
        if any(isinstance(item.item, cst.Name) and item.item.value == self.name for item in node.items):
            self.closers.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        if dotted(node.func) == f"{self.name}.close":
            self.closers.append(node)
