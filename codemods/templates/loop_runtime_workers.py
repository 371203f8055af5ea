# ----- Workers: a thread class's lifecycle, kept on one task of the one loop -----------------------
#
# Appended by ``loopguard migrate`` when ``worker_class_to_task`` rewrote a worker class: a
# ``threading.Thread``, ``QThread`` or ``QRunnable`` subclass whose ``run()`` made a private loop now
# derives from ``ThreadTask``, ``QThreadTask`` or ``QRunnableTask``, and its ``run()`` is a coroutine.
# ``start()`` runs that coroutine as one TaskManager task on the one loop (named
# ``"module:Class:run"``), so the shutdown sequence cancels and gathers it like every other task.
# A worker started before the loop runs starts as soon as it runs.
import threading  # noqa: E402  (this part is appended to the runtime module)


class _WorkerTask:
    """What the three worker bases share: ``run()`` (a coroutine) as tasks of the one loop."""

    _worker_tasks: Optional[Set[asyncio.Task]] = None
    _starts_pending = 0
    _started_once = False
    _interruption_requested = False
    _interruption_observed = False

    async def run(self) -> None:  # the converted worker's own run() replaces this
        """The work; a coroutine."""

    def _start_task(self) -> None:
        self._started_once = True
        self._interruption_requested = self._interruption_observed = False
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # Not on the loop yet (start-up code before the loop runs): start once it runs.
            if threading.current_thread() is not threading.main_thread():
                raise RuntimeError(f"{type(self).__qualname__}.start() called off the main thread") from None
            self._starts_pending += 1
            _start_when_loop_runs(self._start_pending)
            return
        self._create_task()

    def _start_pending(self) -> None:
        if self._starts_pending:
            self._starts_pending -= 1
            self._create_task()

    def _create_task(self) -> None:
        if self._worker_tasks is None:
            self._worker_tasks = set()
        name = f"{type(self).__module__}:{type(self).__qualname__}:run"
        task = TaskManager().create(self._run_as_task(), name=name)
        self._worker_tasks.add(task)
        task.add_done_callback(self._worker_tasks.discard)

    async def _run_as_task(self) -> None:
        self._lifecycle("started")
        try:
            await self.run()
        finally:
            # Over before `finished` is emitted, as a QThread is (isRunning() is False in its slots).
            self._worker_tasks.discard(asyncio.current_task())
            self._lifecycle("finished")

    def _lifecycle(self, event: str) -> None:
        """A lifecycle event (``started``/``finished``); ``QThreadTask`` emits its signals."""

    def _is_active(self) -> bool:
        return bool(self._starts_pending or self._worker_tasks)

    def cancel_task(self) -> None:
        """Stop the work: cancel its task(s); what did not start yet never starts."""
        self._starts_pending = 0
        for task in list(self._worker_tasks or ()):
            task.cancel()

    def _cannot_block(self, method: str) -> None:
        raise RuntimeError(
            f"{type(self).__qualname__}.{method}() would block the one event loop that runs the worker: "
            "await the work, or connect to its end, instead"
        )


def _start_on_main_loop(callback: Callable[[], None]) -> None:
    """No loop is running: start on the main loop declared with ``LoopGuard().set_main(loop)``."""
    loop = _registry.main_loop
    if loop is None or loop.is_closed():
        raise RuntimeError(
            "a worker was started before the event loop runs: start it from a coroutine or a slot, "
            "or declare the loop first with LoopGuard().set_main(loop)"
        )
    loop.call_soon(callback)


# How a worker started before the loop runs is started later (replaced by the Qt part, if any).
_start_when_loop_runs: Callable[[Callable[[], None]], None] = _start_on_main_loop


class ThreadTask(_WorkerTask):
    """What a ``threading.Thread`` subclass becomes: ``start()``, ``is_alive()``, ``name``, ``daemon``.

    Takes ``threading.Thread``'s arguments, so that a subclass's ``super().__init__(name=..., daemon=True)``
    is unchanged (a task needs neither; ``target`` is the subclass's own ``run()``).
    """

    def __init__(
        self,
        group: None = None,
        target: Optional[Callable[..., Any]] = None,
        name: Optional[str] = None,
        args: Any = (),
        kwargs: Any = None,
        *,
        daemon: Optional[bool] = None,
    ) -> None:
        self.name = name or type(self).__name__
        self.daemon = bool(daemon)

    def start(self) -> None:
        if self._started_once:
            raise RuntimeError("threads can only be started once")
        self._start_task()

    def is_alive(self) -> bool:
        return self._is_active()

    def join(self, timeout: Optional[float] = None) -> None:
        """Returns at once when the work is over; otherwise waiting would block the loop: an error."""
        if self._is_active():
            self._cannot_block("join")


# ----- Qt workers: only in a Qt project, imported from the Qt binding the project uses ---------------
from PySide6.QtCore import QObject, QTimer, Signal  # noqa: E402


def _start_on_qt_loop(callback: Callable[[], None]) -> None:
    # Under qasync, Qt's timers fire while the asyncio loop runs.
    QTimer.singleShot(0, callback)


_start_when_loop_runs = _start_on_qt_loop


class QThreadTask(_WorkerTask, QObject):
    """What a ``QThread`` subclass becomes: a ``QObject`` with the ``QThread`` surface its callers use.

    ``started`` and ``finished`` are emitted around ``run()`` (unless the subclass declares a signal of
    that name itself, as ``finished = Signal(object)``: then only its own ``run()`` emits it);
    ``isRunning()``/``isFinished()`` observe the task; ``quit()``, ``exit()`` and ``terminate()``
    cancel it; ``requestInterruption()`` sets the flag that ``isInterruptionRequested()`` reads, and
    cancels the task when ``run()`` never reads that flag (a loop that polls it ends by itself).
    """

    started = Signal()
    finished = Signal()

    def start(self, priority: Any = None) -> None:
        if not self._is_active():  # like QThread: starting a running thread does nothing
            self._start_task()

    def isRunning(self) -> bool:
        return self._is_active()

    def isFinished(self) -> bool:
        return self._started_once and not self._is_active()

    def quit(self) -> None:
        self.cancel_task()

    def exit(self, returnCode: int = 0) -> None:
        self.cancel_task()

    def terminate(self) -> None:
        self.cancel_task()

    def requestInterruption(self) -> None:
        self._interruption_requested = True
        if not self._interruption_observed:
            self.cancel_task()

    def isInterruptionRequested(self) -> bool:
        self._interruption_observed = True
        return self._interruption_requested

    def wait(self, deadline: Any = None) -> bool:
        """True at once when the work is over; otherwise waiting would block the loop: an error."""
        if self._is_active():
            self._cannot_block("wait")
        return True

    @staticmethod
    def setTerminationEnabled(enabled: bool = True) -> None:
        """A task can always be cancelled."""

    def _lifecycle(self, event: str) -> None:
        # A subclass that declares its own `finished` (with arguments) emits it itself.
        owner = next(klass for klass in type(self).__mro__ if event in vars(klass))
        if owner is QThreadTask:
            getattr(self, event).emit()


class QRunnableTask(_WorkerTask):
    """What a ``QRunnable`` subclass becomes: ``worker.start()`` replaces ``pool.start(worker)``."""

    _auto_delete = True

    def start(self) -> None:
        self._start_task()

    def autoDelete(self) -> bool:
        return self._auto_delete

    def setAutoDelete(self, autoDelete: bool) -> None:
        self._auto_delete = autoDelete
