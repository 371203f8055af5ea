"""The codemods that register tasks import the TaskManager the file's placement chose, and none
where no import of one would resolve (issue 15, item 4): the task is then left, with the reason.
A converted worker class imports its runtime base from the same module, under the same rule.
Where each layout's choice comes from: tests/test_runtime_placement.py."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import ClassVar, Optional

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from loopguard_codemods.base import (
    SCRATCH_CONFIG,
    SCRATCH_TASK_MANAGER_IMPORT,
    HumanNote,
)
from loopguard_codemods.fire_and_forget_to_task_manager import FireAndForgetToTaskManager
from loopguard_codemods.placement import TaskManagerImport, unavailable
from loopguard_codemods.running_branch_to_task import RunningBranchToTask
from loopguard_codemods.worker_class_to_task import WorkerClassToTask

from .helpers import FindingCodemodTest

NO_IMPORT = (
    "outside the project's packages (alpha, beta) and imports none of them: which package's runtime it should "
    "use is for a human to decide (or pass --task-manager module:Name)"
)
INSIDE_THE_PACKAGE = TaskManagerImport("desk.loop_runtime", "TaskManager")


class PlacedCodemodTest(FindingCodemodTest):
    """Runs the codemod with the file's TaskManager import already chosen, as `loopguard migrate` does."""

    CHOICE: ClassVar[Optional[TaskManagerImport]] = None

    def run_codemod(self, source: str, filename: Optional[str] = None) -> "tuple[str, CodemodContext]":
        context = CodemodContext(
            filename=filename or self.FILENAME,
            scratch={SCRATCH_CONFIG: self.CONFIG, SCRATCH_TASK_MANAGER_IMPORT: self.CHOICE},
        )
        try:
            output = self.TRANSFORM(context).transform_module(cst.parse_module(source)).code
        except SkipFile:
            output = source
        return output, context


DROPPED = """
import asyncio


async def start():
    asyncio.create_task(work())
"""

BRANCH = """
import asyncio


class Publisher:
    async def announce(self, event):
        self._publish(event)

    def _publish(self, event):
        loop = asyncio.get_event_loop()
        if loop.is_running():
            loop.create_task(self._send(event))
        else:
            loop.run_until_complete(self._send(event))

    async def _send(self, event):
        await event.send()
"""


class TestFireAndForgetWithoutAnImport(PlacedCodemodTest):
    TRANSFORM = FireAndForgetToTaskManager
    FILENAME = "examples/demo.py"
    CHOICE = unavailable(NO_IMPORT)

    def test_the_task_is_left_with_the_reason(self):
        """No import is written where none would resolve; the summary says why."""
        notes = self.assertCodemod(DROPPED, DROPPED)
        self.assertEqual(notes, [HumanNote(5, "LG201", FireAndForgetToTaskManager.NAME, NO_IMPORT)])


class TestFireAndForgetInsideAPackage(PlacedCodemodTest):
    TRANSFORM = FireAndForgetToTaskManager
    FILENAME = "src/desk/jobs.py"
    CHOICE = INSIDE_THE_PACKAGE

    def test_the_runtime_is_imported_by_its_full_name(self):
        self.assertCodemod(
            DROPPED,
            """
            import asyncio

            from desk.loop_runtime import TaskManager

            _task_manager = TaskManager()


            async def start():
                _task_manager.add_task(asyncio.create_task(work()), name="jobs:start")
            """,
        )


class TestRunningBranchWithoutAnImport(PlacedCodemodTest):
    TRANSFORM = RunningBranchToTask
    FILENAME = "examples/publisher.py"
    CHOICE = unavailable(NO_IMPORT)

    def test_the_branch_is_left_with_the_reason(self):
        notes = self.assertCodemod(BRANCH, BRANCH)
        self.assertEqual(notes, [HumanNote(13, "LG103", RunningBranchToTask.NAME, NO_IMPORT)])


