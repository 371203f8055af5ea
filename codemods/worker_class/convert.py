"""The new worker class: ``run()`` a coroutine that awaits its work, the private loop gone, the
thread base replaced by the runtime's task base. Raises :class:`NotUnderstood` for what has no
one-loop meaning or what it cannot prove safe."""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Set, Union

import libcst as cst

from ..syntax import body_statements, calls_in, code_of, dotted, instance_parameter
from ..thread_loop import NotUnderstood
from ..thread_loop.settle import Carried, comment_lines, settle
from ..thread_loop.starter import StarterRewrite
from .bases import ThreadBase

# What a thread class offers that its runtime base does not, because it has no one-loop meaning.
THREAD_ONLY = {
    "QThread": frozenset(
        {
            "exec", "exec_", "currentThread", "currentThreadId", "idealThreadCount", "loopLevel",
            "eventDispatcher", "setEventDispatcher", "priority", "setPriority", "stackSize",
            "setStackSize", "yieldCurrentThread", "msleep", "sleep", "usleep", "wait", "moveToThread",
        }
    ),
    "Thread": frozenset({"join", "ident", "native_id", "isDaemon", "setDaemon", "getName", "setName"}),
    "QRunnable": frozenset({"create"}),
}
WHY_NOT = {
    "wait": "blocks until the thread ends; from synchronous code it has no one-loop meaning",
    "join": "blocks until the thread ends; from synchronous code it has no one-loop meaning",
    "moveToThread": "moves the object's slots to another thread",
    "run": "runs the work synchronously; as a coroutine run() must be awaited",
}
# `self.msleep(ms)` in run() -> `await asyncio.sleep(ms / 1000)`: QThread's sleeps, scaled to seconds.
QTHREAD_SLEEPS = {"msleep": 1000, "sleep": 1, "usleep": 1_000_000}
SLOT_DECORATORS = frozenset({"Slot", "pyqtSlot"})  # on QRunnable.run: no meaning on a coroutine
KEPT_DECORATORS = frozenset({"override"})
LOOP_STOPS = frozenset({"stop", "close"})
LOOP_QUERIES = frozenset({"is_running", "is_closed"})
CANCEL = "cancel_task"
LOCK_WORDS = ("lock", "mutex", "semaphore", "condition")


def why_thread_only(name: str) -> str:
    return WHY_NOT.get(name, "has no meaning once the worker is a task of the one loop")


