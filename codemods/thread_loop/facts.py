"""What ``thread_loop_to_async_slot`` reads of the whole module, gathered once per module.

These are facts about the code as written, which libcst's metadata providers do not give:
the import statements themselves (to spell ``asyncSlot`` as the module does and to hand
``RemoveImportsVisitor`` the thread and loop imports), and the names of called functions and
methods, ``self.work()`` included, with where their value goes. Each is a small visitor; the
one that needs a call's parent keeps the stack of the walk it is in.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from flake8_loopguard.core.apis import QT_MODULES

from ..syntax import dotted, own_name, single_small_statement

QT_EXEC = re.compile(r"\.exec_?\(")
# Calls that run a callable in another thread: a function handed to one is not a slot.
THREAD_RUNNERS = frozenset({"Thread", "submit", "run_in_executor", "to_thread", "start_new_thread"})
# Modules a worker imports locally for the thread and the loop; dropped when left unused.
PLUMBING_MODULES = frozenset({"asyncio", "threading"})


class ModuleFacts:
    """What the rewrite needs to know about the whole module, gathered once."""

    def __init__(self, module: cst.Module, position) -> None:  # type: ignore[no-untyped-def]
        imports = _Imports()
        module.visit(imports)
        self.imports_qt = bool(imports.roots & QT_MODULES)
        # `app.exec()` is fine in a module without qasync; the import this rewrite adds makes it LG503.
        self.runs_qt_exec_without_qasync = "qasync" not in imports.roots and QT_EXEC.search(module.code) is not None
        self.async_slot: cst.BaseExpression
        self.async_slot_import_needed = False
        if imports.async_slot_name is not None:
            self.async_slot = cst.Name(imports.async_slot_name)
        elif imports.qasync_module_name is not None:
            self.async_slot = cst.Attribute(cst.Name(imports.qasync_module_name), cst.Name("asyncSlot"))
        else:
            self.async_slot = cst.Name("asyncSlot")
            self.async_slot_import_needed = True
        self.plumbing_imports = imports.plumbing
        uses = _ValueUses(position)
        module.visit(uses)
        self.value_uses = uses.uses
        self.handed_to_threads = uses.handed_to_threads
        references = _References()
        module.visit(references)
        self.references = references.counts
        followed = _CallsFollowed(position)
        module.visit(followed)
        self.calls_followed = followed.first_line
        bare = _CallsWithoutPositionalArguments(position)
        module.visit(bare)
        self.calls_without_positional_arguments = bare.first_line


class _Imports(cst.CSTVisitor):
    """The module's imports: Qt or not, how asyncSlot is spelled, the thread/loop imports."""

    def __init__(self) -> None:
        self.roots: Set[str] = set()
        self.async_slot_name: Optional[str] = None
        self.qasync_module_name: Optional[str] = None
        self.plumbing: List[Tuple[str, Optional[str], Optional[str]]] = []
        self._depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = dotted(alias.name)
            self.roots.add(module.partition(".")[0])
            asname = alias.asname.name.value if alias.asname is not None else None  # type: ignore[union-attr]
            if self._depth:
                continue
            if module == "qasync":
                self.qasync_module_name = asname or module
            if module in PLUMBING_MODULES:
                self.plumbing.append((module, None, asname))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is None or node.relative:
            return
        module = dotted(node.module)
        self.roots.add(module.partition(".")[0])
        if self._depth:
            return
        if isinstance(node.names, cst.ImportStar):
            if module == "qasync":
                self.async_slot_name = "asyncSlot"
            return
        for alias in node.names:
            name = dotted(alias.name)
            asname = alias.asname.name.value if alias.asname is not None else None  # type: ignore[union-attr]
            if module == "qasync" and name == "asyncSlot":
                self.async_slot_name = asname or name
            if module in PLUMBING_MODULES:
                self.plumbing.append((module, name, asname))


class _ValueUses(cst.CSTVisitor):
    """For each called name (``f(...)``, ``x.f(...)``): the lines where its value is used.

    A call is unused as an expression statement or as the body of a lambda (a Qt slot's value
    goes nowhere)."""

    def __init__(self, position) -> None:  # type: ignore[no-untyped-def]
        self.position = position
        self.uses: Dict[str, List[int]] = {}
        # Names passed to a thread or an executor (target=self.work, submit(work)): name -> line.
        self.handed_to_threads: Dict[str, int] = {}
        self._parents: List[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Call):
            name = own_name(node.func)
            parent = self._parents[-1] if self._parents else None
            if name and not isinstance(parent, (cst.Expr, cst.Lambda)):
                self.uses.setdefault(name, []).append(self.position(node).start.line)
            if name in THREAD_RUNNERS:
                line = self.position(node).start.line
                for arg in node.args:
                    handed = handed_callable(arg.value)
                    if handed is not None:
                        self.handed_to_threads.setdefault(handed, line)
        self._parents.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._parents.pop()


def handed_callable(expression: cst.BaseExpression) -> Optional[str]:
    """The function a thread or executor is given: ``work``, ``self.work``, ``partial(work, x)``,
    ``lambda: self.work()``; None for anything else."""
    if isinstance(expression, cst.Name):
        return expression.value
    if isinstance(expression, cst.Attribute) and isinstance(expression.value, cst.Name):
        return expression.attr.value
    if isinstance(expression, cst.Call) and dotted(expression.func).rpartition(".")[2] == "partial":
        return handed_callable(expression.args[0].value) if expression.args else None
    if isinstance(expression, cst.Lambda) and isinstance(expression.body, cst.Call):
        return handed_callable(expression.body.func)
    return None


class _References(cst.CSTVisitor):
    """How often each name is referenced (``x``, ``obj.x``), definitions not counted."""

    def __init__(self) -> None:
        self.counts: Dict[str, int] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for part in (node.decorators, node.params, node.returns, node.body):
            if isinstance(part, cst.CSTNode):
                part.visit(self)
            elif part is not None:
                for item in part:
                    item.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.counts[node.value] = self.counts.get(node.value, 0) + 1


class _CallsWithoutPositionalArguments(cst.CSTVisitor):
    """Calls that pass no positional argument (``f()``, ``f(x=1)``): called name -> first line."""

    def __init__(self, position) -> None:  # type: ignore[no-untyped-def]
        self.position = position
        self.first_line: Dict[str, int] = {}

    def visit_Call(self, node: cst.Call) -> None:
        if any(arg.keyword is None and arg.star != "**" for arg in node.args):
            return
        name = own_name(node.func)
        if name:
            self.first_line.setdefault(name, self.position(node).start.line)


class _CallsFollowed(cst.CSTVisitor):
    """Calls made as statements that more code follows in the same block: name -> first line."""

    def __init__(self, position) -> None:  # type: ignore[no-untyped-def]
        self.position = position
        self.first_line: Dict[str, int] = {}

    def visit_Module(self, node: cst.Module) -> None:
        self._block(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._block(node.body)

    def _block(self, statements: Sequence[cst.BaseStatement]) -> None:
        for index, statement in enumerate(statements[:-1]):
            if all(_is_bare_return(later) for later in statements[index + 1 :]):
                return
            small = single_small_statement(statement)
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                name = dotted(small.value.func).rpartition(".")[2]
                if name:
                    self.first_line.setdefault(name, self.position(statement).start.line)


def _is_bare_return(statement: cst.BaseStatement) -> bool:
    small = single_small_statement(statement)
    return isinstance(small, cst.Return) and small.value is None
