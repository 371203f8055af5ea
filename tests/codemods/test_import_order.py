"""Imports a rewrite adds go where isort would put them (codemods/import_order.py), and only they move."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

from loopguard_codemods.blocking_to_async import BlockingToAsync
from loopguard_codemods.connected_coroutine_to_async_slot import ConnectedCoroutineToAsyncSlot
from loopguard_codemods.fire_and_forget_to_task_manager import FireAndForgetToTaskManager
from loopguard_codemods.get_event_loop_to_running_loop import GetEventLoopToRunningLoop
from loopguard_codemods.project_style import DEFAULT_LINE_LENGTH, _style_of

from .helpers import FindingCodemodTest


class TestAStdlibImportJoinsItsGroup(FindingCodemodTest):
    TRANSFORM = BlockingToAsync

    def test_asyncio_goes_first_in_the_stdlib_group_not_after_the_last_import(self):
        """`import asyncio` sorts before `import os`: it opens the stdlib group, which keeps the
        blank line above it; the third-party and local groups stay as they were."""
        self.assertCodemod(
            """
            \"\"\"Quotes.\"\"\"

            import os
            import time

            import requests

            from .config import URL


            async def wait():
                time.sleep(float(os.environ["DELAY"]))
                return requests, URL, time.monotonic()
            """,
            """
            \"\"\"Quotes.\"\"\"

            import asyncio
            import os
            import time

            import requests

            from .config import URL


            async def wait():
                await asyncio.sleep(float(os.environ["DELAY"]))
                return requests, URL, time.monotonic()
            """,
        )


class TestAThirdPartyImportJoinsItsGroup(FindingCodemodTest):
    TRANSFORM = ConnectedCoroutineToAsyncSlot
    FILENAME = "panel.py"

    def test_qasync_sorts_between_the_qt_lines_and_the_first_party_group(self):
        """`from qasync import asyncSlot` after `from PySide6...` in the third-party group, not
        after the file's last import; a comment above a line stays with that line."""
        self.assertCodemod(
            """
            import logging

            # the Qt binding of the desk
            from PySide6.QtWidgets import QWidget
            from yaml import safe_load

            from .store import Store


            class CoinList(QWidget):
                def __init__(self):
                    super().__init__()
                    self.refresh_button.clicked.connect(self._refresh)

                async def _refresh(self):
                    await Store().load(logging, safe_load)
            """,
            """
            import logging

            # the Qt binding of the desk
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot
            from yaml import safe_load

            from .store import Store


            class CoinList(QWidget):
                def __init__(self):
                    super().__init__()
                    self.refresh_button.clicked.connect(self._refresh)

                @asyncSlot()
                async def _refresh(self):
                    await Store().load(logging, safe_load)
            """,
        )


class TestANameJoinsItsLine(FindingCodemodTest):
    TRANSFORM = GetEventLoopToRunningLoop

    def test_a_name_goes_where_it_sorts_in_an_existing_from_line(self):
        """`from asyncio import gather, wait` + get_running_loop -> `gather, get_running_loop, wait`
        (libcst put it first); the `get_event_loop` the rewrite leaves unused goes."""
        self.assertCodemod(
            """
            from asyncio import gather, get_event_loop, wait


            async def run(jobs):
                loop = get_event_loop()
                return await wait([gather(*jobs)]), loop
            """,
            """
            from asyncio import gather, get_running_loop, wait


            async def run(jobs):
                loop = get_running_loop()
                return await wait([gather(*jobs)]), loop
            """,
        )


class TestTheProjectsSettings(FindingCodemodTest):
    TRANSFORM = FireAndForgetToTaskManager

    def test_ruff_known_first_party_and_the_runtime_module_are_first_party(self):
        """`[tool.ruff.lint.isort] known-first-party = ["shop"]`: `import shop` is first party, so
        `from loop_runtime import TaskManager` (the module migrate creates, first party too) joins
        its group, after it (isort puts `import x` lines before `from x import` lines)."""
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "pyproject.toml").write_text('[tool.ruff.lint.isort]\nknown-first-party = ["shop"]\n')
            self.assertCodemod(
                """
                import asyncio

                import aiohttp

                import shop

                from .settings import URL


                async def start():
                    asyncio.create_task(shop.sync(aiohttp, URL))
                """,
                """
                import asyncio

                import aiohttp

                import shop
                from loop_runtime import TaskManager

                from .settings import URL

                _task_manager = TaskManager()


                async def start():
                    _task_manager.add_task(
                        asyncio.create_task(shop.sync(aiohttp, URL)), name="app:start"
                    )
                """,
                filename=str(root / "app.py"),
            )

    def test_a_new_section_gets_a_group_of_its_own(self):
        """No first-party import yet: the TaskManager's line opens a group after the third-party one."""
        with tempfile.TemporaryDirectory() as folder:
            self.assertCodemod(
                """
                import asyncio

                import aiohttp


                async def start():
                    asyncio.create_task(aiohttp.request("GET", "/"))
                """,
                """
                import asyncio

                import aiohttp

                from loop_runtime import TaskManager

                _task_manager = TaskManager()


                async def start():
                    _task_manager.add_task(
                        asyncio.create_task(aiohttp.request("GET", "/")), name="app:start"
                    )
                """,
                filename=str(Path(folder) / "app.py"),
            )


def test_a_joined_line_longer_than_the_line_length_is_wrapped_as_black_does(tmp_path):
    """A name joined to a `from` line that then passes the project's line length: parentheses, one name a line."""
    import libcst as cst
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    from loopguard_codemods.import_order import IsortPlacedImports

    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 50\n")
    context = CodemodContext(filename=str(tmp_path / "panel.py"))
    AddImportsVisitor.add_needed_import(context, "PySide6.QtCore", "Slot")
    source = "from PySide6.QtCore import QObject, QTimer, Signal\n\nx = 1\n"
    output = IsortPlacedImports(context).transform_module(cst.parse_module(source)).code
    assert output == textwrap.dedent(
        """\
        from PySide6.QtCore import (
            QObject,
            QTimer,
            Signal,
            Slot,
        )

        x = 1
        """
    )


def test_the_line_length_is_the_formatters_then_flake8s_then_blacks_default(tmp_path):
    def length(files):
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        root.mkdir()
        for name, text in files.items():
            (root / name).write_text(text)
        return _style_of(root).line_length

    assert length({}) == DEFAULT_LINE_LENGTH == 88
    assert length({"pyproject.toml": "[tool.black]\nline-length = 100\n[tool.ruff]\nline-length = 120\n"}) == 100
    assert length({"pyproject.toml": "[tool.ruff]\nline-length = 120\n"}) == 120
    assert length({"setup.cfg": "[flake8]\nmax-line-length = 99\n"}) == 99
    assert length({"tox.ini": "[flake8]\nmax_line_length = 110\n"}) == 110
    assert length({".flake8": "[flake8]\nmax-line-length = 79\n", "pyproject.toml": "[tool.isort]\nprofile = 'black'\n"}) == 79


def test_an_isort_setting_isort_refuses_sorts_as_if_there_were_none(tmp_path):
    """`profile = "nosuchprofile"` makes isort raise: the black profile applies, no traceback."""
    (tmp_path / "pyproject.toml").write_text('[tool.isort]\nprofile = "nosuchprofile"\n')
    style = _style_of(tmp_path)
    assert (style.isort_config.profile, style.line_length) == ("black", 88)
    assert style.section("asyncio") == "STDLIB"
