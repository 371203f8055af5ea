"""The private loop's own cleanup in a ``finally``: the tasks left on it cancelled and gathered,
its async generators and executor shut down, the loop stopped, closed and uninstalled.

On the one loop there is no private loop to tidy: these statements go with it. Only the
cancelling changes what the program does: the tasks the work spawned on the private loop and
left running were cancelled when ``run()`` ended; on the one loop they run on (and a task
registered with the TaskManager is cancelled by ``shutdown()``). So a ``finally`` that cancels is
dropped only when the module spawns no task (no ``create_task()``/``ensure_future()`` anywhere in
it); a coroutine of another module may still spawn one, which the docs state.
"""

from __future__ import annotations

from typing import Callable, Iterable, Optional, Set

import libcst as cst
from libcst.metadata import CodeRange

from ..syntax import calls_in, dotted, single_small_statement
from . import NotUnderstood

TASK_SPAWNS = frozenset({"create_task", "ensure_future"})
LOOP_ENDINGS = frozenset({"close", "stop"})
LOOP_SHUTDOWNS = frozenset({"shutdown_asyncgens", "shutdown_default_executor"})
LOOP_STATE_QUERIES = frozenset({"is_closed", "is_running"})
TASK_LIST_BUILDERS = frozenset({"list", "set", "tuple"})


def task_spawn_in(module: cst.Module, position: Callable[[cst.CSTNode], CodeRange]) -> Optional[str]:
    """Where the module first spawns a task: ``"create_task() at line 12"``, or None."""
    for call in calls_in(module):
        name = dotted(call.func).rpartition(".")[2]
        if name in TASK_SPAWNS:
            return f"{name}() at line {position(call).start.line}"
    return None


