"""run_to_await's chain ending at a Qt slot, judged by the program: a synchronous slot that reaches
``asyncio.run`` through a chain (``refresh() -> load() -> fetch()``) becomes an ``@asyncSlot()``
and the chain awaits. The PySide6 program runs offscreen, in a fresh process.

Before the migration the slot works only where no loop runs (Qt alone): under qasync, whose loop
is running when Qt calls a slot, its ``asyncio.run`` fails and no signal is emitted. After it,
under qasync, the slot emits exactly the signals it emitted under Qt alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from loopguard_codemods.pipeline import migrate_source

from .qt_programs import run_offscreen

PANEL = '''
import asyncio

import qasync
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton


async def get(symbol):
    await asyncio.sleep(0)
    return symbol.upper()


def fetch(symbol):
    return asyncio.run(get(symbol))


class Panel(QObject):
    loaded = Signal(str)
    done = Signal(int)

    def __init__(self, symbols):
        super().__init__()
        self.symbols = symbols
        self.button = QPushButton("refresh")
        self.button.clicked.connect(self.refresh)

    def refresh(self):
        for symbol in self.symbols:
            self.loaded.emit(self.load(symbol))
        self.done.emit(len(self.symbols))

    def load(self, symbol):
        return f"{symbol}={fetch(symbol)}"
'''
# The scenario: click the button, record every signal the panel emits until `done`, or until
# the slot has failed (qasync and Qt hand its exception to sys.excepthook).
CLICK = """
import sys

emitted, failed = [], []
shown = sys.excepthook
sys.excepthook = lambda *error: (failed.append(error), shown(*error))
panel = app.Panel(["btc", "eth"])
panel.loaded.connect(lambda text: emitted.append(["loaded", text]))
panel.done.connect(lambda count: emitted.append(["done", count]))
panel.button.click()
"""
ON_THE_LOOP = CLICK + """
await until(lambda: failed or emitted[-1:] == [["done", 2]], "the slot's end")
print(json.dumps(emitted), flush=True)
"""
QT_ALONE = """\
import json
import sys

from PySide6.QtWidgets import QApplication

application = QApplication([])
import app  # noqa: E402
""" + CLICK + """
print(json.dumps(emitted), flush=True)
"""
SIGNALS = [["loaded", "btc=BTC"], ["loaded", "eth=ETH"], ["done", 2]]


def run_under_qt_alone(app_source: str, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(textwrap.dedent(app_source), encoding="utf-8")
    (folder / "alone.py").write_text(QT_ALONE, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "alone.py"], cwd=folder, capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_slot_of_the_chain_emits_under_qasync_what_it_emitted_under_qt_alone(tmp_path):
    migrated = migrate_source(PANEL, "app.py")
    assert migrated.left_for_human == []
    after = migrated.source_after
    assert "    @qasync.asyncSlot()\n    async def refresh(self):\n" in after
    assert "            self.loaded.emit(await self.load(symbol))\n" in after
    assert "async def fetch(symbol):\n    return await get(symbol)\n" in after

    before_alone = run_under_qt_alone(PANEL, tmp_path / "alone")
    assert json.loads(before_alone) == SIGNALS

    before_on_the_loop = run_offscreen(PANEL, "import json\n" + ON_THE_LOOP, tmp_path / "before")
    assert before_on_the_loop.splitlines() == [
        "raised RuntimeError: asyncio.run() cannot be called from a running event loop",
        "[]",
    ]

    after_on_the_loop = run_offscreen(after, "import json\n" + ON_THE_LOOP, tmp_path / "after")
    assert json.loads(after_on_the_loop) == SIGNALS
