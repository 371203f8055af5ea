"""Task registration after the merge of the placement (issue 15, item 4) with the registration
safety rules (item 2): ``register_task`` refuses whatever ``registration_problem`` refuses, the
class-attribute manager is created from the class the placement chose (the project's own one,
imported relatively, included), and a worker converted by ``worker_class_to_task`` no longer
runs a private loop, so the tasks its coroutines make are registered by the next codemod."""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, SkipFile

from loopguard_codemods.base import (
    DEFAULT_TASK_MANAGER,
    SCRATCH_CONFIG,
    SCRATCH_TASK_MANAGER,
    SCRATCH_TASK_MANAGER_IMPORT,
    FindingCodemod,
    TaskManagerUnavailable,
    TaskRegistrationRefused,
)
from loopguard_codemods.fire_and_forget_to_task_manager import FireAndForgetToTaskManager
from loopguard_codemods.pipeline import migrate_source
from loopguard_codemods.placement import TaskManagerImport, unavailable

from .helpers import FindingCodemodTest


class RegisterWithoutAsking(FindingCodemod):
    """A codemod that forgets to ask ``registration_problem`` before ``register_task``."""

    NAME = "register_without_asking"
    fixes = ("LG201",)

    def rewrite(self, node, finding):
        return self.register_task(node, finding)


def register_without_asking(source: str, choice: "TaskManagerImport | None" = None) -> str:
    scratch = {SCRATCH_TASK_MANAGER: DEFAULT_TASK_MANAGER} if choice is None else {SCRATCH_TASK_MANAGER_IMPORT: choice}
    context = CodemodContext(filename="app/jobs.py", scratch=scratch)
    return RegisterWithoutAsking(context).transform_module(cst.parse_module(textwrap.dedent(source))).code


def test_register_task_refuses_a_manager_of_the_codes_own():
    source = """
        import asyncio

        class Jobs:
            def __init__(self):
                self._task_manager = JobRegistry()

            def start(self):
                asyncio.ensure_future(work())
    """
    with pytest.raises(TaskRegistrationRefused, match=r"self\._task_manager is the code's own manager \(line 6\)"):
        register_without_asking(source)


def test_register_task_refuses_a_file_no_import_resolves_from():
    source = """
        import asyncio

        def start():
            asyncio.ensure_future(work())
    """
    with pytest.raises(TaskManagerUnavailable, match="no import here"):
        register_without_asking(source, unavailable("no import here"))


def test_register_task_refuses_code_a_private_loop_runs():
    source = """
        import asyncio
        import threading

        def worker():
            loop = asyncio.new_event_loop()
            loop.run_until_complete(fetch())

        async def fetch():
            asyncio.ensure_future(audit())

        threading.Thread(target=worker).start()
    """
    with pytest.raises(TaskRegistrationRefused, match=r"private event loop of worker\(\)"):
        register_without_asking(source)


class TestTheProjectsTaskManagerImportedRelatively(FindingCodemodTest):
    """The placement chose the project's ``desk.tasks.TaskManager``; the file imports it as
    ``from .tasks import TaskManager``: that is the same class, not one of the module's own."""

    TRANSFORM = FireAndForgetToTaskManager

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        folder = Path(tempfile.mkdtemp())
        cls.addClassCleanup(shutil.rmtree, folder)
        package = folder / "desk"
        package.mkdir()
        (package / "__init__.py").write_text("", encoding="utf-8")
        module = package / "tasks.py"
        module.write_text("class TaskManager:\n    pass\n", encoding="utf-8")
        cls.FILENAME = str(package / "jobs.py")
        cls.CHOICE = TaskManagerImport("desk.tasks", "TaskManager", module, folder, exists=True)

    def run_codemod(self, source, filename=None):
        context = CodemodContext(
            filename=filename or self.FILENAME,
            scratch={SCRATCH_CONFIG: self.CONFIG, SCRATCH_TASK_MANAGER_IMPORT: self.CHOICE},
        )
        try:
            return self.TRANSFORM(context).transform_module(cst.parse_module(source)).code, context
        except SkipFile:
            return source, context

    def test_the_class_gets_a_manager_of_that_class(self):
        self.assertCodemod(
            """
            import asyncio

            from .tasks import TaskManager


            class Jobs:
                def start(self):
                    asyncio.ensure_future(work())
            """,
            """
            import asyncio

            from .tasks import TaskManager


            class Jobs:
                _task_manager = TaskManager()

                def start(self):
                    self._task_manager.add_task(
                        asyncio.ensure_future(work()), name="desk.jobs:Jobs:start"
                    )
            """,
        )


WORKER_WITH_A_TASK = """
import asyncio

from PySide6.QtCore import QThread, Signal


class Loader(QThread):
    loaded = Signal(list)

    def run(self):
        loop = asyncio.new_event_loop()
        self.loaded.emit(loop.run_until_complete(self.fetch()))
        loop.close()

    async def fetch(self):
        asyncio.ensure_future(self.audit())
        return [1]

    async def audit(self):
        pass
"""


def test_a_converted_workers_tasks_are_registered():
    """worker_class_to_task runs first; the code is linted again, and fetch() runs on the one loop
    now: fire_and_forget_to_task_manager registers its task."""
    result = migrate_source(WORKER_WITH_A_TASK, "app/loaders.py")
    before = {(finding.line, finding.code): finding.private_loop_worker for finding in result.findings_before}
    assert before[(16, "LG201")] == "Loader.run"
    assert result.fixes == {"worker_class_to_task": 3, "fire_and_forget_to_task_manager": 1}
    assert "class Loader(QThreadTask):\n    loaded = Signal(list)\n    _task_manager = TaskManager()\n" in (
        result.source_after
    )
    assert (
        '        self._task_manager.add_task(asyncio.ensure_future(self.audit()), name="loaders:Loader:fetch")\n'
        in result.source_after
    )
    assert result.left_for_human == []


def test_a_worker_left_as_it_is_keeps_its_tasks_unregistered():
    """Without worker_class_to_task the loop stays private, and so does the task."""
    result = migrate_source(WORKER_WITH_A_TASK, "app/loaders.py", selected=["fire_and_forget_to_task_manager"])
    assert not result.changed
    notes = [(note.line, note.code, note.reason) for note in result.left_for_human if note.code == "LG201"]
    assert notes == [
        (
            16,
            "LG201",
            "the code runs on the private event loop of Loader.run() in another thread: "
            "a task registered here would belong to that loop; fix the worker first",
        )
    ]
