"""What the walk records of a module: the containers :class:`~.walk.Walker` fills and the
queries of :class:`~.module.Module` read. Kept apart from both so that the walk depends on the
record only, never on the queries built over it."""

from __future__ import annotations

import ast
from typing import Dict, List, Tuple

from .scopes import CallSite, ClassInfo, Scope, ScopeKind


class WalkRecord:
    def __init__(self) -> None:
        self.module_scope = Scope(ScopeKind.MODULE, "<module>", None)
        self.calls: List[CallSite] = []
        self.classes: List[ClassInfo] = []
        # `with X() as name` / `async with X() as name`: (scope, name, the call)
        self.context_bindings: List[Tuple[Scope, str, ast.Call, bool]] = []
        self.call_by_node: Dict[int, CallSite] = {}
        self.lambda_scopes: Dict[int, Scope] = {}
        self.weak_reads: set = set()  # ids of the Name nodes read only by add_done_callback()/set_name()
        # `x = a() or b()`: (the names bound, one of the calls)
        self.alternative_bindings: List[Tuple[Tuple[str, ...], ast.Call]] = []
        # (name or dotted attribute, the scope that binds it, its annotation, the scope the annotation is read in)
        self.annotations: List[Tuple[str, Scope, ast.expr, Scope]] = []
        # `if ...: ... else: ...` statements, whose two branches never both run: (id of the frame
        # scope, line, column, first and last line of the body, first and last line of the else)
        self.if_else_statements: List[Tuple[int, int, int, int, int, int, int]] = []
        self.imported_modules: set = set()  # top-level modules the program imports
        self.typing_imported_modules: set = set()  # ... and those imported only `if TYPE_CHECKING:`
