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

import re
from collections import Counter
from pathlib import PurePath
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from flake8_loopguard.core.config import DEFAULT_CONFIG
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.apis import ASYNC_SLOT_NAMES, QT_MODULES
from flake8_loopguard.core.findings import Finding

from .base import (
    SCRATCH_CONFIG,
    SCRATCH_LINT,
    FindingCodemod,
    LeaveForHuman,
    Rewritten,
    char_column,
    source_lines,
)
from .syntax import (
    body_statements,
    calls_in,
    code_of,
    dotted,
    functions_in,
    has_parameters,
    own_name,
    parameter_names,
    single_small_statement,
    variable_names,
)

# The loop plumbing the linter reports inside a worker: what the rewrite consumes.
LOOP_CODES = frozenset({"LG101", "LG102", "LG103", "LG104"})
NO_QT_MODULE = "the module imports no Qt binding or qasync: @asyncSlot needs the qasync loop"
QT_EXEC_WITHOUT_QASYNC = (
    "the module runs Qt's own loop with exec(), which importing qasync here would make LG503: "
    "drive the application with qasync first (qasync.run(main()))"
)
QT_EXEC = re.compile(r"\.exec_?\(")
THREAD_SETTINGS = frozenset({"daemon", "name"})  # `t.daemon = True` only configures the thread
THREAD_SETTERS = frozenset({"setDaemon", "setName"})
THREAD_KEYWORDS = frozenset({"target", "daemon", "name", "group"})
# Calls that run a callable in another thread: a function handed to one is not a slot.
THREAD_RUNNERS = frozenset({"Thread", "submit", "run_in_executor", "to_thread", "start_new_thread"})
LOOP_SHUTDOWN_METHODS = frozenset({"shutdown_asyncgens", "shutdown_default_executor"})
QT_SLOT_DECORATORS = frozenset({"Slot", "pyqtSlot"})  # become @asyncSlot(<same arguments>)
KEPT_DECORATORS = frozenset({"staticmethod", "classmethod", "override"})
# Tests own their loop on purpose, and their runner needs them finished when they return.
TEST_PREFIXES = ("test", "setUp", "tearDown", "asyncSetUp", "asyncTearDown")
# Modules a worker imports locally for the thread and the loop; dropped when left unused.
PLUMBING_MODULES = frozenset({"asyncio", "threading"})


class NotUnderstood(Exception):
    """Raised while planning a rewrite: the code is left as it is, for the reason given."""


