"""The new body of one starter: the thread's creation and start go, the worker's body is inlined
where the thread started, loop runs become awaits and the private loop's plumbing goes."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from ..syntax import (
    assigned_targets,
    calls_in,
    docstring_text,
    dotted,
    functions_in,
    has_parameters,
    parameter_names,
    single_small_statement,
    variable_names,
)
from . import NotUnderstood
from .cleanup import LoopCleanup
from .expressions import AwaitLoopRuns, await_argument, direct_gui_call
from .settle import (
    Carried,
    comment_lines,
    comments_only,
    drop_unused_plumbing_imports,
    header_comment,
    keep_opening_spacing,
    settle,
)

THREAD_SETTINGS = frozenset({"daemon", "name"})  # `t.daemon = True` only configures the thread
THREAD_SETTERS = frozenset({"setDaemon", "setName"})
THREAD_KEYWORDS = frozenset({"target", "daemon", "name", "group"})
LOOP_SHUTDOWN_METHODS = frozenset({"shutdown_asyncgens", "shutdown_default_executor"})


class StarterRewrite:
    """Plans and builds the new body of one starter function; raises :class:`NotUnderstood`."""

    def __init__(
        self,
        starter: cst.FunctionDef,
        thread_call: Optional[cst.Call],
        codes: Dict[cst.Call, str],
        awaited_method: Optional[str] = None,
        in_thread: bool = False,
        loop_attributes: Sequence[str] = (),
        task_spawn: Optional[Callable[[], Optional[str]]] = None,
    ) -> None:
        """``awaited_method``: the thread runs ``self.<awaited_method>``, which becomes a coroutine.
        ``in_thread``: without a thread call, the function itself ran in a worker thread.
        ``loop_attributes``: attributes (``self.loop``) that hold the private loop, which may be
        created here or elsewhere; the caller answers for their other uses.
        ``task_spawn``: tells where the module spawns a task (``"create_task() at line 12"``), if it does:
        a ``finally`` that cancels the private loop's tasks is then left (see :mod:`.cleanup`)."""
        self.starter = starter
        self.thread_call = thread_call
        self.codes = codes
        self.awaited_method = awaited_method
        self.in_thread = in_thread
        self.loop_attributes = frozenset(loop_attributes)
        self.loop_names: Set[str] = set(self.loop_attributes)
        self.cleanup = LoopCleanup(self.loop_names, task_spawn)
        self.consumed: Set[cst.Call] = set()
        self.awaited = 0

    def body(self) -> cst.IndentedBlock:
        block = self.starter.body
        if not isinstance(block, cst.IndentedBlock):
            raise NotUnderstood("the function body is on the def line")
        statements = list(block.body)
        if any(_uses_value_return(s) for s in statements):
            raise NotUnderstood(f"{self.starter.name.value}() returns a value that callers may use")
        if self.thread_call is None:
            # No thread: the function itself runs the private loop, on the GUI thread.
            first, end, thread_name = len(statements), len(statements), None
            worker: Union[cst.FunctionDef, cst.Lambda, cst.Attribute, None] = None
            worker_index: Optional[int] = None
        else:
            first, end, thread_name = self._thread_statements(statements)
            worker, worker_index = self._worker(statements[:first])
            if isinstance(worker, cst.FunctionDef) and worker_index is not None:
                self._check_worker(worker, statements, worker_index)
        for call in calls_in(*statements):
            if dotted(call.func).rpartition(".")[2] == "run_coroutine_threadsafe":
                raise NotUnderstood("coroutines are handed to a loop thread with run_coroutine_threadsafe()")

        items: List[Union[cst.BaseStatement, Carried]] = []
        for index, statement in enumerate(statements[:first]):
            if index == worker_index:
                continue
            items.extend(self.statement(statement, in_worker=self.in_thread))
        if worker is not None:
            items.extend(self._inline_worker(worker, worker_index))
        for statement in statements[first:end]:
            items.append(Carried(comment_lines(statement)))
        new_statements, _dangling = settle(items)  # comments of removed lines that nothing follows go
        self.cleanup.check_no_task_list_left(new_statements)
        self._check_done(new_statements, thread_name)
        new_statements = drop_unused_plumbing_imports(new_statements)
        new_statements = keep_opening_spacing(statements, new_statements)
        if not new_statements:
            new_statements = [_pass_line()]
        return block.with_changes(body=new_statements)

    # ----- the thread and its worker -------------------------------------------------

    def _thread_statements(self, statements: Sequence[cst.BaseStatement]) -> Tuple[int, int, Optional[str]]:
        """Where the thread is created, configured and started: [first, end) and its variable."""
        for index, statement in enumerate(statements):
            small = single_small_statement(statement)
            if isinstance(small, cst.Expr) and _is_start_of(small.value, self.thread_call):
                return index, self._nothing_after(statements, index + 1), None
            if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is self.thread_call:
                targets = small.targets if isinstance(small, cst.Assign) else [small]
                if len(targets) != 1 or not isinstance(targets[0].target, cst.Name):
                    raise NotUnderstood("the thread is stored where other code may reach it")
                name = targets[0].target.value
                return index, self._configured_and_started(statements, index + 1, name), name
        raise NotUnderstood("the thread is not created and started by statements of the function's own body")

    def _configured_and_started(self, statements: Sequence[cst.BaseStatement], index: int, name: str) -> int:
        for at in range(index, len(statements)):
            small = single_small_statement(statements[at])
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Attribute) and dotted(target.value) == name:
                    if target.attr.value in THREAD_SETTINGS:
                        continue
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                func = small.value.func
                if isinstance(func, cst.Attribute) and dotted(func.value) == name:
                    if func.attr.value in THREAD_SETTERS:
                        continue
                    if func.attr.value == "start" and not small.value.args:
                        return self._nothing_after(statements, at + 1, name)
            raise NotUnderstood(
                f"the thread '{name}' is used for more than starting it (joined, stored or inspected):"
                " the code around it depends on the thread"
            )
        raise NotUnderstood(f"the thread '{name}' is never started here")

    def _nothing_after(self, statements: Sequence[cst.BaseStatement], end: int, name: Optional[str] = None) -> int:
        if name is not None and any(n.value == name for n in variable_names(statements[end:])):
            raise NotUnderstood(
                f"the starter joins or inspects the thread '{name}' after start(): it waits for the worker"
            )
        if end < len(statements):
            raise NotUnderstood(
                "code after the thread's start() runs while the worker runs: order it around the awaits by hand"
            )
        return end

    def _worker(
        self, before: Sequence[cst.BaseStatement]
    ) -> Tuple[Union[cst.FunctionDef, cst.Lambda, cst.Attribute], Optional[int]]:
        call = self.thread_call
        for arg in call.args:
            if arg.star:
                raise NotUnderstood("the thread is created with *args or **kwargs")
            if arg.keyword is not None and arg.keyword.value not in THREAD_KEYWORDS:
                raise NotUnderstood(f"the worker is given {arg.keyword.value}=: pass them to a coroutine by hand")
        positional = [arg for arg in call.args if arg.keyword is None]
        if len(positional) > 2:
            raise NotUnderstood("the worker is given arguments")
        target = next((arg.value for arg in call.args if arg.keyword and arg.keyword.value == "target"), None)
        if target is None and len(positional) == 2:
            target = positional[1].value
        if isinstance(target, cst.Attribute) and target.attr.value == self.awaited_method:
            return target, None
        if isinstance(target, cst.Lambda):
            if has_parameters(target.params):
                raise NotUnderstood("the worker lambda takes parameters")
            return target, None
        if isinstance(target, cst.Name):
            for index, statement in enumerate(before):
                if isinstance(statement, cst.FunctionDef) and statement.name.value == target.value:
                    return statement, index
        if isinstance(target, cst.Attribute) and target.attr.value in ("run_forever", "run"):
            raise NotUnderstood("the thread runs a long-lived event loop that other code feeds")
        raise NotUnderstood("the thread's target is not a worker defined in this function")

    def _check_worker(
        self, worker: cst.FunctionDef, statements: Sequence[cst.BaseStatement], worker_index: int
    ) -> None:
        name = worker.name.value
        if worker.asynchronous is not None or worker.decorators:
            raise NotUnderstood(f"the worker {name}() is decorated or a coroutine")
        if has_parameters(worker.params):
            raise NotUnderstood(f"the worker {name}() takes parameters")
        if not isinstance(worker.body, cst.IndentedBlock):
            raise NotUnderstood(f"the worker {name}() is written on one line")
        scan = _ScopeScan()
        for statement in worker.body.body:
            statement.visit(scan)
        if scan.shares_names:
            raise NotUnderstood(f"the worker {name}() shares variables with the starter (nonlocal/global)")
        if scan.returns_value:
            raise NotUnderstood(f"the worker {name}() returns a value")
        others = [s for i, s in enumerate(statements) if i != worker_index]
        if [n.value for n in variable_names(others)].count(name) != 1:  # the thread's target=, and nothing else
            raise NotUnderstood(f"the worker {name}() is used for more than the thread")
        # Inlined, the worker's variables become the starter's: a closure of the starter that
        # reads one of them would see the worker's value.
        starter_scan = _ScopeScan()
        for statement in others:
            statement.visit(starter_scan)
        clash = (scan.bound & (starter_scan.bound | parameter_names(self.starter.params))) - {name}
        if clash and starter_scan.has_closures:
            raise NotUnderstood(
                f"the worker's variable '{sorted(clash)[0]}' would replace the starter's, which a closure reads"
            )

    def _inline_worker(
        self, worker: Union[cst.FunctionDef, cst.Lambda, cst.Attribute], worker_index: Optional[int]
    ) -> List[Union[cst.BaseStatement, "Carried"]]:
        if isinstance(worker, cst.Attribute):
            self.awaited += 1  # the worker method, now a coroutine
            return [cst.SimpleStatementLine(body=[cst.Expr(cst.Await(cst.Call(func=worker)))])]
        if isinstance(worker, cst.Lambda):
            line = cst.SimpleStatementLine(body=[cst.Expr(worker.body)])
            return self.statement(line, in_worker=True)
        assert isinstance(worker.body, cst.IndentedBlock) and worker_index is not None
        body = list(worker.body.body)
        # A docstring of the worker says what the work is: it stays, as a comment.
        docstring = docstring_text(body[0]) if body else None
        items: List[Union[cst.BaseStatement, Carried]] = [Carried(comment_lines(worker))]
        if docstring is not None:
            items.append(Carried([*comment_lines(body[0]), *_as_comments(docstring)]))
            body = body[1:]
        items.append(Carried(header_comment(worker.body)))
        for statement in body:
            items.extend(self.statement(statement, in_worker=True))
        items.append(Carried(comments_only(worker.body.footer)))
        return items

    # ----- statements ------------------------------------------------------------------

    def statement(self, statement: cst.BaseStatement, in_worker: bool) -> List[Union[cst.BaseStatement, "Carried"]]:
        if isinstance(statement, cst.SimpleStatementLine):
            return self._simple_line(statement, in_worker)
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            return [statement]  # its own scope: loop calls in it stay unconsumed and are reported
        if isinstance(statement, cst.Try):
            return self._try(statement, in_worker)
        if isinstance(statement, (cst.If, cst.For, cst.While, cst.With)):
            header_done = statement.visit(AwaitLoopRuns(self.await_of))
            assert isinstance(header_done, cst.BaseCompoundStatement)
            return [self._with_blocks(header_done, in_worker)]
        return [statement]

    def _with_blocks(self, statement: cst.CSTNode, in_worker: bool) -> cst.CSTNode:
        """The compound statement with every block (body, else, elif) rewritten."""
        changes = {}
        if isinstance(getattr(statement, "body", None), cst.IndentedBlock):
            changes["body"] = self.block(statement.body, in_worker)  # type: ignore[attr-defined]
        orelse = getattr(statement, "orelse", None)
        if isinstance(orelse, (cst.If, cst.Else)):
            changes["orelse"] = self._with_blocks(orelse, in_worker)
        return statement.with_changes(**changes) if changes else statement

    def block(self, block: cst.IndentedBlock, in_worker: bool) -> cst.IndentedBlock:
        items: List[Union[cst.BaseStatement, Carried]] = []
        for statement in block.body:
            items.extend(self.statement(statement, in_worker))
        statements, _dangling = settle(items)  # comments of removed lines that nothing follows go
        if not statements:
            statements = [_pass_line()]
        return block.with_changes(body=statements)

    def _try(self, statement: cst.Try, in_worker: bool) -> List[Union[cst.BaseStatement, "Carried"]]:
        body = self.block(statement.body, in_worker)
        handlers = [h.with_changes(body=self.block(h.body, in_worker)) for h in statement.handlers]
        orelse = statement.orelse
        if orelse is not None:
            orelse = orelse.with_changes(body=self.block(orelse.body, in_worker))
        final = statement.finalbody
        dropped: List[cst.EmptyLine] = []
        if final is not None:
            final_items: List[Union[cst.BaseStatement, Carried]] = []
            for inner in final.body.body:
                if self.cleanup.drops(inner):  # the private loop's own cleanup goes with the loop
                    self.consumed.update(call for call in calls_in(inner) if call in self.codes)
                    final_items.append(Carried(comment_lines(inner)))
                else:
                    final_items.extend(self.statement(inner, in_worker))
            final_statements, final_leftover = settle(final_items)
            if final_statements:
                final = final.with_changes(body=final.body.with_changes(body=final_statements))
            else:
                # The finally only closed the loop: it goes, its comments stay.
                dropped = [
                    *comments_only(final.leading_lines),
                    *header_comment(final.body),
                    *comments_only(final_leftover),
                    *comments_only(final.body.footer),
                ]
                final = None
        if handlers or final is not None:
            rebuilt = statement.with_changes(body=body, handlers=handlers, orelse=orelse, finalbody=final)
            return [rebuilt, Carried(dropped)]
        # try/finally around the loop only: its body takes its place.
        items: List[Union[cst.BaseStatement, Carried]] = [Carried([*comment_lines(statement), *header_comment(body)])]
        items.extend(s for s in body.body if not _is_pass(s) or len(body.body) > 1)
        items.append(Carried([*comments_only(body.footer), *dropped]))
        return items

    def _simple_line(self, line: cst.SimpleStatementLine, in_worker: bool) -> List[Union[cst.BaseStatement, "Carried"]]:
        kept: List[cst.BaseSmallStatement] = []
        for small in line.body:
            if self._is_plumbing(small):
                continue
            small = small.visit(AwaitLoopRuns(self.await_of))  # type: ignore[assignment]
            if in_worker:
                small = direct_gui_call(small)
            kept.append(small)
        if not kept:
            return [Carried(comment_lines(line))]
        if len(kept) != len(line.body):
            kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return [line.with_changes(body=kept)]

    def _is_plumbing(self, small: cst.BaseSmallStatement) -> bool:
        """Creating, installing, shutting down or closing the private loop: the statement goes."""
        if isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(small.value, cst.Call):
            targets = small.targets if isinstance(small, cst.Assign) else [small]
            if self.codes.get(small.value) == "LG101":
                stored = dotted(targets[0].target) if len(targets) == 1 else ""
                if not (isinstance(targets[0].target, cst.Name) or stored in self.loop_attributes) or not stored:
                    raise NotUnderstood("the private loop is stored where other code may reach it")
                self.loop_names.add(stored)
                self.consumed.add(small.value)
                return True
            return False
        if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
            return False
        call = small.value
        if self.codes.get(call) == "LG104":
            self.consumed.add(call)
            return True
        func = call.func
        if not isinstance(func, cst.Attribute) or dotted(func.value) not in self.loop_names:
            return False
        if func.attr.value == "close" and not call.args:
            return True
        shutdown = call.args[0].value if len(call.args) == 1 else None
        if (
            self.codes.get(call) == "LG103"
            and isinstance(shutdown, cst.Call)
            and isinstance(shutdown.func, cst.Attribute)
            and dotted(shutdown.func.value) in self.loop_names
            and shutdown.func.attr.value in LOOP_SHUTDOWN_METHODS
        ):
            self.consumed.add(call)
            return True
        return False

    def await_of(self, original: cst.Call, updated: cst.Call) -> Optional[cst.Await]:
        """``await c`` for a found ``loop.run_until_complete(c)`` / ``asyncio.run(c)``, else None."""
        code = self.codes.get(original)
        func = updated.func
        if code == "LG103" and isinstance(func, cst.Attribute) and func.attr.value == "run_forever":
            raise NotUnderstood("the loop runs forever: a long-lived loop thread that other code feeds")
        if code not in ("LG102", "LG103") or len(updated.args) != 1:
            return None
        arg = updated.args[0]
        if arg.keyword is not None or arg.star:
            return None
        if code == "LG103":
            if not isinstance(func, cst.Attribute) or func.attr.value != "run_until_complete":
                return None
            receiver = original.func.value if isinstance(original.func, cst.Attribute) else None
            if isinstance(receiver, cst.Call) and self.codes.get(receiver) == "LG101":
                self.consumed.add(receiver)
            elif dotted(func.value) not in self.loop_names:
                raise NotUnderstood(f"coroutines run on '{dotted(func.value) or 'a loop'}', created elsewhere")
        elif dotted(func).rpartition(".")[2] != "run":
            return None  # asyncio.Runner(), qasync.run(): not a one-shot run of a coroutine
        self.consumed.add(original)
        self.awaited += 1
        return await_argument(updated, arg)

    def _check_done(self, statements: Sequence[cst.BaseStatement], thread_name: Optional[str]) -> None:
        leftover = [call for call in self.codes if call not in self.consumed]
        if leftover:
            nested = _nested_function_of(self.starter, leftover[0])
            if nested is not None:
                raise NotUnderstood(f"the loop runs in {nested}(), which is not started as a thread here")
            raise NotUnderstood(f"a loop call ({self.codes[leftover[0]]}) here is not one the rewrite understands")
        if not self.awaited:
            raise NotUnderstood("no coroutine is run here: the loop is set up for other code")
        names = set(self.loop_names)
        if thread_name is not None:
            names.add(thread_name)
        used = {n.value for n in variable_names(statements)} & names
        if used:
            raise NotUnderstood(f"'{sorted(used)[0]}' is used for more than running coroutines")


