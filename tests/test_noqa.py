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
