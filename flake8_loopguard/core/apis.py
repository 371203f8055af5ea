"""The APIs the rules know, one table per family: what loopguard means by a loop factory, a
task factory, a thread, a Qt binding, a blocking call or a loop-bound resource. The rules, the
prefilter, the whole-project pass and the codemods all read these tables, none keeps its own."""

from __future__ import annotations

from functools import lru_cache
from typing import Tuple

QT_BINDINGS = frozenset({"PyQt5", "PyQt6", "PySide2", "PySide6", "qtpy"})
QT_STAR_MODULES = frozenset(f"{binding}.{module}" for binding in QT_BINDINGS for module in ("QtCore", "QtWidgets", "QtGui"))
# `asyncio.events.new_event_loop` is `asyncio.new_event_loop`: the package re-exports them all.
ASYNCIO_SUBMODULES = frozenset(
    {
        "base_events", "events", "futures", "locks", "queues", "runners", "tasks", "taskgroups",
        "timeouts", "coroutines", "streams", "subprocess", "unix_events", "windows_events",
        "selector_events", "proactor_events",
    }
)  # fmt: skip
# What `from M import *` brings for the modules the rules know (asyncio's list is read from the
# running Python, on first need, plus the newer names a target program may use).
STAR_EXPORTS = {
    "qasync": frozenset({"QEventLoop", "QThreadExecutor", "asyncSlot", "asyncClose", "asyncWrap", "run"}),
    "uvloop": frozenset({"new_event_loop", "run", "install", "Loop", "EventLoopPolicy"}),
}
STAR_MODULES = frozenset({"asyncio", *STAR_EXPORTS})


@lru_cache(maxsize=None)
def star_exports(module: str) -> frozenset:
    if module == "asyncio":
        import asyncio  # only a module with `from asyncio import *` pays for this import

        return frozenset(asyncio.__all__) | {"Runner", "TaskGroup", "timeout"}
    return STAR_EXPORTS.get(module, frozenset())
QT_STAR_NAMES = frozenset({"Signal", "Slot", "pyqtSignal", "pyqtSlot", "SignalInstance", "qApp"})

# Builtins a rule may ask about; any other unbound name resolves to nothing.
BUILTINS_OF_INTEREST = frozenset({"input", "object"})

LOOP_FACTORIES = frozenset(
    {
        "asyncio.new_event_loop",
        "asyncio.SelectorEventLoop",
        "asyncio.ProactorEventLoop",
        "uvloop.new_event_loop",
        "qasync.QEventLoop",
    }
)
LOOP_RUNNERS = frozenset({"asyncio.run", "asyncio.Runner", "qasync.run", "uvloop.run"})
LOOP_DRIVER_METHODS = frozenset({"run_until_complete", "run_forever"})
LOOP_GETTERS = frozenset({"asyncio.get_event_loop", "asyncio.get_running_loop"})
LOOP_SOURCES = LOOP_GETTERS | LOOP_FACTORIES  # calls whose result is an event loop
# Classes that are event loops: a subclass is a loop's own implementation (its calls on `self`
# and `super()` are the loop driving itself), and instantiating a subclass makes a loop; a
# receiver annotated with one of them is a loop.
LOOP_CLASSES = frozenset(
    {
        "asyncio.AbstractEventLoop",
        "asyncio.BaseEventLoop",
        "asyncio.BaseSelectorEventLoop",  # asyncio.selector_events
        "asyncio.BaseProactorEventLoop",  # asyncio.proactor_events
        "asyncio.SelectorEventLoop",
        "asyncio.ProactorEventLoop",
        "qasync.QEventLoop",
        "qasync.QSelectorEventLoop",
        "qasync.QIOCPEventLoop",
        "uvloop.Loop",
    }
)
# Event loop policies, and the methods in which a policy makes the loop it exists to make.
LOOP_POLICY_CLASSES = frozenset(
    {
        "asyncio.AbstractEventLoopPolicy",
        "asyncio.BaseDefaultEventLoopPolicy",
        "asyncio.DefaultEventLoopPolicy",
        "uvloop.EventLoopPolicy",
        "qasync.DefaultQEventLoopPolicy",
    }
)
LOOP_POLICY_METHODS = frozenset({"new_event_loop", "get_event_loop"})
TASK_FACTORIES = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
# The same functions by their own names, as a call spells them on any receiver
# (`loop.create_task(...)`, `aio.get_event_loop()`): what the codemods match in a libcst tree.
LOOP_GETTER_NAMES = frozenset(name.rpartition(".")[2] for name in LOOP_GETTERS)
TASK_FACTORY_NAMES = frozenset(name.rpartition(".")[2] for name in TASK_FACTORIES)
TASK_MANAGER_METHODS = frozenset({"add_task", "create", "create_task", "spawn"})
# Calls that return a Future which is no Task (``ensure_future`` hands it back as it is): by
# the name a call spells them with, on any receiver.
FUTURE_FACTORY_NAMES = frozenset(
    {"gather", "shield", "wrap_future", "run_in_executor", "create_future", "run_coroutine_threadsafe"}
)
TASK_GROUP_FACTORIES = frozenset({"asyncio.TaskGroup"})
ASYNC_SLOT_DECORATORS = frozenset({"qasync.asyncSlot", "qtinter.asyncslot"})
# An application that vendors qasync names its copy the same way.
ASYNC_SLOT_NAMES = frozenset({"asyncSlot", "asyncslot"})
# qasync's close-handler decorator: it runs the coroutine to its end while Qt processes events.
ASYNC_CLOSE_DECORATORS = frozenset({"qasync.asyncClose"})
FUNCTOOLS_PARTIAL = "functools.partial"
# Methods that call a callable later and throw its result away; the value is the index of the
# callable among the positional arguments (None: the first argument that is a callable).
CALLBACK_TAKERS = {
    "connect": 0,
    "singleShot": None,
    "call_soon": 0,
    "call_soon_threadsafe": 0,
    "call_later": 1,
    "call_at": 1,
    "add_signal_handler": 1,
}

