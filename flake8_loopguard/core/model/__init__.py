"""The semantic model of one module, built in a single walk of its ``ast`` tree; every rule asks
it instead of walking the tree itself."""

from .module import Module
from .names import canonical, dotted_parts, is_main_guard, receiver_name
from .scopes import AWAITED, BOUND, CALLBACK_LAMBDA, DISCARDED, USED, CallSite, ClassInfo, FunctionInfo, Scope

__all__ = [
    "AWAITED", "BOUND", "CALLBACK_LAMBDA", "DISCARDED", "USED",
    "CallSite", "ClassInfo", "FunctionInfo", "Module", "Scope",
    "canonical", "dotted_parts", "is_main_guard", "receiver_name",
]  # fmt: skip
