"""A registration longer than the project's line length is wrapped as black wraps a call."""

from __future__ import annotations

import tempfile
from pathlib import Path

from loopguard_codemods.fire_and_forget_to_task_manager import FireAndForgetToTaskManager

from .helpers import FindingCodemodTest


class TestLongRegistrations(FindingCodemodTest):
    TRANSFORM = FireAndForgetToTaskManager

    def assertCodemodInProject(self, config: str, before: str, after: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            name, _, text = config.partition("\n")
            (Path(folder) / name).write_text(text)
            self.assertCodemod(before, after, filename=str(Path(folder) / "desk.py"))

    def test_arguments_on_their_own_line_then_one_a_line(self):
        """`[tool.black] line-length = 100`: a registration that fits stays on its line; one whose
        arguments fit on one line gets them there (its comment after the closing parenthesis); one
        whose arguments do not gets one a line with black's trailing comma."""
        self.assertCodemodInProject(
            "pyproject.toml\n[tool.black]\nline-length = 100\n",
            """
            import asyncio


            class Feed:
                def start(self):
                    asyncio.ensure_future(self.poll())

                async def watch(self, symbol):
                    asyncio.create_task(self.subscribe(symbol))  # keeps the book fresh
                    backup = asyncio.create_task(self.refresh_backup(symbol, interval=5, retries=3))
                    return backup
            """,
            """
            import asyncio

            from loop_runtime import TaskManager


            class Feed:
                _task_manager = TaskManager()

                def start(self):
                    self._task_manager.add_task(asyncio.ensure_future(self.poll()), name="desk:Feed:start")

                async def watch(self, symbol):
                    self._task_manager.add_task(
                        asyncio.create_task(self.subscribe(symbol)), name="desk:Feed:watch"
                    )  # keeps the book fresh
                    backup = self._task_manager.add_task(
                        asyncio.create_task(self.refresh_backup(symbol, interval=5, retries=3)),
                        name="desk:Feed:watch#2",
                    )
                    return backup
            """,
        )

    def test_flake8_max_line_length_and_a_nested_registration_left_to_the_formatter(self):
        """`[flake8] max-line-length = 60` in setup.cfg. Inside a lambda the registration stays on
        one line: black would split the outer call first, which is the formatter's business."""
        self.assertCodemodInProject(
            "setup.cfg\n[flake8]\nmax-line-length = 60\n",
            """
            import asyncio


            def wire(button, screen):
                button.clicked.connect(lambda: asyncio.ensure_future(screen.reload()))


            async def start(job):
                asyncio.create_task(job())
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            def wire(button, screen):
                button.clicked.connect(lambda: _task_manager.add_task(asyncio.ensure_future(screen.reload()), name="desk:wire"))


            async def start(job):
                _task_manager.add_task(
                    asyncio.create_task(job()), name="desk:start"
                )
            """,
        )