# ----- annotations ------------------------------------------------------------------

# `Optional[X]`, `Union[X, None]`: each member is a type the annotated name may hold.
TYPING_UNIONS = frozenset(
    {"typing.Optional", "typing.Union", "typing_extensions.Optional", "typing_extensions.Union"}
)  # fmt: skip
# `Annotated[X, ...]`, `Final[X]`, `ClassVar[X]`: the first argument is the type.
TYPING_WRAPPERS = frozenset(
    f"{module}.{name}" for module in ("typing", "typing_extensions") for name in ("Annotated", "Final", "ClassVar")
)
# An annotation that says nothing of what the name holds.
ANY_TYPES = frozenset({"typing.Any", "typing_extensions.Any", "builtins.object"})

# Calls on a task that keep nothing alive: a name read only by them is no owner.
WEAK_TASK_METHODS = frozenset({"add_done_callback", "set_name"})

# ----- Qt ---------------------------------------------------------------------------

QT_MODULES = QT_BINDINGS | {"qasync", "qtinter"}  # a module importing one of these is a Qt program
SIGNAL_FACTORIES = frozenset({"Signal", "pyqtSignal", "SignalInstance"})
APPLICATION_CLASSES = frozenset({"Qt.QApplication", "Qt.QGuiApplication", "Qt.QCoreApplication", "qasync.QApplication"})

# ----- threads and blocking calls -----------------------------------------------------

THREAD_BASES = frozenset({"threading.Thread", "Qt.QThread", "Qt.QRunnable"})

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
TO_THREAD = "await asyncio.to_thread(...)"
ASYNC_CLIENT = "await asyncio.to_thread(...) or an async client"
SUBPROCESS = "asyncio.create_subprocess_exec() or await asyncio.to_thread(...)"

# Blocking functions, and what to write instead.
BLOCKING_CALLS = {
    "time.sleep": "await asyncio.sleep()",
    "urllib.request.urlopen": TO_THREAD,
    "builtins.input": "await asyncio.to_thread(input, ...)",
    "urllib3.request": ASYNC_CLIENT,
    "os.system": SUBPROCESS,
    "os.popen": SUBPROCESS,
    **{f"os.{name}": TO_THREAD for name in ("wait", "waitpid", "wait3", "wait4", "waitid")},
    **{f"requests.{verb}": ASYNC_CLIENT for verb in HTTP_VERBS},
    **{f"httpx.{verb}": "httpx.AsyncClient" for verb in HTTP_VERBS},
    **{
        f"subprocess.{name}": SUBPROCESS
        for name in ("run", "call", "check_call", "check_output", "getoutput", "getstatusoutput")
    },
}
# Blocking methods of the objects these factories make: (factories, methods, instead)
BLOCKING_METHODS = (
    (("requests.Session", "requests.session", "requests.sessions.Session"), HTTP_VERBS + ("send",), ASYNC_CLIENT),
    (("httpx.Client",), HTTP_VERBS + ("send", "stream"), "httpx.AsyncClient"),
    (("urllib3.PoolManager", "urllib3.ProxyManager", "urllib3.HTTPConnectionPool", "urllib3.HTTPSConnectionPool",
      "urllib3.poolmanager.PoolManager", "urllib3.poolmanager.ProxyManager",
      "urllib3.connectionpool.HTTPConnectionPool", "urllib3.connectionpool.HTTPSConnectionPool"),
     ("request", "urlopen", "request_encode_url", "request_encode_body"), ASYNC_CLIENT),
)  # fmt: skip
# (argument position, keyword) of the callable handed to a worker thread
THREAD_CALLS = {"threading.Thread": (1, "target"), "asyncio.to_thread": (0, None)}
# ... and to an executor: a worker thread, unless the executor is known to be a process pool
EXECUTOR_METHODS = {"submit": (0, "fn"), "run_in_executor": (1, None)}
RUN_IN_EXECUTOR = "run_in_executor"  # its executor is the first argument (None: the loop's threads)
# Calls that hand a coroutine or a callable to a loop from another thread: (position of the loop
# argument, None for the receiver; position of what is handed over).
THREADSAFE_SUBMISSIONS = {"asyncio.run_coroutine_threadsafe": (1, 0), "call_soon_threadsafe": (None, 0)}

