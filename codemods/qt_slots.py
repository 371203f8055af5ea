"""How Qt and qasync 0.28 call a connected function, seen from the code.

qasync's ``asyncSlot`` wraps the coroutine function in ``wrapper(*args)``: Qt hands it what the
connection passes, and the wrapper tries ``inspect.signature(fn).bind(*args)``, dropping the
last argument until the call binds. With no argument at all it never tries and raises
``TypeError: asyncSlot was not callable from Signal``: a function that is not a method (no
``self`` to hand on) and gets no argument cannot be an ``asyncSlot``. ``asyncClose`` calls the
function with exactly what it gets. Which arguments a varargs wrapper gets depends on the
signal: all of its arguments for a signal with one signature (PySide6 6.x and PyQt), none from
an overloaded one such as a button's ``clicked()``/``clicked(bool)`` on PySide6; so a coroutine
that needs the signal's arguments gets them only from a signal whose arguments are known, and
its decorator names their types (``@asyncSlot(str)``: PyQt calls a decorated slot with the
arguments its signature declares). ``tests/codemods/test_qt_slot_calls.py`` runs each of these
cases under Qt offscreen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple, Union

import libcst as cst

from .syntax import body_statements, code_of, dotted

# Qt signals with one signature on every class that declares them, in every binding: the types
# of their arguments, as a slot decorator names them.
QT_SIGNAL_TYPES: Dict[str, Tuple[str, ...]] = {
    "toggled": ("bool",),
    "currentTextChanged": ("str",),
    "textEdited": ("str",),
    "currentIndexChanged": ("int",),
    "aboutToQuit": (),
    "lastWindowClosed": (),
    "timeout": (),
    "returnPressed": (),
    "editingFinished": (),
}
SIGNAL_FACTORIES = frozenset({"Signal", "pyqtSignal"})
PLAIN_SLOT_DECORATORS = frozenset({"Slot", "pyqtSlot"})
# Decorators that hand a coroutine function on unchanged (the async slot goes innermost).
TRANSPARENT_DECORATORS = frozenset({"staticmethod", "classmethod", "override"})
EVENT_HANDLER = re.compile(r"^(event|eventFilter|[a-z][A-Za-z0-9]*Event)$")


def is_event_handler(name: str) -> bool:
    """A Qt event handler override: ``closeEvent``, ``keyPressEvent``, ``event``, ``eventFilter``."""
    return EVENT_HANDLER.match(name) is not None


def decorator_name(decorator: cst.Decorator) -> str:
    """The decorator's own name: ``Slot`` for ``@QtCore.Slot(str)``; ``""`` for an expression."""
    expression = decorator.decorator
    called = expression.func if isinstance(expression, cst.Call) else expression
    return dotted(called).rpartition(".")[2]


# ----- what a connection hands the function ---------------------------------------------------


@dataclass(frozen=True)
class SignalArguments:
    """What a signal passes: the types of its arguments (as written) when known, else None."""

    signal: str
    types: Optional[Tuple[cst.BaseExpression, ...]]


@dataclass(frozen=True)
class Handover:
    """How a connection calls the function: ``bound`` (1 for ``self.f``), the positional
    arguments and keywords it adds (``partial(f, x)``, ``lambda: f(x, k=1)``), and whether the
    signal's arguments follow (not through a lambda, which calls with its own)."""

    bound: int
    positional: int
    keywords: FrozenSet[str]
    signal_follows: bool


def binds(params: cst.Parameters, positional: int, keywords: FrozenSet[str]) -> bool:
    """Whether ``fn(<positional> arguments, **keywords)`` binds to these parameters."""
    ordered = [*params.posonly_params, *params.params]
    if positional > len(ordered) and not isinstance(params.star_arg, cst.Param):
        return False
    keyword_names = {param.name.value for param in (*params.params, *params.kwonly_params)}
    filled = {param.name.value for param in ordered[:positional]}
    for keyword in keywords:
        if keyword in filled or (keyword not in keyword_names and params.star_kwarg is None):
            return False
    posonly = {param.name.value for param in params.posonly_params}
    for param in ordered[positional:]:
        if param.default is None and (param.name.value not in keywords or param.name.value in posonly):
            return False
    return all(param.default is not None or param.name.value in keywords for param in params.kwonly_params)


