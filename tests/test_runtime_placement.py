"""Where the migration's TaskManager import comes from, per project layout (issue 15, item 4).

Each test builds a small project, runs ``loopguard migrate --write`` on it in-process, and checks
the exact import written, the files created and the lines of the summary. Then the migrated
files are RUN as a user runs them (a subprocess: whether an import resolves is the point): the
modules of a package from a copy of what its wheel would install (the package folder alone), the
scripts, tests and examples as scripts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_loopguard.cli import main
from loopguard_codemods import layout, project_task_manager
from loopguard_codemods.base import FindingCodemod
from loopguard_codemods.placement import TaskManagerImport, unresolved_import

from .conftest import REPO

TEMPLATE = (REPO / "codemods" / "templates" / "loop_runtime.py").read_text(encoding="utf-8")

DROPPED_TASK = textwrap.dedent(
    """\
    import asyncio


    async def start():
        asyncio.create_task(work())


    async def work():
        print("worked")
    """
)
# Run as a script, it registers its task through the TaskManager it imports and lets it run.
SCRIPT_MAIN = textwrap.dedent(
    """\


    async def main():
        await start()
        await asyncio.sleep(0)


    if __name__ == "__main__":
        asyncio.run(main())
    """
)
PYPROJECT = '[project]\nname = "desk"\nversion = "1.0"\n'
SHARED_REGISTRY_TASK_MANAGER = textwrap.dedent(
    """\
    import asyncio

    _TASKS = set()


    class TaskManager:
        def add_task(self, task, name=None):
            _TASKS.add(task)
            task.add_done_callback(_TASKS.discard)
            return task

        async def cleanup_all(self):
            for task in list(_TASKS):
                task.cancel()
            await asyncio.gather(*_TASKS, return_exceptions=True)
    """
)
PER_INSTANCE_TASK_MANAGER = textwrap.dedent(
    """\
    import asyncio


    class TaskManager:
        def __init__(self):
            self._tasks = set()

        def add_task(self, task, name=None):
            self._tasks.add(task)
            return task

        async def cleanup_all(self):
            await asyncio.gather(*self._tasks, return_exceptions=True)
    """
)


def script(imports: str = "") -> str:
    """A script with a dropped task, importing ``imports`` first, runnable as ``python file.py``."""
    return (imports + "\n" if imports else "") + DROPPED_TASK + SCRIPT_MAIN


@pytest.fixture(autouse=True)
def fresh_layout_caches():
    """The layout is read once per process; each test's project is new."""
    yield
    for cached in (
        layout._project_root,
        layout.declares_distribution,
        layout.declared_package_dir,
        layout.installed_packages,
        layout.has_packages,
    ):
        cached.cache_clear()
    project_task_manager.project_task_managers.cache_clear()


def make_project(root: Path, files: dict) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def migrate(project: Path, monkeypatch, capsys, *args: str):
    """``loopguard migrate --write ARGS`` run in-process in ``project``: (exit code, stderr)."""
    monkeypatch.chdir(project)
    capsys.readouterr()
    status = main(["migrate", "--write", *args])
    captured = capsys.readouterr()
    return status, captured.err


def left_for_a_human(stderr: str) -> list:
    lines = stderr.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("left for a human"))
    count = int(lines[start].split("(")[1].split(")")[0].split(":")[0])  # `(13)` or `(13: 12 findings, 1 note)`
    return lines[start + 1 : start + 1 + count]


def read(project: Path, relative: str) -> str:
    return (project / relative).read_text(encoding="utf-8")


def install(package: Path, site: Path) -> Path:
    """What a wheel of the project installs: the package folder alone, in a fresh site folder."""
    shutil.copytree(package, site / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    return site


def run_python(cwd: Path, *args: str, path: Path = None) -> str:
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    if path is not None:
        env["PYTHONPATH"] = str(path)
    ran = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=60, env=env)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


# ----- flat scripts ------------------------------------------------------------------------------


