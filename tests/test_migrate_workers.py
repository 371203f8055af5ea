"""Ctrl-C and a stopped worker process during ``loopguard migrate --jobs 2``, with real signals sent
to real processes (issue 12, item 10): the run stops at once (it waited for the files being
migrated), writes nothing and says so.

Worker processes are found in /proc (Linux), as the command's child processes.
"""

import os
import re
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .harness import LOOPGUARD, git
from .processes import children_of, command_env, cpu_ticks, end_all, is_gone, wait_for

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc (Linux)")

GET_EVENT_LOOP = "import asyncio\n\n\n" + "".join(
    f"async def fetch_{n}():\n    loop = asyncio.get_event_loop()\n    return loop\n\n\n" for n in range(6000)
)


def slow_migration_project(root):
    """Four files that take libcst seconds each (6,000 functions to rewrite), committed: a clean
    git work tree, where `--write` writes without a word."""
    for index in range(4):
        (root / f"m{index}.py").write_text(GET_EVENT_LOOP, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "project")
    return {path: path.read_bytes() for path in root.glob("*.py")}


MIGRATE_WRITE = ["migrate", "--write", "--jobs", "2", "--select", "get_event_loop_to_running_loop", "."]


def interrupt_when_both_workers_work(process):
    """Ctrl-C once both worker processes have spent a second on their files; the worker pids."""
    wait_for(lambda: len(children_of(process.pid)) == 2 or process.poll() is not None, 60, "two workers")
    workers = children_of(process.pid)
    assert len(workers) == 2
    wait_for(
        lambda: all(cpu_ticks(pid) >= 100 for pid in workers) or process.poll() is not None,
        60,
        "a second of work in each worker",
    )
    assert process.poll() is None, "the migration ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    return workers


def test_ctrl_c_stops_migrate_jobs_2_at_once_writes_nothing_and_says_so(tmp_path):
    before = slow_migration_project(tmp_path)
    process = subprocess.Popen(
        [*LOOPGUARD, *MIGRATE_WRITE],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=command_env(),
    )
    workers = []
    try:
        workers = interrupt_when_both_workers_work(process)
        interrupted = time.monotonic()
        stdout, stderr = process.communicate(timeout=60)
        took = time.monotonic() - interrupted
    finally:
        end_all(process, workers)
    # Each file has seconds of work left: waiting for them is what made Ctrl-C take 8-28 s.
    assert took < 5, f"the run took {took:.1f} s to stop"
    assert (process.returncode, stdout, stderr) == (130, "", "loopguard migrate: interrupted; no file written\n")
    assert {path: path.read_bytes() for path in tmp_path.glob("*.py")} == before
    for pid in workers:
        assert is_gone(pid)


def test_on_a_terminal_ctrl_c_stops_the_progress_bar_first(tmp_path):
    before = slow_migration_project(tmp_path)
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [*LOOPGUARD, *MIGRATE_WRITE],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=follower, env=command_env(),
    )
    os.close(follower)
    terminal = b""
    workers = []
    try:
        workers = interrupt_when_both_workers_work(process)
        interrupted = time.monotonic()
        # Read the terminal until the process closes it (it ends), at most for a minute.
        while time.monotonic() - interrupted < 60:
            if select.select([leader], [], [], 0.1)[0]:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the process ended: the terminal is closed
                    break
                if not chunk:
                    break
                terminal += chunk
        process.wait(timeout=60)
        took = time.monotonic() - interrupted
    finally:
        os.close(leader)
        end_all(process, workers)
    assert took < 5, f"the run took {took:.1f} s to stop"
    assert process.returncode == 130
    assert b"migrating" in terminal  # the bar was on the terminal
    # The bar (transient) is erased, and nothing is drawn after the line saying what happened.
    assert terminal.endswith(b"loopguard migrate: interrupted; no file written\r\n"), terminal[-300:]
    assert {path: path.read_bytes() for path in tmp_path.glob("*.py")} == before


def test_a_worker_stopped_while_migrating_ends_migrate_with_one_line_and_nothing_written(tmp_path):
    before = slow_migration_project(tmp_path)
    process = subprocess.Popen(
        [*LOOPGUARD, *MIGRATE_WRITE],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=command_env(),
    )
    workers = []
    try:
        wait_for(lambda: len(children_of(process.pid)) == 2 or process.poll() is not None, 60, "two workers")
        workers = children_of(process.pid)
        wait_for(lambda: cpu_ticks(workers[0]) >= 50 or process.poll() is not None, 60, "the worker migrates")
        assert process.poll() is None
        os.kill(workers[0], signal.SIGSTOP)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        end_all(process, workers)
    assert (process.returncode, stdout) == (2, "")
    pattern = (
        r"loopguard migrate: a worker process stayed stopped while migrating \./m[0-3]\.py \(SIGSTOP, or a "
        r"debugger; killed after 2 s\); no file written\n"
    )
    assert re.fullmatch(pattern, stderr), stderr
    assert {path: path.read_bytes() for path in tmp_path.glob("*.py")} == before
    for pid in workers:
        wait_for(lambda: is_gone(pid), 5, f"worker {pid} ends")
