"""The Qt slot and application codemods judged by the program: each small Qt program runs
offscreen before and after its migration (``migrate_source`` with the one codemod), in a fresh
process (Qt state is process-wide), and prints what its slots did as JSON.

- ``connected_coroutine_to_async_slot``: before, Qt creates the connected coroutines and drops
  them (their bodies never run, Python warns "never awaited"); after, each runs once per emit
  with the signal's arguments, without an error.
- ``async_slot_on_plain_def``: before, each emit runs the body and then fails in qasync's
  wrapper (TypeError); after, the body runs with the same arguments and nothing fails.
- ``qasync_runs_application``: a tiny application that quits itself by ``QTimer.singleShot``
  with exit code 3: after, it prints the same and exits with the same code, and a coroutine
  started from Qt finds the running loop, which it did not before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from loopguard_codemods.pipeline import migrate_source

# How the programs below report: what their slots saw, the errors Qt and qasync hand to
# sys.excepthook, and the warnings Python gives (a coroutine never awaited).
REPORTING = '''
import gc
import json
import warnings

errors = []
sys.excepthook = lambda kind, value, tb: errors.append(f"{kind.__name__}: {value}")
warned = []
warnings.simplefilter("always")
warnings.showwarning = lambda message, *args, **kwargs: warned.append(str(message))


def report(seen):
    gc.collect()
    print(json.dumps({"seen": seen, "errors": errors, "warnings": sorted(set(warned))}))
'''

CONNECTED_COROUTINES = '''
import asyncio
import functools
import sys

import qasync
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QPushButton

seen = []


class Panel(QObject):
    symbol_changed = Signal(str)

    def __init__(self, button, box):
        super().__init__()
        button.clicked.connect(self._refresh)
        self.symbol_changed.connect(self._on_symbol)
        box.currentTextChanged.connect(functools.partial(self._on_pair, "KRW"))

    @Slot()
    async def _refresh(self):
        await asyncio.sleep(0)
        seen.append(["refresh"])

    async def _on_symbol(self, symbol):
        await asyncio.sleep(0)
        seen.append(["symbol", symbol])

    async def _on_pair(self, market, coin):
        seen.append(["pair", market, coin])


if __name__ == "__main__":
    from PySide6.QtWidgets import QComboBox
%(reporting)s
    async def drive():
        button, box = QPushButton(), QComboBox()
        panel = Panel(button, box)
        button.click()
        panel.symbol_changed.emit("BTC")
        box.addItems(["ETH", "XRP"])
        box.setCurrentIndex(1)
        await asyncio.sleep(0.05)
        report(seen)

    app = QApplication([])
    qasync.run(drive())
'''

PLAIN_DEFS_UNDER_ASYNC_SLOT = '''
import asyncio
import sys

import qasync
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QPushButton
from qasync import asyncSlot

seen = []


class Tab(QObject):
    renamed = Signal(str)

    def __init__(self, button):
        super().__init__()
        button.clicked.connect(self._on_save)
        self.renamed.connect(self._on_rename)

    @asyncSlot()
    def _on_save(self):
        seen.append(["save"])

    @asyncSlot(str)
    def _on_rename(self, name):
        seen.append(["rename", name])


if __name__ == "__main__":
%(reporting)s
    async def drive():
        button = QPushButton()
        tab = Tab(button)
        button.click()
        tab.renamed.emit("spot")
        await asyncio.sleep(0.05)
        report(seen)

    app = QApplication([])
    qasync.run(drive())
'''

APPLICATION_RUN_BY_EXEC = '''
import asyncio
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from qasync import QEventLoop


async def probe():
    asyncio.get_running_loop()
    print("coroutine found the running loop", flush=True)


def main():
    app = QApplication(sys.argv)
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    QTimer.singleShot(0, lambda: print("started", flush=True))
    probes = []
    QTimer.singleShot(0, lambda: probes.append(loop.create_task(probe())))
    QTimer.singleShot(50, lambda: app.exit(3))
    sys.exit(app.exec())


if __name__ == "__main__":
    main()
'''


def program(template: str) -> str:
    return textwrap.dedent(template).lstrip("\n") % {"reporting": textwrap.indent(REPORTING, "    ")}


def migrated(source: str, path: str, codemod: str) -> str:
    result = migrate_source(source, path, selected={codemod})
    assert result.changed and result.left_for_human == [], result.left_for_human
    return result.source_after


def run_offscreen(source: str, name: str, folder: Path) -> subprocess.CompletedProcess:
    script = folder / name
    script.write_text(source, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env, cwd=folder
    )


def outcome(run: subprocess.CompletedProcess) -> dict:
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_connected_coroutines_run_after_migration(tmp_path):
    before = program(CONNECTED_COROUTINES)
    after = migrated(before, "panel.py", "connected_coroutine_to_async_slot")
    assert "@qasync.asyncSlot()\n    async def _refresh" in after
    assert "@qasync.asyncSlot(str)\n    async def _on_symbol" in after
    assert "@qasync.asyncSlot(str)\n    async def _on_pair" in after

    dropped = outcome(run_offscreen(before, "panel.py", tmp_path))
    assert dropped["seen"] == []
    assert dropped["warnings"] == [
        "coroutine 'Panel._on_pair' was never awaited",
        "coroutine 'Panel._on_symbol' was never awaited",
        "coroutine 'Panel._refresh' was never awaited",
    ]

    ran = outcome(run_offscreen(after, "panel.py", tmp_path))
    assert sorted(ran["seen"]) == [["pair", "KRW", "ETH"], ["pair", "KRW", "XRP"], ["refresh"], ["symbol", "BTC"]]
    assert ran["errors"] == ran["warnings"] == []


def test_plain_defs_run_the_same_without_the_error_after_migration(tmp_path):
    before = program(PLAIN_DEFS_UNDER_ASYNC_SLOT)
    after = migrated(before, "tab.py", "async_slot_on_plain_def")
    assert "    @Slot()\n    def _on_save" in after and "    @Slot(str)\n    def _on_rename" in after

    failing = outcome(run_offscreen(before, "tab.py", tmp_path))
    fixed = outcome(run_offscreen(after, "tab.py", tmp_path))
    assert failing["seen"] == fixed["seen"] == [["save"], ["rename", "spot"]]
    assert failing["errors"] == ["TypeError: An asyncio.Future, a coroutine or an awaitable is required"] * 2
    assert fixed["errors"] == [] and fixed["warnings"] == []


def test_application_driven_by_the_qasync_loop_exits_the_same(tmp_path):
    before = textwrap.dedent(APPLICATION_RUN_BY_EXEC).lstrip("\n")
    after = migrated(before, "main.py", "qasync_runs_application")
    assert "    with loop:\n        sys.exit(loop.run_forever())\n" in after

    by_qt = run_offscreen(before, "main.py", tmp_path)
    by_qasync = run_offscreen(after, "main.py", tmp_path)
    assert by_qt.returncode == by_qasync.returncode == 3
    assert by_qt.stdout == "started\n"  # the coroutine failed: no running loop under Qt's exec()
    assert "RuntimeError: no running event loop" in by_qt.stderr
    assert by_qasync.stdout == "started\ncoroutine found the running loop\n"
    assert "Error" not in by_qasync.stderr
