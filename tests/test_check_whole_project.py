"""`loopguard check`'s whole-project rules: LG107 and the cross-module LG401/LG102 see every file
of the project, also the files the prefilter skips, in one process and in worker processes."""

import shutil
import textwrap

from .conftest import REPO
from .harness import check
from .samples import CLEAN, LG102, RUNS_A_LOOP, write


def test_the_whole_project_rules_see_every_file_when_one_is_named(tmp_path):
    entry_script = 'import asyncio\n\nimport b\n\nif __name__ == "__main__":\n    asyncio.run(main())\n    b.load()\n'
    write(tmp_path, {"pyproject.toml": "[tool.loopguard]\n", "a.py": entry_script, "b.py": RUNS_A_LOOP})
    result = check(tmp_path, "--no-cache", "a.py")
    assert result.stdout == (
        "a.py:6:5: LG107 asyncio.run() starts this process's event loop, and the code it reaches owns another: "
        "asyncio.run() at b.py:5 (load()); keep one loop, started by the entry point\n"
        "1 finding in 1 of 1 file\n"
    )


# A loop helper, and files the prefilter skips (no loop word) that reach it from a thread:
# through a plain function of another such file (a second round of modelling), and through a
# package's re-export under another name. `quiet.py` hands over a thread but names no helper.
HELPER_PROJECT = {
    "helpers.py": RUNS_A_LOOP.replace("def load", "def load_all"),
    "middle.py": """\
        from helpers import load_all


        def refresh_in_background():
            load_all()


        def log_later(pool):
            pool.submit(print, "later")
        """,
    "worker.py": """\
        import threading

        from middle import refresh_in_background


        def start():
            threading.Thread(target=refresh_in_background).start()
        """,
    "pkg/__init__.py": "from helpers import load_all as refresh\n",
    "direct.py": """\
        from threading import Thread

        from pkg import refresh


        def start():
            Thread(target=refresh).start()
        """,
    "quiet.py": """\
        import threading

        import helpers


        def start(job):
            threading.Thread(target=job, name=helpers.__name__).start()
        """,
}


LG401_TAIL = (
    "(./helpers.py:4) runs a private event loop in a worker thread; make it an @asyncSlot coroutine on the main loop"
)


def modelled_line(count):
    return f"loopguard: whole-project rules: {count} more files modelled for their calls of functions that reach a loop"


def test_hand_overs_in_files_the_prefilter_skips_are_found_through_the_helpers_names(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.loopguard]\n", **HELPER_PROJECT})
    result = check(tmp_path, "--no-cache", "-v", ".")
    assert result.stdout == (
        f"./direct.py:7:5: LG401 load_all() {LG401_TAIL}\n"
        f"./helpers.py:5:12: {LG102}\n"
        f"./worker.py:7:5: LG401 refresh_in_background() -> load_all() {LG401_TAIL}\n"
        "3 findings in 3 of 6 files\n"
    )
    # middle.py, direct.py and pkg/__init__.py (which import load_all or its re-export), then
    # worker.py (it imports refresh_in_background, a link found in middle.py); quiet.py imports
    # helpers but spells no name of a function that reaches a loop: read, not parsed.
    assert result.stderr.splitlines()[-2] == modelled_line(4)
    assert check(tmp_path, "--no-cache", "--jobs", "2", ".").stdout == result.stdout


def test_worker_processes_find_the_same_hand_overs_in_every_phase(tmp_path):
    # Enough files for two worker processes, which then also serve the later phases.
    padding = {f"plain_{index}.py": f"def f{index}(pool):\n    pool.submit(print, {index})\n" for index in range(40)}
    write(tmp_path, {"pyproject.toml": "[tool.loopguard]\n", **HELPER_PROJECT, **padding})
    in_process = check(tmp_path, "--no-cache", "-v", "--jobs", "1", ".")
    in_workers = check(tmp_path, "--no-cache", "-v", "--jobs", "2", ".")
    assert in_workers.stdout == in_process.stdout
    assert in_workers.stdout.count("LG401") == 2
    assert in_workers.stderr.splitlines()[-2:] == in_process.stderr.splitlines()[-2:] == [
        modelled_line(4),
        "loopguard: 46 files: 46 checked, 0 unchanged since the cache, 46 reported on",
    ]


def test_a_plain_module_between_a_thread_and_a_loop_helper_is_a_link_at_any_depth(tmp_path):
    """tests/projects/middle_modules: relay/plain.py and relay/plainer.py name no loop and hand
    nothing over, yet link a thread, a coroutine and an entry point to relay/loop_helper.py;
    relay/clock.py calls nothing that reaches a loop and is never parsed."""
    shutil.copytree(REPO / "tests" / "projects" / "middle_modules", tmp_path / "project")
    root = tmp_path / "project"
    (root / "expected.txt").unlink()
    (root / "pyproject.toml").write_text("[tool.loopguard]\n", encoding="utf-8")
    result = check(root, "--no-cache", "-v", ".")
    expected = (REPO / "tests" / "projects" / "middle_modules" / "expected.txt").read_text(encoding="utf-8")
    found = result.stdout.replace("./", "").splitlines()[:-1]
    assert set(found) == set(expected.splitlines()) | {f"relay/loop_helper.py:5:12: {LG102}"}
    # relay/plain.py, then relay/plainer.py, then relay/worker.py and relay/view.py (run.py has a loop word)
    assert result.stderr.splitlines()[-2] == modelled_line(4)


def test_without_a_loop_helper_no_skipped_file_is_parsed(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.loopguard]\n", **HELPER_PROJECT, "helpers.py": CLEAN})
    result = check(tmp_path, "--no-cache", "-v", ".")
    assert (result.status, result.stdout) == (0, "no findings in 6 files\n")
    assert result.stderr.splitlines()[-2:] == [
        modelled_line(0),
        "loopguard: 6 files: 6 checked, 0 unchanged since the cache, 6 reported on",
    ]


def test_a_file_level_flake8_noqa_silences_the_whole_file(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": "[tool.loopguard]\n",
            **HELPER_PROJECT,
            "worker.py": "# flake8: noqa\n" + textwrap.dedent(HELPER_PROJECT["worker.py"]),
            "helpers.py": "# flake8: noqa: LG102\n" + RUNS_A_LOOP.replace("def load", "def load_all"),
            "broken.py": "import asyncio\n  # flake8: noqa\ndef f(:\n",
        },
    )
    result = check(tmp_path, "--no-cache", ".")
    # worker.py's LG401 is gone; the file-level noqa of helpers.py names a code: flake8 ignores it.
    assert result.stdout == (
        f"./direct.py:7:5: LG401 load_all() {LG401_TAIL.replace('helpers.py:4', 'helpers.py:5')}\n"
        f"./helpers.py:6:12: {LG102}\n"
        "2 findings in 2 of 7 files\n"
    )
    assert (result.status, result.stderr) == (1, "")
