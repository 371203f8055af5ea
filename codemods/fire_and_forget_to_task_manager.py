"""LG201, LG202, LG203: every task the linter found unowned is registered with the TaskManager."""

from __future__ import annotations

import dataclasses
from typing import Optional, Tuple

import libcst as cst

from flake8_loopguard.core.apis import FUTURE_FACTORY_NAMES, TASK_FACTORY_NAMES
from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, LeaveForHuman, Rewritten
from .syntax import assigned_targets, body_statements, mentions_name, own_name
from .task_manager import MANAGER_ATTRIBUTE


class FireAndForgetToTaskManager(FindingCodemod):
    """Wraps the task's creation in ``<manager>.add_task(..., name="module:Class:method")``.

    The creation is wrapped where it stands, so everything around it keeps working:
    ``add_task`` returns the task, so ``t = ...`` keeps its name, a chained
    ``.add_done_callback(cb)`` still chains, and a task also kept in ``self._tasks`` (LG203)
    stays there. A lambda connected to a Qt signal returns the registered task instead.
    In a method the manager is ``self._task_manager``; in a function, a nested function, at
    module level, and in a class that cannot hold the attribute (``__slots__``, NamedTuple,
    Enum) it is the module's ``_task_manager`` (both come from the base, which adds the
    TaskManager's import and creation). The TaskManager scaffolded by ``loopguard migrate``
    shares one registry across instances, so one ``cleanup_all()`` at shutdown reaches them all.

    The task's name is ``module:Class:method`` for the method the task is created in, also
    from a lambda or a function nested in that method (the outer method names it), and
    ``module:function`` for a module-level function.
    """

    NAME = "fire_and_forget_to_task_manager"
    DESCRIPTION = "register fire-and-forget and unowned tasks with the TaskManager"
    fixes = ("LG201", "LG202", "LG203")
    VISITS_ONLY_FINDINGS = True

    def is_target(self, node: cst.Call, finding: Finding) -> bool:
        # `asyncio.get_event_loop().create_task(x)` starts where its inner call does.
        return _creates_task(node) or any(_names_task_factory(arg.value) for arg in node.args)

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        if not _creates_task(node):
            return LeaveForHuman(
                "the task factory is handed over as a callback: create and register the task in a function instead"
            )
        future = self._future_made_by(node)
        if future is not None:
            return LeaveForHuman(
                f"asyncio.ensure_future({future}(...)) returns a Future, not a Task: add_task() registers tasks; "
                "await the future, or keep it and cancel it at shutdown by hand"
            )
        config = self.config
        if not config.is_task_manager_name(MANAGER_ATTRIBUTE):
            # The linter would not see the registration: the rewrite would fix nothing.
            return LeaveForHuman(
                f"the configured TaskManager names ({', '.join(config.task_managers)}) do not match {MANAGER_ATTRIBUTE}"
            )
        problem = self.registration_problem(finding)
        if problem is not None:
            return LeaveForHuman(problem)
        named = dataclasses.replace(finding, context=self._operation_name())
        return self.register_task(node, named)

    def _future_made_by(self, node: cst.Call) -> Optional[str]:
        """The name of the call that made the Future ``ensure_future(x)`` is handed (and hands
        back as it is): ``x`` is that call, or a name the enclosing function binds to it."""
        if own_name(node.func) != "ensure_future" or len(node.args) != 1:
            return None
        argument = node.args[0].value
        if isinstance(argument, cst.Name):
            function = next((n for n in reversed(self.ancestors) if isinstance(n, cst.FunctionDef)), None)
            argument = _value_bound_to(function, argument.value) if function is not None else None
        if isinstance(argument, cst.Call) and own_name(argument.func) in FUTURE_FACTORY_NAMES:
            return own_name(argument.func)
        return None

    def _manager_owner(self) -> Optional[Tuple[cst.ClassDef, str]]:
        # The base gives a class without a manager a class attribute `_task_manager`. The
        # classes that keep to the module's manager (which shares the registry): one with
        # `__slots__`, and one without `__init__` whose instances `__new__` builds (NamedTuple,
        # Enum, whose class attributes become members, tuple subclasses).
        owner = self._enclosing_class()
        if owner is not None and _cannot_hold_manager(owner) and not self._mentions_manager(owner):
            return None
        return super()._manager_owner()

    def _mentions_manager(self, class_def: cst.ClassDef) -> bool:
        """Whether the class already has (or reads) a ``_task_manager``: then the base reuses it.
        (A module whose text never spells it is not searched.)"""
        return MANAGER_ATTRIBUTE in self._linted.source and mentions_name(class_def, MANAGER_ATTRIBUTE)

    def _enclosing_class(self) -> Optional[cst.ClassDef]:
        """The class whose method holds the node being left (as the base looks it up)."""
        chain = self.ancestors
        for index in range(len(chain) - 1, 1, -1):
            if isinstance(chain[index], cst.FunctionDef):
                owner = chain[index - 2]
                return owner if isinstance(owner, cst.ClassDef) else None
        return None

    def _operation_name(self) -> str:
        """``Class.method`` (or ``function``) of the node being left, for the task's name.

        A task created in a lambda or a nested function is named after the method (or
        module-level function) that defines it: that is the operation a reader looks for.
        """
        scopes = [node for node in self.ancestors if isinstance(node, (cst.ClassDef, cst.FunctionDef))]
        innermost_class = max((i for i, node in enumerate(scopes) if isinstance(node, cst.ClassDef)), default=None)
        if innermost_class is None:
            return scopes[0].name.value if scopes else ""
        first_class = innermost_class
        while first_class > 0 and isinstance(scopes[first_class - 1], cst.ClassDef):
            first_class -= 1
        return ".".join(node.name.value for node in scopes[first_class : innermost_class + 2])