class _ScopeScan(cst.CSTVisitor):
    """In one scope (nested defs and lambdas not entered): names bound, nonlocal/global,
    ``return <value>``, ``yield``, and whether closures are defined.

    Read from the statements as written, not from libcst's ``ScopeProvider``: the worker's
    statements move into the starter, so what counts is every name they assign, also one that a
    ``global`` in the starter files under the module's scope.
    """

    def __init__(self) -> None:
        self.bound: Set[str] = set()
        self.shares_names = False
        self.returns_value = False
        self.has_closures = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.bound.add(node.name.value)
        self.has_closures = True
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.bound.add(node.name.value)
        self.has_closures = True
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.has_closures = True
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.shares_names = True

    def visit_Global(self, node: cst.Global) -> None:
        self.shares_names = True

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.returns_value = True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.returns_value = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind(node.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            self.bound.add(dotted(node.name).partition(".")[0])

    def _bind(self, target: cst.BaseExpression) -> None:
        self.bound.update(stored.value for stored in assigned_targets(target) if isinstance(stored, cst.Name))


def _is_start_of(expression: cst.BaseExpression, thread_call: cst.Call) -> bool:
    return (
        isinstance(expression, cst.Call)
        and not expression.args
        and isinstance(expression.func, cst.Attribute)
        and expression.func.attr.value == "start"
        and expression.func.value is thread_call
    )


def _pass_line() -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[cst.Pass()])


def _is_pass(statement: cst.BaseStatement) -> bool:
    small = single_small_statement(statement)
    return isinstance(small, cst.Pass)


def _as_comments(text: str) -> List[cst.EmptyLine]:
    return [
        cst.EmptyLine(comment=cst.Comment(f"# {line.strip()}" if line.strip() else "#"))
        for line in text.strip().splitlines()
    ]


def _uses_value_return(statement: cst.BaseStatement) -> bool:
    scan = _ScopeScan()
    statement.visit(scan)
    return scan.returns_value


def _nested_function_of(starter: cst.FunctionDef, call: cst.Call) -> Optional[str]:
    """The name of the function nested in ``starter`` that holds ``call``, if any."""
    for statement in starter.body.body if isinstance(starter.body, cst.IndentedBlock) else ():
        for nested in functions_in(statement):
            if call in calls_in(nested):
                return nested.name.value
    return None
