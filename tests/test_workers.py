"""Worker processes and Ctrl-C, with real signals sent to real processes (issue 12, item 5).

* A worker process that stays stopped (SIGSTOP) ends ``loopguard check --jobs 2`` with one line
  naming the file it was checking, exit 2, instead of a run that waits forever.
* Without ``--jobs``, worker processes are started only for work that pays for them.
* Ctrl-C at any moment of ``loopguard check``'s first half second (imports included) is
  ``loopguard: interrupted`` and exit 130, from the console script and from ``python -m``.
* ``loopguard migrate --jobs 2``: tests/test_migrate_workers.py.

Worker processes are found in /proc (Linux), as the command's child processes. A run whose
process is not the point (no signal, nothing before `main`) runs in the test's process: its
worker processes are forked from it, with what the test patched.
"""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from flake8_loopguard.commands.check import files as check_files

from .harness import LOOPGUARD, assert_no_traceback, check
from .processes import children_of, command_env, cpu_ticks, end_all, is_gone, run_patched, wait_for
from .samples import CLEAN, many_files

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


def write_project(root, count, source=ASYNC_MODULE):
    for index in range(count):
        path = root / f"pkg{index // 100}" / f"m{index % 100:02}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


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


# ----- a worker process that dies, Ctrl-C while the workers check, one process or two --------------------


def test_ctrl_c_while_the_worker_processes_check_ends_the_run_at_once(tmp_path):
    many_files(tmp_path)
    started = tmp_path / "started"
    # Every file takes a second in the worker processes; the first one says the workers run.
    patch = f"""\
        import time
        from flake8_loopguard.commands.check import files as check_files
        real = check_files.check_file
        def slow(task, config):
            open({str(started)!r}, "a").close()
            time.sleep(1)
            return real(task, config)
        check_files.check_file = slow
        """
    process = run_patched(tmp_path, patch, "check", "--no-cache", "--jobs", "2", ".")
    try:
        wait_for(lambda: started.exists() or process.poll() is not None, 30, "a worker checks a file")
        process.send_signal(signal.SIGINT)
        # 40 files at a second each take 20 s: the run must end after the files being checked.
        stdout, stderr = process.communicate(timeout=10)
    finally:
        end_all(process, children_of(process.pid))
    assert (process.returncode, stdout, stderr) == (130, "", "loopguard: interrupted\n")


def test_a_worker_process_that_dies_is_one_line_and_exit_2(tmp_path, monkeypatch):
    many_files(tmp_path)
    test_process = os.getpid()
    real = check_files.check_file

    def fatal(task, config):
        # A file that kills the interpreter checking it (as a crash in a C extension would).
        if task.path.endswith("m07.py"):
            assert os.getpid() != test_process, "--jobs 2 checked a file in the test's own process"
            os._exit(70)
        return real(task, config)

    monkeypatch.setattr(check_files, "check_file", fatal)
    result = check(tmp_path, "--no-cache", "--jobs", "2", ".")
    assert_no_traceback(result)
    assert result.status == 2
    (message,) = result.stderr.splitlines()
    assert message.startswith("loopguard: a worker process died while checking ")
    assert message.endswith(" (a crash, or out of memory); the other files were not reported")
    # The file it died of, and perhaps the one the other process was checking at that moment.
    checking = message.split(" while checking ")[1].split(" (")[0].split(", ")
    assert "./pkg/m07.py" in checking and len(checking) <= 2


def test_one_process_and_two_give_the_same_report(tmp_path):
    many_files(tmp_path)
    one = check(tmp_path, "--no-cache", "--jobs", "1", ".")
    two = check(tmp_path, "--no-cache", "--jobs", "2", ".")
    assert one.status == two.status == 1
    assert one.stdout == two.stdout
    # One finding per file (no entry point: no LG107).
    assert one.stdout.splitlines()[-1] == "40 findings in 40 of 40 files"
    assert len(one.stdout.splitlines()) == 40 + 1


