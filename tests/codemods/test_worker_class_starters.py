"""worker_class_to_task across modules: a worker's starters and uses in the other modules of the project.

The plan (``worker_class.starters.plan_starters``) is made once over the project; the worker's
file converts the class, each starter's file rewrites ``pool.start(job)`` to ``job.start()``, and
``loopguard migrate`` keeps the two together: when one cannot, neither changes, and the worker's
note names the other place.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from flake8_loopguard.core.config import Config
from loopguard_codemods.pipeline import migrate_source
from loopguard_codemods.worker_class.starters import StarterPlan, plan_starters

from ..harness import loopguard


def code(text: str) -> str:
    return dedent(text).lstrip("\n")


JOBS = code("""
    import asyncio

    from PySide6.QtCore import QObject, QRunnable, Signal


    class JobSignals(QObject):
        result = Signal(dict)


    class QuoteJob(QRunnable):
        def __init__(self, call, *args):
            super().__init__()
            self.call = call
            self.args = args
            self.signals = JobSignals()

        def run(self):
            loop = asyncio.new_event_loop()
            try:
                self.signals.result.emit(loop.run_until_complete(self.call(*self.args)))
            finally:
                loop.close()
    """)
JOBS_AFTER = code("""
    from PySide6.QtCore import QObject, Signal

    from loop_runtime import QRunnableTask


    class JobSignals(QObject):
        result = Signal(dict)


    class QuoteJob(QRunnableTask):
        def __init__(self, call, *args):
            super().__init__()
            self.call = call
            self.args = args
            self.signals = JobSignals()

        async def run(self):
            self.signals.result.emit(await self.call(*self.args))
    """)
# Kept in a dict by the window, read back through values(), and made inline through `import jobs`.
WINDOW = code("""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QWidget

    import jobs
    from jobs import QuoteJob as Job


    class Window(QWidget):
        def __init__(self, service):
            super().__init__()
            self.service = service
            self.jobs = {}

        def refresh(self):
            for symbol in ("KRW-BTC", "KRW-XRP"):
                self.jobs[symbol] = Job(self.service.quote, symbol)
            for job in self.jobs.values():
                QThreadPool.globalInstance().start(job)
            QThreadPool.globalInstance().start(jobs.QuoteJob(self.service.quote, "KRW-ETH"))
    """)
WINDOW_AFTER = code("""
    from PySide6.QtWidgets import QWidget

    import jobs
    from jobs import QuoteJob as Job


    class Window(QWidget):
        def __init__(self, service):
            super().__init__()
            self.service = service
            self.jobs = {}

        def refresh(self):
            for symbol in ("KRW-BTC", "KRW-XRP"):
                self.jobs[symbol] = Job(self.service.quote, symbol)
            for job in self.jobs.values():
                job.start()
            jobs.QuoteJob(self.service.quote, "KRW-ETH").start()
    """)
LEFT = ("LG401", "LG101", "LG103")  # the worker's findings: at def run, the loop made, the loop run


def write(root: Path, files: dict) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def notes_of(stderr: str, path: str) -> set:
    return {line for line in stderr.splitlines() if line.startswith(f"./{path}:")}


def left_notes(reason: str) -> set:
    lines = {"LG401": 17, "LG101": 18, "LG103": 20}
    return {f"./jobs.py:{lines[code]}: {code} {reason} [worker_class_to_task]" for code in LEFT}


# ----- the plan and each file's part ------------------------------------------------------------


def test_the_pool_starts_of_another_module_become_the_workers_own_start():
    sources = {"jobs.py": JOBS, "window.py": WINDOW}
    plan = plan_starters(sources, Config())
    assert dict(plan.for_path("window.py").starts) == {"Job": "jobs.py:QuoteJob", "jobs.QuoteJob": "jobs.py:QuoteJob"}
    assert dict(plan.workers["jobs.py:QuoteJob"].starters) == {"window.py": "window.py:18"}
    after = {path: migrate_source(text, path, starter_plan=plan) for path, text in sources.items()}
    assert after["jobs.py"].source_after == JOBS_AFTER
    # QThreadPool, no longer used there, goes.
    assert after["window.py"].source_after == WINDOW_AFTER
    assert after["jobs.py"].workers_done == after["window.py"].workers_done == {"jobs.py:QuoteJob"}


def test_a_relative_import_from_a_package_is_followed():
    window = WINDOW.replace("import jobs\nfrom jobs import QuoteJob as Job\n", "from .jobs import QuoteJob as Job\n")
    window = window.replace("jobs.QuoteJob(", "Job(")
    plan = plan_starters({"app/__init__.py": "", "app/jobs.py": JOBS, "app/window.py": window}, Config())
    assert dict(plan.for_path("app/window.py").starts) == {"Job": "app/jobs.py:QuoteJob"}


def test_without_a_worker_nothing_is_read():
    window = WINDOW.replace("import jobs\n", "")
    no_loop = JOBS.replace("loop = asyncio.new_event_loop()", "loop = None").replace("loop.run_until_complete(", "(")
    no_loop = no_loop.replace("loop.close()", "pass")
    assert plan_starters({"window.py": window, "jobs.py": no_loop}, Config()) == StarterPlan()


def test_run_alone_the_codemod_sees_its_module_only():
    """Without the plan (python -m libcst.tool codemod), a pool of another module is not seen."""
    result = migrate_source(JOBS, "jobs.py")
    assert result.source_after == JOBS
    assert {note.reason for note in result.left_for_human} == {
        "no pool starts a QuoteJob in this module: the QThreadPool.start() of another module would be handed a "
        "task, not a QRunnable (starters across modules are not rewritten yet)"
    }


# ----- the command: the worker and its starters together, or neither ------------------------------------


def test_the_command_rewrites_the_worker_and_its_starter_in_another_module(tmp_path):
    write(tmp_path, {"jobs.py": JOBS, "window.py": WINDOW})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert result.status == 0, result.stderr
    assert (tmp_path / "jobs.py").read_text() == JOBS_AFTER
    assert (tmp_path / "window.py").read_text() == WINDOW_AFTER
    assert "class QRunnableTask" in (tmp_path / "loop_runtime.py").read_text()


def test_a_starter_in_a_file_silenced_as_a_whole_stops_the_worker(tmp_path):
    """other.py is not migrated: its pool would be handed a task; the worker stays a QRunnable, and
    window.py, which took the rewrite at first, is migrated again without it."""
    other = code("""
        # flake8: noqa
        from PySide6.QtCore import QThreadPool

        from jobs import QuoteJob


        def go(s):
            QThreadPool.globalInstance().start(QuoteJob(s.quote))
        """)
    write(tmp_path, {"jobs.py": JOBS, "window.py": WINDOW, "other.py": other})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert (tmp_path / "jobs.py").read_text() == JOBS
    assert (tmp_path / "window.py").read_text() == WINDOW
    assert not (tmp_path / "loop_runtime.py").exists()
    assert notes_of(result.stderr, "jobs.py") == left_notes(
        "QuoteJob is started at other.py:8, which cannot be rewritten: other.py is not migrated (# flake8: noqa)"
    )


def test_a_pool_of_another_module_handed_something_unknown_stops_the_worker(tmp_path):
    runner = code("""
        from PySide6.QtCore import QThreadPool

        from jobs import QuoteJob


        def submit(runnable):
            QThreadPool.globalInstance().start(runnable)
        """)
    write(tmp_path, {"jobs.py": JOBS, "window.py": WINDOW, "runner.py": runner})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert (tmp_path / "jobs.py").read_text() == JOBS
    assert (tmp_path / "window.py").read_text() == WINDOW
    assert notes_of(result.stderr, "jobs.py") == left_notes(
        "the pool started at runner.py:7 may be handed a QuoteJob, which then has to start itself"
    )


def test_the_value_of_a_pool_start_in_another_module_is_used(tmp_path):
    window = WINDOW.replace(
        "        QThreadPool.globalInstance().start(jobs.QuoteJob(",
        "        started = QThreadPool.globalInstance().tryStart(jobs.QuoteJob(",
    )
    write(tmp_path, {"jobs.py": JOBS, "window.py": window})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert (tmp_path / "jobs.py").read_text() == JOBS
    assert (tmp_path / "window.py").read_text() == window
    assert notes_of(result.stderr, "jobs.py") == left_notes(
        "the value of QThreadPool.globalInstance().tryStart() at window.py:19 is used"
    )


def test_a_qthread_worker_waited_for_in_another_module_is_left(tmp_path):
    """`loader.wait()` in the window blocks the GUI thread until the thread ends: with the worker a
    task of that same thread's loop, it would never end."""
    loaders = code("""
        import asyncio

        from PySide6.QtCore import QThread, Signal


        class Loader(QThread):
            loaded = Signal(list)

            def run(self):
                self.loaded.emit(asyncio.run(self.fetch()))
        """)
    window = code("""
        from PySide6.QtWidgets import QWidget

        from loaders import Loader


        class Window(QWidget):
            def load(self):
                self.loaders = [Loader()]
                for loader in self.loaders:
                    loader.start()

            def closeEvent(self, event):
                for loader in self.loaders:
                    loader.quit()
                    loader.wait()
        """)
    write(tmp_path, {"loaders.py": loaders, "window.py": window})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert (tmp_path / "loaders.py").read_text() == loaders
    why = (
        "Loader.wait() is called at window.py:15, which blocks until the thread ends; "
        "from synchronous code it has no one-loop meaning"
    )
    assert notes_of(result.stderr, "loaders.py") == {
        f"./loaders.py:9: LG401 {why} [worker_class_to_task]",
        f"./loaders.py:10: LG102 {why} [worker_class_to_task]",
    }