class ThreadLoopToAsyncSlot(FindingCodemod):
    """A thread plus a private loop becomes an ``@asyncSlot()`` coroutine on the one loop."""

    NAME = "thread_loop_to_async_slot"
    DESCRIPTION = "a worker thread running a private event loop -> an @asyncSlot() coroutine awaiting its work"
    # The loop calls inside the worker go with it; a private loop with no thread around it
    # (run on the GUI thread) is rewritten the same way.
    fixes = ("LG401", "LG101", "LG102", "LG103", "LG104")

    @classmethod
    def declines(cls, source: str) -> Optional[str]:
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
        self._all_findings: Optional[Tuple[Finding, ...]] = None
        self._lines: Optional[List[str]] = None
        # Methods whose thread runs another method of the class (target=self._fetch): the
        # starter and that worker method are rewritten together when the class is left.
        self._method_pairs: Dict[cst.ClassDef, List[Tuple[cst.FunctionDef, cst.FunctionDef, Finding]]] = {}
        self._paired: Set[cst.FunctionDef] = set()

    # ----- where the findings land ------------------------------------------------

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
        result = super().transform_module(tree)
        # Dropping the file's first imports must not leave the file opening on a blank line.
        if result.header or not result.body or not tree.body:
            return result
        first = result.body[0]
        if tree.body[0].leading_lines or not first.leading_lines or first.leading_lines[0].comment is not None:
            return result
        lines = list(first.leading_lines)
        while lines and lines[0].comment is None:
            lines.pop(0)
        return result.with_changes(body=[first.with_changes(leading_lines=lines), *result.body[1:]])

    # ----- the rewrite ---------------------------------------------------------------

    def _rewrite_function(
        self, original: cst.FunctionDef, updated: cst.FunctionDef, found: Sequence[Finding]
    ) -> cst.FunctionDef:
        name = original.name.value
        def_line = self.position(original.name).start.line
        if any(f.code == "LG401" and f.line == def_line for f in found):
            raise NotUnderstood(
                "the run() of a Thread/QThread/QRunnable subclass: replace the class by an @asyncSlot coroutine by hand"
            )
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
        new_worker_body = StarterRewrite(worker, None, self._loop_codes_within(worker), in_thread=True).body()
        new_worker = worker.with_changes(asynchronous=cst.Asynchronous(), body=new_worker_body)
        thread_call = self._thread_call_at(starter, thread)
        if thread_call is None:
            raise NotUnderstood("the thread call could not be located")
        new_starter = self._rewrite_starter(starter, thread_call, awaited_method=name, also={worker: new_worker})
        return new_starter, new_worker

    def _rewrite_starter(
        self,
        starter: cst.FunctionDef,
        thread_call: Optional[cst.Call],
        awaited_method: Optional[str] = None,
        also: Optional[Dict[cst.FunctionDef, cst.FunctionDef]] = None,
    ) -> cst.FunctionDef:
        facts = self._facts()
        name = starter.name.value
        if not facts.imports_qt:
            raise NotUnderstood(NO_QT_MODULE)
        if facts.runs_qt_exec_without_qasync:
            raise NotUnderstood(QT_EXEC_WITHOUT_QASYNC)
        if starter.asynchronous is not None:
            raise NotUnderstood(f"{name}() is already a coroutine")
        if name.startswith("__") and name.endswith("__"):
            raise NotUnderstood(f"{name}() is a special method and cannot become a coroutine")
        if name.startswith(TEST_PREFIXES) and self._in_tests():
            raise NotUnderstood(f"{name}() is a test: its runner calls it and expects it to finish")
        where = self.position(starter)
        used_at = [line for line in facts.value_uses.get(name, ()) if not where.start.line <= line <= where.end.line]
        if used_at:
            raise NotUnderstood(f"the value of {name}() is used at line {used_at[0]}")
        followed_at = facts.calls_followed.get(name)
        if thread_call is None and followed_at is not None:
            # It blocked until its work was done; as a slot it returns at once.
            raise NotUnderstood(
                f"code after the call of {name}() at line {followed_at} may rely on its work being done"
            )
        handed_at = facts.handed_to_threads.get(name)
        if handed_at is not None:
            raise NotUnderstood(f"{name}() is handed to a thread or executor at line {handed_at}")
        codes = self._loop_codes_within(starter)
        new_body = StarterRewrite(starter, thread_call, codes, awaited_method=awaited_method).body()
        new_def = starter.with_changes(
            asynchronous=cst.Asynchronous(),
            decorators=self._decorators(starter),
            body=new_body,
        )
        self._refuse_new_findings({starter: new_def, **(also or {})})
        self._schedule_imports(facts)
        return new_def

    def _decorators(self, starter: cst.FunctionDef) -> List[cst.Decorator]:
        slot = self._facts().async_slot
        kept: List[cst.Decorator] = []
        has_async_slot = False
        for decorator in starter.decorators:
            expression = decorator.decorator
            called = expression.func if isinstance(expression, cst.Call) else expression
            decorator_name = dotted(called).rpartition(".")[2]
            if decorator_name in ASYNC_SLOT_NAMES:
                has_async_slot = True
                kept.append(decorator)
            elif decorator_name in QT_SLOT_DECORATORS:
                # @Slot(str) -> @asyncSlot(str): qasync hands the arguments on to Slot.
                args = expression.args if isinstance(expression, cst.Call) else ()
                kept.append(decorator.with_changes(decorator=cst.Call(func=slot, args=args)))
                has_async_slot = True
            elif decorator_name in KEPT_DECORATORS:
                kept.append(decorator)
            else:
                raise NotUnderstood(
                    f"{starter.name.value}() is decorated with @{dotted(called) or 'an expression'}:"
                    " it may not accept a coroutine function"
                )
        if not has_async_slot:
            kept.append(cst.Decorator(decorator=cst.Call(func=slot)))
        return kept

    def _in_tests(self) -> bool:
        """In a test file (``test_*.py``, ``*_test.py``) or a test class (``Test*``, ``*Test(s)``, a TestCase)."""
        stem = PurePath(self.context.filename or "").stem
        if stem.startswith("test_") or stem.endswith("_test"):
            return True
        return any(isinstance(n, cst.ClassDef) and _is_test_class(n) for n in self.ancestors)

    def _refuse_new_findings(self, replacements: Dict[cst.FunctionDef, cst.FunctionDef]) -> None:
        """The rewrite must not give the linter anything new to say (LG403 in the worker...)."""
        before = self._module_findings()
        after_module = self.module
        for original, new in replacements.items():
            after_module = after_module.deep_replace(original, new)  # type: ignore[assignment]
        after_source = after_module.code
        try:
            after = check_source(after_source, self.context.filename or "<string>", self._config())
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

    def _config(self):  # type: ignore[no-untyped-def]
        return self.context.scratch.get(SCRATCH_CONFIG, DEFAULT_CONFIG)

    def _module_findings(self) -> Sequence[Finding]:
        """Every finding of the module (all codes, noqa not applied), linted once."""
        if self._all_findings is None:
            linted = self.context.scratch.get(SCRATCH_LINT)
            if linted is not None:
                self._all_findings = tuple(linted.findings)
            else:
                self._all_findings = tuple(
                    check_source(self.module.code, self.context.filename or "<string>", self._config())
                )
        return self._all_findings

    def _facts(self) -> "ModuleFacts":
        if self._module_facts is None:
            self._module_facts = ModuleFacts(self.module, self.position)
        return self._module_facts

    def _start_of(self, finding: Finding) -> Tuple[int, int]:
        """Where libcst starts the node a finding is at (``ast`` columns are UTF-8 byte offsets)."""
        if self._lines is None:
            self._lines = source_lines(self.module.code)
        text = self._lines[finding.line - 1] if finding.line <= len(self._lines) else ""
        return finding.line, char_column(text, finding.col)

    def _thread_call_at(self, starter: cst.FunctionDef, finding: Finding) -> Optional[cst.Call]:
        """The original Thread(...) call the finding is at."""
        for call in calls_in(starter):
            start = self.position(call).start
            if (start.line, start.column) == self._start_of(finding) and _is_thread_call(call):
                return call
        return None

    def _loop_codes_within(self, starter: cst.FunctionDef) -> Dict[cst.Call, str]:
        """The original calls in ``starter`` that the linter reports as loop plumbing (LG101-LG104).

        Every finding counts, silenced or not: the rewrite removes the whole loop or nothing.
        """
        where = self.position(starter)
        wanted = {
            self._start_of(finding): finding.code
            for finding in self._module_findings()
            if finding.code in LOOP_CODES and where.start.line <= finding.line <= where.end.line
        }
        codes: Dict[cst.Call, str] = {}
        for call in calls_in(starter):
            start = self.position(call).start
            code = wanted.get((start.line, start.column))
            if code is not None:
                codes[call] = code
        return codes


