"""Where a module names a function without calling it, for the chains ``run_to_await`` plans.

A function that becomes a coroutine must be awaited wherever it is used. Its calls are known
(the module facts); this finds every other place its name appears: a reference that resolves to
it (``callbacks = {"load": load}``, ``target=self.fetch``), and an attribute of its name on an
object the model cannot follow (``client.fetch()``, ``self.client.fetch``), which may be it
when it is a method. Each such place either is a hand-over the plan handles (a thread target,
a signal connection) or stops the chain.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Collection, Dict, Iterator, List, Optional, Tuple

from ...core.model import Module, Scope, ScopeKind
from .facts import CallTargets

Node = Tuple[str, str]  # (module name, qualified name of the function)
RESOLVED = "resolved"  # names the function itself
UNRESOLVED = "unresolved"  # an attribute on an object the model cannot follow


@dataclass(frozen=True)
class NameUse:
    name: str
    line: int
    col: int
    kind: str  # RESOLVED or UNRESOLVED
    target: Optional[Node]  # for RESOLVED
    called: bool  # the use is the called expression of a call
    caller: str  # the def the use is in (a lambda's enclosing def; "" at module level)


class NameIndex:
    """Where each name of one module is written (a name, an attribute, the called function of a
    call) with the scope it is read in: one walk of the tree, however many times the plan asks
    for the uses of more names in it. Entries keep the order of the walk."""

    def __init__(self, model: Module, tree: ast.Module) -> None:
        # name -> [(order, node, scope, the call when the node is its called function)]
        self.places: Dict[str, List[Tuple[int, ast.expr, Scope, Optional[ast.Call]]]] = {}
        scopes: Dict[int, Scope] = {}
        for function in model.functions:
            scopes[id(function.node)] = function.scope
        for cls in model.classes:
            scopes[id(cls.node)] = cls.scope
        scopes.update(model.lambda_scopes)
        order = 0
        stack: List[Tuple[ast.AST, Scope]] = [(tree, model.module_scope)]
        while stack:
            node, scope = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                inner = scopes.get(id(node), scope)
                outer_parts: List[ast.AST] = list(getattr(node, "decorator_list", []))
                if isinstance(node, ast.ClassDef):
                    outer_parts += [*node.bases, *(keyword.value for keyword in node.keywords)]
                    stack.extend((child, inner) for child in node.body)
                elif isinstance(node, ast.Lambda):
                    outer_parts += [*node.args.defaults, *node.args.kw_defaults]
                    stack.append((node.body, inner))
                else:
                    outer_parts += [*node.args.defaults, *node.args.kw_defaults]
                    stack.extend((child, inner) for child in node.body)
                stack.extend((child, scope) for child in outer_parts if child is not None)
                continue
            if isinstance(node, ast.Call):
                func = node.func
                name = _own_name(func)
                if name:
                    self.places.setdefault(name, []).append((order, func, scope, node))
                    order += 1
                if isinstance(func, ast.Attribute):
                    stack.append((func.value, scope))
                elif not isinstance(func, ast.Name):
                    stack.append((func, scope))
                stack.extend((child, scope) for child in node.args)
                stack.extend((keyword.value, scope) for keyword in node.keywords)
                continue
            if isinstance(node, (ast.Name, ast.Attribute)):
                self.places.setdefault(_own_name(node), []).append((order, node, scope, None))
                order += 1
            stack.extend((child, scope) for child in ast.iter_child_nodes(node))


def name_uses(
    model: Module,
    index: NameIndex,
    module_name: str,
    finder,  # summary.target_finder(...)
    resolve: Callable[[str], Optional[Node]],
    names: Collection[str],
) -> Iterator[NameUse]:
    """The uses of ``names`` in the module (``index``: its places), but the calls the model
    resolved to a project function (those are the module facts' calls) and the definitions
    themselves."""
    targets = CallTargets(model, finder, module_name)
    places = sorted(place for name in set(names) for place in index.places.get(name, ()))
    for _order, node, scope, call in places:
        name = _own_name(node)
        if call is not None:
            site = model.call_site(call)
            if site is None or targets.of(site) is None:
                yield from _use(node, name, scope, finder, resolve, called=True)
        else:
            yield from _use(node, name, scope, finder, resolve, called=False)


def _use(node: ast.expr, name: str, scope: Scope, finder, resolve, called: bool) -> Iterator[NameUse]:
    line, col = node.lineno, node.col_offset
    target = finder.reference(node, scope, line) if isinstance(node.ctx, ast.Load) else None
    found = resolve(target) if target is not None else None
    enclosing: Optional[Scope] = scope
    while enclosing is not None and enclosing.kind not in (ScopeKind.FUNCTION, ScopeKind.COROUTINE):
        enclosing = enclosing.parent
    caller = enclosing.qualified_name if enclosing is not None else ""
    if found is not None:
        yield NameUse(name, line, col, RESOLVED, found, called, caller)
    elif isinstance(node, ast.Attribute):
        yield NameUse(name, line, col, UNRESOLVED, None, called, caller)


def _own_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
