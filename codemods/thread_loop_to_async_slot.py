"""LG401: a worker thread that runs a private event loop becomes an ``@asyncSlot()`` coroutine.

The method (or module-level function) that defines the worker and starts it in a
``threading.Thread`` becomes an ``async def`` decorated with ``@asyncSlot()``: the worker's
body is inlined where the thread was started, every ``loop.run_until_complete(c)`` and
``asyncio.run(c)`` becomes ``await c``, and the loop plumbing goes (``new_event_loop()``,
``set_event_loop()``, ``loop.close()``, a ``finally`` that only closed the loop, the thread's
creation, configuration and start). Everything else stays: ``except`` handlers, result
handling, signal emits, comments. ``QTimer.singleShot(0, lambda: f(x))`` in the worker, which
only hopped back to the GUI thread, becomes ``f(x)``: the coroutine already runs there.

Two neighbouring shapes go the same way: a thread whose target is another method of the class
(``target=self._fetch``, used nowhere else: the starter awaits ``self._fetch()``, which becomes
a plain coroutine), and a private loop run without a thread, on the GUI thread (the function
itself becomes the ``@asyncSlot()``).

What it does not fully understand is left byte for byte and listed for a human, with why: a
long-lived loop thread, a Thread/QThread subclass, an executor, a worker that shares state with
the code that started it, a function whose value a caller uses, a module without Qt (where
``@asyncSlot`` has no loop to run on), and any rewrite that would make the linter find
something new.
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, LeaveForHuman, Rewritten
from .interleaving import first_held_lock, lock_names, lock_reason
from .stale_text import with_docstring_note
from .syntax import body_statements, calls_in, dotted
from .thread_loop import NotUnderstood
from .thread_loop.cleanup import task_spawn_in
from .thread_loop.facts import ModuleFacts
from .thread_loop.settle import without_opening_blank_lines
from .thread_loop.slot import NO_QT_MODULE, in_tests, refuse_as_slot, slot_decorators
from .thread_loop.starter import StarterRewrite
from .worker_class import in_worker_class, worker_class_contexts

# The loop plumbing the linter reports inside a worker: what the rewrite consumes.
LOOP_CODES = frozenset({"LG101", "LG102", "LG103", "LG104"})


class ThreadLoopToAsyncSlot(FindingCodemod):
    """A thread plus a private loop becomes an ``@asyncSlot()`` coroutine on the one loop."""

    NAME = "thread_loop_to_async_slot"
    DESCRIPTION = "a worker thread running a private event loop -> an @asyncSlot() coroutine awaiting its work"
    # The loop calls inside the worker go with it; a private loop with no thread around it
    # (run on the GUI thread) is rewritten the same way.
    fixes = ("LG401", "LG101", "LG102", "LG103", "LG104")
    NOT_ITS_SHAPE = (NO_QT_MODULE,)

    @classmethod
    def declines(cls, source: str, findings: Sequence[Finding]) -> Optional[str]:
        # Every Qt binding's and qasync's name holds "Qt" or "qasync"/"qtinter"/"qtpy".
        if not any(word in source for word in ("Qt", "qasync", "qtinter", "qtpy")):
            return NO_QT_MODULE
        return None

    def __init__(self, context: cst.codemod.CodemodContext) -> None:
        super().__init__(context)
        # Each LG401 finding at a Thread(...) call -> the original function the call is in.
        self._thread_starters: Dict[Finding, cst.FunctionDef] = {}
        self._settled_at_calls: Dict[Finding, str] = {}
        self._module_facts: Optional[ModuleFacts] = None
        # Methods whose thread runs another method of the class (target=self._fetch): the
        # starter and that worker method are rewritten together when the class is left.
        self._method_pairs: Dict[cst.ClassDef, List[Tuple[cst.FunctionDef, cst.FunctionDef, Finding]]] = {}
        self._paired: Set[cst.FunctionDef] = set()
        self._locks: Optional[Set[str]] = None  # what the module assigns a lock to

    # ----- where the findings land ------------------------------------------------

    @classmethod
    def claimed(cls, module_findings: Sequence[Finding]) -> Sequence[Finding]:
        """Not a worker class's (``run()`` of a Thread/QThread/QRunnable subclass): worker_class_to_task's."""
        contexts = worker_class_contexts(module_findings)
        return [finding for finding in module_findings if not in_worker_class(finding, contexts)]

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        """Settled with the whole enclosing function, in :meth:`leave_FunctionDef`."""
        if finding.code == "LG401" and not _is_thread_call(node):
            return self._left_at_call(
                finding, "the worker runs in an executor or to_thread(): make it a coroutine and await it by hand"
            )
        enclosing = next((n for n in reversed(self.ancestors) if isinstance(n, cst.FunctionDef)), None)
        if enclosing is None:
            return self._left_at_call(finding, "not inside a function: move the work into a coroutine by hand")
        if finding.code == "LG401":
            self._thread_starters[finding] = enclosing
        return None

    def _left_at_call(self, finding: Finding, reason: str) -> LeaveForHuman:
        self._settled_at_calls[finding] = reason
        return LeaveForHuman(reason)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> Union[cst.FunctionDef, cst.FlattenSentinel, cst.RemovalSentinel]:
        if any(isinstance(n, (cst.FunctionDef, cst.Lambda)) for n in self.ancestors):
            return updated_node  # the outermost function settles what is inside it
        if original_node in self._paired:
            return updated_node  # settled with its class, in leave_ClassDef
        within = self.findings_within(original_node)
        found = [f for f in within if f not in self._settled_at_calls]
        if not found:
            return updated_node
        # The loop calls of a worker left at its executor call are left with it, for the same reason.
        left_worker = next((self._settled_at_calls[f] for f in within if f in self._settled_at_calls), None)
        if left_worker is not None:
            for finding in found:
                self.leave_for_human(finding, left_worker)
            return updated_node
        try:
            rewritten = self._rewrite_function(original_node, updated_node, found)
        except NotUnderstood as why:
            for finding in found:
                self.leave_for_human(finding, str(why))
            return updated_node
        for finding in found:
            self.record_fix(finding)
        return rewritten

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        methods = {m.name.value: m for m in body_statements(node) if isinstance(m, cst.FunctionDef)}
        for starter in methods.values():
            threads = [f for f in self.findings_within(starter) if f.code == "LG401"]
            if len(threads) != 1:
                continue
            call = self._thread_call_at(starter, threads[0])
            worker = methods.get(_method_target(call, starter) or "") if call is not None else None
            if worker is not None and worker is not starter and worker not in self._paired:
                self._method_pairs.setdefault(node, []).append((starter, worker, threads[0]))
                self._paired.update((starter, worker))

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        pairs = self._method_pairs.pop(original_node, [])
        if not pairs or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        original_body = list(body_statements(original_node))
        body = list(updated_node.body.body)
        for starter, worker, thread in pairs:
            found = [*self.findings_within(starter), *self.findings_within(worker)]
            try:
                new_starter, new_worker = self._rewrite_pair(
                    starter, body[original_body.index(starter)], worker, body[original_body.index(worker)], thread
                )
            except NotUnderstood as why:
                for finding in found:
                    self.leave_for_human(finding, str(why))
                continue
            body[original_body.index(starter)] = new_starter
            body[original_body.index(worker)] = new_worker
            for finding in found:
                self.record_fix(finding)
        return updated_node.with_changes(body=updated_node.body.with_changes(body=body))

    def transform_module(self, tree: cst.Module) -> cst.Module:
        return without_opening_blank_lines(tree, super().transform_module(tree))

    # ----- the rewrite ---------------------------------------------------------------

    def _rewrite_function(
        self, original: cst.FunctionDef, updated: cst.FunctionDef, found: Sequence[Finding]
    ) -> cst.FunctionDef:
        name = original.name.value
        threads = [f for f in found if f.code == "LG401"]
        if len(threads) > 1:
            raise NotUnderstood(f"{name}() starts several threads")
        if threads and self._thread_starters.get(threads[0]) is not original:
            raise NotUnderstood("the thread is started by a function nested in this one")
        if not updated.deep_equals(original):
            raise NotUnderstood("code inside the function was rewritten already")
        thread_call = self._thread_call_at(original, threads[0]) if threads else None
        if threads and thread_call is None:
            raise NotUnderstood("the thread call could not be located")
        return self._rewrite_starter(original, thread_call)

    def _rewrite_pair(
        self,
        starter: cst.FunctionDef,
        updated_starter: cst.CSTNode,
        worker: cst.FunctionDef,
        updated_worker: cst.CSTNode,
        thread: Finding,
    ) -> Tuple[cst.FunctionDef, cst.FunctionDef]:
        """``start()`` runs ``self._work`` in a thread: ``start`` becomes an ``@asyncSlot()`` that
        awaits ``self._work()``, and ``_work`` a coroutine awaiting its coroutines."""
        name = worker.name.value
        if not (updated_starter.deep_equals(starter) and updated_worker.deep_equals(worker)):
            raise NotUnderstood("code inside the methods was rewritten already")
        if worker.asynchronous is not None or worker.decorators:
            raise NotUnderstood(f"the worker method {name}() is decorated or a coroutine")
        if [*worker.params.posonly_params, *worker.params.params][1:] or _has_extra_parameters(worker.params):
            raise NotUnderstood(f"the worker method {name}() takes parameters")
        if self._facts().references.get(name, 0) != 1:
            raise NotUnderstood(f"{name}() is used elsewhere than as the thread's target, which still needs it")
        worker_codes = self._loop_codes_within(worker)
        self._refuse_awaits_under_locks(worker, worker_codes)
        new_worker_body = StarterRewrite(
            worker, None, worker_codes, in_thread=True, task_spawn=lambda: task_spawn_in(self.module, self.position)
        ).body()
        new_worker = worker.with_changes(asynchronous=cst.Asynchronous(), body=new_worker_body)
        thread_call = self._thread_call_at(starter, thread)
        if thread_call is None:
            raise NotUnderstood("the thread call could not be located")
        # The starter hands `self.<worker>` to the thread: a method called with its instance.
        new_starter = self._rewrite_starter(
            starter, thread_call, awaited_method=name, also={worker: new_worker}, bound=True
        )
        return new_starter, new_worker

    def _rewrite_starter(
        self,
        starter: cst.FunctionDef,
        thread_call: Optional[cst.Call],
        awaited_method: Optional[str] = None,
        also: Optional[Dict[cst.FunctionDef, cst.FunctionDef]] = None,
        bound: Optional[bool] = None,
    ) -> cst.FunctionDef:
        facts = self._facts()
        filename = self.context.filename or ""
        bound = self._is_bound_method(starter) if bound is None else bound
        refuse_as_slot(
            starter,
            facts,
            self.position(starter),
            in_tests(filename, self.ancestors),
            thread_call is None,
            bound=bound,
        )
        codes = self._loop_codes_within(starter)
        self._refuse_awaits_under_locks(starter, codes)
        new_body = StarterRewrite(
            starter,
            thread_call,
            codes,
            awaited_method=awaited_method,
            task_spawn=lambda: task_spawn_in(self.module, self.position),
        ).body()
        new_def = starter.with_changes(
            asynchronous=cst.Asynchronous(),
            decorators=slot_decorators(starter, facts.async_slot),
            body=new_body,
        )
        self._refuse_new_findings({starter: new_def, **(also or {})})
        new_def = with_docstring_note(new_def)
        self._schedule_imports(facts)
        for decorator in starter.decorators:
            self.remove_imports_of(decorator)  # `Slot` once `@Slot()` is `@asyncSlot()`
        return new_def

    def _is_bound_method(self, function: cst.FunctionDef) -> bool:
        """A method of the class being visited that Python calls with its instance or class
        first (not a ``staticmethod``)."""
        parent = self.ancestors[-2] if len(self.ancestors) >= 2 else None
        in_class_body = isinstance(parent, cst.ClassDef) and function in body_statements(parent)
        static = any(dotted(decorator.decorator) == "staticmethod" for decorator in function.decorators)
        return in_class_body and not static and bool([*function.params.posonly_params, *function.params.params])

    def _refuse_awaits_under_locks(self, function: cst.FunctionDef, codes: Dict[cst.Call, str]) -> None:
        """A loop run that becomes an ``await`` must not sit where a threading lock is held."""
        runs = [call for call, code in codes.items() if code in ("LG102", "LG103")]
        if self._locks is None:
            self._locks = lock_names(self.module)
        held = first_held_lock(function, runs, self.position, self._locks) if runs else None
        if held is not None:
            raise NotUnderstood(lock_reason(held[1]))

    def _refuse_new_findings(self, replacements: Dict[cst.FunctionDef, cst.FunctionDef]) -> None:
        """The rewrite must not give the linter anything new to say (LG403 in the worker...)."""
        before = self.module_findings
        after_module = self.module
        for original, new in replacements.items():
            after_module = after_module.deep_replace(original, new)  # type: ignore[assignment]
        after_source = after_module.code
        try:
            after = check_source(after_source, self.context.filename or "<string>", self.config)
        except SyntaxError as error:
            raise NotUnderstood(f"the rewrite would not parse ({error.msg})") from None
        new = Counter(f.code for f in after) - Counter(f.code for f in before)
        if new:
            code = sorted(new)[0]
            message = next(f.message for f in after if f.code == code)
            raise NotUnderstood(f"as a coroutine the worker would be flagged {code} ({message})")

    def _schedule_imports(self, facts: "ModuleFacts") -> None:
        if facts.async_slot_import_needed:
            self.add_needed_import("qasync", "asyncSlot")
        for module, obj, asname in facts.plumbing_imports:
            self.remove_unused_import(module, obj, asname)

    # ----- what the module and the linter know ---------------------------------------

    def _facts(self) -> "ModuleFacts":
        if self._module_facts is None:
            self._module_facts = ModuleFacts(self.module, self.position)
        return self._module_facts

    def _thread_call_at(self, starter: cst.FunctionDef, finding: Finding) -> Optional[cst.Call]:
        """The original Thread(...) call the finding is at."""
        for call in calls_in(starter):
            start = self.position(call).start
            if (start.line, start.column) == self.start_of(finding) and _is_thread_call(call):
                return call
        return None

    def _loop_codes_within(self, starter: cst.FunctionDef) -> Dict[cst.Call, str]:
        """The original calls in ``starter`` that the linter reports as loop plumbing (LG101-LG104).

        Every finding counts, silenced or not: the rewrite removes the whole loop or nothing.
        """
        where = self.position(starter)
        wanted = {
            self.start_of(finding): finding.code
            for finding in self.module_findings
            if finding.code in LOOP_CODES and where.start.line <= finding.line <= where.end.line
        }
        codes: Dict[cst.Call, str] = {}
        for call in calls_in(starter):
            start = self.position(call).start
            code = wanted.get((start.line, start.column))
            if code is not None:
                codes[call] = code
        return codes


def _method_target(call: cst.Call, starter: cst.FunctionDef) -> Optional[str]:
    """``W`` when the thread's target is ``self.W`` (``self`` being the starter's first parameter)."""
    params = [*starter.params.posonly_params, *starter.params.params]
    target = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "target"), None)
    if params and isinstance(target, cst.Attribute) and dotted(target.value) == params[0].name.value:
        return target.attr.value
    return None


def _has_extra_parameters(params: cst.Parameters) -> bool:
    return bool(params.kwonly_params or isinstance(params.star_arg, cst.Param) or params.star_kwarg)


def _is_thread_call(call: cst.Call) -> bool:
    return dotted(call.func).rpartition(".")[2] == "Thread"