class TestRunningBranchInsideAPackage(PlacedCodemodTest):
    TRANSFORM = RunningBranchToTask
    FILENAME = "src/desk/publisher.py"
    CHOICE = INSIDE_THE_PACKAGE

    def test_the_runtime_is_imported_by_its_full_name(self):
        self.assertCodemod(
            BRANCH,
            """
            import asyncio

            from desk.loop_runtime import TaskManager


            class Publisher:
                _task_manager = TaskManager()

                async def announce(self, event):
                    self._publish(event)

                def _publish(self, event):
                    self._task_manager.add_task(
                        asyncio.get_running_loop().create_task(self._send(event)), name="publisher:Publisher:_publish"
                    )

                async def _send(self, event):
                    await event.send()
            """,
        )


# ----- worker_class_to_task: the worker bases come from the TaskManager's module --------------------------

WORKER = """
import asyncio

from PySide6.QtCore import QThread, Signal


class Loader(QThread):
    loaded = Signal(list)

    def run(self):
        loop = asyncio.new_event_loop()
        self.loaded.emit(loop.run_until_complete(self.fetch()))
        loop.close()
"""
WORKER_CODES = ("LG401", "LG101", "LG103")  # the worker class, its private loop, run_until_complete()


class TestWorkerClassInsideAPackage(PlacedCodemodTest):
    TRANSFORM = WorkerClassToTask
    FILENAME = "src/desk/loaders.py"
    CHOICE = INSIDE_THE_PACKAGE

    def test_the_base_is_imported_from_the_module_chosen_for_the_task_manager(self):
        """In a src/ layout the runtime is inside the package: `from loop_runtime import ...` would
        not resolve once the package is installed."""
        self.assertCodemod(
            WORKER,
            """
            from PySide6.QtCore import Signal

            from desk.loop_runtime import QThreadTask


            class Loader(QThreadTask):
                loaded = Signal(list)

                async def run(self):
                    self.loaded.emit(await self.fetch())
            """,
        )

    def test_a_module_that_binds_the_base_already_keeps_its_worker(self):
        """Importing the runtime's QThreadTask would replace the module's own."""
        source = WORKER.replace("Signal\n", "Signal\n\nfrom legacy.threads import QThreadTask\n", 1)
        notes = self.assertCodemod(source, source)
        reason = (
            "this module already binds QThreadTask (line 5); importing desk.loop_runtime.QThreadTask would replace it"
        )
        self.assertEqual({(note.code, note.reason) for note in notes}, {(code, reason) for code in WORKER_CODES})


class TestWorkerClassWithoutAnImport(PlacedCodemodTest):
    TRANSFORM = WorkerClassToTask
    FILENAME = "examples/loaders.py"
    CHOICE = unavailable(NO_IMPORT)

    def test_the_worker_is_left_with_the_placements_reason(self):
        """No runtime import resolves from here: the worker keeps its thread, as a task would."""
        notes = self.assertCodemod(WORKER, WORKER)
        self.assertEqual({(note.code, note.reason) for note in notes}, {(code, NO_IMPORT) for code in WORKER_CODES})


class TestWorkerClassWithAnExistingModuleWithoutTheBase(PlacedCodemodTest):
    """The project's own TaskManager module (or a runtime an earlier run wrote without the worker
    part) exists without QThreadTask: importing it from there would fail, so the worker is left."""

    TRANSFORM = WorkerClassToTask
    FILENAME = "src/desk/loaders.py"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        folder = Path(tempfile.mkdtemp())
        cls.addClassCleanup(shutil.rmtree, folder)
        cls.MODULE = folder / "desk" / "tasks.py"
        cls.MODULE.parent.mkdir()
        cls.MODULE.write_text("class TaskManager:\n    pass\n", encoding="utf-8")
        cls.CHOICE = TaskManagerImport("desk.tasks", "TaskManager", cls.MODULE, folder, exists=True)

    def test_the_worker_is_left_naming_the_module(self):
        notes = self.assertCodemod(WORKER, WORKER)
        reason = (
            f"desk.tasks ({self.MODULE.as_posix()}) defines no QThreadTask: add the worker bases "
            "(loopguard_codemods/templates/loop_runtime_workers.py) to it, then run again"
        )
        self.assertEqual({(note.code, note.reason) for note in notes}, {(code, reason) for code in WORKER_CODES})