def test_a_thread_worker_joined_in_another_module_is_left(tmp_path):
    syncs = code("""
        import asyncio
        import threading

        from PySide6.QtCore import QObject


        class Sync(threading.Thread):
            def run(self):
                asyncio.run(self.sync())
        """)
    panel = code("""
        import syncs


        def stop_all(names):
            threads = {name: syncs.Sync() for name in names}
            for thread in threads.values():
                thread.join()
        """)
    write(tmp_path, {"syncs.py": syncs, "panel.py": panel})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert (tmp_path / "syncs.py").read_text() == syncs
    why = (
        "Sync.join() is called at panel.py:7, which blocks until the thread ends; "
        "from synchronous code it has no one-loop meaning"
    )
    assert notes_of(result.stderr, "syncs.py") == {
        f"./syncs.py:8: LG401 {why} [worker_class_to_task]",
        f"./syncs.py:9: LG102 {why} [worker_class_to_task]",
    }


# ----- a pool handed a worker or another runnable ---------------------------------------------------

# Shape of diego9621/Mangareader, desktop/controllers/discover_controller.py (public code), in our
# own minimal form: one name holds the loop worker in one branch and a plain QRunnable in the
# other, and the same pool starts it; the pool also starts new instances of a third runnable.
CONTROLLER = code("""
    from PySide6.QtCore import QRunnable, QThreadPool

    from jobs import QuoteJob


    class CoverJob(QRunnable):
        def __init__(self, url):
            super().__init__()
            self.url = url

        def run(self):
            print(self.url)


    class Controller:
        def __init__(self, service, live):
            self.pool = QThreadPool.globalInstance()
            self.service = service
            self.live = live

        def load(self, symbol):
            if self.live:
                job = QuoteJob(self.service.quote, symbol)
            else:
                job = CoverJob(symbol)
            self.pool.start(job)
            self.pool.start(CoverJob("cover"))
    """)


