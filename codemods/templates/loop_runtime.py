"""The application's one event loop, kept whole: a TaskManager, a LoopGuard and the shutdown sequence.

Scaffolded by ``loopguard migrate``; it is now your code, edit it freely.

- Every background task goes through a ``TaskManager``: ``manager.add_task(asyncio.create_task(...),
  name="module:Component:operation")`` or ``manager.create(coro, name=...)``. Every manager
  shares one process-wide registry, so however a class got its manager, ``shutdown()`` reaches
  all of its tasks.
- ``LoopGuard.ensure_main(where=...)`` catches code running on a loop that is not the main one.
- ``await shutdown()`` runs invariant 6 once: stop accepting work, cancel every task, gather
  them, close the registered sessions and sockets, flush the logs.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any, Awaitable, Callable, Coroutine, Dict, List, Optional, Set, Union

log = logging.getLogger(__name__)

Closer = Callable[[], Union[None, Awaitable[Any]]]


class _Registry:
    """What the whole process shares: the live tasks, whether work is accepted, the closers."""

    def __init__(self) -> None:
        self.tasks: Set[asyncio.Future] = set()
        self.future_names: Dict[asyncio.Future, str] = {}  # a Future that is no Task has no name of its own
        self.accepting = True
        self.closers: List[Closer] = []
        self.shut_down = False
        self.main_loop: Optional[asyncio.AbstractEventLoop] = None


_registry = _Registry()


class TaskManager:
    """Owns background tasks: keeps them referenced, names them, logs failures, cancels them at shutdown.

    Instances are cheap handles on the process-wide registry; creating one never touches a loop.
    """

    def add_task(self, task: "asyncio.Future[Any]", name: Optional[str] = None) -> "asyncio.Future[Any]":
        """Register ``task`` (named ``"module:Component:operation"`` when ``name`` is given) and return it.

        A Future that is no Task (``ensure_future()`` hands back the one ``gather()`` or
        ``run_in_executor()`` made) is kept, logged and cancelled the same way; it cannot carry a
        name, so ``name`` only labels its log lines. Once shutdown has begun, the task is
        cancelled at once; it stays registered so that the shutdown sequence still gathers it.
        """
        if name is not None:
            if isinstance(task, asyncio.Task):
                task.set_name(name)
            else:
                _registry.future_names[task] = name
        _registry.tasks.add(task)
        task.add_done_callback(_on_task_done)
        if not _registry.accepting:
            log.warning("task %s refused: shutting down", _name_of(task))
            task.cancel()
        return task

    def create(self, coro: Coroutine[Any, Any, Any], name: Optional[str] = None) -> asyncio.Task:
        """Create a task on the running loop and register it."""
        return self.add_task(asyncio.create_task(coro), name=name)

    def __len__(self) -> int:
        return len(_registry.tasks)

    def stop_accepting(self) -> None:
        """From now on, new tasks are cancelled as soon as they are registered."""
        _registry.accepting = False

    async def cleanup_all(self) -> None:
        """Cancel every registered task of the running loop and wait until all have finished.

        Tasks registered while it waits (a cancelled task that spawns another) are gathered too.
        """
        loop = asyncio.get_running_loop()
        current = asyncio.current_task()
        while True:
            tasks = [task for task in _registry.tasks if task is not current and task.get_loop() is loop]
            if not tasks:
                break
            log.info("cancelling %d task(s)", len(tasks))
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            _registry.tasks.difference_update(tasks)
        for stranded in [task for task in _registry.tasks if task is not current]:
            # A task of another (closed) loop can never be awaited from this one.
            log.error("task %s belongs to another event loop; dropped", _name_of(stranded))
            _registry.tasks.discard(stranded)
            _registry.future_names.pop(stranded, None)


def _name_of(task: "asyncio.Future[Any]") -> str:
    if isinstance(task, asyncio.Task):
        return task.get_name()
    return _registry.future_names.get(task) or repr(task)


def _on_task_done(task: "asyncio.Future[Any]") -> None:
    _registry.tasks.discard(task)
    name = _name_of(task)
    _registry.future_names.pop(task, None)
    if task.cancelled():
        log.debug("task cancelled: %s", name)
        return
    error = task.exception()
    if error is not None:
        log.error("task failed: %s", name, exc_info=error)
    else:
        log.debug("task done: %s", name)


class LoopGuard:
    """Detects code that runs off the main event loop (a private loop, another thread).

    The main loop is process-wide: every LoopGuard checks against the same one.
    """

    @property
    def main(self) -> Optional[asyncio.AbstractEventLoop]:
        return _registry.main_loop

    def set_main(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        """Declare the main loop: ``loop``, or the running one when called from a coroutine."""
        _registry.main_loop = loop if loop is not None else asyncio.get_running_loop()

    def ensure_main(self, *, where: str) -> None:
        """Raise ``RuntimeError`` (and log it) unless running on the main loop.

        The first check on a loop, before any ``set_main``, adopts the running loop as the main one.
        """
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            log.error("EventLoop breach at %s: no running event loop", where)
            raise RuntimeError(f"{where} must run on the main event loop; no loop is running") from None
        if _registry.main_loop is None:
            _registry.main_loop = current
        elif current is not _registry.main_loop:
            log.error("EventLoop breach at %s: running on a loop that is not the main one", where)
            raise RuntimeError(f"{where} runs on a loop that is not the main event loop")


def register_closer(closer: Closer) -> Closer:
    """Have ``shutdown()`` call ``closer`` (sync, or returning an awaitable: ``session.close``).

    Closers run after every task has finished, the last registered first. Returns ``closer``, so
    it also works as a decorator.
    """
    _registry.closers.append(closer)
    return closer


async def shutdown(*, stop_accepting: Optional[Closer] = None) -> None:
    """Invariant 6, in this order: stop accepting work -> cancel all tasks -> gather -> close -> flush logs.

    ``stop_accepting`` is the application's own first step (stop a server, disconnect signals;
    sync or async); registering new tasks is refused from then on in any case. A second call does nothing.
    """
    if _registry.shut_down:
        return
    _registry.shut_down = True
    if stop_accepting is not None:
        await _call(stop_accepting)
    manager = TaskManager()
    manager.stop_accepting()
    await manager.cleanup_all()
    while _registry.closers:
        closer = _registry.closers.pop()
        try:
            await _call(closer)
        except Exception:  # one failing close must not keep the others open
            log.exception("closing %r failed", closer)
    log.info("shutdown complete")
    _flush_logs()


async def _call(function: Closer) -> None:
    result = function()
    if inspect.isawaitable(result):
        await result


def _flush_logs() -> None:
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            handler.flush()