def test_the_outcomes_come_back_in_shares_while_the_processes_check_on(tmp_path, monkeypatch):
    """A process sends back what it checked every ``SHARE_SECONDS`` of CPU time, not all of it
    after the last file: the parent reads the first outcomes while most files are still to check."""
    from flake8_loopguard.core.config import Config

    write_project(tmp_path, 80)
    paths = sorted(str(path) for path in tmp_path.rglob("*.py"))
    tasks = [check_files.FileTask(path, path, None, True, False) for path in paths]
    files_checked = check_files.worker_context().Value("q", 0)  # by either process
    real_check = check_files.check_file

    def slow(task, config):  # 10 ms of CPU a file: 0.4 s a process
        spent_by = time.process_time() + 0.01
        while time.process_time() < spent_by:
            pass
        with files_checked.get_lock():
            files_checked.value += 1
        return real_check(task, config)

    monkeypatch.setattr(check_files, "check_file", slow)
    workers = check_files.FileWorkers(2, Config())
    real_results = workers.pool.results
    checked_at_each_share = []

    def results(*args):
        for future, result in real_results(*args):
            checked_at_each_share.append(files_checked.value)
            yield future, result

    monkeypatch.setattr(workers.pool, "results", results)
    try:
        outcomes = workers.check(tasks)
    finally:
        workers.close()
    assert [outcome.task.path for outcome in outcomes] == paths
    assert all(outcome.error is None and outcome.record is not None for outcome in outcomes)
    # Before: one share a process, the first back when every file was taken (79 or 80 checked).
    assert len(checked_at_each_share) > 4 and checked_at_each_share[0] < 60, checked_at_each_share


def test_the_summaries_are_read_as_the_outcomes_come_back_each_once(tmp_path, monkeypatch):
    """The whole-project pass reads every file's summary: the parent reads each as its share comes
    back, while the processes check on, not all of them after the last file."""
    from flake8_loopguard.project import ModuleSummary

    many_files(tmp_path)
    read = []
    real_from_json = ModuleSummary.from_json.__func__

    def from_json(cls, data, checked=True):
        read.append((data["module"], checked))
        return real_from_json(cls, data, checked)

    monkeypatch.setattr(ModuleSummary, "from_json", classmethod(from_json))
    read_when_the_workers_were_done = []
    real_check = check_files.FileWorkers.check

    def check_with_workers(self, tasks, *args):
        outcomes = real_check(self, tasks, *args)
        read_when_the_workers_were_done.append(len(read))
        return outcomes

    monkeypatch.setattr(check_files.FileWorkers, "check", check_with_workers)
    result = check(tmp_path, "--no-cache", "--jobs", "2", ".")
    assert result.stdout.splitlines()[-1] == "40 findings in 40 of 40 files"
    # Made in this run, so read without checking their shape; each once.
    assert sorted(read) == [(f"pkg.m{index:02}", False) for index in range(40)]
    assert read_when_the_workers_were_done == [40]


# ----- when worker processes are used (item 5) --------------------------------------------------------


CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
two_cores = pytest.mark.skipif(CORES < 2, reason="the default is one process per core")


def analysis_loaded():
    from flake8_loopguard.commands.check import analysis  # noqa: F401


def pool_starts(monkeypatch):
    """The process counts of the worker pools the run starts, in order."""
    counts = []
    real_init = check_files.FileWorkers.__init__

    def init(self, count, config):
        counts.append(count)
        real_init(self, count, config)

    monkeypatch.setattr(check_files.FileWorkers, "__init__", init)
    return counts


@two_cores
def test_by_default_a_project_checked_faster_than_processes_start_gets_none(tmp_path, monkeypatch):
    write_project(tmp_path / "project", 100)
    started = pool_starts(monkeypatch)
    by_default = check(tmp_path, "--no-cache", "project")
    alone = check(tmp_path, "--no-cache", "--jobs", "1", "project")
    assert by_default == alone
    assert alone.status == 1 and len(alone.stdout.splitlines()) == 101  # LG102 in each file, and the total
    assert started == []


