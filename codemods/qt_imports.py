"""What a Qt module's top-level imports bind, for the codemods that spell Qt and qasync names.

The slot and application codemods write names the module may already import (``asyncSlot``,
``Slot``, ``QtCore.Slot``, ``qasync.QEventLoop``) and drop imports their rewrite leaves unused.
:class:`QtImports` reads the module's top-level import statements once (also those inside a
top-level ``try``, where import fallbacks live) and answers: which Qt binding the module
uses, how a ``module.name`` is spelled here, and which import statement binds a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Set

import libcst as cst

from flake8_loopguard.core.apis import QT_BINDINGS

from .syntax import dotted

# The plain slot decorator of each binding, in its QtCore module.
PLAIN_SLOT = {"PySide2": "Slot", "PySide6": "Slot", "qtpy": "Slot", "PyQt5": "pyqtSlot", "PyQt6": "pyqtSlot"}


@dataclass(frozen=True)
class ImportedName:
    """One name an import binds: ``from module import obj as asname`` (``obj`` None for
    ``import module [as asname]``), in the form ``remove_unused_import`` takes."""

    module: str
    obj: Optional[str]
    asname: Optional[str]


class QtImports:
    """The module's top-level imports: bound names, star imports, Qt bindings."""

    def __init__(self, body: Sequence[cst.BaseStatement]) -> None:
        self.names: Dict[str, ImportedName] = {}
        self.star_modules: Set[str] = set()
        self.modules: List[str] = []  # every imported module, in order
        self.plain_imports: Set[str] = set()  # `import a.b` without `as`: reachable as `a.b`
        for statement in _top_level_statements(body):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    self._read_import(small)
                elif isinstance(small, cst.ImportFrom):
                    self._read_import_from(small)

    def _read_import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = dotted(alias.name)
            self.modules.append(module)
            if alias.asname is not None:
                asname = alias.asname.name.value  # type: ignore[union-attr]
                self.names[asname] = ImportedName(module, None, asname)
            else:
                self.plain_imports.add(module)
                self.names.setdefault(module.partition(".")[0], ImportedName(module, None, None))

    def _read_import_from(self, node: cst.ImportFrom) -> None:
        if node.module is None or node.relative:
            return
        module = dotted(node.module)
        self.modules.append(module)
        if isinstance(node.names, cst.ImportStar):
            self.star_modules.add(module)
            return
        for alias in node.names:
            name = dotted(alias.name)
            asname = alias.asname.name.value if alias.asname is not None else None  # type: ignore[union-attr]
            self.names[asname or name] = ImportedName(module, name, asname)

    # ----- questions -------------------------------------------------------------------------

    @property
    def bindings(self) -> List[str]:
        """The Qt bindings the module imports (``PySide6``, ``PyQt5``, ``qtpy``...), in order."""
        found: List[str] = []
        for module in self.modules:
            root = module.partition(".")[0]
            if root in QT_BINDINGS and root not in found:
                found.append(root)
        return found

    @property
    def imports_qasync(self) -> bool:
        return any(module.partition(".")[0] == "qasync" for module in self.modules)

    def spelled(self, module: str, name: str) -> Optional[cst.BaseExpression]:
        """``module.name`` as this module already spells it (``asyncSlot``, ``qasync.asyncSlot``,
        ``QtCore.Slot``), or None when no import makes it reachable."""
        if module in self.star_modules:
            return cst.Name(name)
        for bound, imported in self.names.items():
            if imported.obj is not None and imported.module == module and imported.obj == name:
                return cst.Name(bound)
        for bound, imported in self.names.items():
            if imported.obj is not None and f"{imported.module}.{imported.obj}" == module:
                return cst.Attribute(cst.Name(bound), cst.Name(name))  # from PySide6 import QtCore
            if imported.obj is None and imported.module == module and imported.asname is not None:
                return cst.Attribute(cst.Name(bound), cst.Name(name))  # import qasync as q
        if module in self.plain_imports and self.names.get(module.partition(".")[0], None) is not None:
            head = self.names[module.partition(".")[0]]
            if head.obj is None and head.asname is None:
                return _attribute_chain([*module.split("."), name])  # import qasync, import PySide6.QtCore
        return None

    def binding_of(self, expression: cst.BaseExpression) -> Optional[ImportedName]:
        """The import that binds the head of ``Slot``/``QtCore.Slot``, or None."""
        head = dotted(expression).partition(".")[0]
        return self.names.get(head) if head else None

    def is_bound(self, name: str) -> bool:
        return name in self.names


def _attribute_chain(parts: Sequence[str]) -> cst.BaseExpression:
    expression: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        expression = cst.Attribute(expression, cst.Name(part))
    return expression


def _top_level_statements(body: Sequence[cst.BaseStatement]) -> Iterator[cst.SimpleStatementLine]:
    """The simple statement lines of a block, and of the ``try`` blocks at its level (import
    fallbacks); not those of an ``if`` (``if __name__ == "__main__":``, ``if TYPE_CHECKING:``),
    whose names the rest of the module cannot rely on."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield statement
        elif isinstance(statement, cst.Try):
            for block in (statement.body, *(handler.body for handler in statement.handlers)):
                if isinstance(block, cst.IndentedBlock):
                    yield from _top_level_statements(block.body)
