"""The one walk over a module's tree that fills its :class:`~.record.WalkRecord`. It records what the
rules need to know (bindings, scopes, calls and the context each call's result lands in) and
nothing else. The walk is iterative: a 1000-deep expression is no danger to the interpreter's
recursion limit."""

from __future__ import annotations

import ast
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..apis import CALLBACK_TAKERS, QT_STAR_MODULES, STAR_MODULES, WEAK_TASK_METHODS
from .names import dotted_parts, is_main_guard, is_type_checking_guard
from .record import WalkRecord
from .scopes import CallSite, ClassInfo, FunctionInfo, Scope, ScopeKind, Usage


# Fields and nodes the walk never needs to enter.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "kind", "conversion"})
_LEAF_NODES = frozenset({ast.Constant, ast.Load, ast.Store, ast.Del, ast.Pass, ast.Break, ast.Continue})
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _node_classes(base: type) -> Iterator[type]:
    for subclass in base.__subclasses__():
        yield subclass
        yield from _node_classes(subclass)


# Every node class worth a visit; a child that is a string, a number or None is not one.
_WALKED_NODES = frozenset(_node_classes(ast.AST)) - _LEAF_NODES


class Walker:
    """The one walk over a module's tree that fills its :class:`~.record.WalkRecord`."""

    def __init__(self, module: WalkRecord) -> None:
        self.module = module
        # Decided at a parent node, read when its child (a call, a walrus) is visited:
        # node id -> (usage, bound targets, binding statement)
        self.pending_usage: Dict[int, Tuple[str, Tuple[str, ...], Optional[ast.stmt]]] = {}
        # `x = None` in `except ImportError:` after `import x`: keeps the import's meaning.
        self.import_fallbacks: set = set()
        # Imports directly under `if TYPE_CHECKING:`: names for annotations, nothing that runs.
        self.typing_only_imports: set = set()

    def walk(self, tree: ast.AST) -> None:
        stack: List[Tuple[ast.AST, Scope, bool]] = [(tree, self.module.module_scope, False)]
        handlers = _HANDLERS
        push_children = self.push_children
        while stack:
            node, scope, in_main = stack.pop()
            handler = handlers.get(type(node))
            if handler is None:
                push_children(stack, node, scope, in_main)
            else:
                handler(self, stack, node, scope, in_main)

    @staticmethod
    def push_children(stack: list, node: ast.AST, scope: Scope, in_main: bool) -> None:
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = _CHILD_FIELDS[type(node)] = tuple(field for field in node._fields if field not in _LEAF_FIELDS)
        children: list = []
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                children.extend(value)
            else:
                children.append(value)
        for child in reversed(children):
            kind = type(child)
            # Names and attribute chains are most of a tree: a name is recorded here, and a
            # chain (`self.client.session`) is followed down to its root, not pushed link by link.
            if kind is ast.Attribute:
                child = child.value
                while type(child) is ast.Attribute:
                    child = child.value
                kind = type(child)
            if kind is ast.Name:
                scope.record_name(child)
            elif kind in _WALKED_NODES:
                stack.append((child, scope, in_main))

    @staticmethod
    def push_all(stack: list, nodes: Iterable[Optional[ast.AST]], scope: Scope, in_main: bool) -> None:
        for node in reversed([node for node in nodes if node is not None]):
            stack.append((node, scope, in_main))

    # ----- bindings ----------------------------------------------------------

    def imported_modules(self, node: ast.stmt) -> set:
        """Where an import's module is recorded: the program's imports, or those for type checkers only."""
        module = self.module
        return module.typing_imported_modules if id(node) in self.typing_only_imports else module.imported_modules

    def visit_import(self, stack, node: ast.Import, scope: Scope, in_main: bool) -> None:
        imported = self.imported_modules(node)
        for alias in node.names:
            imported.add(alias.name.split(".", 1)[0])
            if alias.asname:
                scope.bind(alias.asname, node.lineno, alias.name)
            else:
                head = alias.name.split(".", 1)[0]
                scope.bind(head, node.lineno, head)

    def visit_import_from(self, stack, node: ast.ImportFrom, scope: Scope, in_main: bool) -> None:
        module = node.module or ""
        if node.level == 0 and module:
            self.imported_modules(node).add(module.split(".", 1)[0])
        for alias in node.names:
            if alias.name == "*":
                if node.level == 0 and (module in STAR_MODULES or module in QT_STAR_MODULES):
                    scope.star_imports.append((node.lineno, module))
                continue
            local = alias.asname or alias.name
            # A relative import names a module of the checked project: never a library.
            qualified = f"{module}.{alias.name}" if node.level == 0 and module else None
            scope.bind(local, node.lineno, qualified)

    def visit_try(self, stack, node, scope: Scope, in_main: bool) -> None:
        """``try: import uvloop`` / ``except ImportError: uvloop = None``: the fallback does not
        change what the name means where the import succeeded."""
        imported = set()
        for statement in node.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                for alias in statement.names:
                    imported.add(alias.asname or alias.name.split(".", 1)[0])
        if imported:
            for handler in node.handlers:
                for statement in handler.body:
                    if (
                        isinstance(statement, ast.Assign)
                        and all(isinstance(target, ast.Name) and target.id in imported for target in statement.targets)
                    ):
                        self.import_fallbacks.add(id(statement))
        self.push_children(stack, node, scope, in_main)

    def visit_name(self, stack, node: ast.Name, scope: Scope, in_main: bool) -> None:
        scope.record_name(node)  # a name pushed on its own; most are recorded by push_children

    def visit_global(self, stack, node, scope: Scope, in_main: bool) -> None:
        scope.declared_outer.update(node.names)

    def visit_except_handler(self, stack, node: ast.ExceptHandler, scope: Scope, in_main: bool) -> None:
        if node.name:
            scope.bind(node.name, node.lineno)
        self.push_children(stack, node, scope, in_main)

    # ----- scopes ------------------------------------------------------------

    def visit_function(self, stack, node, scope: Scope, in_main: bool) -> None:
        info = FunctionInfo(node, scope)
        scope.bind(node.name, node.lineno)
        scope.functions[node.name] = info
        if scope.class_info is not None:
            scope.class_info.methods[node.name] = info
        body_scope = Scope(ScopeKind.COROUTINE if info.is_async else ScopeKind.FUNCTION, node.name, scope)
        body_scope.function_info = info
        info.scope = body_scope
        arguments = node.args
        outer = [*node.decorator_list, *arguments.defaults, *arguments.kw_defaults, node.returns]
        annotations = self.module.annotations
        for arg in self.all_arguments(arguments):
            body_scope.bind(arg.arg, node.lineno)
            if arg.annotation is not None:
                # `client: httpx.Client`: the parameter's type, read where the def is
                annotations.append((arg.arg, body_scope, arg.annotation, scope))
                outer.append(arg.annotation)
        self.push_all(stack, node.body, body_scope, in_main)
        self.push_all(stack, outer, scope, in_main)

    def visit_lambda(self, stack, node: ast.Lambda, scope: Scope, in_main: bool) -> None:
        body_scope = Scope(ScopeKind.LAMBDA, "<lambda>", scope)
        self.module.lambda_scopes[id(node)] = body_scope
        self.bind_arguments(node.args, body_scope, node.lineno)
        stack.append((node.body, body_scope, in_main))
        self.push_all(stack, [*node.args.defaults, *node.args.kw_defaults], scope, in_main)

    def visit_comprehension(self, stack, node, scope: Scope, in_main: bool) -> None:
        """Loop variables live in the comprehension; its first iterable is read outside it."""
        inner = Scope(ScopeKind.COMPREHENSION, "<comprehension>", scope)
        generators = node.generators
        elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        later = []
        for index, generator in enumerate(generators):
            later.append(generator.target)
            if index:
                later.append(generator.iter)
            later.extend(generator.ifs)
        self.push_all(stack, [*later, *elements], inner, in_main)
        stack.append((generators[0].iter, scope, in_main))

    def visit_class(self, stack, node: ast.ClassDef, scope: Scope, in_main: bool) -> None:
        scope.bind(node.name, node.lineno)
        body_scope = Scope(ScopeKind.CLASS, node.name, scope)
        info = ClassInfo(node, body_scope)
        body_scope.class_info = info
        self.module.classes.append(info)
        self.push_all(stack, node.body, body_scope, in_main)
        self.push_all(stack, [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)], scope, in_main)

    @staticmethod
    def all_arguments(arguments: ast.arguments) -> List[ast.arg]:
        found = [*getattr(arguments, "posonlyargs", []), *arguments.args, *arguments.kwonlyargs]
        found.extend(arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None)
        return found

    def bind_arguments(self, arguments: ast.arguments, scope: Scope, line: int) -> None:
        for arg in self.all_arguments(arguments):
            scope.bind(arg.arg, line)

    def visit_if(self, stack, node: ast.If, scope: Scope, in_main: bool) -> None:
        if node.orelse:  # its two branches never both run (an `if` without `else` excludes nothing)
            self.module.if_else_statements.append(
                (
                    id(scope.frame),
                    node.lineno,
                    node.col_offset,
                    node.body[0].lineno,
                    getattr(node.body[-1], "end_lineno", None) or node.body[-1].lineno,
                    node.orelse[0].lineno,
                    getattr(node.orelse[-1], "end_lineno", None) or node.orelse[-1].lineno,
                )
            )
        if is_type_checking_guard(node.test):
            self.typing_only_imports.update(
                id(statement) for statement in node.body if isinstance(statement, (ast.Import, ast.ImportFrom))
            )
        if scope.kind is ScopeKind.MODULE and is_main_guard(node.test):
            self.push_all(stack, node.orelse, scope, in_main)
            self.push_all(stack, node.body, scope, True)
            stack.append((node.test, scope, in_main))
        else:
            self.visit_truth_test(stack, node, scope, in_main)

    def visit_truth_test(self, stack, node, scope: Scope, in_main: bool) -> None:
        """``x if create_task(...) else y``: a value only tested for truth is dropped."""
        self.pending_usage[id(node.test)] = (Usage.DISCARDED, (), None)
        self.push_children(stack, node, scope, in_main)

    def visit_with(self, stack, node, scope: Scope, in_main: bool) -> None:
        is_async = isinstance(node, ast.AsyncWith)
        for item in node.items:
            if isinstance(item.context_expr, ast.Call) and isinstance(item.optional_vars, ast.Name):
                self.module.context_bindings.append((scope, item.optional_vars.id, item.context_expr, is_async))
        self.push_children(stack, node, scope, in_main)

    # ----- where a call's result goes ---------------------------------------

    def visit_expr(self, stack, node: ast.Expr, scope: Scope, in_main: bool) -> None:
        value = node.value
        discarded = (Usage.DISCARDED, (), None)
        self.pending_usage[id(value)] = discarded
        # `[create_task(a), create_task(b)]` or `[create_task(f(x)) for x in xs]` as a statement
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            for element in value.elts:
                self.pending_usage[id(element)] = discarded
        elif isinstance(value, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            self.pending_usage[id(value.elt)] = discarded
        # `create_task(x).add_done_callback(cb)`: the callback registration returns None
        elif (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in WEAK_TASK_METHODS
        ):
            self.pending_usage[id(value.func.value)] = discarded
        stack.append((value, scope, in_main))

    def visit_await(self, stack, node: ast.Await, scope: Scope, in_main: bool) -> None:
        self.pending_usage[id(node.value)] = (Usage.AWAITED, (), None)
        stack.append((node.value, scope, in_main))

    def visit_assign(self, stack, node, scope: Scope, in_main: bool) -> None:
        if id(node) in self.import_fallbacks:
            stack.append((node.value, scope, in_main))
            return
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if type(node) is ast.AnnAssign:
            self.record_annotation(node.target, node.annotation, scope)
        value = node.value
        if value is not None:
            if len(targets) == 1 and isinstance(targets[0], (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
                # `t, u = create_task(a), create_task(b)`: each element to its own name
                if len(targets[0].elts) == len(value.elts):
                    for target, element in zip(targets[0].elts, value.elts):
                        self._bind_usage(element, [target], node)
            else:
                self._bind_usage(value, targets, node)
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and isinstance(value, (ast.Attribute, ast.Name)):
                parts = dotted_parts(value)
                if parts is not None:
                    scope.aliases[targets[0].id] = ".".join(parts)
        self.push_children(stack, node, scope, in_main)

    def record_annotation(self, target: ast.expr, annotation: ast.expr, scope: Scope) -> None:
        """``client: httpx.Client = ...``, ``self.client: httpx.Client``; in a class body,
        ``client: httpx.Client`` declares what ``self.client`` holds."""
        parts = dotted_parts(target)
        if parts is None:
            return
        key = ".".join(parts)
        if scope.kind is ScopeKind.CLASS and len(parts) == 1:
            key = "self." + key
        self.module.annotations.append((key, scope, annotation, scope))

    def _bind_usage(self, value: ast.expr, targets: Sequence[ast.expr], statement: ast.stmt) -> None:
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id == "_":
            self.pending_usage[id(value)] = (Usage.DISCARDED, (), None)
            return
        names = []
        for target in targets:
            parts = dotted_parts(target)
            if parts is None:
                return  # a subscript or an unpacking: the value is stored somewhere
            names.append(".".join(parts))
        self.pending_usage[id(value)] = (Usage.BOUND, tuple(names), statement)
        if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or):
            # `app = QApplication.instance() or QApplication(argv)`: the names hold one of the calls
            self.module.alternative_bindings.extend(
                (tuple(names), operand) for operand in value.values if isinstance(operand, ast.Call)
            )

    def visit_named_expr(self, stack, node: ast.NamedExpr, scope: Scope, in_main: bool) -> None:
        usage = self.pending_usage.pop(id(node), None)
        target = node.target.id  # type: ignore[union-attr]
        if usage is not None and usage[0] == Usage.DISCARDED:
            # `(t := create_task(x))` as a statement or a truth test: the name is all that holds it
            self.pending_usage[id(node.value)] = (Usage.BOUND, (target,), None)
        frame = scope.frame  # a walrus in a comprehension binds in the enclosing function
        frame.bind(target, node.lineno)
        stack.append((node.value, scope, in_main))

    def visit_call(self, stack, node: ast.Call, scope: Scope, in_main: bool) -> None:
        usage, targets, statement = self.pending_usage.pop(id(node), (Usage.USED, (), None))
        site = CallSite(node, scope, in_main, usage, targets, statement)
        self.module.calls.append(site)
        self.module.call_by_node[id(node)] = site
        site.scope.calls.append(site)
        if site.attr in WEAK_TASK_METHODS and isinstance(site.receiver, ast.Name):
            self.module.weak_reads.add(id(site.receiver))
        elif site.attr in CALLBACK_TAKERS:
            for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
                if isinstance(argument, ast.Lambda):
                    self.pending_usage[id(argument.body)] = (Usage.CALLBACK_LAMBDA, (), None)
        self.push_children(stack, node, scope, in_main)


# The visit for each kind of node (a class-level table: a walker holding its own bound methods
# would be a reference cycle, kept with its tree until the cycle collector runs).
_HANDLERS: Dict[type, Callable[..., None]] = {
    ast.Import: Walker.visit_import,
    ast.ImportFrom: Walker.visit_import_from,
    ast.FunctionDef: Walker.visit_function,
    ast.AsyncFunctionDef: Walker.visit_function,
    ast.Lambda: Walker.visit_lambda,
    ast.ClassDef: Walker.visit_class,
    ast.Call: Walker.visit_call,
    ast.Name: Walker.visit_name,
    ast.Expr: Walker.visit_expr,
    ast.Await: Walker.visit_await,
    ast.Assign: Walker.visit_assign,
    ast.AnnAssign: Walker.visit_assign,
    ast.NamedExpr: Walker.visit_named_expr,
    ast.If: Walker.visit_if,
    ast.While: Walker.visit_truth_test,
    ast.IfExp: Walker.visit_truth_test,
    ast.Assert: Walker.visit_truth_test,
    ast.With: Walker.visit_with,
    ast.AsyncWith: Walker.visit_with,
    ast.Try: Walker.visit_try,
    ast.Global: Walker.visit_global,
    ast.Nonlocal: Walker.visit_global,
    ast.ExceptHandler: Walker.visit_except_handler,
    ast.ListComp: Walker.visit_comprehension,
    ast.SetComp: Walker.visit_comprehension,
    ast.DictComp: Walker.visit_comprehension,
    ast.GeneratorExp: Walker.visit_comprehension,
}
if hasattr(ast, "TryStar"):  # `except*`, Python 3.11
    _HANDLERS[ast.TryStar] = Walker.visit_try
