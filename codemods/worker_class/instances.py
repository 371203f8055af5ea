"""Where a module makes, keeps, starts and uses instances of its worker classes.

An instance is known where it is made (``w = Loader(...)``, ``self.loader = Loader(...)``,
``Loader(...)`` itself), where it is kept (``self.workers.append(w)``, ``self.jobs[key] = w``, a
list or dict display or comprehension of them) and where it is read back (a subscript of such a
container, a ``for`` over it, its ``values()`` or ``items()``). Read as written, once per module:
a name's binding counts in its own function, an attribute's (``self.loader``) in the whole module.
A name or attribute also bound to something else (``worker = Loader()`` in one branch,
``worker = Other()`` in the other) is of no known class: either may be what a pool is handed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from ..syntax import dotted

# A container read back element by element: `for w in self.jobs.values()`.
ELEMENT_VIEWS = frozenset({"values", "copy"})
CONTAINER_ADDERS = frozenset({"append", "add", "insert", "appendleft"})
POOL_STARTS = frozenset({"start", "tryStart"})
OTHER_CLASS = ""  # what a name is bound to when it holds a new instance of a class that is no worker


@dataclass
class PoolStart:
    """``<pool>.start(worker)``: becomes ``worker.start()`` when the worker's class is converted."""

    call: cst.Call
    class_name: str
    value_used: bool


@dataclass
class InstanceUses:
    # class name -> attribute read or called on its instances outside the class -> first line
    attributes: Dict[str, Dict[str, int]] = field(default_factory=dict)
    pool_starts: List[PoolStart] = field(default_factory=list)
    # lines of `<pool>.start(x)` where x is of no class the module knows
    unknown_pool_starts: List[int] = field(default_factory=list)


def instance_uses(module: cst.Module, classes: Set[str], position) -> InstanceUses:  # type: ignore[no-untyped-def]
    """The uses of instances of ``classes`` (names of the module's worker classes) in ``module``."""
    finder = _Instances(classes, position)
    module.visit(finder)  # learns the attributes and containers that hold instances
    finder.start_recording()
    module.visit(finder)
    return finder.uses


