"""The ``loopguard`` console script (``cli.entry``): after ``loopguard check`` the process ends at
once, its atexit handlers run, its output flushed and its status the command's, without the
interpreter's teardown (which frees every object: a module's global with ``__del__`` says so);
after another command, while another thread runs, or when a flush fails, Python ends it as usual."""

import subprocess
import sys
import textwrap

from .processes import command_env

RUNS_A_LOOP = "import asyncio\n\n\ndef load():\n    return asyncio.run(fetch())\n"
# The atexit handlers run either way; the teardown, which frees a module's globals, only in
# Python's usual exit.
ENTRY = textwrap.dedent(
    """\
    import atexit, sys
    atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
    class Freed:
        def __del__(self):
            sys.stderr.write("freed\\n")
    kept_to_the_end = Freed()
    from flake8_loopguard.cli import entry
    entry()
    """
)


def run_entry(cwd, *args, **popen):
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args], cwd=cwd, env=command_env(), capture_output=True, text=True, **popen
    )


def write_files(tmp_path, count):
    for index in range(count):
        (tmp_path / f"m{index:04}.py").write_text(RUNS_A_LOOP)


def test_after_a_check_the_process_ends_at_once_with_its_whole_output_and_status(tmp_path):
    # Some 300 KB of findings: far more than a pipe's buffer, all of it flushed before the end.
    write_files(tmp_path, 3000)
    (tmp_path / "broken.py").write_bytes(b"\xff\xfe = 1\n")
    result = run_entry(tmp_path, "check", "--no-cache", "--jobs", "2", ".")
    lines = result.stdout.splitlines()
    assert (result.returncode, len(lines), lines[-1]) == (2, 3001, "3000 findings in 3000 of 3000 files")
    assert lines[0] == "./m0000.py:5:12: LG102 " + (
        "asyncio.run() starts a new event loop outside the entry point; await the coroutine instead"
    )
    assert result.stderr == (
        "loopguard: ./broken.py: cannot decode as utf-8 (line 1, byte 0xff): invalid start byte\natexit ran\n"
    )


def test_a_clean_check_ends_at_once_with_status_0(tmp_path):
    (tmp_path / "clean.py").write_text("x = 1\n")
    result = run_entry(tmp_path, "check", "--no-cache", ".")
    assert (result.returncode, result.stdout, result.stderr) == (0, "no findings in 1 file\n", "atexit ran\n")


def test_while_another_thread_runs_python_ends_the_process_after_it(tmp_path):
    (tmp_path / "clean.py").write_text("x = 1\n")
    start_a_thread = "import threading, time\nthreading.Thread(target=time.sleep, args=(0.2,)).start()\n"
    result = subprocess.run(
        [sys.executable, "-c", start_a_thread + ENTRY, "check", "--no-cache", "."],
        cwd=tmp_path, env=command_env(), capture_output=True, text=True,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "no findings in 1 file\n", "atexit ran\nfreed\n")


def test_other_commands_end_the_usual_way(tmp_path):
    result = run_entry(tmp_path, "rule", "LG102")
    assert result.returncode == 0 and result.stdout.startswith("LG102")
    assert result.stderr == "atexit ran\nfreed\n"


def test_a_flush_that_fails_leaves_the_exit_to_python_as_before(tmp_path):
    # Text left in stdout's buffer, its reader gone: the flush fails. Python's own exit then runs
    # the atexit handlers, says so and ends with status 120, as with `sys.exit(main())`.
    write_files(tmp_path, 1)
    leave_text_unflushed = textwrap.dedent(
        """\
        import os, sys
        from flake8_loopguard import cli
        real_main = cli.main
        def main(*args):
            status = real_main(*args)
            read_end, write_end = os.pipe()
            os.close(read_end)
            sys.stdout = open(write_end, "w", encoding="utf-8")
            sys.stdout.write("left in the buffer")
            return status
        cli.main = main
        """
    )
    outcomes = []
    for ending in (ENTRY, ENTRY.replace("entry()", "sys.exit(cli.main())")):
        script = leave_text_unflushed + ending
        result = subprocess.run(
            [sys.executable, "-c", script, "check", "--no-cache", "."],
            cwd=tmp_path, env=command_env(), capture_output=True, text=True,
        )
        outcomes.append((result.returncode, result.stderr))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] == (
        120,
        (
            "atexit ran\nException ignored in: <_io.TextIOWrapper name=4 mode='w' encoding='utf-8'>\n"
            "BrokenPipeError: [Errno 32] Broken pipe\nfreed\n"
        ),
    )
