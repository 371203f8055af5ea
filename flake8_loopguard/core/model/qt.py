"""What the model answers about Qt: which decorators make an async slot."""

from __future__ import annotations

import ast
from functools import cached_property
from typing import TYPE_CHECKING, Optional

from ..apis import ASYNC_CLOSE_DECORATORS, ASYNC_SLOT_DECORATORS, ASYNC_SLOT_NAMES
from ..config import Config
from .names import dotted_parts
from .scopes import FunctionInfo, Scope


class QtQueries:
    """Mixed into :class:`~.module.Module`."""

    if TYPE_CHECKING:
        config: Config
        module_scope: Scope

        def resolve(self, node: ast.AST, scope: Scope) -> Optional[str]: ...

    def is_async_slot(self, function: FunctionInfo) -> bool:
        return any(self.is_async_slot_decorator(decorator, function.parent_scope) for decorator in function.decorators)

    def is_async_close(self, function: FunctionInfo) -> bool:
        """Decorated with qasync's ``asyncClose`` (a coroutine close handler, run to its end)."""
        return any(
            self.resolve(decorator, function.parent_scope) in ASYNC_CLOSE_DECORATORS for decorator in function.decorators
        )

    def is_async_slot_decorator(self, decorator: ast.expr, scope: Scope) -> bool:
        """qasync's ``asyncSlot``, qtinter's ``asyncslot``, any decorator whose own name is one of
        those (a vendored copy), one named in ``loopguard-async-slot-decorators``, or a same-file
        decorator that applies one of them."""
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        parts = dotted_parts(target)
        if parts is None:
            return False
        if parts[-1] in ASYNC_SLOT_NAMES:
            return True
        qualified = self.resolve(target, scope)
        names = ASYNC_SLOT_DECORATORS.union(self.config.async_slot_decorators)
        if qualified in names or ".".join(parts) in self.config.async_slot_decorators:
            return True
        return len(parts) == 1 and parts[0] in self.async_slot_wrappers

    @cached_property
    def async_slot_wrappers(self) -> set:
        """Module-level functions whose own code applies an async-slot decorator
        (``def ui_slot(*types): return asyncSlot(*types)``)."""
        names = ASYNC_SLOT_DECORATORS.union(self.config.async_slot_decorators)
        wrappers = set()
        for name, function in self.module_scope.functions.items():
            for inner in function.scope.descendants():
                if any(
                    site.qualified in names or (site.parts is not None and site.parts[-1] in ASYNC_SLOT_NAMES)
                    for site in inner.calls
                ):
                    wrappers.add(name)
                    break
        return wrappers