# ----- other processes ----------------------------------------------------------------
# A function handed to another process is that process's entry point: its loop is the child's one.

# (argument position, keyword) of the callable a new process runs
PROCESS_CALLS = {"multiprocessing.Process": (1, "target"), "multiprocessing.context.Process": (1, "target")}
# `ctx = multiprocessing.get_context("spawn")`: `ctx.Process(target=f)` and `ctx.Pool()` are processes too
PROCESS_CONTEXT_FACTORIES = frozenset({"multiprocessing.get_context", "multiprocessing.context.get_context"})
CONTEXT_PROCESS, CONTEXT_POOL = "Process", "Pool"  # a context's classes that start processes
# A subclass's run() is what the child process runs.
PROCESS_BASES = frozenset(
    {"multiprocessing.Process", "multiprocessing.context.Process", "multiprocessing.process.BaseProcess"}
)
# Executors and pools whose workers are other processes (a ThreadPoolExecutor, `multiprocessing.pool.ThreadPool`
# and `multiprocessing.dummy.Pool` are threads; an executor of unknown kind is taken for threads).
PROCESS_POOL_CLASSES = frozenset(
    {
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.process.ProcessPoolExecutor",
        "multiprocessing.Pool",
        "multiprocessing.pool.Pool",
    }
)
# (argument position, keyword) of the initializer each worker process of a pool runs first
PROCESS_POOL_INITIALIZERS = {
    "concurrent.futures.ProcessPoolExecutor": (2, "initializer"),
    "concurrent.futures.process.ProcessPoolExecutor": (2, "initializer"),
    "multiprocessing.Pool": (1, "initializer"),
    "multiprocessing.pool.Pool": (1, "initializer"),
}
# (argument position, keyword) of the callable a process pool runs, by method
PROCESS_POOL_METHODS = {
    "submit": (0, "fn"),  # ProcessPoolExecutor
    **{
        name: (0, "func")  # multiprocessing.Pool; `map` is also ProcessPoolExecutor's
        for name in ("apply", "apply_async", "map", "map_async", "imap", "imap_unordered", "starmap", "starmap_async")
    },
}

# ----- loop-bound resources ---------------------------------------------------------

LOOP_BOUND_FACTORIES: Tuple[str, ...] = (
    "aiohttp.ClientSession",
    "aiohttp.TCPConnector",
    "grpc.aio.insecure_channel",
    "grpc.aio.secure_channel",
    "grpc.aio.server",
    "httpx.AsyncClient",
    "redis.asyncio.Redis",
    "redis.asyncio.Redis.from_url",
    "redis.asyncio.from_url",
)

ASYNCIO_PRIMITIVES: Tuple[str, ...] = tuple(
    "asyncio." + name
    for name in ("Lock", "Event", "Condition", "Semaphore", "BoundedSemaphore", "Queue", "PriorityQueue", "LifoQueue")
)

# ----- GUI main loops other than Qt's -------------------------------------------------

# Functions that run a GUI toolkit's own main loop on the calling (main) thread until the
# window closes: a program that calls one cannot give its main thread to an asyncio loop.
GUI_MAIN_LOOP_FUNCTIONS = frozenset(
    {
        "tkinter.mainloop",
        "dearpygui.dearpygui.start_dearpygui",
        "gi.repository.Gtk.main",
        "pyglet.app.run",
    }
)
# Methods that do the same on a toolkit's object (`root.mainloop()` in Tk, `app.MainLoop()` in wx).
GUI_MAIN_LOOP_METHODS = frozenset({"mainloop", "MainLoop"})
