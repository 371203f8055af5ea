"""What qasync 0.28 and PySide6 really do with a slot: the facts the Qt slot codemods
(``loopguard_codemods.qt_slots``) rely on to decide what they rewrite and what they leave.

Each case connects a decorated function, emits the signal offscreen, and records what the
function got and what failed. Were qasync or the binding to change, these tests say which
refusal or rewrite no longer holds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

CASES = '''
import asyncio
import json
import sys

import qasync
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QPushButton
from qasync import asyncSlot

got = []
errors = []
sys.excepthook = lambda kind, value, tb: errors.append(f"{kind.__name__}: {value}")


@asyncSlot()
async def poll():
    got.append("poll")


class Widget(QObject):
    ready = Signal()

    @asyncSlot()
    async def on_any(self):
        got.append("on_any")

    @asyncSlot(bool)
    async def on_checked(self, checked):
        got.append(["on_checked", checked])

    @asyncSlot()
    def plain_optional(self, checked=None):
        got.append(["asyncSlot", checked])

    @Slot()
    def slot_optional(self, checked=None):
        got.append(["Slot", checked])

    @asyncSlot()
    def returns_coroutine(self):
        return self.work()

    async def work(self):
        got.append("work")


CASES = {
    "function without parameters, from a signal without arguments": lambda w, b: (w.ready, poll, w.ready.emit),
    "method without parameters, from clicked": lambda w, b: (b.clicked, w.on_any, b.click),
    "method needing checked, from clicked, with asyncSlot(bool)": lambda w, b: (b.clicked, w.on_checked, b.click),
    "method needing checked, from toggled, with asyncSlot(bool)": lambda w, b: (b.toggled, w.on_checked, b.click),
    "plain def with an optional parameter under asyncSlot, from clicked":
        lambda w, b: (b.clicked, w.plain_optional, b.click),
    "plain def with an optional parameter under Slot, from clicked":
        lambda w, b: (b.clicked, w.slot_optional, b.click),
    "plain def returning a coroutine under asyncSlot": lambda w, b: (b.clicked, w.returns_coroutine, b.click),
}


async def run_cases():
    outcomes = {}
    for name, case in CASES.items():
        widget, button = Widget(), QPushButton()
        button.setCheckable(True)
        signal, slot, emit = case(widget, button)
        got.clear()
        errors.clear()
        signal.connect(slot)
        emit()
        await asyncio.sleep(0.02)
        outcomes[name] = {"got": list(got), "errors": list(errors)}
    print(json.dumps(outcomes))


app = QApplication([])
qasync.run(run_cases())
'''

CLOSE_FROM_A_COROUTINE = '''
import asyncio
import sys

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from qasync import asyncClose


class Window(QWidget):
    @asyncClose
    async def closeEvent(self, event):
        event.accept()

    async def logout(self):
        self.close()


app = QApplication([])
app.setQuitOnLastWindowClosed(False)
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
window = Window()
window.show()
tasks = []
if sys.argv[1] == "from-a-coroutine":
    QTimer.singleShot(10, lambda: tasks.append(loop.create_task(window.logout())))
else:
    QTimer.singleShot(10, window.close)
QTimer.singleShot(200, lambda: app.exit(0))
with loop:
    loop.run_forever()
print("closed" if not window.isVisible() else "open")
'''


def run_offscreen(source, *args):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source), *args], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.fixture(scope="module")
def outcomes():
    run = run_offscreen(CASES)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


NOT_CALLABLE = ["TypeError: asyncSlot was not callable from Signal. Potential signature mismatch."]


def test_a_function_that_gets_no_argument_cannot_be_an_async_slot(outcomes):
    """Why a plain function without parameters is left for a human."""
    outcome = outcomes["function without parameters, from a signal without arguments"]
    assert outcome == {"got": [], "errors": NOT_CALLABLE}


def test_a_method_gets_self_whatever_the_signal_passes(outcomes):
    assert outcomes["method without parameters, from clicked"] == {"got": ["on_any"], "errors": []}


def test_clicked_passes_nothing_to_an_async_slot_even_one_typed_bool(outcomes):
    """Why a coroutine that needs an argument from an overloaded signal is left for a human."""
    assert outcomes["method needing checked, from clicked, with asyncSlot(bool)"] == {"got": [], "errors": NOT_CALLABLE}


def test_a_signal_of_one_signature_passes_its_arguments(outcomes):
    """Why `toggled` (bool) and the module's own signals can feed a coroutine's parameters."""
    assert outcomes["method needing checked, from toggled, with asyncSlot(bool)"] == {
        "got": [["on_checked", True]],
        "errors": [],
    }


def test_a_plain_slot_gets_arguments_the_async_slot_wrapper_did_not(outcomes):
    """Why `async_slot_on_plain_def` leaves a function with optional parameters: `checked` changes."""
    under_async_slot = outcomes["plain def with an optional parameter under asyncSlot, from clicked"]
    under_slot = outcomes["plain def with an optional parameter under Slot, from clicked"]
    assert under_async_slot["got"] == [["asyncSlot", None]]
    assert under_slot == {"got": [["Slot", True]], "errors": []}


def test_a_plain_def_returning_a_coroutine_works_under_async_slot(outcomes):
    """Why `async_slot_on_plain_def` leaves a function that returns a value: qasync schedules it."""
    assert outcomes["plain def returning a coroutine under asyncSlot"] == {"got": ["work"], "errors": []}


def test_async_close_runs_a_close_qt_asks_for():
    run = run_offscreen(CLOSE_FROM_A_COROUTINE, "from-qt")
    assert (run.returncode, run.stdout) == (0, "closed\n")


def test_async_close_aborts_the_process_when_a_coroutine_closes_the_window():
    """Why a coroutine ``closeEvent`` of a window that closes itself from a coroutine is left for a human."""
    run = run_offscreen(CLOSE_FROM_A_COROUTINE, "from-a-coroutine")
    assert run.returncode != 0
    assert "Cannot enter into task" in run.stderr