class ModuleFacts:
    """What the rewrite needs to know about the whole module, gathered once."""

    def __init__(self, module: cst.Module, position) -> None:  # type: ignore[no-untyped-def]
        imports = _ImportCollector()
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
        uses = _ValueUseCollector(position)
        module.visit(uses)
        self.value_uses = uses.uses
        self.handed_to_threads = uses.handed_to_threads
        references = _ReferenceCounter()
        module.visit(references)
        self.references = references.counts
        followed = _CallsFollowed(position)
        module.visit(followed)
        self.calls_followed = followed.first_line


class StarterRewrite:
    """Plans and builds the new body of one starter function; raises :class:`NotUnderstood`."""

    def __init__(
        self,
        starter: cst.FunctionDef,
        thread_call: Optional[cst.Call],
        codes: Dict[cst.Call, str],
        awaited_method: Optional[str] = None,
        in_thread: bool = False,
    ) -> None:
        """``awaited_method``: the thread runs ``self.<awaited_method>``, which becomes a coroutine.
        ``in_thread``: without a thread call, the function itself ran in a worker thread."""
        self.starter = starter
        self.thread_call = thread_call
        self.codes = codes
        self.awaited_method = awaited_method
        self.in_thread = in_thread
        self.loop_names: Set[str] = set()
        self.consumed: Set[cst.Call] = set()
        self.awaited = 0

    def body(self) -> cst.IndentedBlock:
        block = self.starter.body
        if not isinstance(block, cst.IndentedBlock):
            raise NotUnderstood("the function body is on the def line")
        statements = list(block.body)
        if any(_uses_value_return(s) for s in statements):
            raise NotUnderstood(f"{self.starter.name.value}() returns a value that callers may use")
        if self.thread_call is None:
            # No thread: the function itself runs the private loop, on the GUI thread.
            first, end, thread_name = len(statements), len(statements), None
            worker: Union[cst.FunctionDef, cst.Lambda, cst.Attribute, None] = None
            worker_index: Optional[int] = None
        else:
            first, end, thread_name = self._thread_statements(statements)
            worker, worker_index = self._worker(statements[:first])
            if isinstance(worker, cst.FunctionDef) and worker_index is not None:
                self._check_worker(worker, statements, worker_index)
        for call in calls_in(*statements):
            if dotted(call.func).rpartition(".")[2] == "run_coroutine_threadsafe":
                raise NotUnderstood("coroutines are handed to a loop thread with run_coroutine_threadsafe()")

        items: List[Union[cst.BaseStatement, Carried]] = []
        for index, statement in enumerate(statements[:first]):
            if index == worker_index:
                continue
            items.extend(self.statement(statement, in_worker=self.in_thread))
        if worker is not None:
            items.extend(self._inline_worker(worker, worker_index))
        for statement in statements[first:end]:
            items.append(Carried(_comment_lines(statement)))
        new_statements, leftover = settle(items)
        self._check_done(new_statements, thread_name)
        new_statements = _drop_unused_plumbing_imports(new_statements)
        new_statements = _keep_opening_spacing(statements, new_statements)
        if not new_statements:
            new_statements = [_pass_line()]
        return block.with_changes(body=new_statements, footer=[*leftover, *block.footer])

    # ----- the thread and its worker -------------------------------------------------

    def _thread_statements(self, statements: Sequence[cst.BaseStatement]) -> Tuple[int, int, Optional[str]]:
        """Where the thread is created, configured and started: [first, end) and its variable."""
        for index, statement in enumerate(statements):
            small = single_small_statement(statement)
            if isinstance(small, cst.Expr) and _is_start_of(small.value, self.thread_call):
                return index, self._nothing_after(statements, index + 1), None
            if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is self.thread_call:
                targets = small.targets if isinstance(small, cst.Assign) else [small]
                if len(targets) != 1 or not isinstance(targets[0].target, cst.Name):
                    raise NotUnderstood("the thread is stored where other code may reach it")
                name = targets[0].target.value
                return index, self._configured_and_started(statements, index + 1, name), name
        raise NotUnderstood("the thread is not created and started by statements of the function's own body")

    def _configured_and_started(self, statements: Sequence[cst.BaseStatement], index: int, name: str) -> int:
        for at in range(index, len(statements)):
            small = single_small_statement(statements[at])
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Attribute) and dotted(target.value) == name:
                    if target.attr.value in THREAD_SETTINGS:
                        continue
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                func = small.value.func
                if isinstance(func, cst.Attribute) and dotted(func.value) == name:
                    if func.attr.value in THREAD_SETTERS:
                        continue
                    if func.attr.value == "start" and not small.value.args:
                        return self._nothing_after(statements, at + 1, name)
            raise NotUnderstood(
                f"the thread '{name}' is used for more than starting it (joined, stored or inspected):"
                " the code around it depends on the thread"
            )
        raise NotUnderstood(f"the thread '{name}' is never started here")

    def _nothing_after(self, statements: Sequence[cst.BaseStatement], end: int, name: Optional[str] = None) -> int:
        if name is not None and any(n.value == name for n in variable_names(statements[end:])):
            raise NotUnderstood(
                f"the starter joins or inspects the thread '{name}' after start(): it waits for the worker"
            )
        if end < len(statements):
            raise NotUnderstood(
                "code after the thread's start() runs while the worker runs: order it around the awaits by hand"
            )
        return end

    def _worker(
        self, before: Sequence[cst.BaseStatement]
    ) -> Tuple[Union[cst.FunctionDef, cst.Lambda, cst.Attribute], Optional[int]]:
        call = self.thread_call
        for arg in call.args:
            if arg.star:
                raise NotUnderstood("the thread is created with *args or **kwargs")
            if arg.keyword is not None and arg.keyword.value not in THREAD_KEYWORDS:
                raise NotUnderstood(f"the worker is given {arg.keyword.value}=: pass them to a coroutine by hand")
        positional = [arg for arg in call.args if arg.keyword is None]
        if len(positional) > 2:
            raise NotUnderstood("the worker is given arguments")
        target = next((arg.value for arg in call.args if arg.keyword and arg.keyword.value == "target"), None)
        if target is None and len(positional) == 2:
            target = positional[1].value
        if isinstance(target, cst.Attribute) and target.attr.value == self.awaited_method:
            return target, None
        if isinstance(target, cst.Lambda):
            if has_parameters(target.params):
                raise NotUnderstood("the worker lambda takes parameters")
            return target, None
        if isinstance(target, cst.Name):
            for index, statement in enumerate(before):
                if isinstance(statement, cst.FunctionDef) and statement.name.value == target.value:
                    return statement, index
        if isinstance(target, cst.Attribute) and target.attr.value in ("run_forever", "run"):
            raise NotUnderstood("the thread runs a long-lived event loop that other code feeds")
        raise NotUnderstood("the thread's target is not a worker defined in this function")

    def _check_worker(
        self, worker: cst.FunctionDef, statements: Sequence[cst.BaseStatement], worker_index: int
    ) -> None:
        name = worker.name.value
        if worker.asynchronous is not None or worker.decorators:
            raise NotUnderstood(f"the worker {name}() is decorated or a coroutine")
        if has_parameters(worker.params):
            raise NotUnderstood(f"the worker {name}() takes parameters")
        if not isinstance(worker.body, cst.IndentedBlock):
            raise NotUnderstood(f"the worker {name}() is written on one line")
        scan = _ScopeScan()
        for statement in worker.body.body:
            statement.visit(scan)
        if scan.shares_names:
            raise NotUnderstood(f"the worker {name}() shares variables with the starter (nonlocal/global)")
        if scan.returns_value:
            raise NotUnderstood(f"the worker {name}() returns a value")
        others = [s for i, s in enumerate(statements) if i != worker_index]
        if [n.value for n in variable_names(others)].count(name) != 1:  # the thread's target=, and nothing else
            raise NotUnderstood(f"the worker {name}() is used for more than the thread")
        # Inlined, the worker's variables become the starter's: a closure of the starter that
        # reads one of them would see the worker's value.
        starter_scan = _ScopeScan()
        for statement in others:
            statement.visit(starter_scan)
        clash = (scan.bound & (starter_scan.bound | parameter_names(self.starter.params))) - {name}
        if clash and starter_scan.has_closures:
            raise NotUnderstood(
                f"the worker's variable '{sorted(clash)[0]}' would replace the starter's, which a closure reads"
            )

    def _inline_worker(
        self, worker: Union[cst.FunctionDef, cst.Lambda, cst.Attribute], worker_index: Optional[int]
    ) -> List[Union[cst.BaseStatement, "Carried"]]:
        if isinstance(worker, cst.Attribute):
            self.awaited += 1  # the worker method, now a coroutine
            return [cst.SimpleStatementLine(body=[cst.Expr(cst.Await(cst.Call(func=worker)))])]
        if isinstance(worker, cst.Lambda):
            line = cst.SimpleStatementLine(body=[cst.Expr(worker.body)])
            return self.statement(line, in_worker=True)
        assert isinstance(worker.body, cst.IndentedBlock) and worker_index is not None
        body = list(worker.body.body)
        # A docstring of the worker says what the work is: it stays, as a comment.
        docstring = _docstring_text(body[0]) if body else None
        items: List[Union[cst.BaseStatement, Carried]] = [Carried(list(worker.leading_lines))]
        if docstring is not None:
            items.append(Carried([*_comment_lines(body[0]), *_as_comments(docstring)]))
            body = body[1:]
        header = worker.body.header.comment
        if header is not None:
            items.append(Carried([cst.EmptyLine(comment=header)]))
        for statement in body:
            items.extend(self.statement(statement, in_worker=True))
        items.append(Carried([line for line in worker.body.footer if line.comment is not None]))
        return items

    # ----- statements ------------------------------------------------------------------

    def statement(self, statement: cst.BaseStatement, in_worker: bool) -> List[Union[cst.BaseStatement, "Carried"]]:
        if isinstance(statement, cst.SimpleStatementLine):
            return self._simple_line(statement, in_worker)
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            return [statement]  # its own scope: loop calls in it stay unconsumed and are reported
        if isinstance(statement, cst.Try):
            return self._try(statement, in_worker)
        if isinstance(statement, (cst.If, cst.For, cst.While, cst.With)):
            header_done = statement.visit(_AwaitLoopRuns(self))
            assert isinstance(header_done, cst.BaseCompoundStatement)
            return [self._with_blocks(header_done, in_worker)]
        return [statement]

    def _with_blocks(self, statement: cst.CSTNode, in_worker: bool) -> cst.CSTNode:
        """The compound statement with every block (body, else, elif) rewritten."""
        changes = {}
        if isinstance(getattr(statement, "body", None), cst.IndentedBlock):
            changes["body"] = self.block(statement.body, in_worker)  # type: ignore[attr-defined]
        orelse = getattr(statement, "orelse", None)
        if isinstance(orelse, (cst.If, cst.Else)):
            changes["orelse"] = self._with_blocks(orelse, in_worker)
        return statement.with_changes(**changes) if changes else statement

    def block(self, block: cst.IndentedBlock, in_worker: bool) -> cst.IndentedBlock:
        items: List[Union[cst.BaseStatement, Carried]] = []
        for statement in block.body:
            items.extend(self.statement(statement, in_worker))
        statements, leftover = settle(items)
        if not statements:
            statements = [_pass_line()]
        return block.with_changes(body=statements, footer=[*leftover, *block.footer])

    def _try(self, statement: cst.Try, in_worker: bool) -> List[Union[cst.BaseStatement, "Carried"]]:
        body = self.block(statement.body, in_worker)
        handlers = [h.with_changes(body=self.block(h.body, in_worker)) for h in statement.handlers]
        orelse = statement.orelse
        if orelse is not None:
            orelse = orelse.with_changes(body=self.block(orelse.body, in_worker))
        final = statement.finalbody
        dropped: List[cst.EmptyLine] = []
        if final is not None:
            final_items: List[Union[cst.BaseStatement, Carried]] = []
            for inner in final.body.body:
                final_items.extend(self.statement(inner, in_worker))
            final_statements, final_leftover = settle(final_items)
            if final_statements:
                final = final.with_changes(body=final.body.with_changes(body=final_statements))
            else:
                # The finally only closed the loop: it goes, its comments stay.
                dropped = [
                    *_comments_only(final.leading_lines),
                    *_header_comment(final.body),
                    *_comments_only(final_leftover),
                    *_comments_only(final.body.footer),
                ]
                final = None
        if handlers or final is not None:
            rebuilt = statement.with_changes(body=body, handlers=handlers, orelse=orelse, finalbody=final)
            return [rebuilt, Carried(dropped)]
        # try/finally around the loop only: its body takes its place.
        items: List[Union[cst.BaseStatement, Carried]] = [Carried([*statement.leading_lines, *_header_comment(body)])]
        items.extend(s for s in body.body if not _is_pass(s) or len(body.body) > 1)
        items.append(Carried([*_comments_only(body.footer), *dropped]))
        return items

    def _simple_line(self, line: cst.SimpleStatementLine, in_worker: bool) -> List[Union[cst.BaseStatement, "Carried"]]:
        kept: List[cst.BaseSmallStatement] = []
        for small in line.body:
            if self._is_plumbing(small):
                continue
            small = small.visit(_AwaitLoopRuns(self))  # type: ignore[assignment]
            if in_worker:
                small = _direct_gui_call(small)
            kept.append(small)
        if not kept:
            return [Carried(_comment_lines(line))]
        if len(kept) != len(line.body):
            kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return [line.with_changes(body=kept)]

    def _is_plumbing(self, small: cst.BaseSmallStatement) -> bool:
        """Creating, installing, shutting down or closing the private loop: the statement goes."""
        if isinstance(small, (cst.Assign, cst.AnnAssign)) and isinstance(small.value, cst.Call):
            targets = small.targets if isinstance(small, cst.Assign) else [small]
            if self.codes.get(small.value) == "LG101":
                if len(targets) != 1 or not isinstance(targets[0].target, cst.Name):
                    raise NotUnderstood("the private loop is stored where other code may reach it")
                self.loop_names.add(targets[0].target.value)
                self.consumed.add(small.value)
                return True
            return False
        if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
            return False
        call = small.value
        if self.codes.get(call) == "LG104":
            self.consumed.add(call)
            return True
        func = call.func
        if not isinstance(func, cst.Attribute) or dotted(func.value) not in self.loop_names:
            return False
        if func.attr.value == "close" and not call.args:
            return True
        shutdown = call.args[0].value if len(call.args) == 1 else None
        if (
            self.codes.get(call) == "LG103"
            and isinstance(shutdown, cst.Call)
            and isinstance(shutdown.func, cst.Attribute)
            and dotted(shutdown.func.value) in self.loop_names
            and shutdown.func.attr.value in LOOP_SHUTDOWN_METHODS
        ):
            self.consumed.add(call)
            return True
        return False

    def await_of(self, original: cst.Call, updated: cst.Call) -> Optional[cst.Await]:
        """``await c`` for a found ``loop.run_until_complete(c)`` / ``asyncio.run(c)``, else None."""
        code = self.codes.get(original)
        func = updated.func
        if code == "LG103" and isinstance(func, cst.Attribute) and func.attr.value == "run_forever":
            raise NotUnderstood("the loop runs forever: a long-lived loop thread that other code feeds")
        if code not in ("LG102", "LG103") or len(updated.args) != 1:
            return None
        arg = updated.args[0]
        if arg.keyword is not None or arg.star:
            return None
        if code == "LG103":
            if not isinstance(func, cst.Attribute) or func.attr.value != "run_until_complete":
                return None
            receiver = original.func.value if isinstance(original.func, cst.Attribute) else None
            if isinstance(receiver, cst.Call) and self.codes.get(receiver) == "LG101":
                self.consumed.add(receiver)
            elif dotted(func.value) not in self.loop_names:
                raise NotUnderstood(f"coroutines run on '{dotted(func.value) or 'a loop'}', created elsewhere")
        elif dotted(func).rpartition(".")[2] != "run":
            return None  # asyncio.Runner(), qasync.run(): not a one-shot run of a coroutine
        self.consumed.add(original)
        self.awaited += 1
        return _await(updated, arg)

    def _check_done(self, statements: Sequence[cst.BaseStatement], thread_name: Optional[str]) -> None:
        leftover = [call for call in self.codes if call not in self.consumed]
        if leftover:
            nested = _nested_function_of(self.starter, leftover[0])
            if nested is not None:
                raise NotUnderstood(f"the loop runs in {nested}(), which is not started as a thread here")
            raise NotUnderstood(f"a loop call ({self.codes[leftover[0]]}) here is not one the rewrite understands")
        if not self.awaited:
            raise NotUnderstood("no coroutine is run here: the loop is set up for other code")
        names = set(self.loop_names)
        if thread_name is not None:
            names.add(thread_name)
        used = {n.value for n in variable_names(statements)} & names
        if used:
            raise NotUnderstood(f"'{sorted(used)[0]}' is used for more than running coroutines")