def test_flat_scripts_import_a_loose_runtime_beside_them(tmp_path, monkeypatch, capsys):
    """No package: the scripts' folder is their import root; the runtime goes there, as before."""
    project = make_project(tmp_path, {"feeder.py": script(), "poller.py": script()})
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 0, stderr
    assert read(project, "loop_runtime.py") == TEMPLATE
    for name in ("feeder.py", "poller.py"):
        assert "from loop_runtime import TaskManager\n" in read(project, name)
        assert run_python(project, name) == "worked\n"
    assert "created ./loop_runtime.py: TaskManager, LoopGuard and shutdown()" in stderr


def test_a_flat_projects_test_shares_the_runtime_of_the_modules_it_imports(tmp_path, monkeypatch, capsys):
    """tests/test_feeder.py imports `feeder` from the root: the root is on its path, so is the runtime there."""
    project = make_project(
        tmp_path, {"feeder.py": script(), "tests/test_feeder.py": script("import feeder  # noqa: F401")}
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 0, stderr
    assert not (project / "tests" / "loop_runtime.py").exists()
    assert "from loop_runtime import TaskManager\n" in read(project, "tests/test_feeder.py")
    # As `python -m pytest` runs it from the root: the root on the path.
    assert run_python(project, "tests/test_feeder.py", path=project) == "worked\n"


def test_the_project_is_never_looked_for_above_the_current_directory(tmp_path):
    """What is above the current directory is not what the user migrates, and a git clone that is
    no Python project (pyenv's, holding whole Python installations) is no project at all: neither
    becomes the tree whose files are read for a TaskManager."""
    work = tmp_path / "work"
    (work / "scripts").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    assert layout.project_root(work / "scripts", cwd=tmp_path / "elsewhere") == work / "scripts"
    layout._project_root.cache_clear()
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    assert layout.project_root(work / "scripts", cwd=work) == work
    assert layout.project_root(work / "scripts", cwd=tmp_path / "elsewhere") == tmp_path


# ----- installed packages --------------------------------------------------------------------------


def test_a_src_layout_gets_the_runtime_inside_its_package(tmp_path, monkeypatch, capsys):
    """A src/ package is installed: its files, its tests and its examples import `desk.loop_runtime`."""
    project = make_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "src/desk/__init__.py": "",
            "src/desk/jobs.py": DROPPED_TASK,
            "src/desk/ui/__init__.py": "",
            "src/desk/ui/panel.py": DROPPED_TASK,
            "tests/test_jobs.py": script("from desk import jobs  # noqa: F401"),
            "examples/demo.py": script(),
        },
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 0, stderr
    assert read(project, "src/desk/loop_runtime.py") == TEMPLATE
    assert not (project / "src" / "loop_runtime.py").exists()
    assert not (project / "loop_runtime.py").exists()
    for relative in ("src/desk/jobs.py", "src/desk/ui/panel.py", "tests/test_jobs.py", "examples/demo.py"):
        assert "from desk.loop_runtime import TaskManager\n" in read(project, relative), relative
    assert "created ./src/desk/loop_runtime.py: TaskManager, LoopGuard and shutdown()" in stderr

    site = install(project / "src" / "desk", tmp_path / "site")
    code = "import asyncio, desk.jobs, desk.ui.panel; asyncio.run(desk.ui.panel.start())"
    run_python(site, "-c", code, path=site)
    assert run_python(project / "tests", "test_jobs.py", path=site) == "worked\n"
    assert run_python(project / "examples", "demo.py", path=site) == "worked\n"