class WorkerConversion:
    """Builds the converted class from the original one; raises :class:`NotUnderstood`."""

    def __init__(
        self,
        class_def: cst.ClassDef,
        base: ThreadBase,
        codes: Dict[cst.Call, str],
        asyncio_attr: Callable[[str], cst.Attribute],
        task_spawn: Optional[Callable[[], Optional[str]]] = None,
    ) -> None:
        """``codes``: the original calls of the class that the linter reports as LG101-LG104.
        ``task_spawn``: tells where the module spawns a task, if it does (``"create_task() at line 12"``)."""
        self.class_def = class_def
        self.base = base
        self.codes = codes
        self.asyncio_attr = asyncio_attr
        self.task_spawn = task_spawn
        self.methods = {m.name.value: m for m in body_statements(class_def) if isinstance(m, cst.FunctionDef)}
        self.loop_attributes: Set[str] = set()  # "loop" for self.loop
        self.dropped_decorators: Set[str] = set()  # as written: "Slot", "QtCore.pyqtSlot"

    def build(self) -> cst.ClassDef:
        run = self.methods.get("run")
        if run is None or not isinstance(self.class_def.body, cst.IndentedBlock):
            raise NotUnderstood("the class defines no run() of its own")
        receiver = self._check_run(run)
        self.loop_attributes = self._loop_attributes()
        replaced: Dict[cst.FunctionDef, cst.FunctionDef] = {}
        for name, method in self.methods.items():
            if name == "run":
                replaced[method] = self._new_run(method, receiver)
            elif name == "__init__":
                replaced[method] = self._new_init(method)
            else:
                replaced[method] = self._new_other(method)
        body = [replaced.get(statement, statement) for statement in self.class_def.body.body]  # type: ignore[arg-type]
        new_class = self.class_def.with_changes(body=self.class_def.body.with_changes(body=body))
        new_class = self._with_runtime_base(new_class)
        self._check_thread_api(new_class)
        return new_class

    # ----- run() -------------------------------------------------------------------------------

    def _check_run(self, run: cst.FunctionDef) -> str:
        receiver = instance_parameter(run)
        params = run.params
        if receiver is None or len([*params.posonly_params, *params.params]) != 1 or _has_extra(params):
            raise NotUnderstood("run() takes parameters")
        if run.asynchronous is not None:
            raise NotUnderstood("run() is already a coroutine")
        for decorator in run.decorators:
            called = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            name = dotted(called).rpartition(".")[2]
            if name not in SLOT_DECORATORS | KEPT_DECORATORS:
                raise NotUnderstood(f"run() is decorated with @{dotted(called) or 'an expression'}")
        return receiver

    def _new_run(self, run: cst.FunctionDef, receiver: str) -> cst.FunctionDef:
        codes = {call: code for call, code in self.codes.items() if call in set(calls_in(run))}
        attributes = [f"{receiver}.{name}" for name in sorted(self.loop_attributes)]
        body = StarterRewrite(
            run, None, codes, in_thread=True, loop_attributes=attributes, task_spawn=self.task_spawn
        ).body()
        body = body.visit(_AwaitQThreadSleeps(receiver, self.base, self.asyncio_attr))
        assert isinstance(body, cst.IndentedBlock)
        _refuse_awaits_under_locks(body)
        decorators = []
        for decorator in run.decorators:
            if dotted(_called(decorator)).rpartition(".")[2] in SLOT_DECORATORS:
                self.dropped_decorators.add(dotted(_called(decorator)))
            else:
                decorators.append(decorator)
        new_run = run.with_changes(asynchronous=cst.Asynchronous(), body=body, decorators=decorators)
        if decorators != list(run.decorators) and not decorators:
            # The def now starts where the decorator did: it keeps the decorator's leading lines.
            new_run = new_run.with_changes(leading_lines=run.leading_lines)
        self._refuse_loop_left(new_run, "run")
        return new_run

    # ----- the loop kept in an attribute ---------------------------------------------------

    def _loop_attributes(self) -> Set[str]:
        """``loop`` for ``self.loop = asyncio.new_event_loop()`` in ``run()`` or ``__init__``."""
        found: Set[str] = set()
        for name in ("run", "__init__"):
            method = self.methods.get(name)
            receiver = instance_parameter(method)
            if method is None or receiver is None:
                continue
            for assign in _assignments(method):
                if self.codes.get(assign.value) != "LG101":  # type: ignore[arg-type]
                    continue
                for target in assign.targets:
                    if isinstance(target.target, cst.Attribute) and dotted(target.target.value) == receiver:
                        found.add(target.target.attr.value)
        return found

    def _new_init(self, init: cst.FunctionDef) -> cst.FunctionDef:
        """``__init__`` without the private loop it made and installed (and its ``None`` placeholder)."""
        receiver = instance_parameter(init)
        loop_codes = [code for call, code in self.codes.items() if call in set(calls_in(init))]
        if not loop_codes and not self.loop_attributes:
            return init
        if receiver is None or not isinstance(init.body, cst.IndentedBlock):
            raise NotUnderstood("__init__ makes a loop where the rewrite cannot follow it")
        items: List[Union[cst.BaseStatement, Carried]] = []
        for statement in init.body.body:
            if self._is_loop_setup(statement, receiver):
                items.append(Carried(comment_lines(statement)))
            else:
                items.append(statement)
        statements, _dangling = settle(items)  # comments of removed lines that nothing follows go
        if not statements:
            statements = [cst.SimpleStatementLine(body=[cst.Pass()])]
        new_init = init.with_changes(body=init.body.with_changes(body=statements))
        if any(call in self.codes for call in calls_in(new_init)):
            raise NotUnderstood("__init__ makes or runs a loop the rewrite does not understand")
        self._refuse_loop_left(new_init, "__init__")
        return new_init

    def _is_loop_setup(self, statement: cst.BaseStatement, receiver: str) -> bool:
        """``self.loop = new_event_loop()``, ``self.loop = None``, ``set_event_loop(self.loop)``."""
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 else None
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if isinstance(target, cst.Attribute) and dotted(target.value) == receiver:
                if target.attr.value in self.loop_attributes:
                    value = small.value
                    return self.codes.get(value) == "LG101" or (isinstance(value, cst.Name) and value.value == "None")  # type: ignore[arg-type]
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            return self.codes.get(small.value) == "LG104"
        return False

    def _new_other(self, method: cst.FunctionDef) -> cst.FunctionDef:
        """A method that stops the private loop (``stop()``) cancels the task instead."""
        if any(call in self.codes for call in calls_in(method)):
            raise NotUnderstood(f"{method.name.value}() makes or runs a loop of its own")
        receiver = instance_parameter(method)
        if receiver is None or not self.loop_attributes:
            return method
        new_method = method.visit(_CancelInsteadOfStop(receiver, self.loop_attributes))
        assert isinstance(new_method, cst.FunctionDef)
        self._refuse_loop_left(new_method, method.name.value)
        return new_method

    def _refuse_loop_left(self, method: cst.FunctionDef, name: str) -> None:
        receiver = instance_parameter(method)
        for attribute in _self_attributes(method, receiver):
            if attribute in self.loop_attributes:
                raise NotUnderstood(f"the private loop {receiver}.{attribute} is used in {name}() for more than running the work")

    # ----- the base and the thread's own API ---------------------------------------------

    def _with_runtime_base(self, new_class: cst.ClassDef) -> cst.ClassDef:
        runtime = cst.Name(self.base.runtime_name)
        bases = list(new_class.bases)
        bases[self.base.index] = bases[self.base.index].with_changes(value=runtime)
        new_class = new_class.with_changes(bases=bases)
        # `QThread.__init__(self, parent)` in the class -> `QThreadTask.__init__(self, parent)`.
        new_class = new_class.visit(_ExplicitBaseCalls(self.base.expression, self.base.runtime_name))
        assert isinstance(new_class, cst.ClassDef)
        return new_class

    def _check_thread_api(self, new_class: cst.ClassDef) -> None:
        thread_only = THREAD_ONLY[self.base.kind]
        for method in (m for m in body_statements(new_class) if isinstance(m, cst.FunctionDef)):
            receiver = instance_parameter(method)
            for attribute in _self_attributes(method, receiver):
                if attribute in thread_only or (attribute == "run" and method.name.value != "run"):
                    raise NotUnderstood(
                        f"{method.name.value}() uses {receiver}.{attribute}(), which {why_thread_only(attribute)}"
                    )
        for node in _base_references(new_class, self.base.expression):
            raise NotUnderstood(f"the class uses {code_of(node)}, which {why_thread_only(_attr_after(node))}")