class Carried:
    """Lines (comments, blank lines) of a statement the rewrite removed, for the next statement."""

    def __init__(self, lines: Sequence[cst.EmptyLine]) -> None:
        self.lines = list(lines)


def settle(
    items: Sequence[Union[cst.BaseStatement, Carried]],
) -> Tuple[List[cst.BaseStatement], List[cst.EmptyLine]]:
    """Statements with carried lines moved onto the next one; what is left goes to the block's footer."""
    statements: List[cst.BaseStatement] = []
    pending: List[cst.EmptyLine] = []
    for item in items:
        if isinstance(item, Carried):
            pending.extend(item.lines)
            continue
        if pending:
            item = item.with_changes(leading_lines=_without_double_blanks([*pending, *item.leading_lines]))
            pending = []
        statements.append(item)
    return statements, [line for line in pending if line.comment is not None]


# ----- expressions ------------------------------------------------------------------------


class _AwaitLoopRuns(cst.CSTTransformer):
    """``loop.run_until_complete(c)`` / ``asyncio.run(c)`` -> ``await c`` in one statement's own code."""

    def __init__(self, plan: StarterRewrite) -> None:
        super().__init__()
        self.plan = plan

    # Blocks are rewritten statement by statement; other scopes keep their own calls.
    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return False

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        awaited = self.plan.await_of(original_node, updated_node)
        if awaited is not None:
            return awaited
        if isinstance(updated_node.func, cst.Await):
            return updated_node.with_changes(func=_parenthesized(updated_node.func))
        return updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        if isinstance(updated_node.value, cst.Await):
            return updated_node.with_changes(value=_parenthesized(updated_node.value))
        return updated_node

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.Subscript:
        if isinstance(updated_node.value, cst.Await):
            return updated_node.with_changes(value=_parenthesized(updated_node.value))
        return updated_node

    def leave_BinaryOperation(
        self, original_node: cst.BinaryOperation, updated_node: cst.BinaryOperation
    ) -> cst.BinaryOperation:
        if isinstance(updated_node.operator, cst.Power) and isinstance(updated_node.left, cst.Await):
            return updated_node.with_changes(left=_parenthesized(updated_node.left))
        return updated_node