@pytest.mark.parametrize(
    "metadata",
    [
        {"pyproject.toml": PYPROJECT},
        {"setup.cfg": "[metadata]\nname = desk\n"},
        {"setup.py": "from setuptools import setup\nsetup(name='desk')\n"},
    ],
    ids=["pyproject", "setup.cfg", "setup.py"],
)
def test_a_declared_root_package_gets_the_runtime_inside_it(tmp_path, monkeypatch, capsys, metadata):
    """Its wheel ships `desk/`, not a loose module beside it; a script at the root imports `desk`'s runtime."""
    project = make_project(
        tmp_path,
        {**metadata, "desk/__init__.py": "", "desk/jobs.py": DROPPED_TASK, "run.py": script("import desk.jobs")},
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 0, stderr
    assert read(project, "desk/loop_runtime.py") == TEMPLATE
    assert not (project / "loop_runtime.py").exists()
    assert "from desk.loop_runtime import TaskManager\n" in read(project, "desk/jobs.py")
    assert "from desk.loop_runtime import TaskManager\n" in read(project, "run.py")
    site = install(project / "desk", tmp_path / "site")
    run_python(site, "-c", "import asyncio, desk.jobs; asyncio.run(desk.jobs.start())", path=site)
    assert run_python(project, "run.py") == "worked\n"


def test_a_file_outside_several_packages_that_imports_none_is_left_for_a_human(tmp_path, monkeypatch, capsys):
    project = make_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "alpha/__init__.py": "",
            "beta/__init__.py": "",
            "examples/demo.py": script(),
        },
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 1
    assert read(project, "examples/demo.py") == script()
    assert not list(project.rglob("loop_runtime.py"))
    assert left_for_a_human(stderr) == [
        "./examples/demo.py:5: LG201 outside the project's packages (alpha, beta) and imports none of them: which "
        "package's runtime it should use is for a human to decide (or pass --task-manager module:Name) "
        "[fire_and_forget_to_task_manager]"
    ]


def test_a_new_top_level_module_named_by_task_manager_is_refused_in_an_installed_project(tmp_path, monkeypatch, capsys):
    """`--task-manager runtime:TaskManager` would create src/runtime.py, which the wheel would not ship."""
    project = make_project(
        tmp_path, {"pyproject.toml": PYPROJECT, "src/desk/__init__.py": "", "src/desk/jobs.py": DROPPED_TASK}
    )
    status, stderr = migrate(project, monkeypatch, capsys, "--task-manager", "runtime:TaskManager")
    assert status == 1
    assert read(project, "src/desk/jobs.py") == DROPPED_TASK
    assert left_for_a_human(stderr) == [
        "./src/desk/jobs.py:5: LG201 runtime does not exist, and a new top-level module would not be installed with "
        "the project's package: name a module inside it (--task-manager desk.runtime:TaskManager) "
        "[fire_and_forget_to_task_manager]"
    ]
    status, stderr = migrate(project, monkeypatch, capsys, "--task-manager", "desk.runtime:TaskManager")
    assert status == 0, stderr
    assert "from desk.runtime import TaskManager\n" in read(project, "src/desk/jobs.py")
    assert read(project, "src/desk/runtime.py") == TEMPLATE


# ----- a package run from the checkout ---------------------------------------------------------------


def test_an_undeclared_root_package_keeps_a_loose_runtime_at_the_root(tmp_path, monkeypatch, capsys):
    """Nothing installs `app`: it runs from the root (`python main.py`), where the runtime goes. A test
    that imports `app` reaches the root; one that imports nothing of the project does not."""
    project = make_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/jobs.py": DROPPED_TASK,
            "main.py": script("import app.jobs  # noqa: F401"),
            "tests/test_app.py": script("import app.jobs  # noqa: F401"),
            "tests/test_alone.py": script(),
        },
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 1
    assert read(project, "loop_runtime.py") == TEMPLATE
    for relative in ("app/jobs.py", "main.py", "tests/test_app.py"):
        assert "from loop_runtime import TaskManager\n" in read(project, relative), relative
    assert read(project, "tests/test_alone.py") == script()
    assert left_for_a_human(stderr) == [
        "./tests/test_alone.py:5: LG201 outside the project's packages, none of which pyproject.toml, setup.py or "
        "setup.cfg declares, and imports none of them: no runtime module would resolve from here "
        "[fire_and_forget_to_task_manager]"
    ]
    assert run_python(project, "main.py") == "worked\n"
    run_python(project, "-c", "import asyncio, app.jobs; asyncio.run(app.jobs.start())")
    assert run_python(project, "tests/test_app.py", path=project) == "worked\n"


# ----- a TaskManager the project already has ---------------------------------------------------------


