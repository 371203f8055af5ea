"""Worker processes and Ctrl-C, with real signals sent to real processes (issue 12, items 5 and 10).

* A worker process that stays stopped (SIGSTOP) ends ``loopguard check --jobs 2`` with one line
  naming the file it was checking, exit 2, instead of a run that waits forever.
* Without ``--jobs``, worker processes are started only for work that pays for them.
* Ctrl-C at any moment of ``loopguard check``'s first half second (imports included) is
  ``loopguard: interrupted`` and exit 130, from the console script and from ``python -m``.
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


# ----- a stopped worker process (item 5) -----------------------------------------------------------


def test_a_worker_stopped_while_checking_a_file_is_named_killed_and_the_run_exits_2(tmp_path):
    write_project(tmp_path, 200)
    (tmp_path / "slow.py").write_text(ASYNC_MODULE, encoding="utf-8")
    marker = tmp_path / "slow-worker.pid"
    # slow.py takes a minute in the worker processes, which says which process checks it.
    patch = f"""\
        import os, time
        from flake8_loopguard.commands.check import files as check_files
        real = check_files.check_file
        def slow(task, config):
            if task.path == "./slow.py":
                with open({str(marker) + ".new"!r}, "w") as stream:
                    stream.write(str(os.getpid()))
                os.replace({str(marker) + ".new"!r}, {str(marker)!r})
                time.sleep(60)
            return real(task, config)
        check_files.check_file = slow
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
        from flake8_loopguard.commands.check import files as check_files
        real_start, real_check = check_files._start_worker, check_files.check_file
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
        check_files._start_worker, check_files.check_file = start, slow
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


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_fifo_named_like_a_module_is_one_line_not_a_run_that_never_ends(tmp_path, jobs):
    # Opening a FIFO for reading waits for a writer: the process checking it never progressed.
    write_project(tmp_path, 40)
    os.mkfifo(tmp_path / "pipe.py")
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_loopguard", "check", "--no-cache", "--jobs", jobs, "."],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=command_env(),
    )
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        end_all(process, children_of(process.pid))
    assert (process.returncode, len(stdout.splitlines()), stderr) == (
        2,
        41,  # LG102 in each of the other files, and the total
        "loopguard: ./pipe.py: not a regular file (a FIFO, a socket or a device); not read\n",
    )


# ----- when worker processes are used (item 5) --------------------------------------------------------


POOL_STARTS_MARKED = """\
    from flake8_loopguard.commands.check import files as check_files
    real_init = check_files.FileWorkers.__init__
    def init(self, count, config):
        with open({marker!r}, "a") as stream:
            stream.write(f"{{count}}\\n")
        real_init(self, count, config)
    check_files.FileWorkers.__init__ = init
    """
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
two_cores = pytest.mark.skipif(CORES < 2, reason="the default is one process per core")