# ----- small rewrites ---------------------------------------------------------------------


class _AwaitQThreadSleeps(cst.CSTTransformer):
    """``self.msleep(500)`` / ``QThread.msleep(500)`` as a statement -> ``await asyncio.sleep(0.5)``."""

    def __init__(self, receiver: str, base: ThreadBase, asyncio_attr: Callable[[str], cst.Attribute]) -> None:
        super().__init__()
        self.owners = {receiver, base.expression} if base.kind == "QThread" else set()
        self.asyncio_attr = asyncio_attr

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.Expr:
        call = updated_node.value
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return updated_node
        scale = QTHREAD_SLEEPS.get(call.func.attr.value)
        if scale is None or dotted(call.func.value) not in self.owners or len(call.args) != 1 or call.args[0].keyword:
            return updated_node
        delay = _scaled(call.args[0].value, scale)
        sleep = cst.Call(func=self.asyncio_attr("sleep"), args=[cst.Arg(delay)])
        return updated_node.with_changes(value=cst.Await(expression=sleep))


def _scaled(value: cst.BaseExpression, scale: int) -> cst.BaseExpression:
    if scale == 1:
        return value
    if isinstance(value, cst.Integer):
        seconds = int(value.evaluated_value) / scale
        return cst.Float(repr(seconds)) if seconds != int(seconds) else cst.Integer(str(int(seconds)))
    if not isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.BinaryOperation(
        left=value,
        operator=cst.Divide(whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")),
        right=cst.Integer(str(scale)),
    )


class _CancelInsteadOfStop(cst.CSTTransformer):
    """``self.loop.call_soon_threadsafe(self.loop.stop)`` (or ``self.loop.stop()``), also under an
    ``if`` that only asks about the loop -> ``self.cancel_task()``."""

    def __init__(self, receiver: str, loop_attributes: Set[str]) -> None:
        super().__init__()
        self.receiver = receiver
        self.loops = {f"{receiver}.{name}" for name in loop_attributes}

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if len(updated_node.body) == 1 and isinstance(updated_node.body[0], cst.Expr):
            if self._stops_loop(updated_node.body[0].value):
                cancel = cst.Expr(cst.Call(func=cst.Attribute(cst.Name(self.receiver), cst.Name(CANCEL))))
                return updated_node.with_changes(body=[cancel])
        return updated_node

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> Union[cst.If, cst.BaseStatement]:
        body = updated_node.body
        if updated_node.orelse is not None or not isinstance(body, cst.IndentedBlock) or len(body.body) != 1:
            return updated_node
        inner = body.body[0]
        if not (_is_cancel(inner, self.receiver) and self._only_asks_about_loop(updated_node.test)):
            return updated_node
        lines = [*updated_node.leading_lines, *comment_lines(inner)[: len(inner.leading_lines)]]
        return inner.with_changes(leading_lines=lines)

    def _stops_loop(self, expression: cst.BaseExpression) -> bool:
        if not isinstance(expression, cst.Call) or not isinstance(expression.func, cst.Attribute):
            return False
        func = expression.func
        if dotted(func.value) not in self.loops:
            return False
        if func.attr.value == "stop" and not expression.args:
            return True
        if func.attr.value == "call_soon_threadsafe" and len(expression.args) == 1:
            stop = expression.args[0].value
            return isinstance(stop, cst.Attribute) and stop.attr.value == "stop" and dotted(stop.value) == dotted(func.value)
        return False

    def _only_asks_about_loop(self, test: cst.BaseExpression) -> bool:
        if dotted(test) in self.loops:
            return True
        if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and not test.args:
            return test.func.attr.value in LOOP_QUERIES and dotted(test.func.value) in self.loops
        if isinstance(test, cst.BooleanOperation):
            return self._only_asks_about_loop(test.left) and self._only_asks_about_loop(test.right)
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self._only_asks_about_loop(test.expression)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            right = test.comparisons[0].comparator
            return self._only_asks_about_loop(test.left) and isinstance(right, cst.Name) and right.value == "None"
        return False


def _is_cancel(statement: cst.BaseStatement, receiver: str) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return isinstance(small, cst.Expr) and code_of(small.value) == f"{receiver}.{CANCEL}()"


class _ExplicitBaseCalls(cst.CSTTransformer):
    """``Base.__init__(self, ...)`` -> ``RuntimeBase.__init__(self, ...)`` (and any ``Base.__init__``)."""

    def __init__(self, base: str, runtime: str) -> None:
        super().__init__()
        self.base = base
        self.runtime = runtime

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        if updated_node.attr.value == "__init__" and dotted(updated_node.value) == self.base:
            return updated_node.with_changes(value=cst.Name(self.runtime))
        return updated_node


def _refuse_awaits_under_locks(body: cst.IndentedBlock) -> None:
    finder = _AwaitUnderLock()
    body.visit(finder)
    if finder.lock is not None:
        raise NotUnderstood(f"an await would run while {finder.lock} is held: the lock would be held across the loop")


class _AwaitUnderLock(cst.CSTVisitor):
    def __init__(self) -> None:
        self.held: List[str] = []
        self.lock: Optional[str] = None

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            text = code_of(item.item)
            if any(word in text.lower() for word in LOCK_WORDS):
                self.held.append(text)
                return
        self.held.append("")

    def leave_With(self, original_node: cst.With) -> None:
        self.held.pop()

    def visit_Await(self, node: cst.Await) -> None:
        held = [lock for lock in self.held if lock]
        if held and self.lock is None:
            self.lock = held[-1]

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "acquire" and self.lock is None:
            self.lock = code_of(node.func.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False


def _assignments(method: cst.FunctionDef) -> List[cst.Assign]:
    found: List[cst.Assign] = []

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            found.append(node)

    method.visit(Finder())
    return found


def _self_attributes(method: cst.FunctionDef, receiver: Optional[str]) -> List[str]:
    """The attributes read, called or set on the method's instance parameter, in source order."""
    if receiver is None:
        return []
    found: List[str] = []

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name) and node.value.value == receiver:
                found.append(node.attr.value)

    method.body.visit(Finder())
    return found


def _base_references(new_class: cst.ClassDef, base: str) -> List[cst.CSTNode]:
    """Where the class body still names its old thread base (``QThread.currentThread()``)."""
    found: List[cst.CSTNode] = []

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if dotted(node) == base or dotted(node.value) == base:
                found.append(node)
                return False
            return True

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == base:
                found.append(node)

    new_class.body.visit(Finder())
    return found


def _attr_after(node: cst.CSTNode) -> str:
    return node.attr.value if isinstance(node, cst.Attribute) else ""


def _called(decorator: cst.Decorator) -> cst.BaseExpression:
    expression = decorator.decorator
    return expression.func if isinstance(expression, cst.Call) else expression


def _has_extra(params: cst.Parameters) -> bool:
    return bool(params.kwonly_params or isinstance(params.star_arg, cst.Param) or params.star_kwarg)

