"""The codemods that register tasks import the TaskManager the file's placement chose, and none
where no import of one would resolve (issue 15, item 4): the task is then left, with the reason.
Where each layout's choice comes from: tests/test_runtime_placement.py."""

from __future__ import annotations

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
    def publish(self, event):
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
        self.assertEqual(notes, [HumanNote(10, "LG103", RunningBranchToTask.NAME, NO_IMPORT)])


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
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self._task_manager = TaskManager()

                def publish(self, event):
                    self._task_manager.add_task(asyncio.get_running_loop().create_task(self._send(event)), name="publisher:Publisher:publish")

                async def _send(self, event):
                    await event.send()
            """,
        )
