"""What the model answers about code that runs elsewhere: the callables handed to a worker
thread, and those handed to another process (each the entry point of that process)."""

from __future__ import annotations

import ast
from functools import cached_property
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..apis import (
    EXECUTOR_METHODS,
    CONTEXT_POOL,
    CONTEXT_PROCESS,
    PROCESS_BASES,
    PROCESS_CALLS,
    PROCESS_CONTEXT_FACTORIES,
    PROCESS_POOL_CLASSES,
    PROCESS_POOL_INITIALIZERS,
    PROCESS_POOL_METHODS,
    RUN_IN_EXECUTOR,
    THREAD_BASES,
    THREAD_CALLS,
    THREADSAFE_SUBMISSIONS,
)
from .names import dotted_parts
from .scopes import CallSite, ClassInfo, FunctionInfo, Scope

HandOver = Tuple[CallSite, Optional[ast.expr]]  # the call, and the callable it hands over (None: not found)


class WorkerQueries:
    """Mixed into :class:`~.module.Module`."""

    if TYPE_CHECKING:
        classes: List[ClassInfo]

        def calls_to(self, names: Iterable[str]) -> List[CallSite]: ...
        def method_calls(self, attrs: Iterable[str]) -> List[CallSite]: ...
        def method_of(self, cls: ClassInfo, name: str) -> Optional[FunctionInfo]: ...
        def inherits_from(self, cls: ClassInfo, qualified_names: Iterable[str]) -> bool: ...
        def callable_body(self, node: ast.AST, scope: Scope) -> Optional[Scope]: ...
        def value_sources(self, node: ast.AST, scope: Scope) -> Sequence[CallSite]: ...
        def is_instance_of(self, node: ast.AST, scope: Scope, classes: Iterable[str]) -> bool: ...
        def creates_or_runs_loop(self, scope: Scope) -> bool: ...
        def loop_runner_named(self, node: ast.AST, scope: Scope) -> Optional[str]: ...
        def receiver_key(self, parts: Sequence[str], scope: Scope) -> Tuple[str, int]: ...
        def unwrap_partial(self, node: ast.AST, scope: Scope) -> ast.AST: ...

        @property
        def loop_creations(self) -> List[CallSite]: ...

    # ----- worker threads ----------------------------------------------------------

    @cached_property
    def thread_hand_overs(self) -> List[HandOver]:
        """Callables run by a worker thread: ``threading.Thread(target=f)``, ``asyncio.to_thread(f)``,
        ``<executor>.submit(f)``, ``<loop>.run_in_executor(executor, f)``; an executor known to
        be a process pool is not a thread (:attr:`process_hand_overs`), an unknown one is."""
        found: List[HandOver] = []
        for name, (position, keyword) in THREAD_CALLS.items():
            found.extend((site, site.argument(position, keyword)) for site in self.calls_to((name,)))
        for name, (position, keyword) in EXECUTOR_METHODS.items():
            found.extend(
                (site, site.argument(position, keyword))
                for site in self.method_calls((name,))
                if not self._executor_is_process_pool(site)
            )
        found.sort(key=lambda hand_over: (hand_over[0].line, hand_over[0].col))
        return found

    @cached_property
    def thread_run_methods(self) -> List[FunctionInfo]:
        """The ``run()`` of ``Thread``/``QThread``/``QRunnable`` subclasses (also inherited from a same-file base)."""
        return self._run_methods(THREAD_BASES)

    def private_loop_worker(self, scope: Scope) -> Optional[str]:
        """The worker (``Downloader.run``, ``load_isolated``) whose private event loop, in a thread
        of its own, runs the scope's code; None when no worker of this file is known to run it."""
        return self._private_loop_scopes.get(id(scope.frame))

    @cached_property
    def _private_loop_scopes(self) -> Dict[int, str]:
        """Scope id -> the worker whose private loop runs it: each worker body that makes, runs
        or drives a loop (a thread's target, a ``run()`` of a thread class), with what is nested
        in it, the coroutines handed to that loop (``run_coroutine_threadsafe(c(), loop)``,
        ``loop.call_soon_threadsafe(f)`` on the loop it made or the ``run_forever`` a thread
        runs), and every function of this file they call, transitively."""
        roots: List[Tuple[Scope, str]] = []
        loops: Dict[Tuple[str, int], str] = {}  # receiver key of a private loop -> its worker
        for run in self.thread_run_methods:
            if self.creates_or_runs_loop(run.scope):
                roots.append((run.scope, run.scope.qualified_name))
        for site, worker in self.thread_hand_overs:
            if worker is None:
                continue
            runner = self.unwrap_partial(worker, site.scope)
            body = self.callable_body(runner, site.scope)
            if body is not None and self.creates_or_runs_loop(body):
                roots.append((body, body.qualified_name))
            elif isinstance(runner, ast.Attribute) and self.loop_runner_named(runner, site.scope) is not None:
                parts = dotted_parts(runner.value)
                if parts is not None:
                    loops[self.receiver_key(parts, site.scope)] = ".".join((*parts, runner.attr))
        workers = {id(scope): name for scope, name in roots}
        for made in self.loop_creations:
            worker_name = workers.get(id(made.scope))
            for target in made.targets if worker_name is not None else ():
                loops[self.receiver_key(tuple(target.split(".")), made.scope)] = worker_name
        for name, (loop_index, callable_index) in THREADSAFE_SUBMISSIONS.items():
            for site in self.calls_to((name,)) if "." in name else self.method_calls((name,)):
                loop = site.argument(loop_index) if loop_index is not None else site.receiver
                parts = dotted_parts(loop) if loop is not None else None
                worker_name = loops.get(self.receiver_key(parts, site.scope)) if parts is not None else None
                handed = site.argument(callable_index)
                if worker_name is None or handed is None:
                    continue
                body = self.callable_body(handed.func if isinstance(handed, ast.Call) else handed, site.scope)
                if body is not None:
                    roots.append((body, worker_name))
        found: Dict[int, str] = {}
        while roots:
            scope, worker_name = roots.pop()
            if id(scope) in found:
                continue
            for inner in scope.descendants():
                found.setdefault(id(inner), worker_name)
                for site in inner.calls:
                    callee = self.callable_body(site.node.func, site.scope)
                    if callee is not None and id(callee) not in found:
                        roots.append((callee, worker_name))
        return found

    # ----- other processes ---------------------------------------------------------

    @cached_property
    def process_hand_overs(self) -> List[HandOver]:
        """Callables run by another process: ``multiprocessing.Process(target=f)`` (also a context's
        ``ctx.Process``), a process pool's ``submit``/``map``/``apply_async``..., ``run_in_executor``
        on a process pool, and the ``initializer=`` of a process pool."""
        found: List[HandOver] = []
        for name, (position, keyword) in (*PROCESS_CALLS.items(), *PROCESS_POOL_INITIALIZERS.items()):
            found.extend((site, site.argument(position, keyword)) for site in self.calls_to((name,)))
        for attr, (position, keyword) in (
            (CONTEXT_PROCESS, PROCESS_CALLS["multiprocessing.Process"]),
            (CONTEXT_POOL, PROCESS_POOL_INITIALIZERS["multiprocessing.Pool"]),
        ):
            found.extend(
                (site, site.argument(position, keyword))
                for site in self.method_calls((attr,))
                if site.qualified is None and self._is_process_context(site.receiver, site.scope)
            )
        for name, (position, keyword) in PROCESS_POOL_METHODS.items():
            found.extend(
                (site, site.argument(position, keyword))
                for site in self.method_calls((name,))
                if site.qualified is None and self.is_process_pool(site.receiver, site.scope)
            )
        position, keyword = EXECUTOR_METHODS[RUN_IN_EXECUTOR]
        found.extend(
            (site, site.argument(position, keyword))
            for site in self.method_calls((RUN_IN_EXECUTOR,))
            if self._executor_is_process_pool(site)
        )
        found = [(site, worker) for site, worker in found if worker is not None]
        found.sort(key=lambda hand_over: (hand_over[0].line, hand_over[0].col))
        return found

    @cached_property
    def process_run_methods(self) -> List[FunctionInfo]:
        """The ``run()`` of ``multiprocessing.Process`` subclasses: what the child process runs."""
        return self._run_methods(PROCESS_BASES)

    def is_process_pool(self, node: Optional[ast.AST], scope: Scope) -> bool:
        """An executor or pool whose workers are processes: made by ``ProcessPoolExecutor(...)``,
        ``multiprocessing.Pool(...)`` or a context's ``ctx.Pool(...)`` (here, through the name or
        attribute it was bound to, or by ``with ... as pool``), or annotated with one of them."""
        if node is None:
            return False
        if self.is_instance_of(node, scope, PROCESS_POOL_CLASSES):
            return True
        return any(
            site.attr == CONTEXT_POOL and self._is_process_context(site.receiver, site.scope)
            for site in self.value_sources(node, scope)
        )

    def in_process_entry(self, scope: Scope) -> bool:
        """The scope is (or is nested in) a function or lambda that another process runs."""
        entries = self._process_entry_scopes
        current: Optional[Scope] = scope
        while entries and current is not None:
            if id(current) in entries:
                return True
            current = current.parent
        return False

    @cached_property
    def process_entry_functions(self) -> List[FunctionInfo]:
        """The defs of this file that another process runs (handed over here, or a subclass's ``run()``)."""
        found = {id(run.node): run for run in self.process_run_methods}
        for site, worker in self.process_hand_overs:
            body = self.callable_body(worker, site.scope) if worker is not None else None
            if body is not None and body.function_info is not None:
                found.setdefault(id(body.function_info.node), body.function_info)
        return sorted(found.values(), key=lambda function: function.node.lineno)

    @cached_property
    def _process_entry_scopes(self) -> Set[int]:
        scopes = {id(function.scope) for function in self.process_entry_functions}
        for site, worker in self.process_hand_overs:
            body = self.callable_body(worker, site.scope) if worker is not None else None
            if body is not None:  # a lambda too
                scopes.add(id(body))
        return scopes

    def _is_process_context(self, node: Optional[ast.AST], scope: Scope) -> bool:
        """``multiprocessing.get_context(...)``, or a name or attribute bound to one."""
        return node is not None and self.is_instance_of(node, scope, PROCESS_CONTEXT_FACTORIES)

    def _executor_is_process_pool(self, site: CallSite) -> bool:
        """``pool.submit(f)``, ``loop.run_in_executor(pool, f)``: whether ``pool`` is a process pool."""
        if site.attr == RUN_IN_EXECUTOR:
            return self.is_process_pool(site.argument(0, "executor"), site.scope)
        return site.qualified is None and self.is_process_pool(site.receiver, site.scope)

    def _run_methods(self, bases: Iterable[str]) -> List[FunctionInfo]:
        found = {}
        for cls in self.classes:
            run = self.method_of(cls, "run")
            if run is None or run.is_async or id(run.node) in found or not self.inherits_from(cls, bases):
                continue
            found[id(run.node)] = run
        return list(found.values())

