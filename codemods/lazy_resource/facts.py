"""What ``lazy_loop_resource`` looks up in the module: the call a finding is at, the uses and
the assignments of an attribute, the parameters ``__init__`` stores, the classes that share an
instance."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

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


# Methods that change the object they are called on (a dict, a list, a set).
MUTATORS = frozenset(
    {"append", "extend", "insert", "remove", "pop", "popitem", "clear", "update", "setdefault", "add", "discard"}
)
# Annotations of a value that cannot change once made.
IMMUTABLE_TYPES = frozenset(
    {"str", "int", "float", "bool", "bytes", "complex", "None", "tuple", "Tuple", "frozenset", "FrozenSet", "Path"}
)


def is_immutable_annotation(annotation: cst.BaseExpression) -> bool:
    """``str``, ``int``..., ``Optional[str]``, ``str | None``, ``Tuple[int, ...]``, ``Literal[...]``."""
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return is_immutable_annotation(annotation.left) and is_immutable_annotation(annotation.right)
    if isinstance(annotation, cst.Subscript):
        head = own_name(annotation.value)
        if head == "Literal":
            return True
        if head not in ("Optional", "Union", "tuple", "Tuple", "frozenset", "FrozenSet"):
            return False
        return all(
            isinstance(element.slice, cst.Index)
            and (isinstance(element.slice.value, cst.Ellipsis) or is_immutable_annotation(element.slice.value))
            for element in annotation.slice
        )
    return isinstance(annotation, (cst.Name, cst.Attribute)) and own_name(annotation) in IMMUTABLE_TYPES


def first_change(  # type: ignore[no-untyped-def]
    module: cst.Module, name: str, attribute: bool, position
) -> Optional[int]:
    """The first line where the module changes what ``name`` (an attribute of any object when
    ``attribute``, else a variable) holds, in place: an item or attribute stored or deleted on
    it, an augmented assignment, a method that changes it (``append``, ``update``...)."""
    lines: List[int] = []

    def names_it(node: cst.BaseExpression) -> bool:
        if attribute:
            return isinstance(node, cst.Attribute) and node.attr.value == name
        return isinstance(node, cst.Name) and node.value == name

    class Changes(cst.CSTVisitor):
        def _stored(self, target: cst.BaseExpression) -> None:
            for stored in assigned_targets(target):
                if isinstance(stored, (cst.Subscript, cst.Attribute)) and names_it(stored.value):
                    lines.append(position(stored).start.line)

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            self._stored(node.target)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            self._stored(node.target)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if names_it(node.target):
                lines.append(position(node).start.line)
            self._stored(node.target)

        def visit_Del(self, node: cst.Del) -> None:
            self._stored(node.target)

        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in MUTATORS and names_it(func.value):
                lines.append(position(node).start.line)

    module.visit(Changes())
    return min(lines) if lines else None


# Folders never scanned for the modules of a project.
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", ".venv"})
_ATTRIBUTE_READ = re.compile(r"\.(_\w+)")
_WORD = re.compile(r"[A-Za-z_]\w*")
# Per scanned root: each module's path -> (the private attributes it reads, the words it holds).
_PROJECT_INDEXES: Dict[str, Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]]] = {}


def modules_reading(filename: str, attribute: str, class_names: Sequence[str]) -> List[str]:
    """The other modules of ``filename``'s project that read ``.<attribute>`` and name one of
    ``class_names`` (they import, make or subclass the class), relative to the project's folder.

    The project is the top-most package holding the file (or its folder when it is in none);
    nothing is read when the file is not on disk. Each project is read once per process.
    """
    path = Path(filename)
    if not path.is_file():
        return []
    root = _project_folder(path)
    index = _PROJECT_INDEXES.get(str(root))
    if index is None:
        index = _PROJECT_INDEXES[str(root)] = _index(root)
    own = str(path.resolve())
    base = root.parent if (root / "__init__.py").is_file() else root
    return sorted(
        os.path.relpath(module, base)
        for module, (attributes, words) in index.items()
        if module != own and attribute in attributes and words.intersection(class_names)
    )


def modules_naming(filename: str, name: str) -> List[str]:
    """The other modules of ``filename``'s project (as :func:`modules_reading` finds them) that name
    both ``name`` and the module (its file name's stem: ``from app import session``, ``app.session``)."""
    path = Path(filename)
    if not path.is_file():
        return []
    root = _project_folder(path)
    index = _PROJECT_INDEXES.get(str(root))
    if index is None:
        index = _PROJECT_INDEXES[str(root)] = _index(root)
    own = str(path.resolve())
    base = root.parent if (root / "__init__.py").is_file() else root
    wanted = {name, path.resolve().parent.name if path.stem == "__init__" else path.stem}
    return sorted(
        os.path.relpath(module, base)
        for module, (_attributes, words) in index.items()
        if module != own and wanted <= words
    )


def _project_folder(path: Path) -> Path:
    """The top-most package holding the file, or its folder when it is in none."""
    root = path.resolve().parent
    while (root.parent / "__init__.py").is_file() and (root / "__init__.py").is_file():
        root = root.parent
    return root


def _index(root: Path) -> Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]]:
    index = {}
    for folder, folders, files in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith(".") and name not in SKIPPED_FOLDERS]
        for name in files:
            if not name.endswith(".py"):
                continue
            module = os.path.join(folder, name)
            try:
                text = Path(module).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            index[module] = (frozenset(_ATTRIBUTE_READ.findall(text)), frozenset(_WORD.findall(text)))
    return index


class ReplaceNodes(cst.CSTTransformer):
    def __init__(self, replacements: Dict[cst.Name, cst.BaseExpression]) -> None:
        super().__init__()
        self.replacements = replacements

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self.replacements.get(original_node, updated_node)
