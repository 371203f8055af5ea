"""``loopguard migrate`` on temporary copies of small projects and of the fixtures, run in the test's
process (tests/harness.py); as a real process where a fault is patched in, on a terminal, or
where what a fresh interpreter imports is the point."""

import ast
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .harness import Result, git, migrate

REPO = Path(__file__).resolve().parent.parent
FIXTURES = sorted((REPO / "fixtures").glob("*/repo"))
ONLY_LOOP_FIX = ("--select", "get_event_loop_to_running_loop")

GET_EVENT_LOOP = textwrap.dedent(
    """\
    import asyncio


    async def fetch():
        loop = asyncio.get_event_loop()
        return loop
    """
)
GET_EVENT_LOOP_DIFF = (
    "--- a/app/feed.py\n"
    "+++ b/app/feed.py\n"
    "@@ -2,5 +2,5 @@\n"
    " \n"
    " \n"
    " async def fetch():\n"
    "-    loop = asyncio.get_event_loop()\n"
    "+    loop = asyncio.get_running_loop()\n"
    "     return loop\n"
)
DROPPED_TASK = textwrap.dedent(
    """\
    import asyncio


    async def start():
        asyncio.create_task(work())


    async def work():
        pass
    """
)


def command_env():
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(REPO)
    return env


def migrate_with_fault(cwd, fault, *args):
    """The command run in-process in a subprocess after ``fault`` (Python source) has patched something."""
    script = fault + f"\nfrom flake8_loopguard.cli import main\nsys.exit(main(['migrate', *{list(args)!r}]))\n"
    completed = subprocess.run(
        [sys.executable, "-c", "import sys\n" + script], cwd=cwd, capture_output=True, timeout=300, env=command_env()
    )
    return Result(completed.returncode, completed.stdout.decode(), completed.stderr.decode())


def make_project(root, files):
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def snapshot(root):
    """Every file under root with its bytes and mode (symlinks as their target)."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[relative] = ("link", os.readlink(path))
        elif path.is_file():
            found[relative] = (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
    return found


# ----- the diff and --write ----------------------------------------------------------------------


def test_the_diff_goes_to_stdout_and_writes_nothing(tmp_path):
    make_project(tmp_path, {"app/__init__.py": "", "app/feed.py": GET_EVENT_LOOP})
    before = snapshot(tmp_path)
    result = migrate(tmp_path, *ONLY_LOOP_FIX)
    assert result.stdout == GET_EVENT_LOOP_DIFF
    assert result.status == 1
    assert snapshot(tmp_path) == before
    stderr = result.stderr
    assert "1 file(s) would change: read the diff, then run again with --write." in stderr
    assert "\x1b[" not in result.stdout + stderr  # not a terminal: no colour, no progress bar


def test_the_summary_golden(tmp_path):
    """stderr: plain text (no box drawing, no markup, the same on a terminal and off it), one row
    per line, the paths as `loopguard check .` shows them, then the verdict."""
    make_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/feed.py": GET_EVENT_LOOP,
            "app/sync.py": "import asyncio\n\n\nasync def wait(loop, coro):\n"
            "    return asyncio.run_coroutine_threadsafe(coro, loop).result()\n",
        },
    )
    result = migrate(tmp_path, *ONLY_LOOP_FIX)
    assert result.status == 1
    assert result.stderr == SUMMARY_GOLDEN


SUMMARY_GOLDEN = """\
files
scanned       3
would change  1
skipped       0
failed        0

codemod                         fixes
get_event_loop_to_running_loop      1

left for a human (1):
./app/sync.py:5: LG402 no codemod fixes LG402

linter findings  before  after
LG105                 1      0
LG402                 1      1
total                 2      1

