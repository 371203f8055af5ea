"""The worker part of the scaffolded runtime module: the bases a converted worker class derives from.

``worker_class_to_task`` turns a ``QThread``/``QRunnable``/``threading.Thread`` subclass into a
``QThreadTask``/``QRunnableTask``/``ThreadTask`` whose ``run()`` is a coroutine; these tests run the
module exactly as ``loopguard migrate`` renders it (the template, the worker part, the Qt part on
the project's binding) and check the lifecycle callers rely on.
"""

import asyncio
import importlib.util
import sys
import threading

import pytest

from flake8_loopguard.core.config import Config
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.rules import all_rules
from loopguard_codemods.placement import TaskManagerImport
from loopguard_codemods.scaffold import (
    TEMPLATE,
    RuntimeParts,
    RuntimeUser,
    TaskManagerTarget,
    plan_runtime_module,
    render_template,
    runtime_parts,
)

TARGET = TaskManagerTarget("loop_runtime", "TaskManager")
EVERY_RULE = Config(opt_in_codes=tuple(rule.code for rule in all_rules()))


def load(parts, tmp_path, name):
    path = tmp_path / f"{name}.py"
    path.write_text(render_template(TARGET, parts), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # the task names read the class's module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def plain(tmp_path):
    """The runtime of a project without Qt: the worker part without its Qt part."""
    yield load(RuntimeParts(workers=True), tmp_path, "plain_runtime")
    sys.modules.pop("plain_runtime", None)


@pytest.fixture
def qt(tmp_path, monkeypatch):
    """The runtime of a PySide6 project, and a qasync loop to run a scenario on."""
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    yield load(RuntimeParts(workers=True, qt_binding="PySide6"), tmp_path, "qt_runtime")
    sys.modules.pop("qt_runtime", None)


def on_qasync(scenario):
    """Run ``scenario()`` (a coroutine function) on a qasync loop; the loop is closed afterwards."""
    import qasync
    from PySide6.QtWidgets import QApplication

    loop = qasync.QEventLoop(QApplication.instance())
    try:
        return loop.run_until_complete(scenario())
    finally:
        loop.close()


# ----- rendering ---------------------------------------------------------------------------------


def test_without_workers_the_module_is_the_template():
    assert render_template(TARGET) == TEMPLATE.read_text(encoding="utf-8")


def test_the_worker_part_leaves_qt_out_of_a_project_without_qt():
    text = render_template(TARGET, RuntimeParts(workers=True))
    assert text.startswith(TEMPLATE.read_text(encoding="utf-8") + "\n\n# ----- Workers:")
    assert "class ThreadTask(_WorkerTask):" in text
    assert "QtCore" not in text and "class QThreadTask" not in text and "class QRunnableTask" not in text


@pytest.mark.parametrize(
    ("binding", "line"),
    [
        ("PySide6", "from PySide6.QtCore import QObject, QTimer, Signal  # noqa: E402"),
        ("PySide2", "from PySide2.QtCore import QObject, QTimer, Signal  # noqa: E402"),
        ("PyQt5", "from PyQt5.QtCore import QObject, QTimer, pyqtSignal as Signal  # noqa: E402"),
        ("PyQt6", "from PyQt6.QtCore import QObject, QTimer, pyqtSignal as Signal  # noqa: E402"),
        ("qtpy", "from qtpy.QtCore import QObject, QTimer, Signal  # noqa: E402"),
    ],
)
def test_the_qt_part_is_written_on_the_projects_binding(binding, line):
    text = render_template(TARGET, RuntimeParts(workers=True, qt_binding=binding))
    assert [row for row in text.splitlines() if "QtCore import" in row] == [line]


@pytest.mark.parametrize("parts", [RuntimeParts(workers=True), RuntimeParts(workers=True, qt_binding="PySide6")])
def test_the_rendered_module_passes_its_own_linter_with_every_rule_on(parts):
    assert check_source(render_template(TARGET, parts), "loop_runtime.py", EVERY_RULE) == []


def test_the_parts_follow_what_the_rewritten_files_import():
    qt_worker = "from PyQt5.QtCore import pyqtSignal\nfrom loop_runtime import QThreadTask\n"
    thread_worker = "import threading\nfrom loop_runtime import ThreadTask\n"
    thread_worker_in_qt = "from PySide6.QtWidgets import QWidget\nfrom loop_runtime import ThreadTask\n"
    tasks_only = "from PySide6.QtCore import QObject\nfrom loop_runtime import TaskManager\n"
    assert runtime_parts(TARGET, [tasks_only]) == RuntimeParts()
    assert runtime_parts(TARGET, [tasks_only, thread_worker]) == RuntimeParts(workers=True)
    assert runtime_parts(TARGET, [thread_worker_in_qt]) == RuntimeParts(workers=True, qt_binding="PySide6")
    assert runtime_parts(TARGET, [tasks_only, qt_worker]) == RuntimeParts(workers=True, qt_binding="PyQt5")


# ----- QThreadTask -------------------------------------------------------------------------------


def test_qthread_task_emits_started_and_finished_around_its_coroutine(qt):
    from PySide6.QtCore import Signal

    class Loader(qt.QThreadTask):
        loaded = Signal(list)

        async def run(self):
            seen.append(("running", self.isRunning(), self.isFinished()))
            await asyncio.sleep(0)
            self.loaded.emit([1, 2, 3])

    seen = []

    async def scenario():
        loader = Loader()
        loader.started.connect(lambda: seen.append("started"))
        loader.loaded.connect(lambda rows: seen.append(("loaded", rows)))
        # As in QThread: in a slot of `finished`, the worker no longer runs.
        loader.finished.connect(lambda: seen.append(("finished", loader.isRunning(), loader.isFinished())))
        assert not loader.isFinished()
        loader.start()
        loader.start()  # starting a running worker does nothing
        assert loader.isRunning()
        await asyncio.sleep(0.05)
        assert threading.active_count() == 1

    on_qasync(scenario)
    assert seen == ["started", ("running", True, False), ("loaded", [1, 2, 3]), ("finished", False, True)]


def test_a_finished_signal_of_the_subclass_is_emitted_by_its_own_run_only(qt):
    """Real workers redeclare `finished = Signal(object)` and emit the result on it."""
    from PySide6.QtCore import Signal

    class AsyncWorker(qt.QThreadTask):
        finished = Signal(object)

        async def run(self):
            await asyncio.sleep(0)
            self.finished.emit({"rows": 2})

    results = []

    async def scenario():
        worker = AsyncWorker()
        worker.finished.connect(results.append)
        worker.start()
        await asyncio.sleep(0.05)
        assert worker.isFinished()

    on_qasync(scenario)
    assert results == [{"rows": 2}]


def test_request_interruption_lets_a_polling_run_end_by_itself(qt):
    from PySide6.QtCore import Signal

    class Poller(qt.QThreadTask):
        polled = Signal(int)

        async def run(self):
            count = 0
            while not self.isInterruptionRequested():
                count += 1
                await asyncio.sleep(0.01)
            self.polled.emit(count)  # after the loop: still runs

    counts = []

    async def scenario():
        poller = Poller()
        poller.polled.connect(counts.append)
        poller.start()
        await asyncio.sleep(0.05)
        poller.requestInterruption()
        assert poller.isInterruptionRequested()
        await asyncio.sleep(0.05)
        assert poller.isFinished()

    on_qasync(scenario)
    assert len(counts) == 1 and counts[0] > 0


def test_request_interruption_cancels_a_run_that_never_polls_and_quit_cancels(qt):
    class Sleeper(qt.QThreadTask):
        async def run(self):
            await asyncio.Event().wait()

    async def scenario():
        interrupted, quitted = Sleeper(), Sleeper()
        ended = []
        interrupted.finished.connect(lambda: ended.append("interrupted"))
        quitted.finished.connect(lambda: ended.append("quitted"))
        interrupted.start()
        quitted.start()
        await asyncio.sleep(0.01)
        interrupted.requestInterruption()
        quitted.quit()
        await asyncio.sleep(0.01)
        assert (interrupted.isFinished(), quitted.isFinished()) == (True, True)
        return ended

    assert sorted(on_qasync(scenario)) == ["interrupted", "quitted"]


def test_wait_is_an_error_while_the_work_runs_and_true_once_it_is_over(qt):
    class Sleeper(qt.QThreadTask):
        async def run(self):
            await asyncio.sleep(0.01)

    async def scenario():
        sleeper = Sleeper()
        sleeper.start()
        with pytest.raises(RuntimeError, match=r"Sleeper.wait\(\) would block the one event loop"):
            sleeper.wait()
        await asyncio.sleep(0.05)
        assert sleeper.wait() is True

    on_qasync(scenario)


def test_a_worker_started_before_the_loop_runs_starts_once_it_runs(qt):
    import qasync
    from PySide6.QtWidgets import QApplication

    class Early(qt.QThreadTask):
        async def run(self):
            ran.append(asyncio.get_running_loop())

    ran = []
    early = Early()
    loop = qasync.QEventLoop(QApplication.instance())
    try:
        early.start()  # start-up code: no loop runs yet
        assert early.isRunning() and ran == []
        loop.run_until_complete(asyncio.sleep(0.05))
    finally:
        loop.close()
    assert ran == [loop] and early.isFinished()


def test_shutdown_cancels_and_gathers_a_running_worker_under_its_name(qt):
    class Streamer(qt.QThreadTask):
        async def run(self):
            await asyncio.Event().wait()

    async def scenario():
        streamer = Streamer()
        streamer.start()
        await asyncio.sleep(0)
        [task] = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        assert task.get_name() == f"{__name__}:{Streamer.__qualname__}:run"
        await qt.TaskManager().cleanup_all()
        assert task.cancelled() and streamer.isFinished()

    on_qasync(scenario)


# ----- QRunnableTask -----------------------------------------------------------------------------


def test_qrunnable_task_starts_itself_and_keeps_auto_delete(qt):
    class Job(qt.QRunnableTask):
        def __init__(self, rows):
            super().__init__()
            self.setAutoDelete(False)
            self.rows = rows

        async def run(self):
            await asyncio.sleep(0)
            done.append(self.rows)

    done = []

    async def scenario():
        job = Job([1])
        assert job.autoDelete() is False
        job.start()
        job.start()  # a runnable may be started again, as a pool would run it again
        await asyncio.sleep(0.05)

    on_qasync(scenario)
    assert done == [[1], [1]]


# ----- ThreadTask --------------------------------------------------------------------------------


def test_thread_task_takes_threads_arguments_and_starts_once(plain):
    class Refresher(plain.ThreadTask):
        def __init__(self):
            super().__init__(name="token-refresher", daemon=True)

        async def run(self):
            await asyncio.sleep(0)

    async def scenario():
        refresher = Refresher()
        assert (refresher.name, refresher.daemon, refresher.is_alive()) == ("token-refresher", True, False)
        refresher.start()
        assert refresher.is_alive()
        with pytest.raises(RuntimeError, match=r"Refresher.join\(\) would block"):
            refresher.join()
        with pytest.raises(RuntimeError, match="threads can only be started once"):
            refresher.start()
        await asyncio.sleep(0.01)
        assert not refresher.is_alive()
        refresher.join()  # over: returns at once

    asyncio.run(scenario())


def test_thread_task_before_the_loop_needs_the_declared_main_loop(plain):
    class Early(plain.ThreadTask):
        async def run(self):
            ran.append(True)

    ran = []
    with pytest.raises(RuntimeError, match=r"declare the loop first with LoopGuard\(\)\.set_main\(loop\)"):
        Early().start()
    loop = asyncio.new_event_loop()
    try:
        plain.LoopGuard().set_main(loop)
        Early().start()
        loop.run_until_complete(asyncio.sleep(0.01))
    finally:
        loop.close()
    assert ran == [True]


def test_cancel_task_stops_the_work_and_a_start_not_yet_run(plain):
    class Forever(plain.ThreadTask):
        async def run(self):
            await asyncio.Event().wait()

    async def scenario():
        worker = Forever()
        worker.start()
        await asyncio.sleep(0)
        worker.cancel_task()
        await asyncio.sleep(0)
        assert not worker.is_alive()

    asyncio.run(scenario())


def test_qt_part_is_only_for_the_main_thread(qt):
    class Early(qt.QThreadTask):
        async def run(self):
            pass

    errors = []

    def from_a_thread():
        try:
            Early().start()
        except RuntimeError as error:
            errors.append(str(error))

    thread = threading.Thread(target=from_a_thread)
    thread.start()
    thread.join()
    assert errors == [f"{Early.__qualname__}.start() called off the main thread"]


def test_the_planned_runtime_module_has_the_parts_its_importers_need(tmp_path):
    """Each module to create gets the parts its own users import: the worker bases on their binding
    for the module the worker file imports, the template alone for one only a task registration uses."""
    workers_module = tmp_path / "app" / "loop_runtime.py"
    tasks_module = tmp_path / "scripts" / "loop_runtime.py"
    worker = "from PyQt5.QtCore import pyqtSignal\nfrom loop_runtime import QThreadTask\n"
    tasks = "from loop_runtime import TaskManager\n"
    users = [
        RuntimeUser(TaskManagerImport("loop_runtime", "TaskManager", module, module.parent), True, source)
        for module, source in ((workers_module, worker), (tasks_module, tasks))
    ]
    new_files, notes = plan_runtime_module(users)
    assert notes == []
    assert [(new_file.path, new_file.content) for new_file in new_files] == [
        (workers_module, render_template(TARGET, RuntimeParts(workers=True, qt_binding="PyQt5"))),
        (tasks_module, render_template(TARGET)),
    ]


def test_an_existing_runtime_module_without_the_worker_bases_is_noted(tmp_path):
    """A file that imports a worker base from a runtime module that exists without it (what an earlier
    run wrote, edited since): nothing is created, the module is named for a human."""
    module = tmp_path / "loop_runtime.py"
    module.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    after = "from PySide6.QtCore import Signal\nfrom loop_runtime import QRunnableTask\n"
    choice = TaskManagerImport("loop_runtime", "TaskManager", module, tmp_path, exists=True)
    new_files, notes = plan_runtime_module([RuntimeUser(choice, False, after)])
    assert new_files == []
    assert [(note.path, note.line, note.reason) for note in notes] == [
        (module, 1, "the rewritten code imports QRunnableTask from here; define it")
    ]