class _Instances(cst.CSTVisitor):
    def __init__(self, classes: Set[str], position) -> None:  # type: ignore[no-untyped-def]
        self.classes = classes
        self.position = position
        self.attributes: Dict[str, str] = {}  # "self.loader" -> class
        self.containers: Dict[str, str] = {}  # "self.workers" -> class of its elements
        self.scopes: List[Dict[str, str]] = [{}]
        self.functions: List[Optional[cst.CSTNode]] = [None]  # the function of each scope
        # What each name (in its function), attribute or container element is bound to: a worker
        # class, OTHER_CLASS (a new instance of another class) or None (anything else).
        self.bound_to: Dict[Tuple[Optional[cst.CSTNode], str], Set[Optional[str]]] = {}
        self.parents: List[cst.CSTNode] = []
        self.recording = False
        self.uses = InstanceUses()
        self._class_depth: List[str] = []

    def start_recording(self) -> None:
        self.recording = True
        self.scopes = [{}]
        self.functions = [None]

    # ----- the walk ---------------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            self.scopes.append({})
            self.functions.append(node)
        elif isinstance(node, cst.ClassDef):
            self._class_depth.append(node.name.value)
        super().on_visit(node)
        self.parents.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.parents.pop()
        super().on_leave(original_node)
        if isinstance(original_node, (cst.FunctionDef, cst.Lambda)):
            self.scopes.pop()
            self.functions.pop()
        elif isinstance(original_node, cst.ClassDef):
            self._class_depth.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        element = self._element_class(node.iter)
        if element is None:
            return
        target = node.target
        if isinstance(node.iter, cst.Call) and dotted(node.iter.func).endswith(".items"):
            elements = target.elements if isinstance(target, cst.Tuple) else ()
            target = elements[1].value if len(elements) == 2 else None
        if isinstance(target, cst.Name):
            self.scopes[-1][target.value] = element
            bound = self.bound_to.setdefault((self.functions[-1], target.value), set())
            bound.add(element)
            if len(self.bound_to.get((None, _elements_of(node.iter)), ())) > 1:
                bound.add(None)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        receiver_class = self.class_of(func.value)
        if method in CONTAINER_ADDERS and node.args:
            added = self.class_of(node.args[-1].value)
            if dotted(func.value):
                self.bound_to.setdefault((None, f"{dotted(func.value)}[]"), set()).add(added)
            if added is not None and dotted(func.value):
                self.containers[dotted(func.value)] = added
        if method == "setdefault" and len(node.args) == 2:
            added = self.class_of(node.args[1].value)
            if added is not None and dotted(func.value):
                self.containers[dotted(func.value)] = added
        if not self.recording:
            return
        if receiver_class is not None:
            self._record_attribute(receiver_class, method, node)
        elif method in POOL_STARTS and node.args and not node.args[0].keyword:
            started = self.class_of(node.args[0].value)
            if started is not None and self._bound_to_others_too(node.args[0].value):
                started = None  # handed a worker or something else: a pool start of no known class
            if started is not None:
                parent = self.parents[-1] if self.parents else None
                self.uses.pool_starts.append(PoolStart(node, started, not isinstance(parent, cst.Expr)))
            elif _looks_like_a_pool(func.value) and not self._of_other_classes(node.args[0].value):
                self.uses.unknown_pool_starts.append(self.position(node).start.line)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.recording:
            return
        owner = self.class_of(node.value)
        if owner is not None:
            self._record_attribute(owner, node.attr.value, node)

    # ----- what an expression is ------------------------------------------------------

    def class_of(self, expression: cst.BaseExpression) -> Optional[str]:
        """The worker class an expression is an instance of, when the module says so."""
        if isinstance(expression, cst.Call):
            name = dotted(expression.func)
            return name if name in self.classes else None
        if isinstance(expression, cst.Name):
            for scope in reversed(self.scopes):
                if expression.value in scope:
                    return scope[expression.value]
            return None
        if isinstance(expression, cst.Attribute):
            return self.attributes.get(dotted(expression))
        if isinstance(expression, cst.Subscript):
            return self.containers.get(dotted(expression.value))
        return None

    def _element_class(self, iterable: cst.BaseExpression) -> Optional[str]:
        if isinstance(iterable, cst.Call):
            func = iterable.func
            if isinstance(func, cst.Attribute) and func.attr.value in (*ELEMENT_VIEWS, "items"):
                return self.containers.get(dotted(func.value))
            if dotted(func) in ("list", "tuple", "sorted", "reversed", "set") and iterable.args:
                return self._element_class(iterable.args[0].value)
            return None
        if isinstance(iterable, cst.Subscript):  # a slice: self.workers[:]
            return self.containers.get(dotted(iterable.value))
        return self.containers.get(dotted(iterable))

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        made = self.class_of(value)
        if not (isinstance(value, cst.Name) and value.value == "None"):  # `worker = None` holds no worker
            self._note_binding(target, OTHER_CLASS if made is None and _made_of_another_class(value) else made)
        if made is None:
            made = _display_element_class(value, self.class_of)
            if made is not None and dotted(target):
                self.containers[dotted(target)] = made
            return
        if isinstance(target, cst.Name):
            self.scopes[-1][target.value] = made
        elif isinstance(target, cst.Attribute) and dotted(target):
            self.attributes[dotted(target)] = made
        elif isinstance(target, cst.Subscript) and dotted(target.value):
            self.containers[dotted(target.value)] = made

    def _note_binding(self, target: cst.BaseExpression, made: Optional[str]) -> None:
        if isinstance(target, cst.Name):
            self.bound_to.setdefault((self.functions[-1], target.value), set()).add(made)
        elif isinstance(target, cst.Attribute) and dotted(target):
            self.bound_to.setdefault((None, dotted(target)), set()).add(made)
        elif isinstance(target, cst.Subscript) and dotted(target.value):
            self.bound_to.setdefault((None, _elements_of(target)), set()).add(made)

    def _of_other_classes(self, expression: cst.BaseExpression) -> bool:
        """``CoverJob(url)``, or a name or attribute only ever bound to such new instances of classes
        that are no workers of the module (``job = CoverJob(url)``)."""
        if _made_of_another_class(expression):
            return True
        if isinstance(expression, cst.Name):
            keys = [(function, expression.value) for function in reversed(self.functions)]
        elif isinstance(expression, cst.Attribute):
            keys = [(None, dotted(expression))]
        else:
            return False
        bound = next((self.bound_to[key] for key in keys if key in self.bound_to), set())
        return bound == {OTHER_CLASS}

    def _bound_to_others_too(self, expression: Optional[cst.BaseExpression]) -> bool:
        """Whether the name, attribute or container element is bound to an instance of a worker
        class in one place and to something else in another."""
        if isinstance(expression, cst.Name):
            for function, scope in zip(reversed(self.functions), reversed(self.scopes)):
                if expression.value in scope:
                    return len(self.bound_to.get((function, expression.value), ())) > 1
            return False
        if isinstance(expression, cst.Attribute):
            return len(self.bound_to.get((None, dotted(expression)), ())) > 1
        if isinstance(expression, cst.Subscript):
            return len(self.bound_to.get((None, _elements_of(expression)), ())) > 1
        return False

    def _record_attribute(self, class_name: str, attribute: str, node: cst.CSTNode) -> None:
        if self._class_depth and self._class_depth[-1] == class_name:
            return  # the class's own code (`self`), checked with the class
        line = self.position(node).start.line
        self.uses.attributes.setdefault(class_name, {}).setdefault(attribute, line)


