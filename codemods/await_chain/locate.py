"""The file's part of the ``run_to_await`` plan, and the libcst nodes its edits name.

``loopguard migrate`` plans over the whole project and hands each file its part in the scratch
(``SCRATCH_AWAIT_PLAN``); run on its own (``python -m libcst.tool codemod``), the codemod plans
over the one module, taken as the whole program.

Every edit of a chain is checked before any is made (:func:`locate_edits`): the function or call
the plan names must be where the plan says, each loop call must be plumbing the rewrite
understands, each thread a shape it can turn into a task. A chain any of whose edits fails here
is left whole, and the failure goes back to the caller (``SCRATCH_AWAIT_OUTCOME``), which stops the
chain in the other files too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import CodeRange

from flake8_loopguard.core.config import Config
from flake8_loopguard.project.await_plan import FilePlan, digest, plan_module
from flake8_loopguard.project.await_plan.chains import script_coroutine

from ..base import char_column
from ..syntax import own_name
from ..thread_loop import NotUnderstood
from ..thread_loop.slot import slot_decorators
from . import NotRewritable
from .expressions import async_slot_spelling
from .plumbing import plan_plumbing
from .threads import ThreadTask, plan_thread_task

SCRATCH_AWAIT_PLAN = "loopguard.await_plan"  # FilePlan: this file's part of the project's plan
SCRATCH_AWAIT_OUTCOME = "loopguard.await_outcome"  # Dict[chain, reason]: the chains not rewritten here

Key = Tuple[int, int, str]  # line, character column, called name


def file_plan(scratch: Mapping[str, object], source: str, filename: str, config: Config) -> FilePlan:
    part = scratch.get(SCRATCH_AWAIT_PLAN)
    if isinstance(part, FilePlan):
        return part
    return plan_module(source, filename, config).for_path(filename)


@dataclass
class Edits:
    """The edits of the chains that can be rewritten in this file, on original nodes."""

    make_async: Dict[cst.FunctionDef, int] = field(default_factory=dict)
    slot_decorators: Dict[cst.FunctionDef, List[cst.Decorator]] = field(default_factory=dict)
    awaits: Dict[cst.Call, int] = field(default_factory=dict)  # `f()` -> `await f()`
    runs: Dict[cst.Call, int] = field(default_factory=dict)  # `asyncio.run(c)` -> `await c`
    loop_starts: Dict[cst.Call, Tuple[str, int]] = field(default_factory=dict)  # `main()` -> `asyncio.run(main())`
    removed: Dict[cst.BaseSmallStatement, int] = field(default_factory=dict)
    threads: Dict[cst.Call, Tuple[ThreadTask, int]] = field(default_factory=dict)  # Thread(...) or its start()
    joins: Dict[cst.Call, Tuple[str, int]] = field(default_factory=dict)  # `t.join()` -> `await t`
    # Console-script functions (in make_async too: their body goes to a coroutine) -> (runner, chain).
    script_ends: Dict[cst.FunctionDef, Tuple[str, int]] = field(default_factory=dict)
    slot_import: Optional[Tuple[str, str]] = None

    def without(self, chains: Set[int]) -> "Edits":
        def keep(number: int) -> bool:
            return number not in chains

        return Edits(
            {k: v for k, v in self.make_async.items() if keep(v)},
            {k: v for k, v in self.slot_decorators.items() if keep(self.make_async.get(k, -1))},
            {k: v for k, v in self.awaits.items() if keep(v)},
            {k: v for k, v in self.runs.items() if keep(v)},
            {k: v for k, v in self.loop_starts.items() if keep(v[1])},
            {k: v for k, v in self.removed.items() if keep(v)},
            {k: v for k, v in self.threads.items() if keep(v[1])},
            {k: v for k, v in self.joins.items() if keep(v[1])},
            {k: v for k, v in self.script_ends.items() if keep(v[1])},
            self.slot_import,
        )

    def __bool__(self) -> bool:
        return bool(self.make_async or self.runs or self.awaits or self.loop_starts or self.threads)


class _Index(cst.CSTVisitor):
    """The functions of the module by qualified name, and the calls the plan names, with the
    original nodes around each."""

    def __init__(self, wanted: Set[Key], position: Callable[[cst.CSTNode], CodeRange]) -> None:
        self.wanted = wanted
        self.position = position
        self.names: List[str] = []
        self.functions: Dict[str, List[cst.FunctionDef]] = {}
        self.calls: Dict[Key, Tuple[cst.Call, Tuple[cst.CSTNode, ...]]] = {}
        self.stack: List[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Call) and self.wanted:
            start = self.position(node).start
            key = (start.line, start.column, own_name(node.func))
            if key in self.wanted and key not in self.calls:
                self.calls[key] = (node, tuple(self.stack))
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.names.append(node.name.value)
            if isinstance(node, cst.FunctionDef):
                self.functions.setdefault(".".join(self.names), []).append(node)
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()
        if isinstance(original_node, (cst.FunctionDef, cst.ClassDef)):
            self.names.pop()


def locate_edits(
    module: cst.Module,
    plan: FilePlan,
    source: str,
    lines: Sequence[str],
    position: Callable[[cst.CSTNode], CodeRange],
) -> Tuple[Edits, Dict[int, str]]:
    """The edits of the plan's chains in this module, and the chains that cannot be rewritten
    here (chain -> why): their edits are left out."""
    failed: Dict[int, str] = {}
    if not plan.has_edits:
        return Edits(), failed
    if plan.digest and plan.digest != digest(source):
        why = "the file changed after the plan was made (another codemod rewrote it first)"
        return Edits(), {number: why for number in plan.chains}

    def key(planned: Tuple[int, int, str]) -> Key:
        line, col, name = planned
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return line, char_column(text, col), name

    def fail(number: int, why: str) -> None:
        failed.setdefault(number, why)

    loop_calls = {key(k): v for k, v in plan.loop_calls.items()}
    awaits = {key(k): v for k, v in plan.awaits.items()}
    starts = {key(k): v for k, v in plan.loop_starts.items()}
    threads = {key(k): v for k, v in plan.thread_tasks.items()}
    index = _Index({*loop_calls, *awaits, *starts, *threads}, position)
    module.visit(index)
    edits = Edits()

    def function_named(name: str, number: int) -> Optional[cst.FunctionDef]:
        found = index.functions.get(name, [])
        if len(found) != 1:
            fail(number, f"{name}() is not found once in the module")
            return None
        return found[0]

    for name, number in plan.make_async.items():
        function = function_named(name, number)
        if function is not None:
            if function.asynchronous is not None:
                fail(number, f"{name}() is a coroutine already")
            edits.make_async[function] = number
    for name, (runner, number) in plan.script_ends.items():
        function = function_named(name, number)
        if function is None:
            continue
        coroutine = script_coroutine(name)
        if coroutine in _module_names(module):
            fail(number, f"the coroutine taking the body of {name}() would be {coroutine}, which the module binds")
        edits.script_ends[function] = (runner, number)
    for name, number in plan.slots.items():
        function = function_named(name, number)
        if function is None:
            continue
        spelling, edits.slot_import = async_slot_spelling(module)
        try:
            edits.slot_decorators[function] = slot_decorators(function, spelling)
        except NotUnderstood as why:
            fail(number, str(why))
    _locate_plumbing(index, loop_calls, edits, fail)
    for planned, number in awaits.items():
        found = index.calls.get(planned)
        if found is None:
            fail(number, f"the call of {planned[2]}() at line {planned[0]} is not found")
            continue
        call, around = found
        why = _cannot_await(around, edits)
        if why:
            fail(number, f"line {planned[0]}: {why}")
        edits.awaits[call] = number
    for planned, (runner, number) in starts.items():
        found = index.calls.get(planned)
        if found is None:
            fail(number, f"the entry point's call of {planned[2]}() at line {planned[0]} is not found")
            continue
        edits.loop_starts[found[0]] = (runner, number)
    for planned, number in threads.items():
        found = index.calls.get(planned)
        if found is None:
            fail(number, f"the thread started at line {planned[0]} is not found")
            continue
        call, around = found
        starter = next((node for node in reversed(around) if isinstance(node, cst.FunctionDef)), None)
        if starter is None:
            fail(number, f"the thread at line {planned[0]} is not started in a function")
            continue
        try:
            task = plan_thread_task(call, around, starter)
        except NotRewritable as why:
            fail(number, f"line {planned[0]}: {why}")
            continue
        edits.threads[task.start_call or call] = (task, number)
        for statement in task.removed:
            edits.removed[statement] = number
        for join, name in task.joins.items():
            edits.joins[join] = (name, number)
    return edits.without(set(failed)), failed


def _locate_plumbing(
    index: _Index,
    loop_calls: Mapping[Key, Tuple[str, int]],
    edits: Edits,
    fail: Callable[[int, str], None],
) -> None:
    """Each function's loop calls, checked and turned into awaits and removed statements."""
    by_function: Dict[cst.FunctionDef, Tuple[Dict[cst.Call, str], int]] = {}
    for planned, (code, number) in loop_calls.items():
        found = index.calls.get(planned)
        if found is None:
            fail(number, f"the loop call {planned[2]}() at line {planned[0]} is not found")
            continue
        call, around = found
        function = next((node for node in reversed(around) if isinstance(node, (cst.FunctionDef, cst.Lambda))), None)
        if not isinstance(function, cst.FunctionDef):
            fail(number, f"the loop call at line {planned[0]} is not in a function's own body")
            continue
        codes, _ = by_function.setdefault(function, ({}, number))
        codes[call] = code
    for function, (codes, number) in by_function.items():
        try:
            plumbing = plan_plumbing(function, codes)
        except NotRewritable as why:
            fail(number, str(why))
            continue
        for call in plumbing.awaited:
            edits.runs[call] = number
        for statement in plumbing.removed:
            edits.removed[statement] = number


def _module_names(module: cst.Module) -> Set[str]:
    """The names the module's own statements bind at its top level (defs, classes, assignments, imports)."""
    names: Set[str] = set()
    for statement in module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Assign, cst.AnnAssign)):
                    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                    names.update(target.value for target in targets if isinstance(target, cst.Name))
                elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        bound = alias.asname.name if alias.asname is not None else alias.name
                        while isinstance(bound, cst.Attribute):  # `import a.b` binds `a`
                            bound = bound.value
                        if isinstance(bound, cst.Name):
                            names.add(bound.value)
    return names


def _cannot_await(around: Sequence[cst.CSTNode], edits: Edits) -> str:
    """Why the call these nodes surround cannot be awaited where it is, else ``""``."""
    for node in reversed(around):
        if isinstance(node, cst.Lambda):
            return "the call is in a lambda"
        if isinstance(node, cst.GeneratorExp):
            return "the call is in a generator expression"
        if isinstance(node, cst.FunctionDef):
            if node.asynchronous is None and node not in edits.make_async:
                return f"the call is in {node.name.value}(), which stays synchronous"
            return ""
    return "the call is not in a function"