def _await(call: cst.Call, arg: cst.Arg) -> cst.Await:
    value = arg.value
    inner_before = call.whitespace_before_args
    inner_after = arg.whitespace_after_arg
    comma = arg.comma
    if isinstance(comma, cst.Comma):
        inner_after = comma.whitespace_after
    multiline = isinstance(inner_before, cst.ParenthesizedWhitespace) or isinstance(
        inner_after, cst.ParenthesizedWhitespace
    )
    if multiline:
        # The call's own line breaks and comments stay, as the parentheses of the awaited value.
        value = value.with_changes(
            lpar=[cst.LeftParen(whitespace_after=inner_before), *value.lpar],
            rpar=[*value.rpar, cst.RightParen(whitespace_before=inner_after)],
        )
    elif not value.lpar and not isinstance(value, _PRIMARIES):
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Await(expression=value, lpar=call.lpar, rpar=call.rpar)


_PRIMARIES = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Integer,
    cst.Float,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.Set,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
)


def _parenthesized(node: cst.Await) -> cst.Await:
    if node.lpar:
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _direct_gui_call(small: cst.BaseSmallStatement) -> cst.BaseSmallStatement:
    """``QTimer.singleShot(0, lambda: f(x))`` -> ``f(x)``; ``QTimer.singleShot(0, f)`` -> ``f()``.

    The worker hopped back to the GUI thread with a zero timer; the coroutine is there already.
    """
    if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
        return small
    call = small.value
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value != "singleShot":
        return small
    if dotted(call.func.value).rpartition(".")[2] != "QTimer" or len(call.args) != 2:
        return small
    delay, callback = call.args
    if not (isinstance(delay.value, cst.Integer) and delay.value.value == "0") or delay.keyword or callback.keyword:
        return small
    target = callback.value
    if isinstance(target, cst.Lambda) and not has_parameters(target.params):
        body = target.body
        if isinstance(body, cst.Call) and len(body.lpar) == 1 and not "\n" in code_of(body):
            body = body.with_changes(lpar=[], rpar=[])
        return small.with_changes(value=body)
    if isinstance(target, (cst.Name, cst.Attribute)):
        return small.with_changes(value=cst.Call(func=target))
    return small


