"""The `loopguard` command line, run as a subprocess: which parser reports a bad argument."""

import os
import subprocess
import sys

import pytest

# argparse wraps the usage at the terminal's width: the same for every run of these tests.
ENV = {**os.environ, "COLUMNS": "80"}


def loopguard(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "flake8_loopguard", *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=ENV
    )


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
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"{usage_of(*command)}{prog}: error: {error}\n"


def test_the_usages_are_each_commands_own():
    assert usage_of() == "usage: loopguard [-h] [--version] COMMAND ...\n"
    assert usage_of("rule") == "usage: loopguard rule [-h] code\n"
    assert "--diff-against REV" in usage_of("check")
    assert "--allow-dirty" in usage_of("migrate")
