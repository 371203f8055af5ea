"""Which base makes a class a worker thread, as the module spells it, and what replaces it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import libcst as cst

from flake8_loopguard.core.apis import QT_BINDINGS

from ..syntax import dotted

# The thread base -> the runtime base (in the scaffolded runtime module) that replaces it.
RUNTIME_BASES = {"QThread": "QThreadTask", "QRunnable": "QRunnableTask", "Thread": "ThreadTask"}
QT_CORE_MODULES = frozenset(f"{binding}.QtCore" for binding in QT_BINDINGS)


@dataclass(frozen=True)
class ThreadBase:
    """The base of a worker class that runs it in a thread: its kind and where it is in the bases."""

    kind: str  # "QThread", "QRunnable" or "Thread"
    index: int  # among the class's bases
    expression: str  # as written: "QThread", "QtCore.QThread", "threading.Thread"

    @property
    def runtime_name(self) -> str:
        return RUNTIME_BASES[self.kind]

    @property
    def is_qt(self) -> bool:
        return self.kind != "Thread"


class ModuleImports(cst.CSTVisitor):
    """The module's top-level imports: local name -> what it is (``PySide6.QtCore.QThread``,
    ``threading``); a star import of a Qt binding's ``QtCore`` binds its classes too."""

    def __init__(self) -> None:
        self.bound: Dict[str, str] = {}
        self.qt_star = False
        self._depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._depth -= 1

    def visit_Import(self, node: cst.Import) -> None:
        if self._depth:
            return
        for alias in node.names:
            module = dotted(alias.name)
            if alias.asname is not None:
                self.bound[alias.asname.name.value] = module  # type: ignore[union-attr]
            else:
                head = module.partition(".")[0]
                self.bound[head] = head

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self._depth or node.module is None or node.relative:
            return
        module = dotted(node.module)
        if isinstance(node.names, cst.ImportStar):
            self.qt_star = self.qt_star or module in QT_CORE_MODULES
            return
        for alias in node.names:
            name = dotted(alias.name)
            local = alias.asname.name.value if alias.asname is not None else name  # type: ignore[union-attr]
            self.bound[local] = f"{module}.{name}"

    def qualified(self, expression: cst.BaseExpression) -> str:
        """What a dotted expression names, through the imports (``qtc.QThread`` ->
        ``PyQt5.QtCore.QThread``); ``""`` when it is not an imported name."""
        text = dotted(expression)
        head, _, rest = text.partition(".")
        if head in self.bound:
            return ".".join(part for part in (self.bound[head], rest) if part)
        if self.qt_star and not rest and head in ("QThread", "QRunnable"):
            return f"Qt.QtCore.{head}"
        return ""


def kind_of(qualified: str) -> Optional[str]:
    """``QThread``/``QRunnable``/``Thread`` for Qt's or threading's class, else None."""
    if qualified == "threading.Thread":
        return "Thread"
    module, _, name = qualified.rpartition(".")
    if name in ("QThread", "QRunnable") and (module in QT_CORE_MODULES or module == "Qt.QtCore"):
        return name
    return None


def thread_base(class_def: cst.ClassDef, imports: ModuleImports) -> Tuple[Optional[ThreadBase], str]:
    """The class's one direct thread base, or None and why not."""
    found = []
    for index, base in enumerate(class_def.bases):
        if base.keyword is not None or base.star:
            continue
        kind = kind_of(imports.qualified(base.value))
        if kind is not None:
            found.append(ThreadBase(kind, index, dotted(base.value)))
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, "the class derives from several thread classes"
    return None, "the thread class is inherited through another class: convert the classes together by hand"
