"""`loopguard check`, run for real as a subprocess on temporary projects."""

import configparser
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from flake8_loopguard.commands.check.cache import key_home, machine_key, signed, verified_body

from .conftest import REPO

FIXTURES = sorted(path.parent for path in (REPO / "fixtures").glob("*/repo"))

LG101 = (
    "LG101 event loop created with asyncio.new_event_loop() outside the entry point; await on the running loop instead"
)
LG102 = "LG102 asyncio.run() starts a new event loop outside the entry point; await the coroutine instead"
LG201 = "LG201 task created with create_task() is never referenced; keep it in a TaskManager"
LG303 = "LG303 asyncio.Lock() created in __init__; create it lazily on the running loop"

RUNS_A_LOOP = """\
import asyncio


def load():
    return asyncio.run(fetch())
"""
DROPS_A_TASK = """\
import asyncio


async def tick():
    asyncio.create_task(fetch())
"""
LOCK_IN_INIT = """\
import asyncio


class Feed:
    def __init__(self):
        self.lock = asyncio.Lock()
"""
CLEAN = "async def load():\n    return await fetch()\n"


def check(cwd, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "flake8_loopguard", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def write(root, files):
    for name, text in files.items():
        path = Path(root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")


def git(repo, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True, capture_output=True
    )


def assert_no_traceback(result):
    assert "Traceback" not in result.stderr, result.stderr


# ----- parity with the flake8 plugin ------------------------------------------------


def flake8_options_as_flags(fixture):
    """The fixture's `loopguard-*` settings in its flake8 configuration, as `loopguard check` flags."""
    parser = configparser.ConfigParser()
    parser.read(fixture / "repo" / "setup.cfg")
    if not parser.has_section("flake8"):
        return []
    flags = []
    for key, value in parser.items("flake8"):
        if key.startswith("loopguard-"):
            flags += [f"--{key[len('loopguard-') :]}", value]
    return flags


# The closing line `loopguard check` adds after the finding lines (flake8 prints none).
FIXTURE_TOTALS = {
    "clean_qasync_app": "no findings in 8 files",
    "grpc_provider": "8 findings in 3 of 6 files",
    "log_merger": "7 findings in 3 of 7 files",
    "threadpool_broker": "5 findings in 2 of 6 files",
    "trading_desktop": "37 findings in 12 of 40 files",
    "ws_agent": "6 findings in 1 of 6 files",
}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_fixture_output_equals_the_flake8_golden(fixture):
    # The golden is `flake8 --select LG .` run in fixture/repo; LG107 is the gate's own whole-project rule.
    result = check(fixture / "repo", "--no-cache", "--ignore", "LG107", *flake8_options_as_flags(fixture), ".")
    golden = (fixture / "expected.txt").read_text(encoding="utf-8")
    assert result.stderr == ""
    assert result.stdout == golden + FIXTURE_TOTALS[fixture.name] + "\n"
    assert result.returncode == (1 if golden else 0)


# LG107, one finding per process that would own more than one loop: the trading app's main()
# makes two QEventLoops (the seed's "QEventLoop 이중 생성" path) and a start-up helper runs
# asyncio.run. log_merger's modes run one loop each, in the branches of one if/elif/else.
FIXTURE_LG107 = {
    "trading_desktop": [
        "./run_desktop_ui.py:80:12: LG107 qasync.QEventLoop() starts this process's event loop, and the code it "
        "reaches owns another: qasync.QEventLoop() at ./run_desktop_ui.py:91 (entry code); asyncio.run() at "
        "./run_desktop_ui.py:65 (main() -> _check_api_connectivity()); keep one loop, started by the entry point"
    ],
}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_fixture_lg107_is_one_finding_per_process_beside_the_flake8_golden(fixture):
    result = check(fixture / "repo", "--no-cache", *flake8_options_as_flags(fixture), ".")
    golden = (fixture / "expected.txt").read_text(encoding="utf-8").splitlines()
    *lines, _total = result.stdout.splitlines()
    assert [line for line in lines if " LG107 " not in line] == golden
    assert [line for line in lines if " LG107 " in line] == FIXTURE_LG107.get(fixture.name, [])


# ----- exit codes, output ------------------------------------------------------------


def test_violation_exits_1_with_flake8_lines_and_clean_code_exits_0(tmp_path):
    write(tmp_path, {"widget.py": RUNS_A_LOOP, "ok.py": CLEAN})
    found = check(tmp_path, "--no-cache", "widget.py", "ok.py")
    assert (found.returncode, found.stdout, found.stderr) == (
        1,
        f"widget.py:5:12: {LG102}\n1 finding in 1 of 2 files\n",
        "",
    )
    clean = check(tmp_path, "--no-cache", "ok.py")
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "no findings in 1 file\n", "")


def test_folders_are_walked_and_printed_as_flake8_prints_them(tmp_path):
    write(tmp_path, {"pkg/b.py": DROPS_A_TASK, "pkg/a.py": RUNS_A_LOOP, "pkg/notes.txt": "asyncio.run(x)"})
    result = check(tmp_path, "--no-cache", ".")
    assert result.stdout == f"./pkg/a.py:5:12: {LG102}\n./pkg/b.py:5:5: {LG201}\n2 findings in 2 of 2 files\n"
    result = check(tmp_path, "--no-cache", "pkg")
    assert result.stdout == f"pkg/a.py:5:12: {LG102}\npkg/b.py:5:5: {LG201}\n2 findings in 2 of 2 files\n"


def test_exit_zero_and_statistics(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP + "\n\ndef again():\n    asyncio.run(fetch())\n", "b.py": DROPS_A_TASK})
    result = check(tmp_path, "--no-cache", "--statistics", "--exit-zero", "--ignore", "LG107", "a.py", "b.py")
    assert result.returncode == 0
    assert result.stdout == (
        f"a.py:5:12: {LG102}\na.py:9:5: {LG102}\nb.py:5:5: {LG201}\n2     {LG102}\n1     {LG201}\n"
        "3 findings in 2 of 2 files\n"
    )