@two_cores
def test_by_default_files_that_take_long_get_a_process_per_core(tmp_path, monkeypatch):
    write_project(tmp_path / "project", 100)
    started = pool_starts(monkeypatch)
    real_check = check_files.check_file

    def slow(task, config):  # 10 ms of CPU a file: the pace is measured in CPU time
        spent_by = time.process_time() + 0.01
        while time.process_time() < spent_by:
            pass
        return real_check(task, config)

    monkeypatch.setattr(check_files, "check_file", slow)
    result = check(tmp_path, "--no-cache", "project")
    # LG102 in each file, and the total
    assert (result.status, len(result.stdout.splitlines()), result.stderr) == (1, 101, "")
    # The first files, checked in the process itself, say that the rest takes about a second.
    assert len(started) == 1 and 2 <= started[0] <= CORES


@two_cores
def test_by_default_a_large_tree_starts_its_processes_after_a_short_sample(tmp_path, monkeypatch):
    """The sample that decides on processes ends after 20 files once the rest, at their pace, is
    clearly work for every core: here some 20 ms instead of the 50 ms the sample may take."""
    count = 20 + 250 * CORES  # the rest takes 0.25 s a core at 1 ms a file: over twice 0.1 s a core
    write_project(tmp_path / "project", count, CLEAN)  # the engine's own part of the pace is small
    analysis_loaded()  # else the first file loads it, and the pace is measured after that file
    started = pool_starts(monkeypatch)
    real_check = check_files.check_file
    checked_here = []  # by the test's own process (a worker process appends to its own copy)

    def slow(task, config):  # 1 ms of CPU a file
        checked_here.append(task.path)
        spent_by = time.process_time() + 0.001
        while time.process_time() < spent_by:
            pass
        return real_check(task, config)

    monkeypatch.setattr(check_files, "check_file", slow)
    result = check(tmp_path, "--no-cache", "project")
    assert (result.status, result.stdout, result.stderr) == (0, f"no findings in {count} files\n", "")
    assert started == [CORES]
    assert len(checked_here) == 20


# ----- Ctrl-C in the first half second (item 5) ----------------------------------------------------


def launchers():
    yield "python -m", LOOPGUARD
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


# ----- one Ctrl-C path for every command (issue 13) ----------------------------------------------


def test_a_pool_is_killed_however_its_block_ends():
    from flake8_loopguard.commands.workers import WorkerPool

    with pytest.raises(KeyboardInterrupt):
        with WorkerPool(2) as pool:
            worker = pool.submit(os.getpid).result()
            assert not is_gone(worker)
            raise KeyboardInterrupt
    assert is_gone(worker)


def _write_half_a_result(result_pipe, marker):
    # A result message cut short, as a process killed while sending its result leaves it: the
    # length says 1,000 bytes, three follow.
    os.write(result_pipe, (1000).to_bytes(4, "big") + b"abc")
    Path(marker).write_text("written")
    time.sleep(60)


def test_a_pool_is_killed_while_a_process_was_half_way_through_sending_a_result(tmp_path):
    """The executor's thread that reads results waits for the rest of a message a killed process
    cut short; the kill must not wait for that thread forever (a Ctrl-C hung `loopguard check`)."""
    import threading

    from flake8_loopguard.commands.workers import WorkerPool

    marker = tmp_path / "half-written"
    pool = WorkerPool(1)
    pool.submit(_write_half_a_result, pool.executor._result_queue._writer.fileno(), str(marker))
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists()
    killing = threading.Thread(target=pool.kill, daemon=True)
    killing.start()
    killing.join(timeout=15)
    assert not killing.is_alive()


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
