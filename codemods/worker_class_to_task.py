"""LG401 on a worker class: a ``QThread``/``QRunnable``/``threading.Thread`` subclass whose ``run()``
makes a private loop becomes a task of the one loop.

The class keeps its name, its signals, its constructor and every method its callers use; only its
thread base changes, to the runtime's ``QThreadTask``/``QRunnableTask``/``ThreadTask`` (scaffolded
into the runtime module with the TaskManager, imported from the module the file's TaskManager
import comes from), and ``run()`` becomes a coroutine that awaits its
work: every ``loop.run_until_complete(c)``/``asyncio.run(c)`` becomes ``await c``, the loop's
creation, installation and closing go (also a loop kept in ``self.loop``, made in ``run()`` or in
``__init__``), ``self.msleep(ms)`` becomes ``await asyncio.sleep(...)``, and a method that stopped the
loop from the GUI thread (``self.loop.call_soon_threadsafe(self.loop.stop)``) cancels the task
(``self.cancel_task()``). ``worker.start()`` then schedules ``run()`` on the one loop through the
TaskManager, so callers of a ``QThread``/``Thread`` subclass need no edit; ``<pool>.start(worker)``
of a converted ``QRunnable`` becomes ``worker.start()``: in the same module, and, in a
``loopguard migrate`` run, in the other modules of the project (their part of the run's plan,
:mod:`.worker_class.starters`, which also hands the worker's file what those modules do with it).

What has no one-loop meaning is left byte for byte and listed, with why: ``wait()``/``join()`` on a
worker, ``moveToThread()``, a worker's private loop used outside ``run()``, a call of ``run()``
itself, a thread base inherited through another class, a pool that may be handed a worker whose
class the module cannot tell, a ``QRunnable`` that no pool starts (of its own module; in a
``loopguard migrate`` run, of a module that imports it), an ``await`` that would be held
under a lock, a module without Qt (whether ``start()`` runs on the one loop is not known
there), and a file from which no runtime import of the base resolves (the placement's reason, as
for its tasks); in a ``loopguard migrate`` run, the same uses in another module (named
``path:line``) and a starter's file that cannot take its rewrite. A ``QThread``/``Thread``
worker's starters elsewhere need no edit: ``worker.start()`` stays.
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand

from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.findings import Finding

from .base import SCRATCH_CHAIN, FindingCodemod, Rewritten
from .stale_text import with_docstring_note
from .syntax import calls_in, code_of, dotted
from .thread_loop import NotUnderstood
from .thread_loop.cleanup import task_spawn_in
from .thread_loop.settle import without_opening_blank_lines
from .worker_class import in_worker_class, worker_class_contexts
from .worker_class.bases import ModuleImports, ThreadBase, thread_base
from .worker_class.convert import THREAD_ONLY, WorkerConversion, why_thread_only
from .worker_class.instances import InstanceUses, PoolStart, instance_uses
from .worker_class.starters import SCRATCH_STARTER_PLAN, SCRATCH_WORKERS_DONE, ExternalUses, StarterPart, worker_key

LOOP_CODES = frozenset({"LG101", "LG102", "LG103", "LG104"})
QT_WORDS = ("Qt", "qasync", "qtinter", "qtpy")
NO_QT_MODULE = (
    "the module imports no Qt binding or qasync: whether its start() runs on the one loop is not known here"
)
NO_RUN = "no run() of a Thread/QThread/QRunnable subclass here"
# Codemods later in the chain that fix what the rewrite brings into the new coroutine.
FIXED_LATER = {"LG403": "blocking_to_async"}


class WorkerClassToTask(FindingCodemod):
    """A worker class with a private loop in ``run()`` becomes a task of the one loop."""

    NAME = "worker_class_to_task"
    DESCRIPTION = "a Thread/QThread/QRunnable subclass whose run() makes a private loop -> a task of the one loop"
    fixes = ("LG401", "LG101", "LG102", "LG103", "LG104")

    @classmethod
    def declines(cls, source: str, findings: Sequence[Finding]) -> Optional[str]:
        if "def run" not in source:
            return NO_RUN
        if not any(word in source for word in QT_WORDS):
            return NO_QT_MODULE
        return None

    def __init__(self, context: cst.codemod.CodemodContext) -> None:
        super().__init__(context)
        self._plans: Dict[cst.ClassDef, Union[cst.ClassDef, str]] = {}
        self._bases: Dict[cst.ClassDef, ThreadBase] = {}
        self._dropped: Dict[cst.ClassDef, Set[str]] = {}  # the decorators a class's run() lost
        self._starts: Dict[cst.Call, PoolStart] = {}
        self._imports = ModuleImports()
        # This file's part of the run's starter plan (loopguard migrate); empty when run alone.
        self._part = StarterPart(self.context.filename or "")
        part = self.context.scratch.get(SCRATCH_STARTER_PLAN)
        if isinstance(part, StarterPart):
            self._part = part

    @classmethod
    def has_work(cls, scratch: Mapping[str, object]) -> bool:
        """A pool of this file starts a worker of another module that the plan converts."""
        part = scratch.get(SCRATCH_STARTER_PLAN)
        return isinstance(part, StarterPart) and part.has_starts

    # ----- which findings are a worker class's -------------------------------------------

    @classmethod
    def claimed(cls, module_findings: Sequence[Finding]) -> Sequence[Finding]:
        """LG401 at the ``def run`` of a class, and the loop calls inside that class."""
        contexts = worker_class_contexts(module_findings)
        return [finding for finding in module_findings if in_worker_class(finding, contexts)]

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        """Settled with the whole class, in :meth:`leave_ClassDef`."""
        return None

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return without_opening_blank_lines(tree, super().transform_module(tree))

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if not self.has_work(self.context.scratch):
            return super().transform_module_impl(tree)
        # A starter's file may have no finding of its own.
        self._load_findings(tree)
        return VisitorBasedCodemodCommand.transform_module_impl(self, tree)

    # ----- the plan: every class of the module, before any rewrite ------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        node.visit(self._imports)
        workers = self._worker_classes(node)
        classes = {c.name.value for c in workers} | set(self._part.starts)
        uses = instance_uses(node, classes, lambda n: self.position(n))
        plans: Dict[cst.ClassDef, Union[cst.ClassDef, str]] = {}
        for class_def in workers:
            plans[class_def] = self._plan(class_def, workers, uses)
        self._refuse_pool_hand_overs(plans, uses)
        # The starters of this module's converted workers, and of the other modules' the plan converts.
        started = {c.name.value for c, plan in plans.items() if isinstance(plan, cst.ClassDef)} | set(self._part.starts)
        self._starts = {start.call: start for start in uses.pool_starts if start.class_name in started}
        self._refuse_new_findings(plans)
        self._plans = plans

    def _worker_classes(self, module: cst.Module) -> List[cst.ClassDef]:
        lines = {f.line for key, f in self._fixable if f.code == "LG401"}
        found: List[cst.ClassDef] = []

        class Classes(cst.CSTVisitor):
            def visit_ClassDef(inner, node: cst.ClassDef) -> None:  # noqa: N805
                for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
                    if isinstance(statement, cst.FunctionDef) and statement.name.value == "run":
                        if self.position(statement.name).start.line in lines:
                            found.append(node)

        module.visit(Classes())
        return found

    def _plan(self, class_def: cst.ClassDef, workers: List[cst.ClassDef], uses: InstanceUses) -> Union[cst.ClassDef, str]:
        name = class_def.name.value
        if name in self._part.refused:
            return self._part.refused[name]
        if not self._imports_qt():
            return NO_QT_MODULE
        base, why = thread_base(class_def, self._imports)
        if base is None:
            return why
        self._bases[class_def] = base
        for other in workers + self._all_classes():
            if other is not class_def and any(dotted(b.value) == name for b in other.bases):
                return f"{other.name.value} derives from {name}: convert the classes together by hand"
        used = self._places_used(name, uses)
        blocked = sorted(
            (order, attribute, where)
            for attribute, (order, where) in used.items()
            if attribute in THREAD_ONLY[base.kind] or attribute == "run"
        )
        if blocked:
            _order, attribute, where = blocked[0]
            return f"{name}.{attribute}() is called at {where}, which {why_thread_only(attribute)}"
        conversion = WorkerConversion(
            class_def,
            base,
            self._loop_codes_within(class_def),
            self.asyncio_attr,
            lambda: task_spawn_in(self.module, self.position),
        )
        try:
            new_class = conversion.build()
        except NotUnderstood as reason:
            return str(reason)
        self._dropped[class_def] = conversion.dropped_decorators
        loop_used = sorted(
            (order, attribute, where)
            for attribute, (order, where) in used.items()
            if attribute in conversion.loop_attributes
        )
        if loop_used:
            _order, attribute, where = loop_used[0]
            return f"the worker's private loop .{attribute} is used at {where}: a loop made for it and used elsewhere"
        # Its base comes from the module the placement chose for the file's TaskManager.
        unavailable = self.runtime_name_unavailable(base.runtime_name)
        if unavailable is not None:
            return unavailable
        return new_class

    def _places_used(self, name: str, uses: InstanceUses) -> Dict[str, Tuple[Tuple[int, str, int], str]]:
        """attribute -> (sort order, "line 18" or "window.py:18"): where it is first used on an
        instance, in this module (first) or in another."""
        found: Dict[str, Tuple[Tuple[int, str, int], str]] = {}
        for attribute, line in uses.attributes.get(name, {}).items():
            found[attribute] = ((0, "", line), f"line {line}")
        for attribute, place in self._elsewhere(name).attributes.items():
            found.setdefault(attribute, (_place_order(place), place))
        return found

    def _elsewhere(self, name: str) -> ExternalUses:
        return self._part.external.get(name) or ExternalUses()

    def _refuse_pool_hand_overs(self, plans: Dict[cst.ClassDef, Union[cst.ClassDef, str]], uses: InstanceUses) -> None:
        """A converted class handed to a pool is started by ``worker.start()`` instead, in this module
        and in the others (then the plan rewrites their starters); where a module hands a pool
        something it cannot tell, a converted QRunnable might be it."""
        by_name = {c.name.value: c for c in plans}
        hand_overs = []
        for start in uses.pool_starts:
            line = self.position(start.call).start.line
            hand_overs.append((start.class_name, f"line {line}", code_of(start.call.func), start.value_used))
        hand_overs += [
            (name, start.place, start.pool, start.value_used)
            for name in by_name
            for start in self._elsewhere(name).pool_starts
        ]
        for name, where, pool, value_used in hand_overs:
            class_def = by_name.get(name)
            if class_def is None or not isinstance(plans[class_def], cst.ClassDef):
                continue
            if self._bases[class_def].kind != "QRunnable":
                plans[class_def] = f"an instance is handed to {pool}() at {where}"
            elif value_used:
                plans[class_def] = f"the value of {pool}() at {where} is used"
        started = {name for name, *_rest in hand_overs}
        for class_def, plan in plans.items():
            name = class_def.name.value
            if not isinstance(plan, cst.ClassDef) or self._bases[class_def].kind != "QRunnable":
                continue
            unknown = [f"line {line}" for line in uses.unknown_pool_starts]
            unknown += self._elsewhere(name).unknown_pool_starts
            if unknown:
                why = f"the pool started at {unknown[0]} may be handed a {name}, which then has to start itself"
                plans[class_def] = why
            elif name not in started:
                plans[class_def] = self._never_started(name)

    def _never_started(self, name: str) -> str:
        if SCRATCH_STARTER_PLAN in self.context.scratch:
            return (
                f"no pool starts a {name} in this module or in a module that imports it: the pool that "
                "starts it would be handed a task, not a QRunnable"
            )
        return (
            f"no pool starts a {name} in this module: the QThreadPool.start() of another module would "
            "be handed a task, not a QRunnable (starters across modules are not rewritten yet)"
        )

    def _refuse_new_findings(self, plans: Dict[cst.ClassDef, Union[cst.ClassDef, str]]) -> None:
        """The rewrite must give the linter nothing new to say, but what a later codemod of the chain fixes."""
        converted = {original: new for original, new in plans.items() if isinstance(new, cst.ClassDef)}
        if not converted:
            return
        after = self.module
        for original, new in converted.items():
            after = after.deep_replace(original, new)  # type: ignore[assignment]
        for call in self._starts:
            after = after.deep_replace(call, _started_by_itself(call))  # type: ignore[assignment]
        try:
            found = check_source(after.code, self.context.filename or "<string>", self.config)
        except SyntaxError as error:
            reason = f"the rewrite would not parse ({error.msg})"
        else:
            later = self._later_codemods()
            new = Counter(f.code for f in found) - Counter(f.code for f in self.module_findings)
            new = Counter({code: count for code, count in new.items() if FIXED_LATER.get(code) not in later})
            if not new:
                return
            code = sorted(new)[0]
            message = next(f.message for f in found if f.code == code)
            reason = f"as a coroutine the worker would be flagged {code} ({message})"
        for original in converted:
            plans[original] = reason
        self._starts = {}

    # ----- the rewrite -----------------------------------------------------------------

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        plan = self._plans.get(original_node)
        if plan is None:
            return updated_node
        found = self.findings_within(original_node)
        if isinstance(plan, str):
            for finding in found:
                self.leave_for_human(finding, plan)
            return updated_node
        for finding in found:
            self.record_fix(finding)
        self._carried_out(worker_key(self.context.filename or "", original_node.name.value))
        self._schedule_imports(self._bases[original_node], self._dropped.get(original_node, set()))
        return with_docstring_note(plan)  # a class docstring that still speaks of its QThread

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        start = self._starts.get(original_node)
        if start is None:
            return updated_node
        planned = self._part.starts.get(start.class_name)
        if planned is not None:  # a worker of another module
            self._carried_out(planned)
            self._remove_if_unused("QThreadPool")
        return _started_by_itself(updated_node)

    def _carried_out(self, key: str) -> None:
        """What the run's plan asked of this file is done for the worker ``key`` (its class
        converted, or its starters here rewritten)."""
        done = self.context.scratch.setdefault(SCRATCH_WORKERS_DONE, set())
        done.add(key)  # type: ignore[union-attr]

    def _schedule_imports(self, base: ThreadBase, dropped_decorators: Set[str]) -> None:
        """The runtime base comes in; the thread base, a dropped ``@Slot()`` and the loop's asyncio
        go where nothing else uses them."""
        module = self.task_manager_spec().partition(":")[0]
        self.add_needed_import(module, base.runtime_name)
        for expression in (base.expression, *dropped_decorators):
            self._remove_if_unused(expression)
        for local, target in self._imports.bound.items():
            if target == "asyncio":
                self.remove_unused_import("asyncio", asname=None if local == "asyncio" else local)
            elif target.startswith("asyncio."):
                self.remove_unused_import("asyncio", target.partition(".")[2], None if target.endswith(f".{local}") else local)

    def _remove_if_unused(self, expression: str) -> None:
        """The import that binds ``expression`` (``QThread``, ``threading`` of ``threading.Thread``)."""
        head, _, rest = expression.partition(".")
        qualified = self._imports.bound.get(head, "")
        if not rest and "." in qualified:
            source_module, _, imported = qualified.rpartition(".")
            self.remove_unused_import(source_module, imported, None if imported == head else head)
        elif rest and qualified == head:
            self.remove_unused_import(head)

    # ----- what the module and the linter know -----------------------------------------

    def _imports_qt(self) -> bool:
        roots = {target.partition(".")[0] for target in self._imports.bound.values()}
        return self._imports.qt_star or bool(roots & {"PySide6", "PySide2", "PyQt5", "PyQt6", "qtpy", "qasync", "qtinter"})

    def _all_classes(self) -> List[cst.ClassDef]:
        found: List[cst.ClassDef] = []

        class Classes(cst.CSTVisitor):
            def visit_ClassDef(inner, node: cst.ClassDef) -> None:  # noqa: N805
                found.append(node)

        self.module.visit(Classes())
        return found

    def _later_codemods(self) -> Tuple[str, ...]:
        chain = list(self.context.scratch.get(SCRATCH_CHAIN, ()))
        return tuple(chain[chain.index(self.NAME) + 1 :]) if self.NAME in chain else ()

    def _loop_codes_within(self, class_def: cst.ClassDef) -> Dict[cst.Call, str]:
        """The original calls of the class the linter reports as LG101-LG104, silenced or not: the
        rewrite removes the whole loop or nothing."""
        where = self.position(class_def)
        wanted = {
            self.start_of(finding): finding.code
            for finding in self.module_findings
            if finding.code in LOOP_CODES and where.start.line <= finding.line <= where.end.line
        }
        codes: Dict[cst.Call, str] = {}
        for call in calls_in(class_def):
            start = self.position(call).start
            code = wanted.get((start.line, start.column))
            if code is not None:
                codes[call] = code
        return codes


def _place_order(place: str) -> Tuple[int, str, int]:
    """``window.py:18`` sorts after this module's lines, then by path and line."""
    path, _, line = place.rpartition(":")
    return (1, path, int(line)) if line.isdigit() else (1, place, 0)


def _started_by_itself(call: cst.Call) -> cst.Call:
    """``<pool>.start(worker)`` -> ``worker.start()``: the converted worker schedules its own task."""
    worker = call.args[0].value
    return cst.Call(func=cst.Attribute(worker, cst.Name("start")), lpar=call.lpar, rpar=call.rpar)