def test_the_projects_own_task_manager_is_used_where_it_is(tmp_path, monkeypatch, capsys):
    project = make_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "src/desk/__init__.py": "",
            "src/desk/core/__init__.py": "",
            "src/desk/core/tasks.py": SHARED_REGISTRY_TASK_MANAGER,
            "src/desk/jobs.py": DROPPED_TASK,
            "tests/conftest.py": "class TaskManager:\n    pass\n",  # a test double never serves the application
        },
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 0, stderr
    assert "from desk.core.tasks import TaskManager\n" in read(project, "src/desk/jobs.py")
    assert not list(project.rglob("loop_runtime.py"))
    site = install(project / "src" / "desk", tmp_path / "site")
    run_python(site, "-c", "import asyncio, desk.jobs; asyncio.run(desk.jobs.start())", path=site)


def test_task_manager_option_wins_over_the_projects_own(tmp_path, monkeypatch, capsys):
    project = make_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "src/desk/__init__.py": "",
            "src/desk/tasks.py": SHARED_REGISTRY_TASK_MANAGER,
            "src/desk/jobs.py": DROPPED_TASK,
        },
    )
    status, stderr = migrate(project, monkeypatch, capsys, "--task-manager", "desk.runtime:Tasks")
    assert status == 0, stderr
    assert "from desk.runtime import Tasks\n" in read(project, "src/desk/jobs.py")
    assert read(project, "src/desk/runtime.py") == TEMPLATE + "\n\nTasks = TaskManager\n"


def test_two_usable_task_managers_are_for_a_human_to_choose_between(tmp_path, monkeypatch, capsys):
    project = make_project(
        tmp_path,
        {
            "tasks.py": SHARED_REGISTRY_TASK_MANAGER,
            "jobs_runtime.py": SHARED_REGISTRY_TASK_MANAGER,
            "jobs.py": script(),
        },
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 1
    assert read(project, "jobs.py") == script()
    assert left_for_a_human(stderr) == [
        "./jobs.py:5: LG201 several classes named TaskManager could serve this file (jobs_runtime.TaskManager, "
        "tasks.TaskManager): choose one with --task-manager module:Name [fire_and_forget_to_task_manager]"
    ]


def test_a_task_manager_with_another_api_is_never_called_through_the_runtimes(tmp_path, monkeypatch, capsys):
    """Its instances keep their own tasks: the runtime is scaffolded instead, and the summary says why;
    a module that imports the project's class keeps it, and its task is left."""
    feed = "from desk.tasks import TaskManager\n\n" + DROPPED_TASK + "\n\nMANAGER = TaskManager()\n"
    project = make_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "src/desk/__init__.py": "",
            "src/desk/tasks.py": PER_INSTANCE_TASK_MANAGER,
            "src/desk/jobs.py": DROPPED_TASK,
            "src/desk/feed.py": feed,
        },
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 1
    assert "from desk.loop_runtime import TaskManager\n" in read(project, "src/desk/jobs.py")
    assert read(project, "src/desk/loop_runtime.py") == TEMPLATE
    assert read(project, "src/desk/feed.py") == feed
    assert left_for_a_human(stderr) == [
        "./src/desk/feed.py:7: LG201 this module already binds TaskManager (line 1); importing "
        "desk.loop_runtime.TaskManager would replace it [fire_and_forget_to_task_manager]",
        "./src/desk/tasks.py:4: note the rewritten code imports desk.loop_runtime.TaskManager instead of this class: "
        "each instance keeps its own tasks (self._tasks): the managers the rewrite creates, one per class, would "
        "escape the application's cleanup_all() [scaffold]",
    ]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("    def spawn(self, coro):\n        pass\n", "it defines no add_task()"),
        ("    def add_task(self, task):\n        return task\n", "its add_task() does not take (task, name=...)"),
        (
            "    def add_task(self, task, name=None):\n        pass\n\n"
            "    async def cleanup_all(self):\n        pass\n",
            "its add_task() does not return the task it registers",
        ),
        ("    def add_task(self, task, name=None):\n        return task\n", "it defines no cleanup_all()"),
        (
            "    def __init__(self, loop):\n        self.loop = loop\n",
            "TaskManager() needs arguments, and the rewrite creates one without any",
        ),
    ],
    ids=["no-add_task", "no-name", "no-return", "no-cleanup_all", "needs-arguments"],
)
def test_why_a_project_task_manager_is_passed_over(tmp_path, monkeypatch, capsys, body, why):
    project = make_project(tmp_path, {"tasks.py": "class TaskManager:\n" + body, "jobs.py": DROPPED_TASK})
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 1
    assert "from loop_runtime import TaskManager\n" in read(project, "jobs.py")
    assert left_for_a_human(stderr) == [
        f"./tasks.py:1: note the rewritten code imports loop_runtime.TaskManager instead of this class: {why} "
        "[scaffold]"
    ]