@two_cores
def test_by_default_a_project_checked_faster_than_processes_start_gets_none(tmp_path):
    write_project(tmp_path / "project", 100)
    marker = tmp_path / "pool-started"
    process = run_patched(tmp_path, POOL_STARTS_MARKED.format(marker=str(marker)), "check", "--no-cache", "project")
    stdout, stderr = process.communicate(timeout=120)
    alone = subprocess.run(
        [sys.executable, "-m", "flake8_loopguard", "check", "--no-cache", "--jobs", "1", "project"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=command_env(),
    )
    assert (process.returncode, stdout, stderr) == (alone.returncode, alone.stdout, alone.stderr)
    assert alone.returncode == 1 and len(stdout.splitlines()) == 101  # LG102 in each file, and the total
    assert not marker.exists()


@two_cores
def test_by_default_files_that_take_long_get_a_process_per_core(tmp_path):
    write_project(tmp_path / "project", 100)
    marker = tmp_path / "pool-started"
    slow_files = """\
        import time
        real_check = check_files.check_file
        def slow(task, config):  # 10 ms of CPU a file: the pace is measured in CPU time
            spent_by = time.process_time() + 0.01
            while time.process_time() < spent_by:
                pass
            return real_check(task, config)
        check_files.check_file = slow
        """
    patch = textwrap.dedent(POOL_STARTS_MARKED.format(marker=str(marker))) + textwrap.dedent(slow_files)
    process = run_patched(tmp_path, patch, "check", "--no-cache", "project")
    stdout, stderr = process.communicate(timeout=120)
    # LG102 in each file, and the total
    assert (process.returncode, len(stdout.splitlines()), stderr) == (1, 101, "")
    # The first files, checked in the process itself, say that the rest takes about a second.
    started = [int(count) for count in marker.read_text().split()]
    assert len(started) == 1 and 2 <= started[0] <= CORES


# ----- Ctrl-C in the first half second (item 5) ----------------------------------------------------


def launchers():
    yield "python -m", [sys.executable, "-m", "flake8_loopguard"]
    script = Path(sys.executable).with_name("loopguard")
    if script.exists():
        yield "console script", [str(script)]


# A frame of a traceback, and the source line Python prints under it (none for frozen modules).
FRAME = re.compile(r'  File "([^"]*)", line \d+, in (\S+)\n(?:    (\S.*)\n)?')
# The module-level code of flake8_loopguard that runs before `main` (the console script's own
# import line is in the script, outside the package): frame -> the source lines allowed there.
BEFORE_MAIN = {
    ("__init__.py", "<module>"): None,  # any: it defines __version__, nothing else
    ("cli.py", "<module>"): None,  # any line but an import of something else than these two:
    ("__main__.py", "<module>"): {"from .cli import main"},
}
CLI_IMPORTS = {"from __future__ import annotations", "import sys"}


def landed_before_main(returncode, stderr):
    """Whether the outcome is one Python gives itself for a Ctrl-C that lands before our code runs:

    * killed by SIGINT, silently: Python had not installed its Ctrl-C handler yet;
    * exit 1 with a KeyboardInterrupt traceback through Python's own frames only: CPython gave up
      its start-up ("Fatal Python error: init_import_site" while `site` reads the .pth files,
      "init_sys_streams", "Could not import runpy module", ...), or lost the Ctrl-C in the weakref
      callback that ends an import of its start-up ("Exception ignored in: <function
      _get_module_lock.<locals>.cb ...>") and ran the command to its end (exit 1: the findings);
    * killed by SIGINT with a KeyboardInterrupt traceback in which flake8_loopguard appears only
      as the launcher importing the package and its `cli` module: `main` had not been called yet.
    """
    if returncode == -signal.SIGINT and stderr == "":
        return True
    ours = [
        (Path(path).name, function, source)
        for path, function, source in FRAME.findall(stderr)
        if Path(path).parent.name == "flake8_loopguard"
    ]
    if returncode == 1:
        said = [line for line in stderr.splitlines() if line.startswith("loopguard")]
        return "\nKeyboardInterrupt" in stderr and not said and not ours
    if not (
        returncode == -signal.SIGINT
        and stderr.startswith("Traceback (most recent call last):\n")
        and stderr.endswith("KeyboardInterrupt\n")
    ):
        return False
    for name, function, source in ours:
        allowed = BEFORE_MAIN.get((name, function), set())
        if allowed is not None and source not in allowed:
            return False
        if name == "cli.py" and source.startswith(("import ", "from ")) and source not in CLI_IMPORTS:
            return False
    return True


@pytest.mark.parametrize("name, launcher", list(launchers()))
def test_ctrl_c_at_any_moment_of_the_first_half_second_is_one_line_and_exit_130(tmp_path, name, launcher):
    # Enough files that the run lasts well past the last signal (asserted below, for each one).
    write_project(tmp_path, 4000)
    outcomes = []
    for delay in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6):
        process = subprocess.Popen(
            [*launcher, "check", "--no-cache", "."],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=command_env(),
        )
        try:
            time.sleep(delay)
            assert process.poll() is None, f"{name}: the run ended before {delay} s; the project is too small"
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=30)
        finally:
            end_all(process, children_of(process.pid))
        outcomes.append((delay, process.returncode, stderr))
    for delay, returncode, stderr in outcomes:
        if (returncode, stderr) != (130, "loopguard: interrupted\n"):
            # Python's own start-up takes some tens of milliseconds (more on a loaded machine).
            assert delay < 0.3 and landed_before_main(returncode, stderr), (name, delay, returncode, stderr)


