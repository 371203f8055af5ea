"""loop_thread_to_main_loop judged by the programs: each small program in ``loop_thread_programs/``
is run, migrated with the real command, and run again under ``observe.py``, which reports how
many event loops the run made and how many ran off the main thread (``qt_quotes`` is a PySide6
window under ``qasync.run(main())``, run offscreen). A
rewritten program prints the same with one loop, on the main thread; a program the codemod must
leave is unchanged and listed with its reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..harness import loopguard

PROGRAMS = Path(__file__).parent / "loop_thread_programs"
SCRIPTS = {
    "relay": "relay.py",
    "feeder": "feeder.py",
    "client": "client.py",
    "qt_quotes": "quotes.py",
    "sync_caller": "app.py",
    "background_client": "client.py",
    "started_relay": "relay.py",
}
REWRITTEN = ["relay", "feeder", "client", "qt_quotes", "background_client", "started_relay"]
TWO_LOOPS = "event loops made: 2, run off the main thread: 1"
ONE_LOOP = "event loops made: 1, run off the main thread: 0"


def observed(work: Path, script: str) -> tuple:
    """(what the program printed, the loops it made) for one run in its folder."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, str(PROGRAMS / "observe.py"), script],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr.strip().splitlines()[-1]


def migrated_copy(name: str, tmp_path: Path):
    """(the copy, its run before, the source before, the --write run)."""
    work = tmp_path / name
    shutil.copytree(PROGRAMS / name, work, ignore=shutil.ignore_patterns("__pycache__"))
    before = observed(work, SCRIPTS[name])
    source = (work / SCRIPTS[name]).read_text(encoding="utf-8")
    written = loopguard(work, "migrate", "--write", "--allow-dirty", ".")
    assert "Traceback" not in written.stderr, written.stderr
    return work, before, source, written


@pytest.mark.parametrize("name", REWRITTEN)
def test_the_program_prints_the_same_on_one_loop(name, tmp_path):
    work, (printed, loops), source, written = migrated_copy(name, tmp_path)
    assert printed and loops == TWO_LOOPS
    after = (work / SCRIPTS[name]).read_text(encoding="utf-8")
    assert after != source
    assert "run_forever" not in after and "new_event_loop" not in after
    assert observed(work, SCRIPTS[name]) == (printed, ONE_LOOP)
    checked = loopguard(work, "check", ".")
    assert checked.status == 0, checked.stdout
    assert written.status == 0, written.stderr


def test_a_thread_reading_lines_keeps_submitting_to_the_one_loop(tmp_path):
    """The reader thread stays a thread; the loop it submits to is the one main() captured."""
    work, _before, _source, _written = migrated_copy("feeder", tmp_path)
    after = (work / "feeder.py").read_text(encoding="utf-8")
    assert "loop = None\n" in after
    assert "async def main():\n    global loop\n    loop = asyncio.get_running_loop()\n" in after
    assert "asyncio.run_coroutine_threadsafe(save(line), loop).result()" in after


def test_a_synchronous_caller_waiting_for_results_is_left_and_listed(tmp_path):
    work, before, source, written = migrated_copy("sync_caller", tmp_path)
    assert (work / "app.py").read_text(encoding="utf-8") == source
    assert observed(work, "app.py") == before
    reason = (
        "line 16 waits for the loop thread's result from synchronous code that is not only run by a thread a "
        "coroutine starts: on the one loop, that wait would block the loop that must run the coroutine; make the "
        "caller a coroutine that awaits it [loop_thread_to_main_loop]"
    )
    lines = written.stderr.splitlines()
    assert f"./app.py:6: LG101 {reason}" in lines
    assert f"./app.py:7: LG401 {reason}" in lines
    assert written.status == 1
