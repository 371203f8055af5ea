"""libcst's ``AddImportsVisitor`` without its two walks of the whole module.

It reads and edits only the imports at the top of the module (the run of import lines before
any other statement) and the module's body, yet it gathers them by visiting every node, then
transforms every node, on a deep copy of the tree. Here the gathering is handed the module's
statements up to its first compound statement (the import run ends before it, and ``_skip_first``
looks at the first statement only), and the transform does not descend into compound statements
or into the small statements of a line: what it would leave as it is is not visited, so the
result is the same, node for node. It needs no metadata, so the tree is not copied either.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from typing import Iterator

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import MetadataWrapper


class TopLevelAddImports(AddImportsVisitor):
    @contextmanager
    def _handle_metadata_reference(self, module: cst.Module) -> Iterator[cst.Module]:
        outer_wrapper = self.context.wrapper
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.context = replace(self.context, wrapper=wrapper)
        try:
            yield wrapper.module
        finally:
            self.context = replace(self.context, wrapper=outer_wrapper)

    def visit_Module(self, node: cst.Module) -> None:
        first_compound = next(
            (index for index, statement in enumerate(node.body) if not isinstance(statement, cst.SimpleStatementLine)),
            len(node.body),
        )
        super().visit_Module(node.with_changes(body=node.body[:first_compound]))

    def on_visit(self, node: cst.CSTNode) -> bool:
        return super().on_visit(node) and isinstance(node, (cst.Module, cst.SimpleStatementLine))