def _value_bound_to(function: cst.FunctionDef, name: str) -> Optional[cst.BaseExpression]:
    """The value of the one ``name = value`` statement of the function's own scope (any block,
    not nested functions or classes), else None.

    A walk of the function, not libcst's ``ScopeProvider``: that analyses the whole module, which
    for one ``ensure_future(name)`` in a 3,300-line file cost 1.8 s of CPU (3.2 s with the
    parents the query needed) where this walk costs milliseconds."""

    class Bindings(cst.CSTVisitor):
        def __init__(self) -> None:
            self.values: list = []

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False  # a class body binds the class's attributes, not the function's names

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                for stored in assigned_targets(target.target):
                    if isinstance(stored, cst.Name) and stored.value == name:
                        self.values.append(node.value if len(node.targets) == 1 and stored is target.target else None)

    bindings = Bindings()
    function.visit(bindings)
    return bindings.values[0] if len(bindings.values) == 1 else None


def _creates_task(node: cst.Call) -> bool:
    """``create_task(...)``/``ensure_future(...)`` on any receiver, or an imported name (an alias)."""
    return isinstance(node.func, cst.Name) or _names_task_factory(node.func)


def _names_task_factory(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value in TASK_FACTORY_NAMES


# Classes whose instances `__new__` builds: an added `__init__` would break or be refused.
BUILT_BY_NEW = frozenset(
    {
        "NamedTuple",
        "tuple",
        "int",
        "float",
        "str",
        "bytes",
        "frozenset",
        "Enum",
        "IntEnum",
        "StrEnum",
        "Flag",
        "IntFlag",
    }
)


def _cannot_hold_manager(class_def: cst.ClassDef) -> bool:
    body = body_statements(class_def)
    defined = {statement.name.value for statement in body if isinstance(statement, cst.FunctionDef)}
    if _assigns_name(body, "__slots__"):
        return True
    if "__init__" in defined:
        return False
    return "__new__" in defined or any(
        isinstance(base.value, cst.Call) or _last_name(base.value) in BUILT_BY_NEW for base in class_def.bases
    )


def _assigns_name(body, name: str) -> bool:  # type: ignore[no-untyped-def]
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            targets = [target.target for target in small.targets] if isinstance(small, cst.Assign) else []
            if isinstance(small, cst.AnnAssign):
                targets = [small.target]
            if any(isinstance(target, cst.Name) and target.value == name for target in targets):
                return True
    return False


def _last_name(node: cst.BaseExpression) -> str:
    return own_name(node.value if isinstance(node, cst.Subscript) else node)