def test_python_dash_m_and_the_loopguard_script_are_the_same_command(tmp_path):
    write(tmp_path, {"widget.py": RUNS_A_LOOP})
    script = Path(sys.executable).with_name("loopguard")
    if not script.exists():
        pytest.skip(f"no loopguard script next to {sys.executable}")
    via_script = subprocess.run(
        [str(script), "check", "--no-cache", "widget.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert (via_script.returncode, via_script.stdout) == (1, f"widget.py:5:12: {LG102}\n1 finding in 1 of 1 file\n")


# ----- selection, noqa ---------------------------------------------------------------


@pytest.mark.parametrize(
    "flags, codes",
    [
        ((), ["LG102", "LG201"]),
        (("--select", "LG"), ["LG102", "LG201"]),  # B9 semantics: `LG` alone leaves opt-in rules off
        (("--extend-select", "LG303"), ["LG303", "LG102", "LG201"]),
        (("--extend-select", "LG3"), ["LG303", "LG102", "LG201"]),
        (("--extend-select", "LG30"), ["LG303", "LG102", "LG201"]),
        (("--select", "LG1,LG303"), ["LG303", "LG102"]),
        (("--ignore", "LG2"), ["LG102"]),
        (("--select", "LG201", "--ignore", "LG2"), ["LG201"]),  # the longer prefix wins
        (("--select", "LG2", "--ignore", "LG201"), []),
    ],
)
def test_selection_has_flake8_semantics(tmp_path, flags, codes):
    write(
        tmp_path,
        {"feed.py": LOCK_IN_INIT + "\n\n" + RUNS_A_LOOP.split("\n", 1)[1] + "\n\n" + DROPS_A_TASK.split("\n", 1)[1]},
    )
    result = check(tmp_path, "--no-cache", *flags, "feed.py")
    *findings, total = result.stdout.splitlines()
    assert [line.split()[1] for line in findings] == codes
    assert total == {0: "no findings in 1 file", 1: "1 finding in 1 of 1 file"}.get(
        len(codes), f"{len(codes)} findings in 1 of 1 file"
    )
    assert result.returncode == (1 if codes else 0)


def test_noqa_is_read_the_flake8_way(tmp_path):
    write(
        tmp_path,
        {
            "a.py": """\
            import asyncio

            asyncio.run(main())  # noqa: LG102
            asyncio.run(main())  # noqa: LG1
            asyncio.run(main())  # noqa: LG2
            asyncio.run(main())  # noqa
            asyncio.run(main())  # NOQA:LG201,LG102
            """
        },
    )
    result = check(tmp_path, "--no-cache", "--ignore", "LG107", "a.py")
    assert result.stdout == f"a.py:5:1: {LG102}\n1 finding in 1 of 1 file\n"


# ----- configuration -----------------------------------------------------------------


def test_pyproject_settings_are_found_upward_and_flags_override_them(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": """\
            [tool.loopguard]
            extend-select = ["LG303"]
            ignore = "LG201"
            entry-points = ["app/boot.py"]
            """,
            "app/boot.py": RUNS_A_LOOP,
            "app/feed.py": LOCK_IN_INIT,
            "app/tick.py": DROPS_A_TASK,
        },
    )
    result = check(tmp_path / "app", "--no-cache", ".")
    assert result.stdout == f"./feed.py:6:21: {LG303}\n1 finding in 1 of 3 files\n"
    overridden = check(tmp_path / "app", "--no-cache", "--ignore", "LG303", "--entry-points", "", ".")
    assert overridden.stdout == f"./boot.py:5:12: {LG102}\n./tick.py:5:5: {LG201}\n2 findings in 2 of 3 files\n"


def test_per_file_ignores_apply_the_longest_matching_pattern(tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": """\
            [tool.loopguard.per-file-ignores]
            "tests/*" = ["LG1"]
            "tests/test_tick.py" = "LG2"
            """,
            "tests/test_load.py": RUNS_A_LOOP + DROPS_A_TASK.split("\n", 1)[1],
            "tests/test_tick.py": RUNS_A_LOOP + DROPS_A_TASK.split("\n", 1)[1],
            "src/load.py": RUNS_A_LOOP,
        },
    )
    result = check(tmp_path, "--no-cache", "--ignore", "LG107", ".")
    assert result.stdout == (
        f"./src/load.py:5:12: {LG102}\n./tests/test_load.py:9:5: {LG201}\n./tests/test_tick.py:5:12: {LG102}\n"
        "3 findings in 3 of 3 files\n"
    )
    flake8_text_form = check(tmp_path, "--no-cache", "--ignore", "LG107", "--per-file-ignores", "tests/*: LG", ".")
    assert flake8_text_form.stdout == f"./src/load.py:5:12: {LG102}\n1 finding in 1 of 3 files\n"
    one_line = "src/load.py,tests/test_load.py:LG1 tests/test_tick.py: LG102,LG2"
    flake8_one_line = check(tmp_path, "--no-cache", "--ignore", "LG107", "--per-file-ignores", one_line, ".")
    assert flake8_one_line.stdout == f"./tests/test_load.py:9:5: {LG201}\n1 finding in 1 of 3 files\n"
    broken = check(tmp_path, "--no-cache", "--per-file-ignores", "tests/*.py LG1", ".")
    assert (broken.returncode, broken.stdout) == (2, "")
    assert broken.stderr == "loopguard: --per-file-ignores: expected `glob: CODES` mappings, got 'tests/*.py LG1'\n"


def test_exclude_extend_exclude_and_default_folders(tmp_path):
    write(
        tmp_path,
        {
            "src/app.py": RUNS_A_LOOP,
            "src/generated/stub.py": RUNS_A_LOOP,
            "src/legacy_old.py": RUNS_A_LOOP,
            ".venv/lib/site.py": RUNS_A_LOOP,
            "build/lib/app.py": RUNS_A_LOOP,
            "node_modules/x/y.py": RUNS_A_LOOP,
            "pyproject.toml": '[tool.loopguard]\nextend-exclude = ["src/generated", "*_old.py"]\n',
        },
    )
    result = check(tmp_path, "--no-cache", "--ignore", "LG107", ".")
    assert result.stdout == f"./src/app.py:5:12: {LG102}\n1 finding in 1 of 1 file\n"
    no_default = check(tmp_path, "--no-cache", "--ignore", "LG107", "--exclude", "", ".")
    assert [line.split(":")[0] for line in no_default.stdout.splitlines()] == [
        "./.venv/lib/site.py",
        "./build/lib/app.py",
        "./node_modules/x/y.py",
        "./src/app.py",
        "4 findings in 4 of 4 files",
    ]
    # A file named on the command line is checked although its folder is skipped by default.
    named = check(tmp_path, "--no-cache", "--ignore", "LG107", "build/lib/app.py")
    assert named.stdout == f"build/lib/app.py:5:12: {LG102}\n1 finding in 1 of 1 file\n"


def test_what_git_ignores_is_skipped_in_a_work_tree(tmp_path):
    write(
        tmp_path,
        {
            ".gitignore": "generated/\nscratch_*.py\n",
            "app.py": RUNS_A_LOOP,
            "generated/api.py": RUNS_A_LOOP,
            "scratch_1.py": RUNS_A_LOOP,
            "new_module.py": DROPS_A_TASK,  # untracked but not ignored: checked
        },
    )
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".gitignore", "app.py")
    result = check(tmp_path, "--no-cache", ".")
    assert result.stdout == f"./app.py:5:12: {LG102}\n./new_module.py:5:5: {LG201}\n2 findings in 2 of 2 files\n"
    inside = check(tmp_path / "generated", "--no-cache", ".")  # named explicitly: checked, as ruff does
    assert inside.stdout == f"./api.py:5:12: {LG102}\n1 finding in 1 of 1 file\n"


@pytest.mark.parametrize(
    "table, message",
    [
        ("[tool.loopguard]\nselect = [\n", "invalid TOML"),
        ("[tool.loopguard]\nentry_points = ['main.py']\n", "unknown key 'entry_points'; did you mean 'entry-points'?"),
        ("[tool.loopguard]\nselect = 3\n", "[tool.loopguard] select: expected a list of strings"),
        ("[tool.loopguard]\nignore = ['LG999']\n", "[tool.loopguard] ignore: 'LG999' is no rule code"),
        ("[tool.loopguard]\ntask-manager = [1]\n", "[tool.loopguard] task-manager: expected strings"),
        ("[tool]\nloopguard = 1\n", "[tool.loopguard] must be a table"),
        ("[tool.loopguard.per-file-ignores]\n'tests/*' = ['XY1']\n", "'XY1' is no rule code"),
    ],
)
def test_a_broken_configuration_names_the_key_and_exits_2(tmp_path, table, message):
    write(tmp_path, {"pyproject.toml": table, "a.py": RUNS_A_LOOP})
    result = check(tmp_path, "--no-cache", "a.py")
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "pyproject.toml" in result.stderr
    assert_no_traceback(result)


def test_an_unknown_code_on_the_command_line_exits_2(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP})
    result = check(tmp_path, "--no-cache", "--select", "LG1,F401", "a.py")
    assert (result.returncode, result.stdout) == (2, "")
    assert (
        result.stderr
        == "loopguard: --select: 'F401' is no rule code nor a prefix of one (`loopguard rules` lists them)\n"
    )


def test_a_run_is_told_everything_by_one_settled_options_object(tmp_path, monkeypatch, capsys):
    """The command line is settled once over [tool.loopguard] into a frozen CheckOptions; the run,
    the cache key and the report read that, so a run can be made from options alone."""
    import dataclasses

    from flake8_loopguard.cli import _parser
    from flake8_loopguard.commands.check.cache import configuration_key
    from flake8_loopguard.commands.check.command import check as check_with, settled_options
    from flake8_loopguard.commands.check.formats import ReportFormat

    write(tmp_path, {"pyproject.toml": '[tool.loopguard]\nignore = "LG201"\n', "app.py": RUNS_A_LOOP})
    monkeypatch.chdir(tmp_path)
    options = settled_options(_parser().parse_args(["check", "--format", "json", "--cache-dir", "c", "-j", "1"]))
    assert (options.paths, options.jobs, options.cache_dir, options.report.format) == (
        (".",),
        1,
        Path("c"),
        ReportFormat.JSON,
    )
    assert options.settings.ignore == ("LG201",) and options.whole_project
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.jobs = 2
    as_text = dataclasses.replace(
        options, cache_dir=None, report=dataclasses.replace(options.report, format=ReportFormat.TEXT)
    )
    status = check_with(as_text)
    assert (status, capsys.readouterr().out) == (1, f"./app.py:5:12: {LG102}\n1 finding in 1 of 1 file\n")
    assert not (tmp_path / "c").exists()
    # The key of the cached results follows what changes the records, not how they are reported.
    assert configuration_key(as_text) == configuration_key(options)
    assert configuration_key(dataclasses.replace(options, whole_project=False)) != configuration_key(options)


# ----- bad input ---------------------------------------------------------------------


def test_bad_files_are_one_line_each_the_run_goes_on_and_exits_2(tmp_path):
    write(
        tmp_path,
        {
            "a_syntax.py": "import asyncio\ndef f(:\n    asyncio.run(x)\n",
            "b_latin1.py": b"import asyncio\nname = '\xe9t\xe9'\n",
            "c_nul.py": b"import asyncio\x00\n",
            "d_cookie.py": b"# -*- coding: no-such-codec -*-\nimport asyncio\n",
            "e_ok.py": RUNS_A_LOOP,
        },
    )
    (tmp_path / "f_dangling.py").symlink_to(tmp_path / "nowhere.py")
    result = check(tmp_path, "--no-cache", ".", "missing.py")
    assert result.returncode == 2
    # The files that could not be read are error lines, not counted as checked.
    assert result.stdout == (
        f"./a_syntax.py:2:7: E999 SyntaxError: invalid syntax\n./e_ok.py:5:12: {LG102}\n2 findings in 2 of 2 files\n"
    )
    assert result.stderr.splitlines() == [
        "loopguard: missing.py: no such file or directory",
        "loopguard: ./b_latin1.py: cannot decode as utf-8 (line 2, byte 0xe9): invalid continuation byte",
        "loopguard: ./c_nul.py: contains NUL bytes; not Python source",
        "loopguard: ./d_cookie.py: bad encoding declaration: unknown encoding: no-such-codec",
        "loopguard: ./f_dangling.py: cannot read: No such file or directory",
    ]


def test_a_syntax_error_alone_exits_2_and_is_never_hidden(tmp_path):
    write(tmp_path, {"bad.py": "import asyncio\nasync def f(:\n"})
    result = check(tmp_path, "--no-cache", "--select", "LG201", "bad.py")
    assert (result.returncode, result.stdout) == (
        2,
        "bad.py:2:13: E999 SyntaxError: invalid syntax\n1 finding in 1 of 1 file\n",
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs file names that are bytes, not UTF-8")
def test_a_file_name_that_is_not_utf8_is_checked_and_cached(tmp_path):
    name = os.fsencode(tmp_path) + b"/caf\xe9.py"
    with open(name, "wb") as stream:
        stream.write(RUNS_A_LOOP.encode())
    for _ in range(2):  # the second run reads the cache written by the first
        result = subprocess.run(
            [sys.executable, "-m", "flake8_loopguard", "check", "."], cwd=tmp_path, capture_output=True, timeout=120
        )
        assert b"Traceback" not in result.stderr
        expected = f"./caf\xe9.py:5:12: {LG102}\n1 finding in 1 of 1 file\n"
        assert (result.returncode, result.stdout) == (1, expected.encode("latin-1"))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that file permissions apply to")
def test_an_unreadable_folder_is_named(tmp_path):
    write(tmp_path, {"locked/a.py": RUNS_A_LOOP, "b.py": RUNS_A_LOOP})
    (tmp_path / "locked").chmod(0)
    try:
        result = check(tmp_path, "--no-cache", ".")
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert result.returncode == 2
    assert "loopguard: ./locked: cannot list the folder: Permission denied" in result.stderr
    assert result.stdout == f"./b.py:5:12: {LG102}\n1 finding in 1 of 1 file\n"


@pytest.mark.parametrize(
    "source",
    [
        "import asyncio\nx = " + "(" * 5000 + ")" * 5000 + "\n",
        "import asyncio\nx = " + "-" * 100_000 + "1\n",
        "import asyncio\nx = " + "[" * 150 + "]" * 150 + "\n",
        "import asyncio\n" + "".join("    " * depth + "if x:\n" for depth in range(99)) + "    " * 99 + "pass\n",
    ],
    ids=["parentheses", "unary", "lists", "indentation"],
)
def test_deeply_nested_code_is_one_line_naming_the_file(tmp_path, source):
    write(tmp_path, {"deep.py": source})
    result = check(tmp_path, "--no-cache", "deep.py")
    assert_no_traceback(result)
    *findings, total = result.stdout.splitlines()
    lines = findings + result.stderr.splitlines()
    assert result.returncode == (2 if lines else 0)
    assert len(lines) <= 1
    assert all(line.startswith(("deep.py:", "loopguard: deep.py: ")) for line in lines)
    if result.stderr:  # an error line instead of a finding: the file was not checked
        assert total == "no findings in 0 files"
    else:
        assert total == ("1 finding in 1 of 1 file" if findings else "no findings in 1 file")


def test_a_huge_file_is_checked_to_its_last_line(tmp_path):
    # 10 MB of ordinary functions, then the finding: read, parsed and modelled like any file.
    filler = "".join(f"def handler_{index}(event):\n    return event.payload[{index}]\n\n\n" for index in range(170_000))
    source = RUNS_A_LOOP + "\n\n" + filler + "def last():\n    return asyncio.run(fetch())\n"
    assert len(source) > 10_000_000
    write(tmp_path, {"huge.py": source})
    result = check(tmp_path, "--no-cache", "huge.py")
    assert_no_traceback(result)
    last_line = source.count("\n")
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        f"huge.py:5:12: {LG102}",
        f"huge.py:{last_line}:12: {LG102}",
        "2 findings in 1 of 1 file",
    ]


# ----- processes, cache --------------------------------------------------------------


def many_files(root, count=40):
    write(root, {f"pkg/m{index:02}.py": (RUNS_A_LOOP if index % 3 else DROPS_A_TASK) for index in range(count)})


def test_ctrl_c_while_the_worker_processes_check_ends_the_run_at_once(tmp_path):
    many_files(tmp_path)
    started = tmp_path / "started"
    # Every file takes a second in the worker processes; the first one says the workers run.
    slow = textwrap.dedent(
        f"""\
        import sys, time
        from flake8_loopguard.commands.check import files as check_files
        real = check_files.check_file
        def slow(task, config):
            open({str(started)!r}, "a").close()
            time.sleep(1)
            return real(task, config)
        check_files.check_file = slow
        from flake8_loopguard.cli import main
        sys.exit(main(["check", "--no-cache", "--jobs", "2", "."]))
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", slow], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for _ in range(600):
        if started.exists() or process.poll() is not None:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    # 40 files at a second each take 20 s: the run must end after the files being checked.
    stdout, stderr = process.communicate(timeout=10)
    assert (process.returncode, stdout, stderr) == (130, "", "loopguard: interrupted\n")


def test_a_worker_process_that_dies_is_one_line_and_exit_2(tmp_path):
    many_files(tmp_path)
    # A file that kills the interpreter checking it (as a crash in a C extension would).
    dies = textwrap.dedent(
        """\
        import os, sys
        from flake8_loopguard.commands.check import files as check_files
        real = check_files.check_file
        def fatal(task, config):
            if task.path.endswith("m07.py"):
                os._exit(70)
            return real(task, config)
        check_files.check_file = fatal
        from flake8_loopguard.cli import main
        sys.exit(main(["check", "--no-cache", "--jobs", "2", "."]))
        """
    )
    result = subprocess.run([sys.executable, "-c", dies], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert_no_traceback(result)
    assert result.returncode == 2
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
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    # One finding per file (no entry point: no LG107).
    assert one.stdout.splitlines()[-1] == "40 findings in 40 of 40 files"
    assert len(one.stdout.splitlines()) == 40 + 1


def test_the_cache_skips_unchanged_files(tmp_path):
    many_files(tmp_path)
    first = check(tmp_path, "-v", ".")
    assert (
        first.stderr.splitlines()[-1] == "loopguard: 40 files: 40 checked, 0 unchanged since the cache, 40 reported on"
    )
    assert list((tmp_path / ".loopguard_cache").glob("results-*.json"))
    second = check(tmp_path, "-v", ".")
    assert second.stdout == first.stdout
    assert (
        second.stderr.splitlines()[-1] == "loopguard: 40 files: 0 checked, 40 unchanged since the cache, 40 reported on"
    )
    (tmp_path / "pkg" / "m01.py").write_text(CLEAN, encoding="utf-8")
    third = check(tmp_path, "-v", ".")
    assert (
        third.stderr.splitlines()[-1] == "loopguard: 40 files: 1 checked, 39 unchanged since the cache, 40 reported on"
    )
    assert "m01.py" not in third.stdout
    no_cache = check(tmp_path, "-v", "--no-cache", ".")
    assert no_cache.stdout == third.stdout
    assert "40 checked" in no_cache.stderr.splitlines()[-1]


def test_a_corrupt_cache_is_a_warning_and_is_rewritten(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP})
    check(tmp_path, "a.py")
    (cache_file,) = (tmp_path / ".loopguard_cache").glob("results-*.json")
    cache_file.write_bytes(b"\x00garbage{")
    result = check(tmp_path, "a.py")
    assert (result.returncode, result.stdout) == (1, f"a.py:5:12: {LG102}\n1 finding in 1 of 1 file\n")
    # Damaged or not ours: its MAC does not verify, nothing of it is read.
    assert result.stderr == (
        f"loopguard: warning: the cache {cache_file} was not written by this machine's loopguard; ignored\n"
    )
    again = check(tmp_path, "-v", "a.py")
    assert "0 checked, 1 unchanged" in again.stderr


def test_an_unwritable_cache_is_a_warning(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP, "not-a-folder": "x"})
    result = check(tmp_path, "--cache-dir", "not-a-folder/cache", "a.py")
    assert (result.returncode, result.stdout) == (1, f"a.py:5:12: {LG102}\n1 finding in 1 of 1 file\n")
    assert result.stderr.startswith("loopguard: warning: cannot write the cache not-a-folder/cache/results-")


# ----- whole project, changed files, baseline ----------------------------------------


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
    assert (result.returncode, result.stdout) == (0, "no findings in 6 files\n")
    assert result.stderr.splitlines()[-2:] == [
        modelled_line(0),
        "loopguard: 6 files: 6 checked, 0 unchanged since the cache, 6 reported on",
    ]


def read_cache(cache_file):
    """The document of a results file written with this test's key (its MAC verified)."""
    body = verified_body(machine_key(key_home()), cache_file.name, cache_file.read_bytes())
    assert body is not None, f"{cache_file} does not verify"
    return json.loads(body)


def write_cache(cache_file, document):
    """Write a results file as this machine's loopguard would: with a valid MAC."""
    body = json.dumps(document).encode("ascii")
    cache_file.write_bytes(signed(machine_key(key_home()), cache_file.name, body))


def cache_records(root):
    (cache_file,) = (root / ".loopguard_cache").glob("results-*.json")
    files = read_cache(cache_file)["files"]
    return {os.path.relpath(path, root): entry[3] for path, entry in files.items()}


def test_the_cache_says_which_files_were_modelled_and_models_an_import_scanned_one_when_needed(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.loopguard]\n", **HELPER_PROJECT, "helpers.py": CLEAN})
    assert check(tmp_path, ".").returncode == 0
    # Nothing reaches a loop: every file the prefilter skips is import-scanned, none is parsed.
    assert not any(record["modelled"] for record in cache_records(tmp_path).values())
    # Now a helper makes a loop: the unchanged import-scanned files that call it are modelled.
    write(tmp_path, {"helpers.py": HELPER_PROJECT["helpers.py"]})
    result = check(tmp_path, "-v", ".")
    assert result.stdout == check(tmp_path, "--no-cache", ".").stdout
    assert "LG401 refresh_in_background() -> load_all()" in result.stdout
    assert result.stderr.splitlines()[-2:] == [
        modelled_line(4),
        "loopguard: 6 files: 1 checked, 5 unchanged since the cache, 6 reported on",
    ]
    records = cache_records(tmp_path)
    assert [path for path, record in sorted(records.items()) if record["modelled"]] == [
        "direct.py",
        "helpers.py",
        "middle.py",
        os.path.join("pkg", "__init__.py"),
        "worker.py",
    ]
    # quiet.py imports helpers, was read, and spells no name of a function that reaches a loop:
    # recorded, so an unchanged project does not read it again.
    assert "names_tested" in records["quiet.py"]
    again = check(tmp_path, "-v", ".")
    assert again.stdout == result.stdout
    assert again.stderr.splitlines()[-2:] == [
        modelled_line(0),
        "loopguard: 6 files: 0 checked, 6 unchanged since the cache, 6 reported on",
    ]
    # The whole-project findings are cached for these very files; a malformed record is recomputed.
    (cache_file,) = (tmp_path / ".loopguard_cache").glob("results-*.json")
    document = read_cache(cache_file)
    assert sorted(document["project"]["record"]) == ["./direct.py", "./worker.py"]
    document["project"]["record"] = {"./worker.py": [["not", "a finding"]]}
    write_cache(cache_file, document)
    damaged = check(tmp_path, ".")
    assert (damaged.stdout, damaged.stderr) == (
        result.stdout,
        f"loopguard: warning: ignoring malformed records in the cache {cache_file}; what they held is computed again\n",
    )


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
    assert (result.returncode, result.stderr) == (1, "")


def test_diff_against_reports_only_changed_and_untracked_files(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP, "b.py": DROPS_A_TASK})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    (tmp_path / "b.py").write_text(DROPS_A_TASK + "\n\nasync def again():\n    asyncio.create_task(f())\n")
    write(tmp_path, {"c.py": DROPS_A_TASK})
    result = check(tmp_path, "--no-cache", "--diff-against", "HEAD", ".")
    assert result.stdout == (
        f"./b.py:5:5: {LG201}\n./b.py:9:5: {LG201}\n./c.py:5:5: {LG201}\n3 findings in 2 of 2 files\n"
    )
    unknown = check(tmp_path, "--no-cache", "--diff-against", "no-such-rev", ".")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert unknown.stderr == (
        f"loopguard: --diff-against no-such-rev: no commit of that name in the git repository {tmp_path.resolve()}\n"
    )


def test_baseline_reports_only_new_findings(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP})
    written = check(tmp_path, "--no-cache", "--write-baseline", "baseline.json", "a.py")
    assert written.returncode == 0
    assert written.stderr == "loopguard: baseline.json: recorded 1 findings\n"
    (tmp_path / "a.py").write_text(
        "# a comment moves the finding down\n" + RUNS_A_LOOP + DROPS_A_TASK.split("\n", 1)[1]
    )
    result = check(tmp_path, "--no-cache", "--baseline", "baseline.json", "a.py")
    assert (result.returncode, result.stdout) == (
        1,
        f"a.py:10:5: {LG201}\n1 new finding in 1 of 1 file (1 silenced by the baseline)\n",
    )
    (tmp_path / "a.py").write_text(CLEAN)
    fixed = check(tmp_path, "--no-cache", "--baseline", "baseline.json", "a.py")
    assert (fixed.returncode, fixed.stdout) == (0, "no new findings in 1 file (0 silenced by the baseline)\n")
    assert "a.py: 1 LG102 finding(s) in load are gone; refresh it with --write-baseline" in fixed.stderr
    missing = check(tmp_path, "--no-cache", "--baseline", "nope.json", "a.py")
    assert missing.returncode == 2
    assert "nope.json: baseline file not found" in missing.stderr


def test_other_formats_go_through_the_shared_renderer(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP})
    result = check(tmp_path, "--no-cache", "--format", "json", "a.py")
    assert result.returncode == 1
    assert '"code": "LG102"' in result.stdout
    assert '"line": 5' in result.stdout
    to_file = check(tmp_path, "--no-cache", "--format", "github", "--output-file", "report.txt", "a.py")
    assert (to_file.returncode, to_file.stdout, to_file.stderr) == (1, "", "1 finding in 1 of 1 file\n")
    assert (tmp_path / "report.txt").read_text().startswith("::error file=a.py,line=5,col=12,title=LG102::")