# ----- small syntax helpers --------------------------------------------------------------------


def _method_target(call: cst.Call, starter: cst.FunctionDef) -> Optional[str]:
    """``W`` when the thread's target is ``self.W`` (``self`` being the starter's first parameter)."""
    params = [*starter.params.posonly_params, *starter.params.params]
    target = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "target"), None)
    if params and isinstance(target, cst.Attribute) and dotted(target.value) == params[0].name.value:
        return target.attr.value
    return None


def _has_extra_parameters(params: cst.Parameters) -> bool:
    return bool(params.kwonly_params or isinstance(params.star_arg, cst.Param) or params.star_kwarg)


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


class _ReferenceCounter(cst.CSTVisitor):
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


def _is_test_class(node: cst.ClassDef) -> bool:
    name = node.name.value
    if name.startswith("Test") or name.endswith(("Test", "Tests")):
        return True
    return any(dotted(base.value).endswith("TestCase") for base in node.bases)


def _is_thread_call(call: cst.Call) -> bool:
    return dotted(call.func).rpartition(".")[2] == "Thread"


def _is_start_of(expression: cst.BaseExpression, thread_call: cst.Call) -> bool:
    return (
        isinstance(expression, cst.Call)
        and not expression.args
        and isinstance(expression.func, cst.Attribute)
        and expression.func.attr.value == "start"
        and expression.func.value is thread_call
    )


