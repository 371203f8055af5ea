"""Run a small Qt program under qasync, offscreen, in a fresh process (Qt's state is process-wide).

``run_offscreen(app, scenario, folder)`` writes the module under test as ``app.py`` (with the
scaffolded ``loop_runtime.py`` beside it, for a migrated module that imports it) and runs a
driver that makes the one ``QApplication`` and its ``QEventLoop``, runs ``scenario`` (the body
of an ``async def`` that sees the imported ``app`` module and ``until(condition, what)``) on it
and returns what the program printed. An exception a slot raises on the loop (qasync hands it to
``sys.excepthook``), or one that ends the run, is printed as ``raised <Type>: <message>``, so a
crash is part of what a test compares.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from .programs import TEMPLATE

DRIVER = """\
import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication


def report(kind, error, traceback=None):
    print(f"raised {kind.__name__}: {error}", flush=True)


sys.excepthook = report
application = QApplication([])
import app  # noqa: E402  (after the QApplication, as an application imports its widgets)


async def until(condition, what):
    # Worker threads of the unmigrated program report when they are done; wait for them.
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    print(f"gave up waiting for {what}", flush=True)


async def scenario():
{scenario}


# The classic qasync start-up: qasync.run() would also install its loop policy on Python < 3.12,
# and the unmigrated workers' asyncio.new_event_loop() would then make QEventLoops in threads.
loop = qasync.QEventLoop(application)
asyncio.set_event_loop(loop)
try:
    with loop:
{run}
except BaseException as error:
    report(type(error), error)
"""
UNTIL_THE_SCENARIO_ENDS = "        loop.run_until_complete(scenario())"
# The application's own end: Qt quits when its last window closes, and the loop stops with it.
UNTIL_THE_LAST_WINDOW_CLOSES = "        scenario_task = loop.create_task(scenario())\n        loop.run_forever()"


def run_offscreen(app_source: str, scenario: str, folder: Path, until_last_window_closes: bool = False) -> str:
    """What the program printed (stdout), each line as printed. The run ends when the scenario
    does, or, with ``until_last_window_closes``, when Qt quits as the last window closes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(textwrap.dedent(app_source), encoding="utf-8")
    shutil.copyfile(TEMPLATE, folder / "loop_runtime.py")
    body = textwrap.indent(textwrap.dedent(scenario).strip("\n"), "    ")
    run = UNTIL_THE_LAST_WINDOW_CLOSES if until_last_window_closes else UNTIL_THE_SCENARIO_ENDS
    (folder / "driver.py").write_text(DRIVER.replace("{scenario}", body).replace("{run}", run), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, "driver.py"], cwd=folder, capture_output=True, text=True, timeout=120, env=env
    )
    if result.returncode != 0:
        return result.stdout + f"exit {result.returncode}: {result.stderr.strip().splitlines()[-1:]}\n"
    return result.stdout
