"""Runnable twins: each worker-class shape, run before and after ``loopguard migrate --write``.

``tests/worker_twins/<shape>/`` is a small Qt program with that shape and a fake async service
(``fake_service.py``); ``drive.py`` runs it offscreen under qasync in a fresh process and prints
what it did. The original runs its workers in threads with private loops; the migrated copy
(``loopguard migrate --write`` on a copy, the real command, runtime module scaffolded) must bring
the same reports with the same values, start no thread, run every service call on the one loop of
the main thread, and leave no task pending after ``loop_runtime.shutdown()``.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

TWINS = REPO / "tests" / "worker_twins"
DRIVER = TWINS / "drive.py"

QUOTES = [{"price": 700, "symbol": "KRW-BTC"}, {"price": 700, "symbol": "KRW-ETH"}]
# shape -> (module with Window, files the migration rewrites, reports, threads the original starts,
#           worker tasks still running when the migrated program shuts down)
SHAPES = {
    "qthread_signals": (
        "window",
        ["loaders.py"],
        [["finished", None], ["finished", None], ["loaded", []], ["loaded", QUOTES]],
        ["QThread QuoteLoader", "QThread QuoteLoader", "QThread Heartbeat"],
        ["loaders:Heartbeat:run"],
    ),
    "qrunnable_pool": (
        "jobs",
        ["jobs.py"],
        [
            ["error", "service unavailable"],
            ["result", {"price": 700, "symbol": "KRW-BTC"}],
            ["result", {"price": 700, "symbol": "KRW-XRP"}],
        ],
        ["QThreadPool QuoteJob", "QThreadPool QuoteJob", "QThreadPool QuoteJob"],
        [],
    ),
    # The pools that start the job are in another module: the migration rewrites them too.
    "qrunnable_other_module": (
        "board",
        ["jobs.py", "board.py"],
        [
            ["error", "service unavailable"],
            ["result", {"price": 800, "symbol": "KRW-DOGE"}],
            ["result", {"price": 700, "symbol": "KRW-SOL"}],
        ],
        ["QThreadPool AsyncJob", "QThreadPool AsyncJob", "QThreadPool AsyncJob"],
        [],
    ),
    "thread_callback": (
        "fetchers",
        ["fetchers.py"],
        [["prices", [{"price": 700, "symbol": "KRW-SOL"}]]],
        ["Thread price-fetcher"],
        [],
    ),
    "generic_async_worker": (
        "panel",
        ["async_worker.py"],
        [["error", "service unavailable"], ["finished", {"price": 700, "symbol": "KRW-ADA"}]],
        ["QThread AsyncWorker", "QThread AsyncWorker"],
        [],
    ),
    # The finally cancels and gathers the private loop's tasks and closes it: that cleanup goes.
    "private_loop_cleanup": (
        "panel",
        ["async_worker.py"],
        [["error", "service unavailable"], ["finished", {"price": 700, "symbol": "KRW-DOT"}]],
        ["QThread AsyncWorker", "QThread AsyncWorker"],
        [],
    ),
}


def drive(app_dir: Path, module: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    completed = subprocess.run(
        [sys.executable, str(DRIVER), str(app_dir), module],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def migrate(app_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8_loopguard", "migrate", "--write", "--allow-dirty", "."],
        cwd=app_dir,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        check=False,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """shape -> (the original's run, the migrated copy's run, the migrated copy's folder), made once."""
    done = {}

    def run(shape: str):
        if shape not in done:
            module = SHAPES[shape][0]
            original = tmp_path_factory.mktemp(f"{shape}_original")
            migrated = tmp_path_factory.mktemp(f"{shape}_migrated")
            shutil.copytree(TWINS / shape, original, dirs_exist_ok=True)
            shutil.copytree(TWINS / shape, migrated, dirs_exist_ok=True)
            migration = migrate(migrated)
            assert migration.returncode == 0, migration.stderr  # everything fixed, nothing left
            done[shape] = (drive(original, module), drive(migrated, module), migrated)
        return done[shape]

    return run


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_original_runs_its_workers_in_threads_with_private_loops(runs, shape):
    before, _, _ = runs(shape)
    _, _, reports, threads, _ = SHAPES[shape]
    assert before["all_reports_arrived"] and before["workers_ended"]
    assert before["reports"] == reports
    assert sorted(before["threads_started"]) == sorted(threads)
    assert before["calls_off_the_main_thread"] == len(before["service_calls"]) > 0


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_migrated_program_brings_the_same_reports(runs, shape):
    before, after, _ = runs(shape)
    assert after["all_reports_arrived"]
    assert after["reports"] == before["reports"]
    # The heartbeat beats as long as it runs: how often is not part of the comparison.
    assert sorted(call for call in after["service_calls"] if call != "beat") == sorted(
        call for call in before["service_calls"] if call != "beat"
    )


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_migrated_program_starts_no_thread_and_stays_on_the_one_loop(runs, shape):
    _, after, _ = runs(shape)
    assert after["threads_started"] == []
    assert after["calls_off_the_main_thread"] == after["calls_off_the_main_loop"] == 0


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shutdown_cancels_and_gathers_every_worker_task(runs, shape):
    _, after, _ = runs(shape)
    assert after["live_tasks_before_shutdown"] == SHAPES[shape][4]
    assert after["pending_after_shutdown"] == []


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_only_the_worker_module_changes_and_the_runtime_is_scaffolded(runs, shape):
    """Starters of a QThread/Thread worker in another module need no edit: `worker.start()` stays;
    the pools of another module that start a QRunnable job change with it (`job.start()`)."""
    _, _, migrated = runs(shape)
    changed = sorted(
        path.name
        for path in migrated.glob("*.py")
        if not (TWINS / shape / path.name).exists()
        or path.read_bytes() != (TWINS / shape / path.name).read_bytes()
    )
    assert changed == sorted([*SHAPES[shape][1], "loop_runtime.py"])
    assert "class QThreadTask" in (migrated / "loop_runtime.py").read_text(encoding="utf-8")


# ----- a src/ layout: the runtime goes inside the installed package ------------------------------------


def test_a_worker_in_a_src_layout_package_runs_on_the_runtime_inside_its_package(tmp_path):
    """The QThread twin as the package `quotes` of a src/ layout project. Its worker base is imported
    from the runtime the placement chose for the package (`quotes.loop_runtime`, created with the
    worker bases on PySide6); the program runs from what the wheel installs, the package alone."""
    project = tmp_path / "project"
    package = project / "src" / "quotes"
    package.mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "quotes"\nversion = "1.0"\n', encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(TWINS / "qthread_signals" / "loaders.py", package / "loaders.py")
    window = (TWINS / "qthread_signals" / "window.py").read_text(encoding="utf-8")
    (package / "window.py").write_text(
        window.replace("from loaders import", "from quotes.loaders import"), encoding="utf-8"
    )
    original = tmp_path / "original"
    shutil.copytree(package, original / "quotes")

    migration = migrate(project)

    assert migration.returncode == 0, migration.stderr
    assert "created ./src/quotes/loop_runtime.py: TaskManager, LoopGuard and shutdown()" in migration.stderr
    assert sorted(path.relative_to(project).as_posix() for path in project.rglob("loop_runtime.py")) == [
        "src/quotes/loop_runtime.py"
    ]
    loaders = (package / "loaders.py").read_text(encoding="utf-8")
    assert "from quotes.loop_runtime import QThreadTask\n" in loaders
    assert "class QuoteLoader(QThreadTask):" in loaders and "class Heartbeat(QThreadTask):" in loaders
    runtime = (package / "loop_runtime.py").read_text(encoding="utf-8")
    assert "class QThreadTask" in runtime and "from PySide6.QtCore import QObject, QTimer, Signal" in runtime

    installed = tmp_path / "installed"
    shutil.copytree(package, installed / "quotes")
    before, after = drive(original, "quotes.window"), drive(installed, "quotes.window")
    assert sorted(before["threads_started"]) == sorted(SHAPES["qthread_signals"][3])
    assert after["all_reports_arrived"]
    assert after["reports"] == before["reports"] == SHAPES["qthread_signals"][2]
    assert after["threads_started"] == []
    assert after["calls_off_the_main_thread"] == after["calls_off_the_main_loop"] == 0
    assert after["live_tasks_before_shutdown"] == ["quotes.loaders:Heartbeat:run"]
    assert after["pending_after_shutdown"] == []
