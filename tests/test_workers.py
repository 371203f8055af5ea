"""Worker processes and Ctrl-C, with real signals sent to real processes (issue 12, items 5 and 10).

* A worker process that stays stopped (SIGSTOP) ends ``loopguard check --jobs 2`` with one line
  naming the file it was checking, exit 2, instead of a run that waits forever.
* Ctrl-C stops ``loopguard migrate --jobs 2`` at once (it waited for the files being migrated),
  writes nothing and says so.

Worker processes are found in /proc (Linux), as the command's child processes.
"""

import os
import re
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes in /proc (Linux)")

# Parsed by the engine (it creates a task and drives a loop): each file costs the run real work.
ASYNC_MODULE = textwrap.dedent(
    """\
    import asyncio


    class Feed:
        def __init__(self, source):
            self.source = source
            self.items = []

        async def refresh(self):
            for name in self.source.names():
                task = asyncio.create_task(self.source.load(name))
                self.items.append(await task)
            return [item for item in self.items if item is not None]

        def refresh_now(self):
            return asyncio.run(self.refresh())


    async def poll(feed, every):
        while True:
            await feed.refresh()
            await asyncio.sleep(every)
    """
)
GET_EVENT_LOOP = "import asyncio\n\n\n" + "".join(
    f"async def fetch_{n}():\n    loop = asyncio.get_event_loop()\n    return loop\n\n\n" for n in range(6000)
)


def write_project(root, count, source=ASYNC_MODULE):
    for index in range(count):
        path = root / f"pkg{index // 100}" / f"m{index % 100:02}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


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
    """After a failed test: nothing of it keeps running (a stopped worker would stay forever)."""
    for pid in [process.pid, *pids]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def run_patched(cwd, patch, *args):
    """``loopguard`` run in a fresh interpreter after ``patch`` (Python source) has changed something;
    stdout and stderr are pipes."""
    script = f"import sys\n{textwrap.dedent(patch)}\nfrom flake8_loopguard.cli import main\nsys.exit(main({list(args)!r}))\n"
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=command_env(),
    )


# ----- a stopped worker process (item 5) -----------------------------------------------------------


def test_a_worker_stopped_while_checking_a_file_is_named_killed_and_the_run_exits_2(tmp_path):
    write_project(tmp_path, 200)
    (tmp_path / "slow.py").write_text(ASYNC_MODULE, encoding="utf-8")
    marker = tmp_path / "slow-worker.pid"
    # slow.py takes a minute in the worker processes, which says which process checks it.
    patch = f"""\
        import os, time
        from flake8_loopguard import check_command
        real = check_command.check_file
        def slow(task, config):
            if task.path == "./slow.py":
                with open({str(marker) + ".new"!r}, "w") as stream:
                    stream.write(str(os.getpid()))
                os.replace({str(marker) + ".new"!r}, {str(marker)!r})
                time.sleep(60)
            return real(task, config)
        check_command.check_file = slow
        """
    process = run_patched(tmp_path, patch, "check", "--no-cache", "--jobs", "2", ".")
    workers = []
    try:
        wait_for(lambda: marker.exists() or process.poll() is not None, 60, "a worker checks slow.py")
        assert process.poll() is None
        workers = children_of(process.pid)
        assert len(workers) == 2
        stopped = int(marker.read_text())
        assert stopped in workers
        os.kill(stopped, signal.SIGSTOP)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        end_all(process, workers)
    assert (process.returncode, stdout, stderr) == (
        2,
        "",
        "loopguard: a worker process stayed stopped while checking ./slow.py (SIGSTOP, or a debugger; killed "
        "after 2 s); the other files were not reported\n",
    )
    for pid in workers:
        wait_for(lambda: is_gone(pid), 5, f"worker {pid} ends")


def test_a_worker_stopped_before_it_takes_a_file_ends_the_run_too(tmp_path):
    write_project(tmp_path, 200)
    first = tmp_path / "first-worker"
    # The first worker process stops itself as it starts: it never checks a file, and the other
    # one (a file taking 50 ms) would end its share long after the grace period.
    patch = f"""\
        import os, signal, time
        from flake8_loopguard import check_command
        real_start, real_check = check_command._start_worker, check_command.check_file
        def start(*args):
            real_start(*args)
            try:
                open({str(first)!r}, "x").close()
            except FileExistsError:
                return
            os.kill(os.getpid(), signal.SIGSTOP)
        def slow(task, config):
            time.sleep(0.05)
            return real_check(task, config)
        check_command._start_worker, check_command.check_file = start, slow
        """
    process = run_patched(tmp_path, patch, "check", "--no-cache", "--jobs", "2", ".")
    workers = []
    try:
        wait_for(lambda: len(children_of(process.pid)) == 2 or process.poll() is not None, 60, "two workers")
        workers = children_of(process.pid)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        end_all(process, workers)
    assert (process.returncode, stdout, stderr) == (
        2,
        "",
        "loopguard: a worker process stayed stopped while not checking a file (SIGSTOP, or a debugger; killed "
        "after 2 s); the other files were not reported\n",
    )
    for pid in workers:
        wait_for(lambda: is_gone(pid), 5, f"worker {pid} ends")


def test_the_real_command_with_a_stopped_worker_ends_with_one_line(tmp_path):
    # No patch: the command as a user runs it, a worker process found among its children.
    write_project(tmp_path, 2000)
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_loopguard", "check", "--no-cache", "--jobs", "2", "."],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=command_env(),
    )
    workers = []
    try:
        wait_for(lambda: len(children_of(process.pid)) == 2 or process.poll() is not None, 60, "two workers")
        workers = children_of(process.pid)
        assert len(workers) == 2
        # Once it works on its share of the files (a process stopped before would not be missed:
        # the other one takes every file).
        wait_for(lambda: cpu_ticks(workers[0]) >= 5 or process.poll() is not None, 60, "the worker checks files")
        assert process.poll() is None
        os.kill(workers[0], signal.SIGSTOP)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        end_all(process, workers)
    assert (process.returncode, stdout) == (2, "")
    # The file it was checking (or none, if the signal came between two files).
    pattern = (
        r"loopguard: a worker process stayed stopped while (checking \./pkg\d+/m\d\d\.py|not checking a file) "
        r"\(SIGSTOP, or a debugger; killed after 2 s\); the other files were not reported\n"
    )
    assert re.fullmatch(pattern, stderr), stderr
    for pid in workers:
        wait_for(lambda: is_gone(pid), 5, f"worker {pid} ends")


# ----- Ctrl-C during `loopguard migrate --jobs 2` (item 10) ------------------------------------------


def git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=cwd, check=True, capture_output=True, timeout=60,
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
        [sys.executable, "-m", "flake8_loopguard", *MIGRATE_WRITE],
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
        [sys.executable, "-m", "flake8_loopguard", *MIGRATE_WRITE],
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
