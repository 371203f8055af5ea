"""The `loopguard` command line: which parser reports a bad argument, and the closing total line
of `loopguard check`."""

import json

import pytest

from . import harness

LG102 = "LG102 asyncio.run() starts a new event loop outside the entry point; await the coroutine instead"
LG201 = "LG201 task created with create_task() is never referenced; keep it in a TaskManager"
RUNS_A_LOOP = "import asyncio\n\n\ndef load():\n    return asyncio.run(fetch())\n"
DROPS_A_TASK = "import asyncio\n\n\nasync def tick():\n    asyncio.create_task(fetch())\n"
CLEAN = "async def load():\n    return await fetch()\n"
# argparse wraps the usage at the terminal's width: the same for every run of these tests.
ENV = {"COLUMNS": "80"}


def loopguard(cwd, *args):
    return harness.loopguard(cwd, *args, env=ENV)


def usage_of(*command):
    """The usage lines that `loopguard [COMMAND] -h` starts with."""
    help_text = loopguard(".", *command, "-h").stdout
    usage = help_text.split("\n\n")[0] + "\n"
    assert usage.startswith(" ".join(["usage: loopguard", *command]) + " ")
    return usage


# ----- which parser reports a bad argument -------------------------------------------------


@pytest.mark.parametrize(
    "args, command, error",
    [
        (["check", "--frobnicate"], ["check"], "unrecognized arguments: --frobnicate"),
        (["check", ".", "--frobnicate", "-x"], ["check"], "unrecognized arguments: --frobnicate -x"),
        (["migrate", "--frobnicate"], ["migrate"], "unrecognized arguments: --frobnicate"),
        (["rule", "LG201", "--frobnicate"], ["rule"], "unrecognized arguments: --frobnicate"),
        (["rules", "--frobnicate"], ["rules"], "unrecognized arguments: --frobnicate"),
        (["--bogus"], [], "unrecognized arguments: --bogus"),
        (["--bogus", "check"], [], "unrecognized arguments: --bogus"),
        ([], [], "a command is required: check, rule, rules or migrate"),
    ],
)
def test_a_bad_argument_is_reported_by_the_parser_it_was_given_to(tmp_path, args, command, error):
    result = loopguard(tmp_path, *args)
    prog = " ".join(["loopguard", *command])
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == f"{usage_of(*command)}{prog}: error: {error}\n"


def test_the_usages_are_each_commands_own():
    assert usage_of() == "usage: loopguard [-h] [--version] COMMAND ...\n"
    assert usage_of("rule") == "usage: loopguard rule [-h] code\n"
    assert "--diff-against REV" in usage_of("check")
    assert "--allow-dirty" in usage_of("migrate")


# ----- the total line of `loopguard check` -------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """Three files: two findings in a.py, one in b.py, none in c.py."""
    (tmp_path / "a.py").write_text(RUNS_A_LOOP + "\n\ndef again():\n    asyncio.run(fetch())\n", encoding="utf-8")
    (tmp_path / "b.py").write_text(DROPS_A_TASK, encoding="utf-8")
    (tmp_path / "c.py").write_text(CLEAN, encoding="utf-8")
    return tmp_path


FINDINGS = f"./a.py:5:12: {LG102}\n./a.py:9:5: {LG102}\n./b.py:5:5: {LG201}\n"
CHECK = ("check", "--no-cache", "--ignore", "LG107")


def test_text_ends_with_the_total_on_stdout(project):
    result = loopguard(project, *CHECK, ".")
    assert (result.status, result.stdout, result.stderr) == (1, FINDINGS + "3 findings in 2 of 3 files\n", "")


def test_the_total_counts_in_words(project):
    one = loopguard(project, *CHECK, "b.py", "c.py")
    assert (one.status, one.stdout) == (1, f"b.py:5:5: {LG201}\n1 finding in 1 of 2 files\n")
    clean = loopguard(project, *CHECK, "c.py")
    assert (clean.status, clean.stdout, clean.stderr) == (0, "no findings in 1 file\n", "")
    exit_zero = loopguard(project, *CHECK, "--exit-zero", "b.py")
    assert (exit_zero.status, exit_zero.stdout) == (0, f"b.py:5:5: {LG201}\n1 finding in 1 of 1 file\n")


def test_statistics_come_before_the_total(project):
    result = loopguard(project, *CHECK, "--statistics", ".")
    assert result.stdout == FINDINGS + f"2     {LG102}\n1     {LG201}\n3 findings in 2 of 3 files\n"


def test_json_stays_json_and_the_total_goes_to_stderr(project):
    result = loopguard(project, *CHECK, "--format", "json", ".")
    assert result.status == 1
    assert [(item["path"], item["line"]) for item in json.loads(result.stdout)] == [
        ("a.py", 5),  # JSON's paths are normalized
        ("a.py", 9),
        ("b.py", 5),
    ]
    assert result.stderr == "3 findings in 2 of 3 files\n"
    with_statistics = loopguard(project, *CHECK, "--format", "json", "--statistics", ".")
    assert with_statistics.stdout == result.stdout
    assert with_statistics.stderr == f"2     {LG102}\n1     {LG201}\n3 findings in 2 of 3 files\n"


@pytest.mark.parametrize("format_name", ["sarif", "github"])
def test_other_machine_formats_have_the_total_on_stderr(project, format_name):
    result = loopguard(project, *CHECK, "--format", format_name, ".")
    assert result.status == 1
    assert "findings in" not in result.stdout
    assert result.stderr == "3 findings in 2 of 3 files\n"


def test_with_an_output_file_the_total_goes_to_stderr(project):
    result = loopguard(project, *CHECK, "--output-file", "report.txt", ".")
    assert (result.status, result.stdout, result.stderr) == (1, "", "3 findings in 2 of 3 files\n")
    assert (project / "report.txt").read_text(encoding="utf-8") == FINDINGS


def test_with_a_baseline_the_total_counts_new_findings_and_the_silenced_ones(project):
    written = loopguard(project, *CHECK, "--write-baseline", "baseline.json", ".")
    assert (written.status, written.stdout, written.stderr) == (
        0,
        "",
        "loopguard: baseline.json: recorded 3 findings\n",
    )
    (project / "c.py").write_text(DROPS_A_TASK, encoding="utf-8")
    result = loopguard(project, *CHECK, "--baseline", "baseline.json", ".")
    assert (result.status, result.stdout, result.stderr) == (
        1,
        f"./c.py:5:5: {LG201}\n1 new finding in 1 of 3 files (3 silenced by the baseline)\n",
        "",
    )
    (project / "c.py").write_text(CLEAN, encoding="utf-8")
    clean = loopguard(project, *CHECK, "--baseline", "baseline.json", "--format", "json", ".")
    assert (clean.status, clean.stdout) == (0, "[]\n")
    assert clean.stderr == "no new findings in 3 files (3 silenced by the baseline)\n"