class LoopCleanup:
    """Recognises, statement by statement, a ``finally`` part that only tidies the private loop.

    ``loop_names`` is the rewrite's live set of names holding the loop (``loop``, ``self.loop``);
    ``task_spawn`` tells, when asked, where the module spawns a task (``"create_task() at line
    12"``) or None; asked only for a ``finally`` that cancels (it reads the whole module).
    """

    def __init__(self, loop_names: Set[str], task_spawn: Optional[Callable[[], Optional[str]]]) -> None:
        self.loop_names = loop_names
        self.task_spawn = task_spawn
        self.task_lists: Set[str] = set()  # `pending` of `pending = asyncio.all_tasks(loop)`

    def drops(self, statement: cst.BaseStatement) -> bool:
        """Whether ``statement`` only tidies the private loop; raises :class:`NotUnderstood` when
        it cancels the loop's tasks and the module spawns tasks that would outlive ``run()``."""
        lists = set(self.task_lists)
        if not self._tidies(statement, lists):
            return False
        spawn = self.task_spawn() if self.task_spawn is not None and self._cancels(statement) else None
        if spawn is not None:
            raise NotUnderstood(
                f"the finally cancels the tasks left on the private loop, and this module spawns tasks"
                f" ({spawn}): on the one loop they would outlive run()"
            )
        self.task_lists = lists
        return True

    def check_no_task_list_left(self, kept: Iterable[cst.BaseStatement]) -> None:
        """A name bound to the loop's tasks must not be read by what stays (it is gone)."""
        for statement in kept:
            read = sorted(_names_in(statement) & self.task_lists)
            if read:
                raise NotUnderstood(f"the private loop's tasks '{read[0]}' are used for more than cancelling them")

    # ----- recognition ------------------------------------------------------------------------

    def _tidies(self, statement: cst.BaseStatement, lists: Set[str]) -> bool:
        if isinstance(statement, cst.SimpleStatementLine):
            return all(self._tidies_small(small, lists) for small in statement.body)
        if isinstance(statement, cst.If):
            if not self._asks_about_loop(statement.test, lists):
                return False
            orelse = statement.orelse
            if isinstance(orelse, cst.If):
                return self._block(statement.body, lists) and self._tidies(orelse, lists)
            return self._block(statement.body, lists) and (orelse is None or self._block(orelse.body, lists))
        if isinstance(statement, cst.For):
            return statement.orelse is None and self._cancels_each(statement, lists)
        if isinstance(statement, cst.Try):
            # Its handlers could only catch what the cleanup raised: they go with it.
            return (
                self._block(statement.body, lists)
                and (statement.orelse is None or self._block(statement.orelse.body, lists))
                and (statement.finalbody is None or self._block(statement.finalbody.body, lists))
            )
        return False

    def _block(self, block: cst.BaseSuite, lists: Set[str]) -> bool:
        if not isinstance(block, cst.IndentedBlock):
            return False
        return all(self._tidies(statement, lists) for statement in block.body)

    def _tidies_small(self, small: cst.BaseSmallStatement, lists: Set[str]) -> bool:
        if isinstance(small, cst.Pass):
            return True
        if isinstance(small, cst.Assign):
            if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
                return False
            if not self._is_loop_tasks(small.value, lists):
                return False
            lists.add(small.targets[0].target.value)
            return True
        if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
            return False
        call = small.value
        if dotted(call.func).rpartition(".")[2] == "set_event_loop":
            return len(call.args) == 1 and dotted(call.args[0].value) == "None"
        method = self._loop_method(call)
        if method in LOOP_ENDINGS:
            return not call.args
        if method != "run_until_complete" or len(call.args) != 1:
            return False
        awaited = call.args[0].value
        if isinstance(awaited, cst.Call) and self._loop_method(awaited) in LOOP_SHUTDOWNS:
            return True
        return self._gathers_loop_tasks(awaited, lists)

    def _cancels_each(self, loop: cst.For, lists: Set[str]) -> bool:
        """``for task in pending: task.cancel()``, also under ``if not task.done():``."""
        if not isinstance(loop.target, cst.Name) or not self._is_loop_tasks(loop.iter, lists):
            return False
        task = loop.target.value

        def cancels(statement: cst.BaseStatement) -> bool:
            small = single_small_statement(statement)
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                return dotted(small.value.func) == f"{task}.cancel" and not small.value.args
            if isinstance(statement, cst.If) and statement.orelse is None:
                queries = {dotted(c.func) for c in calls_in(statement.test)}
                names = _names_in(statement.test) - {"None"}
                return (
                    queries <= {f"{task}.done", f"{task}.cancelled"}
                    and names <= {task}
                    and isinstance(statement.body, cst.IndentedBlock)
                    and all(cancels(s) for s in statement.body.body)
                )
            return False

        return isinstance(loop.body, cst.IndentedBlock) and all(cancels(s) for s in loop.body.body)

    def _is_loop_tasks(self, expression: cst.BaseExpression, lists: Set[str]) -> bool:
        """``pending``, ``asyncio.all_tasks(loop)``, ``asyncio.Task.all_tasks(loop)``, ``list(...)``."""
        if isinstance(expression, cst.Name):
            return expression.value in lists
        if not isinstance(expression, cst.Call) or len(expression.args) != 1 or expression.args[0].keyword:
            return False
        name = dotted(expression.func)
        argument = expression.args[0].value
        if name in TASK_LIST_BUILDERS:
            return self._is_loop_tasks(argument, lists)
        return name.rpartition(".")[2] == "all_tasks" and dotted(argument) in self.loop_names

    def _gathers_loop_tasks(self, expression: cst.BaseExpression, lists: Set[str]) -> bool:
        """``asyncio.gather(*pending, return_exceptions=True)``: without ``return_exceptions`` the
        gather raises the cancellation out of the ``finally``, which is not only tidying."""
        if not isinstance(expression, cst.Call) or dotted(expression.func).rpartition(".")[2] != "gather":
            return False
        starred = [a for a in expression.args if a.star == "*"]
        flags = [a for a in expression.args if a.keyword is not None]
        return (
            len(starred) == 1
            and len(expression.args) == 2
            and self._is_loop_tasks(starred[0].value, lists)
            and len(flags) == 1
            and flags[0].keyword.value == "return_exceptions"
            and isinstance(flags[0].value, cst.Name)
            and flags[0].value.value == "True"
        )

    def _asks_about_loop(self, test: cst.BaseExpression, lists: Set[str]) -> bool:
        """``if loop:``, ``if not loop.is_closed():``, ``if pending:``: asks only about the loop."""
        for call in calls_in(test):
            if call.args or self._loop_method(call) not in LOOP_STATE_QUERIES:
                return False
        known = self.loop_names | lists | {"None"}
        return all(name in known for name in _references(test))

    def _loop_method(self, call: cst.Call) -> Optional[str]:
        func = call.func
        if isinstance(func, cst.Attribute) and dotted(func.value) in self.loop_names:
            return func.attr.value
        return None

    def _cancels(self, statement: cst.BaseStatement) -> bool:
        return any(dotted(c.func).rpartition(".")[2] == "all_tasks" for c in calls_in(statement))


def _names_in(node: cst.CSTNode) -> Set[str]:
    """Every plain name read or written in ``node`` (attribute names not included)."""
    found: Set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    node.visit(Names())
    return found


def _references(test: cst.BaseExpression) -> Set[str]:
    """The loop-ish references of a test: ``self.loop`` as one dotted name, other names alone."""
    found: Set[str] = set()

    class References(cst.CSTVisitor):
        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            if attribute.attr.value in LOOP_STATE_QUERIES:
                attribute.value.visit(self)
            else:
                found.add(dotted(attribute) or "?")
            return False

        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    test.visit(References())
    return found
