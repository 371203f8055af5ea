"""What a src layout is (issue 15, item 4): a ``src/`` folder WITH ``__init__.py`` is a package of
the root (``src.core``), not a src layout; a folder ``package-dir`` names is one. What the runtime
placement makes of each, run the way the project runs.

The regression case is Be1k0/YuQue-BdT (ec342cd), in minimal form: ``src/`` with its own
``__init__.py`` holding ``core`` and ``libs`` (imported as ``src.core``, ``src.libs``), a root
package ``utils/`` with a ``QThread`` worker that runs a private loop, and ``main.py`` run from the
root. Read as a src layout installing ``core`` and ``libs``, the worker was left "outside the
project's packages (core, libs)"; nothing is installed, the root is on ``sys.path``, and the
runtime goes there.
"""

from __future__ import annotations

import textwrap

import pytest

from .test_runtime_placement import (  # noqa: F401 (fresh_layout_caches: an autouse fixture)
    DROPPED_TASK,
    PYPROJECT,
    TEMPLATE,
    fresh_layout_caches,
    install,
    left_for_a_human,
    make_project,
    migrate,
    read,
    run_python,
    script,
)

CLIENT = textwrap.dedent(
    """\
    import asyncio


    async def fetch(count):
        await asyncio.sleep(0)
        return list(range(count))
    """
)
# utils/async_worker.py's shape: a generic QThread wrapper running a coroutine on a private loop.
ASYNC_WORKER = textwrap.dedent(
    """\
    import asyncio

    from PySide6.QtCore import QThread, Signal


    class AsyncWorker(QThread):
        taskFinished = Signal(object)
        taskError = Signal(object)

        def __init__(self, func, *args):
            super().__init__()
            self.func = func
            self.args = args

        def run(self):
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                result = loop.run_until_complete(self.func(*self.args))
                self.taskFinished.emit(result)
            except Exception as error:
                self.taskError.emit(error)
            finally:
                loop.close()
    """
)
# The entry script, run from the root as `python main.py` (the root goes first on sys.path).
MAIN = textwrap.dedent(
    """\
    import asyncio

    import qasync
    from PySide6.QtCore import QCoreApplication

    from src.core.client import fetch
    from utils import AsyncWorker


    async def main():
        result = asyncio.get_running_loop().create_future()
        worker = AsyncWorker(fetch, 3)
        worker.taskFinished.connect(result.set_result)
        worker.start()
        await result
        while worker.isRunning():
            await asyncio.sleep(0.01)
        print(type(worker).__mro__[1].__name__, result.result())


    if __name__ == "__main__":
        app = QCoreApplication([])
        loop = qasync.QEventLoop(app)
        with loop:
            loop.run_until_complete(main())
    """
)
YUQUE_SHAPED = {
    "src/__init__.py": "",
    "src/core/__init__.py": "",
    "src/core/client.py": CLIENT,
    "src/libs/__init__.py": "",
    "src/libs/log.py": "def log(message):\n    print(message)\n",
    "utils/__init__.py": "from .async_worker import AsyncWorker\n",
    "utils/async_worker.py": ASYNC_WORKER,
    "main.py": MAIN,
}


def test_a_worker_in_a_root_package_beside_a_src_package_imports_a_runtime_at_the_root(
    tmp_path, monkeypatch, capsys
):
    project = make_project(tmp_path, YUQUE_SHAPED)
    assert run_python(project, "main.py") == "QThread [0, 1, 2]\n"

    status, stderr = migrate(project, monkeypatch, capsys)

    assert status == 0, stderr
    assert "left for a human" not in stderr
    assert "created ./loop_runtime.py: TaskManager, LoopGuard and shutdown()" in stderr
    assert not (project / "src" / "loop_runtime.py").exists() and not (project / "utils" / "loop_runtime.py").exists()
    worker = read(project, "utils/async_worker.py")
    assert "from loop_runtime import QThreadTask\n" in worker and "class AsyncWorker(QThreadTask):" in worker
    # The root is on sys.path for the entry script and for `python -c` from the root: both resolve.
    assert run_python(project, "-c", "import utils.async_worker, loop_runtime; print(loop_runtime.QThreadTask)") == (
        "<class 'loop_runtime.QThreadTask'>\n"
    )
    assert run_python(project, "main.py") == "QThreadTask [0, 1, 2]\n"


def test_a_file_inside_the_src_package_imports_the_root_runtime_too(tmp_path, monkeypatch, capsys):
    """Nothing is installed from a `src/` package no metadata declares: its modules, imported as
    `src.core.jobs` by the scripts at the root, share the root's runtime."""
    project = make_project(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/core/__init__.py": "",
            "src/core/jobs.py": DROPPED_TASK,
            "main.py": script("import src.core.jobs  # noqa: F401"),
        },
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 0, stderr
    assert "left for a human" not in stderr
    assert read(project, "loop_runtime.py") == TEMPLATE
    for relative in ("src/core/jobs.py", "main.py"):
        assert "from loop_runtime import TaskManager\n" in read(project, relative), relative
    assert run_python(project, "main.py") == "worked\n"


def test_a_declared_project_with_a_src_package_gets_the_runtime_inside_src(tmp_path, monkeypatch, capsys):
    """With metadata, `src` is the root package a distribution declares: the runtime goes inside it,
    imported as `src.loop_runtime` (not `core.loop_runtime`, which nothing could import)."""
    project = make_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "src/__init__.py": "",
            "src/core/__init__.py": "",
            "src/core/jobs.py": DROPPED_TASK,
        },
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 0, stderr
    assert read(project, "src/loop_runtime.py") == TEMPLATE
    assert "from src.loop_runtime import TaskManager\n" in read(project, "src/core/jobs.py")
    assert not (project / "src" / "core" / "loop_runtime.py").exists()
    run_python(project, "-c", "import asyncio, src.core.jobs as jobs; asyncio.run(jobs.start())")


@pytest.mark.parametrize(
    "metadata",
    [
        {"pyproject.toml": PYPROJECT + '\n[tool.setuptools]\npackage-dir = {"" = "lib"}\n'},
        {"setup.cfg": "[metadata]\nname = desk\n\n[options]\npackage_dir =\n    =lib\n"},
    ],
    ids=["pyproject", "setup.cfg"],
)
def test_a_package_dir_other_than_src_is_a_src_layout(tmp_path, monkeypatch, capsys, metadata):
    """`lib/desk` installed as `desk`: a loose `lib/loop_runtime.py` would not be in the wheel."""
    project = make_project(tmp_path, {**metadata, "lib/desk/__init__.py": "", "lib/desk/jobs.py": DROPPED_TASK})
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 0, stderr
    assert read(project, "lib/desk/loop_runtime.py") == TEMPLATE
    assert not (project / "lib" / "loop_runtime.py").exists()
    assert "from desk.loop_runtime import TaskManager\n" in read(project, "lib/desk/jobs.py")
    site = install(project / "lib" / "desk", tmp_path / "site")
    run_python(site, "-c", "import asyncio, desk.jobs; asyncio.run(desk.jobs.start())", path=site)