def test_a_ctrl_c_that_python_loses_still_ends_the_command_with_130(tmp_path):
    write_project(tmp_path, 3)
    # A Ctrl-C handled while a weakref callback runs (one ends every import): CPython prints
    # "Exception ignored", drops the KeyboardInterrupt and goes on.
    patch = """\
        import os, signal, weakref
        from flake8_loopguard.commands.check import command as check_command
        real_run = check_command.run
        def run(args):
            class Module:
                pass
            module = Module()
            def callback(reference):
                os.kill(os.getpid(), signal.SIGINT)
                for _ in range(1000):  # the KeyboardInterrupt is raised here
                    pass
            reference = weakref.ref(module, callback)
            del module
            return real_run(args)
        check_command.run = run
        """
    process = run_patched(tmp_path, patch, "check", "--no-cache", ".")
    stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (130, "loopguard: interrupted\n")
    assert len(stdout.splitlines()) == 4  # the command went on to its end: LG102 in each file, the total


def test_under_python_m_a_ctrl_c_through_code_run_from_a_string_still_exits_130(tmp_path):
    write_project(tmp_path / "project", 3)
    # Under `python -m`, CPython marks the run as ended by an unhandled Ctrl-C when the
    # KeyboardInterrupt passed through code it ran from a string (dataclasses make their methods
    # so, while a module is imported), however the program handled it. `sitecustomize` patches
    # the command before runpy starts it.
    (tmp_path / "sitecustomize.py").write_text(
        textwrap.dedent(
            """\
            from flake8_loopguard.commands.check import command as check_command
            real_run = check_command.run
            def run(args):
                exec("import os, signal\\nos.kill(os.getpid(), signal.SIGINT)\\nfor _ in range(1000): pass")
                return real_run(args)
            check_command.run = run
            """
        ),
        encoding="utf-8",
    )
    env = command_env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env["PYTHONPATH"]])
    result = subprocess.run(
        [sys.executable, "-m", "flake8_loopguard", "check", "--no-cache", "project"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env,
    )
    assert (result.returncode, result.stdout, result.stderr) == (130, "", "loopguard: interrupted\n")


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


def test_a_worker_stopped_while_migrating_ends_migrate_with_one_line_and_nothing_written(tmp_path):
    before = slow_migration_project(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_loopguard", *MIGRATE_WRITE],
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


# ----- one Ctrl-C path for every command (issue 13) ----------------------------------------------


def test_a_pool_is_killed_however_its_block_ends():
    from flake8_loopguard.commands.workers import WorkerPool

    with pytest.raises(KeyboardInterrupt):
        with WorkerPool(2) as pool:
            worker = pool.submit(os.getpid).result()
            assert not is_gone(worker)
            raise KeyboardInterrupt
    assert is_gone(worker)


def test_commands_let_ctrl_c_through_and_main_alone_says_it(tmp_path, monkeypatch, capsys):
    """A command says nothing of a Ctrl-C itself: `main` prints the one line, the command's own
    (Interrupted.line) when it has more to say."""
    from flake8_loopguard import cli
    from flake8_loopguard.commands.check import files as check_files
    from flake8_loopguard.commands.interrupted import Interrupted
    from flake8_loopguard.commands.migrate import files as migrate_files

    def ctrl_c(*args):
        raise KeyboardInterrupt

    write_project(tmp_path, 3)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(check_files, "check_file", ctrl_c)
    monkeypatch.setattr(migrate_files, "migrate_file", ctrl_c)
    with pytest.raises(KeyboardInterrupt) as check_interrupted:
        cli._command(["check", "--no-cache", "--jobs", "1", "."])
    with pytest.raises(Interrupted) as migrate_interrupted:
        cli._command(["migrate", "."])
    assert type(check_interrupted.value) is KeyboardInterrupt
    assert migrate_interrupted.value.line == "loopguard migrate: interrupted; no file written"
    assert capsys.readouterr() == ("", "")
    assert (cli.main(["check", "--no-cache", "--jobs", "1", "."]), capsys.readouterr()) == (
        130,
        ("", "loopguard: interrupted\n"),
    )
    assert (cli.main(["migrate", "."]), capsys.readouterr()) == (
        130,
        ("", "loopguard migrate: interrupted; no file written\n"),
    )