def _pass_line() -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[cst.Pass()])


def _is_pass(statement: cst.BaseStatement) -> bool:
    small = single_small_statement(statement)
    return isinstance(small, cst.Pass)


def _comments_only(lines: Iterable[cst.EmptyLine]) -> List[cst.EmptyLine]:
    return [line for line in lines if line.comment is not None]


def _header_comment(block: cst.IndentedBlock) -> List[cst.EmptyLine]:
    comment = block.header.comment
    return [cst.EmptyLine(comment=comment)] if comment is not None else []


def _comment_lines(statement: cst.BaseStatement) -> List[cst.EmptyLine]:
    """A removed statement's leading lines and its end-of-line comment, as lines of their own."""
    lines = list(statement.leading_lines)
    trailing = getattr(statement, "trailing_whitespace", None)
    if isinstance(trailing, cst.TrailingWhitespace) and trailing.comment is not None:
        lines.append(cst.EmptyLine(comment=trailing.comment))
    return lines


def _without_double_blanks(lines: Sequence[cst.EmptyLine]) -> List[cst.EmptyLine]:
    result: List[cst.EmptyLine] = []
    for line in lines:
        if line.comment is None and result and result[-1].comment is None:
            continue
        result.append(line)
    return result


def _docstring_text(statement: cst.BaseStatement) -> Optional[str]:
    small = single_small_statement(statement)
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString):
        value = small.value.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _as_comments(text: str) -> List[cst.EmptyLine]:
    return [
        cst.EmptyLine(comment=cst.Comment(f"# {line.strip()}" if line.strip() else "#"))
        for line in text.strip().splitlines()
    ]


