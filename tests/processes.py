"""Real processes, seen from the outside: their state and children in /proc (Linux), and a
`loopguard` run in a fresh interpreter after a patch, for the tests that send signals."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from .conftest import REPO


def command_env():
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(REPO)
    return env


def process_status(pid):
    """(state, parent pid, CPU ticks) from /proc/<pid>/stat; None when the process is gone."""
    try:
        status = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = status[status.rfind(b")") + 2 :].split()
    return fields[0].decode(), int(fields[1]), int(fields[11]) + int(fields[12])


def children_of(pid):
    """The live (not yet ended) child processes of ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            status = process_status(int(entry))
            if status is not None and status[1] == pid and status[0] != "Z":
                found.append(int(entry))
    return sorted(found)


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.02)


def cpu_ticks(pid):
    return (process_status(pid) or ("", 0, 0))[2]


def is_gone(pid):
    status = process_status(pid)
    return status is None or status[0] == "Z"


def end_all(process, pids):
    """After the test: nothing of it keeps running (a stopped worker would stay forever). Only
    processes that are still ours are killed, never one that took a reused pid."""
    if process.poll() is None:
        process.kill()
    for pid in pids:
        try:
            if b"loopguard" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
        except OSError:  # it ended meanwhile
            pass
    process.wait()


def run_patched(cwd, patch, *args):
    """``loopguard`` run in a fresh interpreter after ``patch`` (Python source) has changed something;
    stdout and stderr are pipes."""
    script = (
        f"import sys\n{textwrap.dedent(patch)}\n"
        f"from flake8_loopguard.cli import main\nsys.exit(main({list(args)!r}))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=command_env(),
    )