def test_a_note_on_the_project_is_counted_apart_from_the_findings(tmp_path, monkeypatch, capsys):
    """The summary's counts match the findings table: a note on the project's own TaskManager is
    listed with the findings left, and counted as a note."""
    body = "    def spawn(self, coro):\n        pass\n"
    project = make_project(tmp_path, {"tasks.py": "class TaskManager:\n" + body, "jobs.py": DROPPED_TASK})
    _status, stderr = migrate(project, monkeypatch, capsys)
    lines = stderr.splitlines()
    assert "left for a human (1: 0 findings, 1 note):" in lines
    assert lines[-1].endswith(" 0 findings and 1 note left for a human (listed above).")


def test_an_existing_runtime_module_with_another_task_manager_is_not_imported(tmp_path, monkeypatch, capsys):
    own = "class TaskManager:\n    def submit(self, coro):\n        pass\n"
    project = make_project(tmp_path, {"loop_runtime.py": own, "jobs.py": DROPPED_TASK})
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 1
    assert read(project, "jobs.py") == DROPPED_TASK
    assert left_for_a_human(stderr) == [
        "./jobs.py:5: LG201 loop_runtime.TaskManager (loop_runtime.py:1) cannot serve the rewritten code: it defines "
        "no add_task() [fire_and_forget_to_task_manager]"
    ]


# ----- never an import that does not resolve -------------------------------------------------------


