"""`loopguard check`: which findings it reports. `--select`/`--ignore` and `# noqa` the flake8 way,
`[tool.loopguard]` found upward with the flags over it, per-file ignores, and a broken
configuration named in one line."""

import pytest

from .harness import assert_no_traceback, check
from .samples import DROPS_A_TASK, LG102, LG201, LG303, LOCK_IN_INIT, RUNS_A_LOOP, write


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
    assert result.status == (1 if codes else 0)


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
    assert (broken.status, broken.stdout) == (2, "")
    assert broken.stderr == "loopguard: --per-file-ignores: expected `glob: CODES` mappings, got 'tests/*.py LG1'\n"


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
    assert result.status == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "pyproject.toml" in result.stderr
    assert_no_traceback(result)


def test_an_unknown_code_on_the_command_line_exits_2(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP})
    result = check(tmp_path, "--no-cache", "--select", "LG1,F401", "a.py")
    assert (result.status, result.stdout) == (2, "")
    assert (
        result.stderr
        == "loopguard: --select: 'F401' is no rule code nor a prefix of one (`loopguard rules` lists them)\n"
    )