def async_slot_calls(params: cst.Parameters, arguments: int, keywords: FrozenSet[str]) -> bool:
    """Whether qasync 0.28's ``asyncSlot`` wrapper, handed ``arguments`` positional arguments,
    calls the function: it drops the last argument until the call binds, and fails with none."""
    return any(binds(params, count, keywords) for count in range(arguments, 0, -1))


# ----- signals declared in the module ---------------------------------------------------------


def declared_signals(module: cst.Module) -> Dict[str, List[Optional[Tuple[cst.BaseExpression, ...]]]]:
    """``name -> [types of each declaration]`` for the ``name = Signal(...)`` of every class body;
    None for an overloaded declaration (``Signal([int], [str])``)."""
    found: Dict[str, List[Optional[Tuple[cst.BaseExpression, ...]]]] = {}
    for class_def in _classes(module.body):
        for statement in body_statements(class_def):
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                    continue
                target, value = small.targets[0].target, small.value
                if not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
                    continue
                if dotted(value.func).rpartition(".")[2] not in SIGNAL_FACTORIES:
                    continue
                positional = [arg for arg in value.args if arg.keyword is None]
                overloaded = any(arg.star or isinstance(arg.value, (cst.List, cst.Tuple)) for arg in positional)
                types = None if overloaded else tuple(arg.value for arg in positional)
                found.setdefault(target.value, []).append(types)
    return found


def _classes(body: Sequence[cst.BaseStatement]) -> List[cst.ClassDef]:
    """The module-level classes and the classes nested in them."""
    classes: List[cst.ClassDef] = []
    for statement in body:
        if isinstance(statement, cst.ClassDef):
            classes.append(statement)
            classes.extend(_classes(body_statements(statement)))
    return classes


def signal_arguments(
    signal: str, from_self: bool, declared: Dict[str, List[Optional[Tuple[cst.BaseExpression, ...]]]]
) -> SignalArguments:
    """What ``<receiver>.<signal>`` passes: a signal this module declares (on ``self``, or a
    name no Qt class uses), else a Qt signal of one known signature, else unknown."""
    declarations = declared.get(signal)
    if declarations and (from_self or signal not in QT_SIGNAL_TYPES):
        first = declarations[0]
        same = first is not None and all(
            other is not None and [code_of(t) for t in other] == [code_of(t) for t in first] for other in declarations
        )
        return SignalArguments(signal, first if same else None)
    if signal in QT_SIGNAL_TYPES and not declarations:
        return SignalArguments(signal, tuple(cst.Name(name) for name in QT_SIGNAL_TYPES[signal]))
    return SignalArguments(signal, None)


# ----- the function a slot expression names ----------------------------------------------------


@dataclass(frozen=True)
class SlotReference:
    """A connected slot expression taken apart: the named function and how it is called."""

    target: cst.BaseExpression  # ``f`` or ``self.f``
    positional: int
    keywords: FrozenSet[str]
    through_lambda: bool


def slot_reference(slot: cst.BaseExpression) -> Union[SlotReference, str]:
    """``f``, ``self.f``, ``partial(f, x)`` or ``lambda: f(x)`` taken apart, or why not."""
    if isinstance(slot, cst.Call) and dotted(slot.func).rpartition(".")[2] == "partial" and slot.args:
        extra = slot.args[1:]
        if slot.args[0].keyword is not None or slot.args[0].star or any(arg.star for arg in extra):
            return "the partial() is built with unpacked arguments"
        return SlotReference(slot.args[0].value, *_counted(extra), through_lambda=False)
    if isinstance(slot, cst.Lambda):
        if not isinstance(slot.body, cst.Call):
            return "the lambda does not just call the coroutine function"
        if any(arg.star for arg in slot.body.args):
            return "the lambda calls the coroutine function with unpacked arguments"
        return SlotReference(slot.body.func, *_counted(slot.body.args), through_lambda=True)
    return SlotReference(slot, 0, frozenset(), through_lambda=False)


