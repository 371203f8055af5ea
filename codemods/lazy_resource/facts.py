"""What ``lazy_loop_resource`` looks up in the module: the call a finding is at, the uses and
the assignments of an attribute, the parameters ``__init__`` stores, the classes that share an
instance."""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst.metadata import ParentNodeProvider

from ..base import FindingCodemod
from ..syntax import assigned_targets, body_statements, own_name
from . import LeftForHuman


class CallsStartingAt(cst.CSTVisitor):
    """The outermost call of a subtree that starts at a (line, character column)."""

    def __init__(self, start: Tuple[int, int], codemod: FindingCodemod) -> None:
        self.start = start
        self.codemod = codemod
        self.found: Optional[cst.Call] = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found is not None:
            return False
        where = self.codemod.position(node)
        if (where.end.line, where.end.column) < self.start or (where.start.line, where.start.column) > self.start:
            return False
        if isinstance(node, cst.Call) and (where.start.line, where.start.column) == self.start:
            self.found = node
            return False
        return True


def contains(outer: cst.CSTNode, inner: cst.CSTNode, codemod: FindingCodemod) -> bool:
    node: Optional[cst.CSTNode] = codemod.get_metadata(ParentNodeProvider, inner, None)
    while node is not None:
        if node is outer:
            return True
        node = codemod.get_metadata(ParentNodeProvider, node, None)
    return False


class _AttributeUses(cst.CSTVisitor):
    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        self.uses: List[cst.Attribute] = []
        self.in_strings = False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == self.attribute:
            self.uses.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        # getattr(self, "_session") and friends: uses the codemod cannot follow.
        if node.value.strip("'\"rRbBuU") == self.attribute:
            self.in_strings = True


def attribute_uses(module: cst.Module, attribute: str) -> List[cst.Attribute]:
    finder = _AttributeUses(attribute)
    module.visit(finder)
    if finder.in_strings:
        raise LeftForHuman(f"the name {attribute} also appears in a string (getattr/setattr?)")
    return finder.uses


def stored_parameters(init: cst.FunctionDef, receiver: str) -> Dict[str, str]:
    """Parameter -> attribute, for each ``self.attribute = parameter`` statement of ``__init__``
    (annotated or not)."""
    stored: Dict[str, str] = {}
    for statement in body_statements(init):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target: Optional[cst.BaseExpression] = small.targets[0].target
            elif isinstance(small, cst.AnnAssign):
                target = small.target
            else:
                continue
            if (
                isinstance(small.value, cst.Name)
                and isinstance(target, cst.Attribute)
                and isinstance(target.value, cst.Name)
                and target.value.value == receiver
            ):
                stored.setdefault(small.value.value, target.attr.value)
    return stored


class _AttributeStores(cst.CSTVisitor):
    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        self.count = 0

    def _count(self, target: cst.BaseExpression) -> None:
        for stored in assigned_targets(target):
            if isinstance(stored, cst.Attribute) and stored.attr.value == self.attribute:
                self.count += 1

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._count(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._count(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._count(node.target)


def assigned_elsewhere(module: cst.Module, attribute: str, init: cst.FunctionDef) -> bool:
    """Whether the attribute that stores a parameter may hold something else by the time the
    resource is built: it is assigned more than once in the module."""
    stores = _AttributeStores(attribute)
    module.visit(stores)
    return stores.count != 1


def related_classes(module: cst.Module, class_def: cst.ClassDef) -> Tuple[Set[cst.ClassDef], Set[cst.ClassDef]]:
    """The classes of the module that share instances with ``class_def``: (its bases, its subclasses)."""
    classes: Dict[str, cst.ClassDef] = {}

    class Collect(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            classes.setdefault(node.name.value, node)

    module.visit(Collect())

    def bases(node: cst.ClassDef) -> Set[str]:
        found: Set[str] = set()
        pending = [node]
        while pending:
            current = pending.pop()
            for base in current.bases:
                name = own_name(base.value)
                if name and name not in found:
                    found.add(name)
                    if name in classes:
                        pending.append(classes[name])
        return found

    own_bases = {classes[name] for name in bases(class_def) if name in classes}
    subclasses = {node for node in classes.values() if class_def.name.value in bases(node)}
    return own_bases - {class_def}, subclasses - {class_def}


def is_presence_guard(test: cst.BaseExpression, attribute: str) -> bool:
    """``self.x``, ``self.x is not None``, or either followed by ``and ...``."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return is_presence_guard(test.left, attribute)
    if isinstance(test, cst.Attribute):
        return test.attr.value == attribute and not test.lpar
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        return (
            isinstance(test.left, cst.Attribute)
            and test.left.attr.value == attribute
            and isinstance(target.operator, cst.IsNot)
            and isinstance(target.comparator, cst.Name)
            and target.comparator.value == "None"
        )
    return False


class ReplaceNodes(cst.CSTTransformer):
    def __init__(self, replacements: Dict[cst.Name, cst.BaseExpression]) -> None:
        super().__init__()
        self.replacements = replacements

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self.replacements.get(original_node, updated_node)