1 file(s) would change: read the diff, then run again with --write. 1 left for a human (listed above).
"""


def test_the_diff_applies_with_patch_and_git_apply_like_write(tmp_path):
    project = make_project(
        tmp_path / "project", {"app/__init__.py": "", "app/feed.py": GET_EVENT_LOOP, "app/tasks.py": DROPPED_TASK}
    )
    diff = migrate(project, "--jobs", "2").stdout_bytes
    with_patch = tmp_path / "with_patch"
    with_git_apply = tmp_path / "with_git_apply"
    shutil.copytree(project, with_patch)
    shutil.copytree(project, with_git_apply)
    subprocess.run(["patch", "-p1", "--quiet"], input=diff, cwd=with_patch, check=True, timeout=60)
    git(with_git_apply, "init", "-q")
    subprocess.run(["git", "apply"], input=diff, cwd=with_git_apply, check=True, timeout=60)
    shutil.rmtree(with_git_apply / ".git")
    written = migrate(project, "--write")
    assert written.stdout == ""
    assert snapshot(project) == snapshot(with_patch) == snapshot(with_git_apply)
    assert "loop_runtime.py" in snapshot(project)  # the scaffolded module is part of the diff


def test_a_second_run_changes_nothing(tmp_path):
    make_project(tmp_path, {"app/__init__.py": "", "app/feed.py": GET_EVENT_LOOP, "app/tasks.py": DROPPED_TASK})
    first = migrate(tmp_path, "--write")
    assert first.status == 0, first.stderr
    after_first = snapshot(tmp_path)
    second = migrate(tmp_path)
    assert (second.stdout, second.status) == ("", 0)
    assert second.stderr.rstrip().endswith("nothing to change.")
    assert migrate(tmp_path, "--write").status == 0
    assert snapshot(tmp_path) == after_first


def test_jobs_give_the_same_diff(tmp_path):
    make_project(
        tmp_path,
        {f"app/m{index}.py": GET_EVENT_LOOP if index % 2 else DROPPED_TASK for index in range(12)},
    )
    one = migrate(tmp_path, "--jobs", "1")
    two = migrate(tmp_path, "--jobs", "2")
    assert one.stdout and one.stdout == two.stdout
    assert one.status == two.status == 1


def test_findings_left_make_exit_1_and_are_listed_with_file_and_line(tmp_path):
    make_project(tmp_path, {"app/sync.py": "import asyncio\n\n\ndef tick():\n    return asyncio.get_event_loop()\n"})
    result = migrate(tmp_path, "--write")
    assert result.status == 1
    stderr = result.stderr
    lines = stderr.splitlines()
    assert lines[lines.index("left for a human (1):") + 1] == (
        "./app/sync.py:5: LG105 synchronous code: pass the loop in from a coroutine, or make this a coroutine "
        "[get_event_loop_to_running_loop]"
    )
    assert "LG105                 1      1" in lines


def test_colour_only_when_asked_or_on_a_terminal(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP})
    coloured = migrate(tmp_path, *ONLY_LOOP_FIX, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[31m-    loop = asyncio.get_event_loop()\x1b[0m" in coloured
    assert "\x1b[32m+    loop = asyncio.get_running_loop()\x1b[0m" in coloured


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_only(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP})
    leader, follower = os.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "flake8_loopguard", "migrate", *ONLY_LOOP_FIX],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=follower, timeout=300, env=command_env(),
        )
        os.close(follower)
        terminal = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            terminal += chunk
    finally:
        os.close(leader)
    assert b"migrating" in terminal
    assert b"migrating" not in result.stdout
    assert "migrating" not in migrate(tmp_path, *ONLY_LOOP_FIX).stderr


def test_check_does_not_import_libcst_or_rich(tmp_path):
    heavy = "{'libcst', 'rich', 'loopguard_codemods'}"
    # A whole run: the command line module imports the commands only once `main` runs.
    probe = (
        "import sys, flake8_loopguard.cli; flake8_loopguard.cli.main(['check', '.']); "
        f"print(sorted({heavy} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.stdout == "no findings in 0 files\n[]\n"


# ----- options -----------------------------------------------------------------------------------


def test_unknown_codemod_is_a_usage_error_naming_it(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP})
    result = migrate(tmp_path, "--select", "get_event_loop_to_running_loop,make_it_fast")
    assert result.status == 2
    assert result.stdout == ""
    assert "make_it_fast" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("spec", ["loop_runtime", "loop_runtime:", ":TaskManager", "a-b:TaskManager", "a.class:X"])
def test_task_manager_must_be_module_colon_name(tmp_path, spec):
    result = migrate(tmp_path, "--task-manager", spec)
    assert result.status == 2
    assert result.stderr == (
        f"loopguard migrate: --task-manager must be module:Name (e.g. loop_runtime:TaskManager), not {spec!r}\n"
    )


def test_jobs_must_be_positive(tmp_path):
    result = migrate(tmp_path, "--jobs", "0")
    assert result.status == 2
    assert result.stderr.endswith("loopguard migrate: error: argument --jobs/-j: must be at least 1, got 0\n")


# ----- the scaffolded runtime module ---------------------------------------------------------------


def test_runtime_module_is_created_inside_the_installed_package_when_used(tmp_path):
    """A src/ layout installs only its package: the runtime goes inside it (tests/test_runtime_placement.py
    has every layout)."""
    project = make_project(
        tmp_path,
        {"src/desk/__init__.py": "", "src/desk/ui/__init__.py": "", "src/desk/ui/panel.py": DROPPED_TASK},
    )
    result = migrate(project, "src/desk/ui", "--write")
    assert result.status == 0, result.stderr
    created = project / "src" / "desk" / "loop_runtime.py"
    assert created.read_text(encoding="utf-8") == (REPO / "codemods" / "templates" / "loop_runtime.py").read_text(
        encoding="utf-8"
    )
    assert not (project / "src" / "loop_runtime.py").exists()
    assert "from desk.loop_runtime import TaskManager" in (project / "src/desk/ui/panel.py").read_text(encoding="utf-8")
    check = subprocess.run(
        [sys.executable, "-c", "import desk.ui.panel, desk.loop_runtime as runtime; print(runtime.TaskManager)"],
        cwd=project / "src", capture_output=True, text=True, timeout=60,
    )
    assert check.returncode == 0, check.stderr


def test_a_dotted_task_manager_creates_its_package_and_alias(tmp_path):
    make_project(tmp_path, {"app/__init__.py": "", "app/jobs.py": DROPPED_TASK})
    result = migrate(tmp_path, "--task-manager", "app.runtime.tasks:Tasks")
    diff = result.stdout
    assert "+from app.runtime.tasks import Tasks\n" in diff
    assert "--- /dev/null\n+++ b/app/runtime/__init__.py\n" in diff
    assert "--- /dev/null\n+++ b/app/runtime/tasks.py\n" in diff
    assert "+Tasks = TaskManager\n" in diff
    assert migrate(tmp_path, "--task-manager", "app.runtime.tasks:Tasks", "--write").status == 0
    assert (tmp_path / "app/runtime/tasks.py").is_file()


def test_an_existing_runtime_module_is_used_not_replaced(tmp_path):
    own = "class TaskManager:\n    def add_task(self, task, name=None):\n        return task\n\n    async def cleanup_all(self):\n        pass\n"
    make_project(tmp_path, {"loop_runtime.py": own, "jobs.py": DROPPED_TASK})
    result = migrate(tmp_path, "--write")
    assert result.status == 0, result.stderr
    assert (tmp_path / "loop_runtime.py").read_text(encoding="utf-8") == own


def test_an_existing_module_without_the_class_is_listed_for_a_human(tmp_path):
    """The import would fail: the task is left, no import written, and the summary says what to define."""
    make_project(tmp_path, {"loop_runtime.py": "TASKS = set()\n", "jobs.py": DROPPED_TASK})
    result = migrate(tmp_path)
    assert result.status == 1
    assert result.stdout == ""
    assert (
        "jobs.py:5: LG201 loop_runtime (loop_runtime.py) defines no TaskManager: define it, or name another with "
        "--task-manager, then run again [fire_and_forget_to_task_manager]\n"
    ) in result.stderr


def test_no_runtime_module_when_no_rewrite_imports_it(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP, "app/jobs.py": DROPPED_TASK})
    result = migrate(tmp_path, *ONLY_LOOP_FIX, "--write")
    assert result.status == 1  # the dropped task is left
    assert not (tmp_path / "loop_runtime.py").exists()


# ----- safety -------------------------------------------------------------------------------------


def test_refuses_to_write_over_uncommitted_changes(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP, "app/other.py": "x = 1\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    (tmp_path / "app/other.py").write_text("x = 2\n", encoding="utf-8")
    before = snapshot(tmp_path / "app")
    refused = migrate(tmp_path, "--write", *ONLY_LOOP_FIX)
    assert refused.status == 2
    assert refused.stderr == (
        "loopguard migrate: refusing to write: 1 file(s) under the given paths have uncommitted changes "
        "(app/other.py); commit or stash them first so the migration can be reviewed and undone with git, "
        "or pass --allow-dirty\n"
    )
    assert snapshot(tmp_path / "app") == before
    assert migrate(tmp_path, *ONLY_LOOP_FIX).status == 1  # showing the diff is always allowed
    allowed = migrate(tmp_path, "--write", "--allow-dirty", *ONLY_LOOP_FIX)
    assert allowed.status == 0, allowed.stderr
    assert "get_running_loop" in (tmp_path / "app/feed.py").read_text(encoding="utf-8")


def test_writes_into_a_clean_work_tree(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    assert migrate(tmp_path, "--write", *ONLY_LOOP_FIX).status == 0


def test_keeps_encoding_bom_line_endings_and_mode(tmp_path):
    latin = (
        b"# -*- coding: latin-1 -*-\nimport asyncio\n\n\n"
        b"async def f():\n    s = '\xe9t\xe9'\n    return asyncio.get_event_loop()\n"
    )
    bom_crlf = (
        b"\xef\xbb\xbfimport asyncio\r\n\r\n\r\n"
        b"async def f():\r\n    s = '\xc3\xa9'\r\n    return asyncio.get_event_loop()\r\n"
    )
    no_final_newline = b"import asyncio\n\n\nasync def f():\n    return asyncio.get_event_loop()"
    make_project(tmp_path, {"latin.py": latin, "bom_crlf.py": bom_crlf, "tail.py": no_final_newline})
    os.chmod(tmp_path / "latin.py", 0o751)
    diff = migrate(tmp_path, *ONLY_LOOP_FIX).stdout_bytes
    result = migrate(tmp_path, *ONLY_LOOP_FIX, "--write")
    assert result.status == 0, result.stderr
    assert (tmp_path / "latin.py").read_bytes() == latin.replace(b"get_event_loop", b"get_running_loop")
    assert (tmp_path / "bom_crlf.py").read_bytes() == bom_crlf.replace(b"get_event_loop", b"get_running_loop")
    assert (tmp_path / "tail.py").read_bytes() == no_final_newline.replace(b"get_event_loop", b"get_running_loop")
    assert stat.S_IMODE((tmp_path / "latin.py").stat().st_mode) == 0o751
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bom_crlf.py", "latin.py", "tail.py"]
    # The diff carries the same bytes: patch reproduces exactly what --write wrote.
    assert b"-    s = '\xe9t\xe9'" not in diff and b"+    return asyncio.get_running_loop()\r\n" in diff
    assert b"\\ No newline at end of file\n" in diff


def test_a_result_that_does_not_compile_is_never_written(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP, "app/more.py": GET_EVENT_LOOP.replace("fetch", "more")})
    before = snapshot(tmp_path)
    fault = textwrap.dedent(
        """\
        import libcst
        from loopguard_codemods import get_event_loop_to_running_loop as codemod
        codemod.GetEventLoopToRunningLoop.rewrite = lambda self, node, finding: libcst.Name("await")
        """
    )
    result = migrate_with_fault(tmp_path, fault, "--write", *ONLY_LOOP_FIX)
    assert result.status == 2
    stderr = result.stderr
    assert "Traceback" not in stderr
    assert "app/feed.py: get_event_loop_to_running_loop produced code that does not compile" in stderr
    assert "app/more.py: get_event_loop_to_running_loop produced code that does not compile" in stderr
    assert "failed   2" in stderr.splitlines()
    assert snapshot(tmp_path) == before


def test_interrupted_while_migrating_writes_nothing(tmp_path):
    make_project(tmp_path, {"a.py": GET_EVENT_LOOP, "b.py": GET_EVENT_LOOP})
    before = snapshot(tmp_path)
    fault = textwrap.dedent(
        """\
        from flake8_loopguard.commands.migrate import files as migrate_files
        real, calls = migrate_files.migrate_file, []
        def interrupted(options, path):
            calls.append(path)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real(options, path)
        migrate_files.migrate_file = interrupted
        """
    )
    result = migrate_with_fault(tmp_path, fault, "--write", *ONLY_LOOP_FIX)
    assert result.status == 130
    assert result.stderr == "loopguard migrate: interrupted; no file written\n"
    assert snapshot(tmp_path) == before


def test_a_worker_process_that_dies_is_one_line_naming_the_file_and_nothing_is_written(tmp_path):
    make_project(tmp_path, {f"m{index}.py": GET_EVENT_LOOP for index in range(6)})
    before = snapshot(tmp_path)
    # A file that kills the interpreter migrating it (as a crash in a C extension would).
    fault = textwrap.dedent(
        """\
        import os
        from flake8_loopguard.commands.migrate import files as migrate_files
        real = migrate_files.migrate_file
        def fatal(options, path):
            if path.endswith("m3.py"):
                os._exit(70)
            return real(options, path)
        migrate_files.migrate_file = fatal
        """
    )
    result = migrate_with_fault(tmp_path, fault, "--write", "--jobs", "2", *ONLY_LOOP_FIX)
    assert result.status == 2
    (message,) = result.stderr.splitlines()
    assert message.startswith("loopguard migrate: a worker process died while migrating ")
    assert message.endswith(" (a crash, or out of memory); no file written")
    # The file it died of, and perhaps the one the other process was migrating at that moment.
    migrating = message.split(" while migrating ")[1].split(" (")[0].split(", ")
    assert "./m3.py" in migrating and len(migrating) <= 2
    assert snapshot(tmp_path) == before


def test_interrupted_while_writing_leaves_every_file_whole(tmp_path):
    make_project(tmp_path, {"a.py": GET_EVENT_LOOP, "b.py": GET_EVENT_LOOP, "c.py": GET_EVENT_LOOP})
    fault = textwrap.dedent(
        """\
        import os
        real, calls = os.replace, []
        def interrupted(source, target):
            calls.append(target)
            if len(calls) == 2:
                raise KeyboardInterrupt
            real(source, target)
        os.replace = interrupted
        """
    )
    result = migrate_with_fault(tmp_path, fault, "--write", *ONLY_LOOP_FIX)
    assert result.status == 130
    assert result.stderr == (
        "loopguard migrate: warning: no git work tree holds .: nothing written there can be undone "
        "(no git history to restore it from)\n"
        "loopguard migrate: interrupted; 1 file(s) written before it, each completely\n"
    )
    migrated = GET_EVENT_LOOP.replace("get_event_loop", "get_running_loop")
    contents = [(tmp_path / name).read_text(encoding="utf-8") for name in ("a.py", "b.py", "c.py")]
    assert contents == [migrated, GET_EVENT_LOOP, GET_EVENT_LOOP]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.py", "b.py", "c.py"]  # no temporary file left


def test_only_the_given_paths_are_touched(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP, "app/other.py": GET_EVENT_LOOP, "lib/x.py": GET_EVENT_LOOP})
    result = migrate(tmp_path, "app/feed.py", "--write", *ONLY_LOOP_FIX)
    assert result.status == 0, result.stderr
    assert "get_running_loop" in (tmp_path / "app/feed.py").read_text(encoding="utf-8")
    assert (tmp_path / "app/other.py").read_text(encoding="utf-8") == GET_EVENT_LOOP
    assert (tmp_path / "lib/x.py").read_text(encoding="utf-8") == GET_EVENT_LOOP


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symbolic_links_are_skipped_not_followed(tmp_path):
    outside = make_project(tmp_path / "outside", {"target.py": GET_EVENT_LOOP, "pkg/inner.py": GET_EVENT_LOOP})
    project = make_project(tmp_path / "project", {"app/feed.py": GET_EVENT_LOOP})
    (project / "app/linked.py").symlink_to(outside / "target.py")
    (project / "app/linked_pkg").symlink_to(outside / "pkg", target_is_directory=True)
    before_outside = snapshot(outside)
    result = migrate(project, "--write", *ONLY_LOOP_FIX)
    assert result.status == 0, result.stderr
    assert snapshot(outside) == before_outside
    assert (project / "app/linked.py").is_symlink()
    stderr = result.stderr
    assert "skipped ./app/linked.py: a symbolic link; not followed" in stderr.splitlines()
    assert "skipped  1" in stderr.splitlines()


# ----- bad input --------------------------------------------------------------------------------


def test_bad_input_gets_one_line_each_and_the_run_goes_on(tmp_path):
    make_project(
        tmp_path,
        {
            "good.py": GET_EVENT_LOOP,
            "syntax.py": "import asyncio\ndef f(:\n",
            "nul.py": b"import asyncio\x00\n",
            "latin_without_cookie.py": b"import asyncio\nx = '\xff\xfe'\n",
            "bad_cookie.py": b"# -*- coding: klingon -*-\nimport asyncio\n",
        },
    )
    result = migrate(tmp_path, ".", "missing.py", "--write", *ONLY_LOOP_FIX)
    assert result.status == 2
    lines = result.stderr.splitlines()
    problems = [line for line in lines[: lines.index("files")] if ".py" in line]
    assert problems == [
        "missing.py: no such file or directory",
        "./bad_cookie.py: bad encoding declaration: unknown encoding: klingon",
        "./latin_without_cookie.py: cannot decode as utf-8 (line 2, byte 0xff): invalid start byte",
        "./nul.py: contains NUL bytes; not Python source",
        "./syntax.py:2:7: syntax error: invalid syntax; left unchanged",
    ]
    assert "get_running_loop" in (tmp_path / "good.py").read_text(encoding="utf-8")
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_named(tmp_path):
    make_project(tmp_path, {"locked.py": GET_EVENT_LOOP})
    os.chmod(tmp_path / "locked.py", 0)
    try:
        result = migrate(tmp_path, "locked.py")
    finally:
        os.chmod(tmp_path / "locked.py", 0o644)
    assert result.status == 2
    assert "locked.py: cannot read: Permission denied" in result.stderr


def test_each_file_outcome_is_a_file_status(tmp_path):
    from flake8_loopguard.commands.migrate.files import FileStatus, MigrationOptions, migrate_file
    from flake8_loopguard.commands.selection import Selection
    from flake8_loopguard.commands.settings import load_settings
    from flake8_loopguard.core.config import DEFAULT_CONFIG
    from flake8_loopguard.core.rules import all_rules
    from loopguard_codemods.placement import RuntimePlacement

    make_project(
        tmp_path,
        {
            "fixable.py": GET_EVENT_LOOP,
            "clean.py": "x = 1\n",
            "silenced.py": "# flake8: noqa\n" + GET_EVENT_LOOP,
            "nul.py": b"x = 1\x00\n",
        },
    )
    settings = load_settings(tuple(rule.code for rule in all_rules()), {}, cwd=tmp_path)
    options = MigrationOptions(DEFAULT_CONFIG, None, Selection(settings), RuntimePlacement(cwd=tmp_path))
    names = ("fixable.py", "clean.py", "silenced.py", "nul.py")
    outcomes = {name: migrate_file(options, str(tmp_path / name)) for name in names}
    assert {name: result.status for name, result in outcomes.items()} == {
        "fixable.py": FileStatus.CHANGED,
        "clean.py": FileStatus.UNCHANGED,
        "silenced.py": FileStatus.SKIPPED,
        "nul.py": FileStatus.FAILED,
    }
    assert outcomes["silenced.py"].skip_reason == "# flake8: noqa"
    assert outcomes["nul.py"].error == f"{tmp_path / 'nul.py'}: contains NUL bytes; not Python source"


# ----- the fixture repositories ----------------------------------------------------------------------


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.parent.name)
def test_fixture_migration_parses_and_is_idempotent(tmp_path, fixture):
    project = tmp_path / fixture.parent.name
    shutil.copytree(fixture, project)
    pristine = snapshot(project)
    shown = migrate(project)
    assert shown.status in (0, 1), shown.stderr
    assert snapshot(project) == pristine
    written = migrate(project, "--write")
    assert written.status in (0, 1), written.stderr
    for path in project.rglob("*.py"):
        ast.parse(path.read_bytes(), filename=str(path))
    after = snapshot(project)
    again = migrate(project)
    assert again.stdout == ""
    assert snapshot(project) == after
    if fixture.parent.name == "clean_qasync_app":
        assert (shown.stdout, shown.status, after) == ("", 0, pristine)


def test_codes_the_configuration_ignores_are_neither_fixed_nor_listed(tmp_path):
    """migrate reads the same [tool.loopguard] selection as check: an ignored code stays as written."""
    make_project(
        tmp_path,
        {
            "pyproject.toml": '[tool.loopguard]\nper-file-ignores = { "app/feed.py" = ["LG105"] }\n',
            "app/__init__.py": "",
            "app/feed.py": GET_EVENT_LOOP,
        },
    )
    result = migrate(tmp_path)
    assert (result.stdout, result.status) == ("", 0), result.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.loopguard]\n", encoding="utf-8")
    assert "get_running_loop" in migrate(tmp_path).stdout