def test_a_name_that_may_hold_another_runnable_stops_the_worker(tmp_path):
    """`job.start()` would fail on a CoverJob: the pool start of `job` is of no known class. The
    pool start of a new CoverJob(...) is not one of the worker's."""
    write(tmp_path, {"jobs.py": JOBS, "controller.py": CONTROLLER})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert (tmp_path / "jobs.py").read_text() == JOBS
    assert (tmp_path / "controller.py").read_text() == CONTROLLER
    assert notes_of(result.stderr, "jobs.py") == left_notes(
        "the pool started at controller.py:26 may be handed a QuoteJob, which then has to start itself"
    )


def test_in_its_own_module_a_name_that_may_hold_another_runnable_is_no_starter_of_the_worker():
    """The same shape in one module: `job.start()` would be written for a CoverJob too."""
    source = JOBS + "\n\n" + CONTROLLER.replace("from jobs import QuoteJob\n", "").replace(
        "from PySide6.QtCore import QRunnable, QThreadPool\n\n\n", ""
    ).replace('        self.pool.start(CoverJob("cover"))\n', "")
    source = source.replace("QObject, QRunnable, Signal", "QObject, QRunnable, QThreadPool, Signal")
    result = migrate_source(source, "jobs.py")
    assert result.source_after == source
    assert {(note.code, note.reason) for note in result.left_for_human} == {
        (code, "the pool started at line 46 may be handed a QuoteJob, which then has to start itself") for code in LEFT
    }


