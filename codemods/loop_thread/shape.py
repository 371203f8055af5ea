"""A long-lived loop thread and the uses of its loop, read from the original tree.

The shape: ``X = asyncio.new_event_loop()`` and, later in the same block,
``threading.Thread(target=X.run_forever, daemon=True).start()`` (or ``T = Thread(...)`` and
``T.start()``, ``T`` used for nothing else but a ``T.join(...)`` right after
``X.call_soon_threadsafe(X.stop)``; or ``target=f, args=(X,)`` where the module function ``f``
only installs and runs its loop; or ``target=self._run_loop``, a method of the class that only
installs and runs ``self.X``, see :mod:`.runners`). ``X`` is a module-level name (made at import,
or in a function that declares it ``global``, ``X = None`` at import) or an attribute of ``self``
set in a method. Every other use of the loop must be a submission, which on the one loop becomes:

- from a coroutine, ``asyncio.run_coroutine_threadsafe(c, X)`` whose result is dropped -> a task
  of ``c``, registered with the TaskManager (the daemon thread was killed at exit, the task is
  cancelled at shutdown);
- from a coroutine, ``asyncio.run_coroutine_threadsafe(c, X).result()`` and
  ``await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(c, X))`` -> ``await c``;
- from a coroutine, ``X.call_soon_threadsafe(f, *args)`` ->
  ``asyncio.get_running_loop().call_soon(f, *args)``;
- from a module-level function only run by threads that coroutines start: unchanged, ``X`` being
  the one loop, captured by the entry coroutine before any coroutine runs (a loop made at import
  only);
- ``X.call_soon_threadsafe(X.stop)`` then ``T.join(...)`` (then ``X.close()``), anywhere: nothing,
  the thread and its loop being gone; unless tasks were submitted, which the stop dropped.

Anything else (other synchronous code, a future kept, ``X.stop`` handed on otherwise, the loop
handed on, a non-daemon thread, the entry point running no loop) leaves the thread as it is, with
the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import CodeRange

from flake8_loopguard.core.apis import GUI_MAIN_LOOP_FUNCTIONS, GUI_MAIN_LOOP_METHODS

from ..interleaving import held_lock, lock_names, lock_reason, read_then_written
from ..syntax import code_of, dotted
from .nodes import (
    context_of,
    enclosing_class,
    enclosing_function,
    global_line,
    in_generator_expression,
    is_main_test,
    is_start,
    is_start_of,
    is_stop_of,
    join_after_stop,
    keyword,
    loop_receiver,
    module_none,
    not_a_variable,
    own_line,
    plain_args,
    self_reference,
    statement_text,
    thread_call,
)
from .runners import loop_runner, method_runner

Position = Callable[[cst.CSTNode], CodeRange]

# What a submission becomes on the one loop.
TASK = "task"  # run_coroutine_threadsafe(c, X) dropped -> registered create_task(c)
AWAIT = "await"  # run_coroutine_threadsafe(c, X).result() in a coroutine -> await c
UNWRAP = "unwrap"  # asyncio.wrap_future(run_coroutine_threadsafe(c, X)) under an await -> c
CALL_SOON = "call_soon"  # X.call_soon_threadsafe(f, ...) -> asyncio.get_running_loop().call_soon(f, ...)

THREADSAFE = "asyncio.run_coroutine_threadsafe"
NEW_LOOP = "asyncio.new_event_loop"
THREAD = "threading.Thread"
WRAP_FUTURE = "asyncio.wrap_future"
TO_THREAD = "asyncio.to_thread"
LOOP_RUNNERS = frozenset({"asyncio.run", "qasync.run"})
THREAD_OPTIONS = frozenset({"target", "daemon", "name"})


@dataclass
class Submission:
    """One call that hands work to the loop thread, and what it becomes."""

    kind: str
    context: str  # the enclosing definition (``Client.fetch``): the registered task is named after it
    line: int


@dataclass
class LoopThread:
    """One long-lived loop thread: the statements that go, the submissions rewritten, or why not."""

    loop: str  # ``_loop`` or ``self._loop``, as written
    thread_line: int
    creation: Optional[cst.SimpleStatementLine] = None  # `X = asyncio.new_event_loop()`
    creation_line: int = 0
    runner: Optional[cst.FunctionDef] = None  # `def start(loop): asyncio.set_event_loop(loop); loop.run_forever()`
    runner_lines: range = range(0)
    removed: Set[cst.BaseStatement] = field(default_factory=set)
    submissions: Dict[cst.Call, Submission] = field(default_factory=dict)
    use_lines: Set[int] = field(default_factory=set)  # where the loop is used
    from_threads: Set[int] = field(default_factory=set)  # lines submitting from other threads: they stay
    joins: Set[cst.BaseStatement] = field(default_factory=set)  # `T.join(...)` right after the stop
    stop_lines: Set[int] = field(default_factory=set)  # `X.call_soon_threadsafe(X.stop)` before the join: they go
    capture_in: Optional[cst.FunctionDef] = None  # the entry coroutine that binds the loop name to the one loop
    problem: str = ""  # why the thread is left as it is; "" when it is rewritten

    @property
    def lines(self) -> Set[int]:
        """The lines of its findings: the thread (LG401), the loop's creation (LG101), its runner
        function (LG103, LG104), and the uses of the loop."""
        found = {self.thread_line, *self.use_lines, *self.runner_lines}
        return found | ({self.creation_line} if self.creation_line else set())


class _Walk(cst.CSTVisitor):
    """Every node with the original nodes around it, for the nodes ``wanted`` says."""

    def __init__(self, wanted: Callable[[cst.CSTNode], bool]) -> None:
        self.wanted = wanted
        self.stack: List[cst.CSTNode] = []
        self.found: List[Tuple[cst.CSTNode, Tuple[cst.CSTNode, ...]]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.wanted(node):
            self.found.append((node, tuple(self.stack)))
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


class LoopThreads:
    """The loop threads of one module, planned from the calls its LG401 findings are at."""

    def __init__(self, module: cst.Module, position: Position, bound: Dict[str, str], entry_point_file: bool) -> None:
        self.module = module
        self.position = position
        self.bound = bound  # the module's imports: local name -> what it is
        self.entry_point_file = entry_point_file  # the configuration's `entry-points` names this file
        self._locks: Optional[Set[str]] = None

    def qualified(self, node: cst.BaseExpression) -> str:
        """``asyncio.run`` for ``asyncio.run``/``aio.run``/``run`` imported from asyncio; else ""."""
        name = dotted(node)
        head, dot, rest = name.partition(".")
        if head not in self.bound:
            return ""
        return self.bound[head] + dot + rest

    def calls_at(self, starts: Set[Tuple[int, int]]) -> List[Tuple[cst.Call, Tuple[cst.CSTNode, ...]]]:
        """The outermost calls that start at ``starts`` (1-based line, character column), with their ancestors."""
        walk = _Walk(lambda node: isinstance(node, cst.Call) and self._start(node) in starts)
        self.module.visit(walk)
        taken: Set[Tuple[int, int]] = set()
        result = []
        for call, ancestors in walk.found:
            if self._start(call) not in taken:
                taken.add(self._start(call))
                result.append((call, ancestors))  # type: ignore[arg-type]
        return result

    def plan(self, started: cst.Call, ancestors: Sequence[cst.CSTNode]) -> Optional[LoopThread]:
        """The loop thread whose ``Thread(...).start()`` statement starts with ``started`` (the
        outermost call where LG401 is), or None when the call is not ``Thread(target=X.run_forever)``."""
        thread = thread_call(started)
        if thread is None or self.qualified(thread.func) != THREAD:
            return None
        target = keyword(thread, "target")
        runner: Optional[cst.FunctionDef] = None
        if isinstance(target, cst.Attribute) and target.attr.value == "run_forever":
            loop_node: cst.BaseExpression = target.value
        elif isinstance(target, cst.Attribute) and keyword(thread, "args") is None:
            runner = method_runner(target, ancestors, self.qualified)
            if runner is None:
                return None
            loop_node = runner.body.body[-1].body[0].value.func.value  # type: ignore[attr-defined]
        elif isinstance(target, cst.Name):
            runner = loop_runner(self.module, target.value, self.qualified)
            args = keyword(thread, "args")
            if runner is None or not (isinstance(args, (cst.Tuple, cst.List)) and len(args.elements) == 1):
                return None
            loop_node = args.elements[0].value
        else:
            return None
        loop = dotted(loop_node)
        receiver = loop_receiver(loop, ancestors)
        if not loop or receiver is None:
            return None
        found = LoopThread(loop, self.position(started).start.line, runner=runner)
        if runner is not None:
            where = self.position(runner)
            found.runner_lines = range(where.start.line, where.end.line + 1)
        found.problem = self._plan(found, started, thread, loop_node, ancestors, receiver)
        return found

    def _plan(
        self,
        found: LoopThread,
        started: cst.Call,
        thread: cst.Call,
        loop_node: cst.BaseExpression,
        ancestors: Sequence[cst.CSTNode],
        receiver: str,
    ) -> str:
        if started is thread:
            statements, block, problem = self._kept_thread(found, thread, ancestors)
            if problem:
                creation = self._creation(found.loop, statements[0], block) if statements else None
                found.creation_line = self.position(creation).start.line if creation is not None else 0
                return problem
        elif is_start(started):
            statement, block = own_line(started, ancestors)
            if statement is None:
                return "the thread is started on a line shared with other code"
            statements = [statement]
        else:
            return f"the thread is used at once for `{code_of(started.func).strip()}`, which has no one-loop meaning"
        creation = self._creation(found.loop, statements[0], block)
        if creation is None:
            return (
                f"the loop the thread runs is not made by `{found.loop} = asyncio.new_event_loop()` earlier in "
                "the same block"
            )
        found.creation = creation
        found.creation_line = self.position(creation).start.line
        found.removed = {creation, *statements, *found.joins}
        problem = self._uses(found, loop_node, creation, receiver, ancestors)
        # Not a `.result()` in a coroutine: that blocked the thread that could have called the stop.
        tasks = sorted(s.line for s in found.submissions.values() if s.kind in (TASK, UNWRAP))
        if not problem and found.stop_lines and tasks:
            problem = (
                f"line {min(found.stop_lines)} stops the loop, which drops the tasks still pending on it (submitted "
                f"at line {tasks[0]}); on the one loop they would run on: cancel them by hand"
            )
        gui = self._gui_main_loop()
        if gui is not None:
            return (
                f"the main thread runs a GUI main loop (`{code_of(gui).strip()}`, line "
                f"{self.position(gui).start.line}), which must keep it: the entry point cannot own an asyncio "
                "loop, so the loop thread stays"
            )
        if problem:
            return problem
        if found.runner is not None:
            elsewhere = self._other_reference(found.runner, thread)
            if elsewhere:
                return (
                    f"the loop's runner {found.runner.name.value}() is also used at line {elsewhere}: it stays, "
                    "and its thread with it"
                )
            found.removed.add(found.runner)
        options = THREAD_OPTIONS | ({"args"} if found.runner is not None else set())
        unknown = [arg for arg in thread.args if arg.keyword is None or arg.keyword.value not in options]
        if unknown:
            return f"the thread is made with `{code_of(unknown[0]).strip(', ')}`, which this codemod does not take"
        daemon = keyword(thread, "daemon")
        if not (isinstance(daemon, cst.Name) and daemon.value == "True"):
            return (
                "the loop thread is not a daemon: the program lived until its loop was stopped, which a task of "
                "the one loop would not do"
            )
        runner = self._entry_point_runner()
        if runner is None:
            return (
                "the module's entry point runs no event loop (`asyncio.run(...)` or `qasync.run(...)` in its "
                "`__main__` block, or at the top level of a file named in `entry-points`): nothing here would run "
                "the submitted coroutines once the thread is gone"
            )
        starter = enclosing_function(ancestors)
        if starter is not None and not receiver:
            declared = global_line(starter, found.loop)
            if found.from_threads:
                return (
                    f"line {min(found.from_threads)} submits from another thread to `{found.loop}`, which only a loop "
                    "made at import can keep for it"
                )
            if len(declared.body) == 1 and len(declared.body[0].names) == 1:  # type: ignore[union-attr]
                found.removed.add(declared)  # type: ignore[arg-type]
        if found.from_threads:
            line = min(found.from_threads)
            if receiver:
                return (
                    f"line {line} submits from another thread to `{found.loop}`, which only a module-level loop "
                    "name can keep for it"
                )
            found.capture_in = self._entry_coroutine(runner)
            if found.capture_in is None:
                return (
                    f"line {line} submits from another thread: the loop must be captured when the entry point's "
                    f"coroutine starts, and `{code_of(runner).strip()}` starts no `async def` of this module"
                )
            found.removed.discard(creation)  # it binds the name until the entry coroutine captures the one loop
        return ""

    def _kept_thread(
        self, found: LoopThread, thread: cst.Call, ancestors: Sequence[cst.CSTNode]
    ) -> Tuple[List[cst.SimpleStatementLine], Sequence[cst.BaseStatement], str]:
        """``T = Thread(...)`` and, later in the same block, ``T.start()``, the only uses of ``T``
        with ``T.join(...)`` right after ``X.call_soon_threadsafe(X.stop)`` (those are
        ``found.joins``): (those two lines, their block, ""), else (the first line if it is one, its
        block, why the thread stays)."""
        assign = ancestors[-1] if ancestors else None
        kept = "the thread object is kept and used for more than `start()`: its other uses have no one-loop meaning"
        if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1):
            return [], (), kept
        name = dotted(assign.targets[0].target)
        line = ancestors[-2]
        block = ancestors[-3] if len(ancestors) > 2 else None
        if not name or not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return [], (), kept
        if not isinstance(block, (cst.Module, cst.IndentedBlock)):
            return [], (), kept
        later = list(block.body)[list(block.body).index(line) + 1 :]
        start = next((s for s in later if is_start_of(s, name)), None)
        attribute = name.rpartition(".")[2]
        walk = _Walk(
            lambda node: dotted(node) == name if "." in name else isinstance(node, cst.Name) and node.value == attribute
        )
        self.module.visit(walk)
        uses = [(node, around) for node, around in walk.found if not not_a_variable(node, around)]
        joins = [join_after_stop(node, around, found.loop) for node, around in uses]
        joins = [join for join in joins if join is not None]
        if start is None or len(uses) - len(joins) != 2:
            return [line], block.body, kept  # the line, for the loop made before it
        found.joins = set(joins)
        return [line, start], block.body, ""

    def _creation(
        self, loop: str, statement: cst.SimpleStatementLine, block: Sequence[cst.BaseStatement]
    ) -> Optional[cst.SimpleStatementLine]:
        """The ``loop = asyncio.new_event_loop()`` line before ``statement`` in its block."""
        for earlier in reversed(block[: list(block).index(statement)]):
            if not isinstance(earlier, cst.SimpleStatementLine) or len(earlier.body) != 1:
                continue
            small = earlier.body[0]
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and dotted(small.targets[0].target) == loop
                and isinstance(small.value, cst.Call)
                and self.qualified(small.value.func) == NEW_LOOP
                and not small.value.args
            ):
                return earlier
        return None

    # ----- the uses of the loop ----------------------------------------------------------------

    def _other_reference(self, function: cst.FunctionDef, thread: cst.Call) -> int:
        """The line of a reference to ``function``'s name other than as ``thread``'s target; 0 when none."""
        target = keyword(thread, "target")
        method = isinstance(target, cst.Attribute)  # then any `.name` may be it
        own = {id(target), id(function.name), id(target.attr) if method else 0}  # type: ignore[union-attr]
        walk = _Walk(lambda node: isinstance(node, cst.Name) and node.value == function.name.value)
        self.module.visit(walk)
        for node, ancestors in walk.found:
            if id(node) not in own and (method or not not_a_variable(node, ancestors)):
                return self.position(node).start.line
        return 0

    def _uses(
        self,
        found: LoopThread,
        loop_node: cst.BaseExpression,
        creation: cst.SimpleStatementLine,
        receiver: str,
        thread_ancestors: Sequence[cst.CSTNode],
    ) -> str:
        """Plans every use of the loop other than its creation and the thread's target; the first
        problem found, or ""."""
        owner = enclosing_class(thread_ancestors) if receiver else None
        attribute = found.loop.rpartition(".")[2]
        own = {id(creation.body[0].targets[0].target), id(loop_node)}  # type: ignore[attr-defined]

        def is_reference(node: cst.CSTNode) -> bool:
            if receiver:
                return isinstance(node, cst.Attribute) and node.attr.value == attribute
            return isinstance(node, cst.Name) and node.value == found.loop

        walk = _Walk(is_reference)
        self.module.visit(walk)
        first_problem = ""
        for node, ancestors in walk.found:
            if id(node) in own or (not receiver and not_a_variable(node, ancestors)):
                continue
            if found.runner is not None and found.runner in ancestors:
                continue  # the runner goes with the thread
            if not receiver and isinstance(ancestors[-1], cst.NameItem):
                continue  # `global X`: a declaration, not a use
            unbound = module_none(node, ancestors) if not receiver else None  # type: ignore[arg-type]
            if unbound is not None:
                found.removed.add(unbound)  # `X = None` until the thread was started: X goes
                continue
            line = self.position(node).start.line
            found.use_lines.add(line)  # also after a problem: each finding of the loop gets the reason
            if first_problem:
                continue
            if receiver and not self_reference(node, ancestors, owner):  # type: ignore[arg-type]
                first_problem = f"line {line} reaches the loop from outside its class (`{code_of(node)}`)"
            else:
                first_problem = self._submission(found, node, ancestors, line)  # type: ignore[arg-type]
        return first_problem

    def _submission(
        self, found: LoopThread, reference: cst.BaseExpression, ancestors: Sequence[cst.CSTNode], line: int
    ) -> str:
        parent = ancestors[-1]
        function = enclosing_function(ancestors)
        in_coroutine = isinstance(function, cst.FunctionDef) and function.asynchronous is not None
        context = context_of(ancestors)
        stopping = self._stopping(found, reference, ancestors)
        if stopping is not None:
            found.removed.add(stopping)
            return ""
        # X.call_soon_threadsafe(f, ...)
        if isinstance(parent, cst.Attribute) and parent.attr.value == "call_soon_threadsafe" and len(ancestors) > 1:
            call = ancestors[-2]
            if isinstance(call, cst.Call) and call.func is parent:
                if not in_coroutine:
                    return self._from_another_thread(found, function, line, waited=False)
                found.submissions[call] = Submission(CALL_SOON, context, line)
                return ""
        # asyncio.run_coroutine_threadsafe(c, X)
        if isinstance(parent, cst.Arg) and len(ancestors) > 1 and isinstance(ancestors[-2], cst.Call):
            call = ancestors[-2]
            if self.qualified(call.func) == THREADSAFE and plain_args(call, 2) and call.args[1] is parent:
                return self._threadsafe(found, call, ancestors[:-2], function, in_coroutine, context, line)
        return (
            f"line {line} uses the loop otherwise (`{statement_text(reference, ancestors)}`): it has no one-loop "
            "meaning this codemod can write"
        )

    def _stopping(
        self, found: LoopThread, reference: cst.BaseExpression, ancestors: Sequence[cst.CSTNode]
    ) -> Optional[cst.SimpleStatementLine]:
        """The line of ``reference`` when it stops the loop and ends its thread, which on the one loop
        is nothing to do (the thread and its loop are gone): ``X.call_soon_threadsafe(X.stop)`` right
        before the thread's join, and ``X.close()`` after that in the same block; else None."""
        lines = [index for index in range(len(ancestors)) if isinstance(ancestors[index], cst.SimpleStatementLine)]
        if not lines or len(ancestors) < lines[-1] + 2:
            return None
        statement = ancestors[lines[-1]]
        block = ancestors[lines[-1] - 1]
        body = list(block.body) if isinstance(block, (cst.Module, cst.IndentedBlock)) else []
        if statement in found.removed or statement not in body:
            return statement if statement in found.removed and is_stop_of(statement, found.loop) else None
        index = body.index(statement)
        if is_stop_of(statement, found.loop) and index + 1 < len(body) and body[index + 1] in found.joins:
            found.stop_lines.add(self.position(statement).start.line)
            return statement  # type: ignore[return-value]
        small = statement.body[0] if len(statement.body) == 1 else None  # type: ignore[attr-defined]
        closes = small is not None and code_of(small).strip() == f"{found.loop}.close()"
        if closes and any(s in found.removed and is_stop_of(s, found.loop) for s in body[:index]):
            return statement  # type: ignore[return-value]
        return None

    def _threadsafe(
        self,
        found: LoopThread,
        call: cst.Call,
        ancestors: Sequence[cst.CSTNode],
        function: Optional[cst.FunctionDef],
        in_coroutine: bool,
        context: str,
        line: int,
    ) -> str:
        parent = ancestors[-1]
        waited = (
            isinstance(parent, cst.Attribute)
            and parent.attr.value == "result"
            and len(ancestors) > 1
            and isinstance(ancestors[-2], cst.Call)
            and ancestors[-2].func is parent  # type: ignore[attr-defined]
        )
        if not in_coroutine:
            return self._from_another_thread(found, function, line, waited)
        if isinstance(parent, cst.Expr):
            found.submissions[call] = Submission(TASK, context, line)
            return ""
        if waited:
            result_call = ancestors[-2]
            if not plain_args(result_call, 0):  # type: ignore[arg-type]
                return (
                    f"line {line} waits with a timeout (`.result(...)`): an await has no such limit; use "
                    "asyncio.wait_for by hand"
                )
            if in_generator_expression(ancestors):
                return (
                    f"line {line} waits inside a generator expression: an await there would make it an async "
                    "generator"
                )
            problem = self._interleaving(result_call, ancestors[:-2], function)  # type: ignore[arg-type]
            if problem:
                return f"line {line}: {problem}"
            found.submissions[result_call] = Submission(AWAIT, context, line)  # type: ignore[index]
            return ""
        if (
            isinstance(parent, cst.Arg)
            and len(ancestors) > 2
            and isinstance(ancestors[-2], cst.Call)
            and self.qualified(ancestors[-2].func) == WRAP_FUTURE
            and plain_args(ancestors[-2], 1)
            and isinstance(ancestors[-3], cst.Await)
        ):
            found.submissions[ancestors[-2]] = Submission(UNWRAP, context, line)  # type: ignore[index]
            return ""
        return (
            f"line {line} keeps the future run_coroutine_threadsafe returns: its users would need a task of "
            "the one loop instead"
        )

    def _from_another_thread(
        self, found: LoopThread, function: Optional[cst.FunctionDef], line: int, waited: bool
    ) -> str:
        """A submission from synchronous code stays, onto the one loop, when that code is a
        module-level function only ever run by a thread (or ``asyncio.to_thread``) that a
        coroutine starts: the loop is captured before any such thread exists. Else why not."""
        starters = self._thread_starts(function) if function is not None else None
        if starters is None:
            if waited:
                return (
                    f"line {line} waits for the loop thread's result from synchronous code that is not only run by a "
                    "thread a coroutine starts: on the one loop, that wait would block the loop that must run the "
                    "coroutine; make the caller a coroutine that awaits it"
                )
            return (
                f"line {line} submits to the loop thread from synchronous code that is not only run by a thread a "
                "coroutine starts: whether it runs on the loop or before the loop is not known here"
            )
        found.from_threads.add(line)
        return ""

    def _thread_starts(self, function: cst.FunctionDef) -> Optional[int]:
        """How many places hand the module-level ``function`` to a thread from a coroutine
        (``threading.Thread(target=f)``, ``asyncio.to_thread(f, ...)``), when that is all the
        module does with its name; else None."""
        if not any(statement is function for statement in self.module.body):
            return None
        name = function.name.value
        walk = _Walk(lambda node: isinstance(node, cst.Name) and node.value == name)
        self.module.visit(walk)
        starts = 0
        for node, ancestors in walk.found:
            parent = ancestors[-1]
            if parent is function or not_a_variable(node, ancestors):
                continue
            call = ancestors[-2] if len(ancestors) > 1 else None
            if not isinstance(parent, cst.Arg) or not isinstance(call, cst.Call):
                return None
            by_thread = (
                self.qualified(call.func) == THREAD and parent.keyword is not None and parent.keyword.value == "target"
            )
            by_to_thread = self.qualified(call.func) == TO_THREAD and call.args and call.args[0] is parent
            started_by = enclosing_function(ancestors[:-2])
            if not (by_thread or by_to_thread) or started_by is None or started_by.asynchronous is None:
                return None
            starts += 1
        return starts or None

    def _interleaving(
        self, call: cst.Call, ancestors: Sequence[cst.CSTNode], function: Optional[cst.FunctionDef]
    ) -> str:
        """Why ``await`` in place of a ``.result()`` that held the whole loop would let another task in."""
        if self._locks is None:
            self._locks = lock_names(self.module)
        held = held_lock(list(ancestors), call, self.position, self._locks)
        if held is not None:
            return lock_reason(held)
        lost = read_then_written(function, call, self.position) if function is not None else None
        if lost is not None:
            attribute, read_line, write_line = lost
            return (
                f"an await here would sit between the read of {attribute} (line {read_line}) and its write "
                f"(line {write_line}): another task could change it in between, and one update would be lost; "
                "reorder by hand"
            )
        return ""

    def _gui_main_loop(self) -> Optional[cst.Call]:
        """The first call in the module that runs a GUI toolkit's own main loop (Tk, wx, Dear
        PyGui, GTK, pyglet), or None."""
        def runs_gui(node: cst.CSTNode) -> bool:
            if not isinstance(node, cst.Call) or node.args:
                return False
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in GUI_MAIN_LOOP_METHODS:
                return True
            return self.qualified(node.func) in GUI_MAIN_LOOP_FUNCTIONS

        walk = _Walk(runs_gui)
        self.module.visit(walk)
        return walk.found[0][0] if walk.found else None  # type: ignore[return-value]

    def _entry_point_runner(self) -> Optional[cst.Call]:
        """The ``asyncio.run(...)``/``qasync.run(...)`` of the module's ``if __name__ == "__main__":``
        block, or of its module-level code in a file the configuration names an entry point."""
        blocks: List[Sequence[cst.BaseStatement]] = [self.module.body] if self.entry_point_file else []
        blocks += [s.body.body for s in self.module.body if isinstance(s, cst.If) and is_main_test(s.test)]
        for block in blocks:
            for line in block:
                for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                    value = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
                    if isinstance(value, cst.Call) and self.qualified(value.func) in LOOP_RUNNERS:
                        return value
        return None

    def _entry_coroutine(self, runner: cst.Call) -> Optional[cst.FunctionDef]:
        """The module-level ``async def`` whose call ``runner`` runs (``asyncio.run(main())``)."""
        started = runner.args[0].value if runner.args else None
        if not isinstance(started, cst.Call) or not isinstance(started.func, cst.Name):
            return None
        for statement in self.module.body:
            if (
                isinstance(statement, cst.FunctionDef)
                and statement.name.value == started.func.value
                and statement.asynchronous is not None
            ):
                return statement
        return None

    def _start(self, node: cst.CSTNode) -> Tuple[int, int]:
        start = self.position(node).start
        return start.line, start.column
