"""`# noqa` as flake8 reads it: the adapters that are not flake8 (check, migrate) share this."""

import pytest

from flake8_loopguard.core.noqa import is_silenced, noqa_lines, silences_file


@pytest.mark.parametrize(
    "line, code, silenced",
    [
        ("t = 1  # noqa", "LG201", True),
        ("t = 1  # noqa: LG201", "LG201", True),
        ("t = 1  # noqa: LG201", "LG202", False),
        ("t = 1  # noqa:LG2", "LG203", True),  # a listed prefix covers the codes under it
        ("t = 1  # NOQA: lg105, LG3", "LG303", True),
        ("t = 1  # noqa: E501 LG105", "LG105", True),
        ("t = 1  # a comment", "LG201", False),
        ("t = 1  # noqanything", "LG201", True),  # flake8 reads this as a bare noqa too
    ],
)
def test_a_line_silences_what_flake8_would(line, code, silenced):
    assert is_silenced(code, noqa_lines([line]).get(1)) is silenced


def test_only_lines_with_a_noqa_are_listed():
    assert noqa_lines(["a", "b  # noqa: LG101", "c"]) == {2: frozenset({"LG101"})}


@pytest.mark.parametrize(
    "source, silenced",
    [
        ("import asyncio\n# flake8: noqa\n", True),
        ("  #flake8=NOQA\nx = 1\n", True),
        ("# flake8: noqa because generated\n", True),
        ("# flake8: noqa: LG102\n", False),  # flake8 ignores a file-level noqa that names codes
        ("x = 1  # flake8: noqa\n", False),  # not on a line of its own
        ("#\nflake8: noqa\n", False),
        ("# flake8: noqanything\n", False),
        ("x = 1  # noqa\n", False),
    ],
)
def test_a_file_level_flake8_noqa_silences_the_file(source, silenced):
    assert silences_file(source) is silenced


# ----- both commands read it alike ----------------------------------------------------------------


LOOP_IN_A_COROUTINE = "import asyncio\n\n\nasync def f():\n    return asyncio.get_event_loop(){comment}\n"
NOQA_PROJECT = {
    "silenced.py": "# flake8: noqa\n" + LOOP_IN_A_COROUTINE.format(comment=""),
    "codes_named.py": "# flake8: noqa: LG105\n" + LOOP_IN_A_COROUTINE.format(comment=""),  # flake8 ignores it
    "line.py": LOOP_IN_A_COROUTINE.format(comment="  # noqa: LG105")
    + "\n\nasync def g():\n    return asyncio.get_event_loop()\n",
}


def run_in_process(capsys, *argv):
    from flake8_loopguard.cli import main

    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def noqa_project(tmp_path, monkeypatch):
    for name, text in NOQA_PROJECT.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_reports_nothing_in_a_silenced_file_and_nothing_on_a_noqa_line(noqa_project, capsys):
    status, out, _ = run_in_process(capsys, "check", "--no-cache", "--select", "LG105", ".")
    assert (status, [line.split(": LG105")[0] for line in out.splitlines()]) == (
        1,
        ["./codes_named.py:6:12", "./line.py:9:12", "2 findings in 2 of 3 files"],
    )


def test_migrate_skips_a_silenced_file_and_keeps_a_noqa_line(noqa_project, capsys):
    status, diff, summary = run_in_process(capsys, "migrate", "--write", "--allow-dirty", ".")
    assert status == 0
    assert (noqa_project / "silenced.py").read_text(encoding="utf-8") == NOQA_PROJECT["silenced.py"]
    assert (noqa_project / "codes_named.py").read_text(encoding="utf-8") == NOQA_PROJECT["codes_named.py"].replace(
        "get_event_loop", "get_running_loop"
    )
    # The line under `# noqa: LG105` stays as it is; the other line of the file is fixed.
    assert (noqa_project / "line.py").read_text(encoding="utf-8") == NOQA_PROJECT["line.py"].replace(
        "return asyncio.get_event_loop()\n", "return asyncio.get_running_loop()\n"
    )
    lines = summary.splitlines()
    assert [line.split() for line in lines if "skipped" in line] == [
        ["skipped", "1"],
        ["skipped", "./silenced.py:", "#", "flake8:", "noqa"],
    ]
    assert "skipped ./silenced.py: # flake8: noqa" in lines