def _counted(args: Sequence[cst.Arg]) -> Tuple[int, FrozenSet[str]]:
    keywords = frozenset(arg.keyword.value for arg in args if arg.keyword is not None)
    return sum(1 for arg in args if arg.keyword is None), keywords


@dataclass(frozen=True)
class SlotFunction:
    """The ``def`` a slot names, the class it was found in (None for a plain function), and
    how many arguments binding it adds (1 for a method reached through ``self``/``cls``)."""

    function: cst.FunctionDef
    owner: Optional[cst.ClassDef]
    bound: int


def find_slot_function(
    target: cst.BaseExpression, ancestors: Sequence[cst.CSTNode], module: cst.Module
) -> Union[SlotFunction, str]:
    """The ``def`` that ``f`` (an enclosing scope's) or ``self.f`` (the enclosing class's, or a
    same-file base's) names, as the linter resolves it; why not when it is not one ``def``."""
    if isinstance(target, cst.Name):
        return _function_in_scopes(target.value, ancestors, module)
    if isinstance(target, cst.Attribute) and dotted(target.value) in ("self", "cls"):
        owner = next((node for node in reversed(ancestors) if isinstance(node, cst.ClassDef)), None)
        if owner is None:
            return "self is not the instance of a class of this module"
        found = _method(owner, target.attr.value, module)
        if isinstance(found, str):
            return found
        method, cls = found
        static = any(decorator_name(decorator) == "staticmethod" for decorator in method.decorators)
        return SlotFunction(method, cls, 0 if static else 1)
    return "the connected function is not a name or a method of self"


def _function_in_scopes(name: str, ancestors: Sequence[cst.CSTNode], module: cst.Module) -> Union[SlotFunction, str]:
    scopes: List[Sequence[cst.BaseStatement]] = []
    innermost = True
    for node in reversed(ancestors):
        if isinstance(node, cst.FunctionDef):
            scopes.append(body_statements(node))
            innermost = False
        elif isinstance(node, cst.ClassDef) and innermost:
            scopes.append(body_statements(node))  # connected in the class body itself
            innermost = False
    scopes.append(module.body)
    for statements in scopes:
        found = _defs_named(statements, name)
        if len(found) > 1:
            return f"{name}() is defined {len(found)} times in the same scope"
        if found:
            return SlotFunction(found[0], None, 0)
    return f"{name}() is not defined in this module"


def _method(
    cls: cst.ClassDef, name: str, module: cst.Module
) -> Union[Tuple[cst.FunctionDef, cst.ClassDef], str]:
    """``cls.name`` among the class and its same-file bases (nearest first)."""
    classes = {statement.name.value: statement for statement in _classes(module.body)}
    pending, seen = [cls], set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        methods = [s for s in body_statements(current) if isinstance(s, cst.FunctionDef) and s.name.value == name]
        if len(methods) > 1:
            return f"{name}() is defined {len(methods)} times in class {current.name.value}"
        if methods:
            return methods[0], current
        pending.extend(classes[dotted(base.value)] for base in current.bases if dotted(base.value) in classes)
    return f"{name}() is not a method of {cls.name.value} in this module"


def _defs_named(statements: Sequence[cst.BaseStatement], name: str) -> List[cst.FunctionDef]:
    """The ``def name`` statements of a block, also inside its ``if``/``try``/``with`` blocks."""
    found: List[cst.FunctionDef] = []
    for statement in statements:
        if isinstance(statement, cst.FunctionDef):
            if statement.name.value == name:
                found.append(statement)
        elif isinstance(statement, (cst.If, cst.Try, cst.With, cst.For, cst.While)):
            for child in statement.children:
                if isinstance(child, cst.IndentedBlock):
                    found.extend(_defs_named(child.body, name))
                elif isinstance(child, (cst.Else, cst.ExceptHandler, cst.Finally, cst.If)):
                    found.extend(_defs_named([child] if isinstance(child, cst.If) else _block(child), name))
    return found


def _block(node: cst.CSTNode) -> Sequence[cst.BaseStatement]:
    body = getattr(node, "body", None)
    return body.body if isinstance(body, cst.IndentedBlock) else ()