def _display_element_class(value: cst.BaseExpression, class_of) -> Optional[str]:  # type: ignore[no-untyped-def]
    """The worker class of the elements of a list/set/tuple/dict display or comprehension."""
    if isinstance(value, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return class_of(value.elt)
    if isinstance(value, cst.DictComp):
        return class_of(value.value)
    if isinstance(value, (cst.List, cst.Set, cst.Tuple)):
        found = {class_of(element.value) for element in value.elements}
        return found.pop() if len(found) == 1 else None
    if isinstance(value, cst.Dict):
        found = {class_of(element.value) for element in value.elements if isinstance(element, cst.DictElement)}
        return found.pop() if len(found) == 1 else None
    return None


def _elements_of(iterable: cst.BaseExpression) -> str:
    """``self.jobs[]``: the key of the elements a ``for`` reads (``self.jobs.values()``, ``self.jobs[:]``)."""
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Attribute):
        iterable = iterable.func.value
    if isinstance(iterable, cst.Subscript):
        iterable = iterable.value
    return f"{dotted(iterable)}[]"


def _made_of_another_class(value: cst.BaseExpression) -> bool:
    """``pool.start(CoverJob(key, url))``: a new instance of a class that is no worker of the module
    (a called name that starts with a capital, as classes are named)."""
    if not isinstance(value, cst.Call):
        return False
    name = dotted(value.func).rpartition(".")[2]
    return name[:1].isupper()


def _looks_like_a_pool(receiver: cst.BaseExpression) -> bool:
    """``QThreadPool.globalInstance()``, ``self.threadpool``, ``pool``: a receiver named for a pool."""
    if isinstance(receiver, cst.Call):
        return dotted(receiver.func).rpartition(".")[2] == "globalInstance"
    return "pool" in dotted(receiver).rpartition(".")[2].lower()


def lines_of(uses: Dict[str, int], names: Sequence[str]) -> List[Tuple[int, str]]:
    """The first line each of ``names`` is used at, sorted by line."""
    return sorted((uses[name], name) for name in names if name in uses)