def test_a_runner_that_imports_nothing_of_the_worker_may_be_handed_one(tmp_path):
    """A generic runner hands any runnable to the pool: the window may hand it a QuoteJob."""
    runner = code("""
        from PySide6.QtCore import QThreadPool


        def submit(runnable):
            QThreadPool.globalInstance().start(runnable)
        """)
    write(tmp_path, {"jobs.py": JOBS, "window.py": WINDOW, "runner.py": runner})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert (tmp_path / "jobs.py").read_text() == JOBS
    assert (tmp_path / "window.py").read_text() == WINDOW
    assert notes_of(result.stderr, "jobs.py") == left_notes(
        "the pool started at runner.py:5 may be handed a QuoteJob, which then has to start itself"
    )


def test_a_pool_of_another_module_that_starts_its_own_runnables_is_no_obstacle(tmp_path):
    """`job = SaveJob(path)` then `pool.start(job)`: a pool handed only new instances of another class."""
    saver = code("""
        from PySide6.QtCore import QRunnable, QThreadPool


        class SaveJob(QRunnable):
            def __init__(self, path):
                super().__init__()
                self.path = path

            def run(self):
                print(self.path)


        class Saver:
            def __init__(self):
                self.pool = QThreadPool()

            def save(self, path):
                job = SaveJob(path)
                self.pool.start(job)
        """)
    write(tmp_path, {"jobs.py": JOBS, "window.py": WINDOW, "saver.py": saver})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert result.status == 0, result.stderr
    assert (tmp_path / "jobs.py").read_text() == JOBS_AFTER
    assert (tmp_path / "window.py").read_text() == WINDOW_AFTER
    assert (tmp_path / "saver.py").read_text() == saver


def test_a_worker_its_own_module_leaves_keeps_its_starters_elsewhere(tmp_path):
    """window.py rewrote its pool starts at first; jobs.py then left the class (its module calls
    run() itself), so window.py is migrated again without them."""
    jobs = JOBS + "\n\ndef run_here(call):\n    QuoteJob(call).run()\n"
    write(tmp_path, {"jobs.py": jobs, "window.py": WINDOW})
    result = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert (tmp_path / "jobs.py").read_text() == jobs
    assert (tmp_path / "window.py").read_text() == WINDOW
    assert notes_of(result.stderr, "jobs.py") == left_notes(
        "QuoteJob.run() is called at line 26, which runs the work synchronously; as a coroutine run() must be awaited"
    )