@pytest.mark.parametrize("leftover", [{}, {"loop_runtime.py": TEMPLATE}], ids=["no-module", "loose-module-at-root"])
def test_an_added_import_that_does_not_resolve_refuses_the_file(tmp_path, monkeypatch, capsys, leftover):
    """A codemod that ignored the file's choice (here: the import the migration wrote before placement
    existed) is caught after the rewrite: the file stays as it was and is listed. A loose module at
    the root (an earlier run's) is not in the wheel: the import added for it proves nothing."""
    monkeypatch.setattr(FindingCodemod, "task_manager_spec", lambda self: "loop_runtime:TaskManager")
    project = make_project(
        tmp_path,
        {"pyproject.toml": PYPROJECT, "src/desk/__init__.py": "", "src/desk/jobs.py": DROPPED_TASK, **leftover},
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 2
    assert read(project, "src/desk/jobs.py") == DROPPED_TASK
    assert not list((project / "src").rglob("loop_runtime.py"))
    # (`./` or not before the path is the summary's business, not this test's)
    assert stderr.splitlines()[0].removeprefix("./") == (
        "src/desk/jobs.py: the rewrite would import loop_runtime, which does not resolve from this file; "
        "left unchanged"
    )


def test_a_worker_base_from_the_runtime_the_run_creates_resolves(tmp_path):
    """The safety net takes a worker base imported from the chosen module, which the run creates with
    the worker part; a name the template does not define would not resolve."""
    project = make_project(tmp_path, {"pyproject.toml": PYPROJECT, "src/desk/__init__.py": ""})
    path = project / "src" / "desk" / "loaders.py"
    runtime = project / "src" / "desk" / "loop_runtime.py"
    choice = TaskManagerImport("desk.loop_runtime", "TaskManager", runtime, project / "src")
    before = "import asyncio\n"
    worker_base = before + "from desk.loop_runtime import QThreadTask\n"
    assert unresolved_import(path, before, worker_base, choice, project) is None
    assert unresolved_import(path, before, before + "from desk.loop_runtime import Helper\n", choice, project) == (
        "the rewrite would import Helper from desk.loop_runtime, which this run creates without it"
    )


CONVERTED_WORKER = textwrap.dedent(
    """\
    from PySide6.QtCore import Signal
    from desk.loop_runtime import QThreadTask


    class Loader(QThreadTask):
        loaded = Signal(list)

        async def run(self):
            self.loaded.emit([1])
    """
)


def test_a_rerun_creates_the_missing_runtime_with_the_worker_bases_a_file_imports(tmp_path, monkeypatch, capsys):
    """A worker converted by a run stopped before it wrote the runtime: the rerun changes nothing
    in the file but creates the module inside the package, with the Qt worker bases it imports."""
    project = make_project(
        tmp_path,
        {"pyproject.toml": PYPROJECT, "src/desk/__init__.py": "", "src/desk/loaders.py": CONVERTED_WORKER},
    )
    status, stderr = migrate(project, monkeypatch, capsys)
    assert status == 0, stderr
    assert read(project, "src/desk/loaders.py") == CONVERTED_WORKER
    assert "created ./src/desk/loop_runtime.py: TaskManager, LoopGuard and shutdown()" in stderr
    runtime = read(project, "src/desk/loop_runtime.py")
    assert "class QThreadTask" in runtime and "from PySide6.QtCore import QObject, QTimer, Signal" in runtime
    site = install(project / "src" / "desk", tmp_path / "site")
    assert run_python(site, "-c", "import desk.loaders; print(desk.loaders.Loader.__mro__[1].__name__)", path=site) == (
        "QThreadTask\n"
    )


# ----- one codemod alone: python -m libcst.tool codemod ------------------------------------------------


def readme_codemod_config() -> str:
    """The .libcst.codemod.yaml the README gives for running one codemod alone."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("```yaml\n", readme.index("One codemod alone")) + len("```yaml\n")
    return readme[start : readme.index("```", start)]


def run_codemod_alone(project: Path, *paths: str) -> subprocess.CompletedProcess:
    (project / ".libcst.codemod.yaml").write_text(readme_codemod_config(), encoding="utf-8")
    codemod = "fire_and_forget_to_task_manager.FireAndForgetToTaskManager"
    return subprocess.run(
        [sys.executable, "-m", "libcst.tool", "codemod", codemod, *paths],
        cwd=project, capture_output=True, text=True, timeout=120,
    )


def test_a_codemod_alone_imports_the_runtime_only_where_it_exists(tmp_path):
    project = make_project(tmp_path, {"jobs.py": DROPPED_TASK})
    ran = run_codemod_alone(project, "jobs.py")
    assert ran.returncode == 0, ran.stderr
    assert read(project, "jobs.py") == DROPPED_TASK
    assert (
        "WARNING: line 5: LG201 left for a human: loop_runtime (loop_runtime.py) does not exist yet: "
        "`loopguard migrate` creates it, a codemod run alone cannot\n"
    ) in ran.stderr
    assert not (project / "loop_runtime.py").exists()


def test_a_codemod_alone_imports_an_existing_runtime_by_its_full_name(tmp_path):
    project = make_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "src/desk/__init__.py": "",
            "src/desk/loop_runtime.py": TEMPLATE,
            "src/desk/jobs.py": DROPPED_TASK,
        },
    )
    ran = run_codemod_alone(project, "src")
    assert ran.returncode == 0, ran.stderr
    assert read(project, "src/desk/jobs.py") == (
        "import asyncio\n\nfrom desk.loop_runtime import TaskManager\n\n_task_manager = TaskManager()\n"
        + DROPPED_TASK.replace("import asyncio\n", "").replace(
            "    asyncio.create_task(work())",
            '    _task_manager.add_task(asyncio.create_task(work()), name="desk.jobs:start")',
        )
    )
    site = install(project / "src" / "desk", tmp_path / "site")
    run_python(site, "-c", "import asyncio, desk.jobs; asyncio.run(desk.jobs.start())", path=site)
