"""The semantic model of one module, built in a single walk of its ``ast`` tree; every rule asks
it instead of walking the tree itself."""

from .module import Module
from .names import canonical, dotted_parts, is_main_guard, receiver_name
from .scopes import CallSite, ClassInfo, FunctionInfo, Scope, ScopeKind, Usage

__all__ = [
    "CallSite", "ClassInfo", "FunctionInfo", "Module", "Scope", "ScopeKind", "Usage",
    "canonical", "dotted_parts", "is_main_guard", "receiver_name",
]  # fmt: skip