def _uses_value_return(statement: cst.BaseStatement) -> bool:
    scan = _ScopeScan()
    statement.visit(scan)
    return scan.returns_value


def _keep_opening_spacing(old: Sequence[cst.BaseStatement], new: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
    """The first statement after the docstring keeps the spacing the old one had there.

    (A worker ``def`` set apart by a blank line must not leave that blank line under the docstring.)
    """
    at = 1 if old and _docstring_text(old[0]) is not None else 0
    if len(old) <= at or len(new) <= at or new[at] is old[at]:
        return new
    if old[at].leading_lines and old[at].leading_lines[0].comment is None:
        return new
    lines = list(new[at].leading_lines)
    while lines and lines[0].comment is None:
        lines.pop(0)
    return [*new[:at], new[at].with_changes(leading_lines=lines), *new[at + 1 :]]


def _drop_unused_plumbing_imports(statements: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
    """A function-local ``import asyncio`` / ``import threading`` left unused by the rewrite goes."""
    result: List[cst.BaseStatement] = []
    pending: List[cst.EmptyLine] = []
    for index, statement in enumerate(statements):
        small = single_small_statement(statement)
        if isinstance(small, cst.Import):
            others = [s for i, s in enumerate(statements) if i != index]
            kept = [alias for alias in small.names if not _unused_plumbing_alias(alias, others)]
            if not kept:
                pending.extend(_comment_lines(statement))
                continue
            if len(kept) != len(small.names):
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=[small.with_changes(names=kept)])  # type: ignore[union-attr]
        if pending:
            statement = statement.with_changes(
                leading_lines=_without_double_blanks([*pending, *statement.leading_lines])
            )
            pending = []
        result.append(statement)
    return result


def _unused_plumbing_alias(alias: cst.ImportAlias, others: Sequence[cst.BaseStatement]) -> bool:
    module = dotted(alias.name)
    if module not in PLUMBING_MODULES:
        return False
    bound = alias.asname.name.value if alias.asname is not None else module  # type: ignore[union-attr]
    return all(n.value != bound for n in variable_names(others))


def _nested_function_of(starter: cst.FunctionDef, call: cst.Call) -> Optional[str]:
    """The name of the function nested in ``starter`` that holds ``call``, if any."""
    for statement in starter.body.body if isinstance(starter.body, cst.IndentedBlock) else ():
        for nested in functions_in(statement):
            if call in calls_in(nested):
                return nested.name.value
    return None


def _handed_callable(expression: cst.BaseExpression) -> Optional[str]:
    """The function a thread or executor is given: ``work``, ``self.work``, ``partial(work, x)``,
    ``lambda: self.work()``; None for anything else."""
    if isinstance(expression, cst.Name):
        return expression.value
    if isinstance(expression, cst.Attribute) and isinstance(expression.value, cst.Name):
        return expression.attr.value
    if isinstance(expression, cst.Call) and dotted(expression.func).rpartition(".")[2] == "partial":
        return _handed_callable(expression.args[0].value) if expression.args else None
    if isinstance(expression, cst.Lambda) and isinstance(expression.body, cst.Call):
        return _handed_callable(expression.body.func)
    return None


class _ScopeScan(cst.CSTVisitor):
    """In one scope (nested defs and lambdas not entered): names bound, nonlocal/global,
    ``return <value>``, ``yield``, and whether closures are defined."""

    def __init__(self) -> None:
        self.bound: Set[str] = set()
        self.shares_names = False
        self.returns_value = False
        self.has_closures = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.bound.add(node.name.value)
        self.has_closures = True
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.bound.add(node.name.value)
        self.has_closures = True
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.has_closures = True
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.shares_names = True

    def visit_Global(self, node: cst.Global) -> None:
        self.shares_names = True

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.returns_value = True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.returns_value = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind(node.name)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            self.bound.add(dotted(node.name).partition(".")[0])

    def _bind(self, target: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.bound.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value)


class _ImportCollector(cst.CSTVisitor):
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


class _ValueUseCollector(cst.CSTVisitor):
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
                    handed = _handed_callable(arg.value)
                    if handed is not None:
                        self.handed_to_threads.setdefault(handed, line)
        self._parents.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._parents.pop()
