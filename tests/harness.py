"""How the tests run `loopguard` (and flake8): in the test's own process, or as a real process.

`loopguard(cwd, *args)` calls `cli.main` in this process, as `python -m flake8_loopguard` would
call it in its own: the current folder changed to `cwd`, the environment changed by `env`,
stdout and stderr caught, `SystemExit` (argparse's usage errors, `-h`) read as the status. It
is what most tests use: the exit status and the output are main's, and a run costs no
interpreter start-up. `check` and `migrate` are its two commands; `flake8` is flake8's own
`main`, run the same way.

`loopguard_process(cwd, *args)` runs `python -m flake8_loopguard` as a subprocess, for the
tests where the process is the point: a signal sent to it, what Python does before `main` runs,
the launcher itself, a run that might never end. All take `env` as changes to this process's
environment (None: unset).

`git(repo, *args)` runs git in a test's repository, with an identity for its commits.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, Iterator, List, Mapping, Optional

from flake8_loopguard import cli

# The encoding a real run writes with (its streams are UTF-8 where the tests run).
ENCODING = "utf-8"
LOOPGUARD = [sys.executable, "-m", "flake8_loopguard"]
NO_COLOUR_SETTING = {"NO_COLOR": None, "FORCE_COLOR": None}


@dataclass(frozen=True)
class Result:
    """What a run (of `loopguard`, or flake8) did: its exit status and what it wrote."""

    status: int
    stdout: str
    stderr: str

    @property
    def stdout_bytes(self) -> bytes:
        """stdout as the bytes written: a name that is no UTF-8, a diff in a file's own encoding."""
        return self.stdout.encode(ENCODING, "surrogateescape")


def loopguard(cwd, *args: str, env: Optional[Mapping[str, Optional[str]]] = None) -> Result:
    """`loopguard ARGS` run by `cli.main` in this process, in the folder `cwd`.

    Output is decoded as UTF-8 with surrogate escapes: bytes that are no UTF-8 (a file name)
    come back as `os.fsdecode` gives them."""
    return _in_process(cli.main, cwd, args, env)


def check(cwd, *args: str, env: Optional[Mapping[str, Optional[str]]] = None) -> Result:
    """`loopguard check ARGS`, in this process."""
    return loopguard(cwd, "check", *args, env=env)


def migrate(cwd, *args: str, env: Optional[Mapping[str, Optional[str]]] = None) -> Result:
    """`loopguard migrate ARGS`, in this process; its diff is coloured as on a pipe, whatever
    NO_COLOR or FORCE_COLOR the tests were started with."""
    return loopguard(cwd, "migrate", *args, env={**NO_COLOUR_SETTING, **(env or {})})


def flake8(cwd, *args: str, env: Optional[Mapping[str, Optional[str]]] = None) -> Result:
    """`flake8 ARGS` run by flake8's own `main` in this process, in the folder `cwd`: its option
    parsing, configuration files, plugin loading and noqa handling, without a start-up."""
    from flake8.main.cli import main

    return _in_process(main, cwd, args, env)


def _in_process(main: Callable[[List[str]], int], cwd, args, env) -> Result:
    stdout, stderr = _stream(), _stream()
    with _environment(env or {}), _folder(cwd), _streams(stdout, stderr):
        try:
            status = main(list(args))
        except SystemExit as exit:
            status = _exit_status(exit, stderr)
    return Result(status, _text(stdout), _text(stderr))


def loopguard_process(
    cwd, *args: str, env: Optional[Mapping[str, Optional[str]]] = None, timeout: float = 300
) -> Result:
    """`python -m flake8_loopguard ARGS` run as a real process in the folder `cwd`."""
    completed = subprocess.run(
        [*LOOPGUARD, *args], cwd=cwd, capture_output=True, timeout=timeout, env=changed_environment(env)
    )
    return Result(
        completed.returncode,
        completed.stdout.decode(ENCODING, "surrogateescape"),
        completed.stderr.decode(ENCODING, "surrogateescape"),
    )


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stderr, result.stderr


def git(repo, *args: str) -> str:
    """What ``git ARGS`` prints, run in ``repo``; a failure fails the test."""
    return subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def changed_environment(env: Optional[Mapping[str, Optional[str]]]) -> dict:
    """This process's environment with the changes `env` makes (None: unset), for a subprocess."""
    changed = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            changed.pop(name, None)
        else:
            changed[name] = value
    return changed


def _stream() -> io.TextIOWrapper:
    # A real TextIOWrapper: the commands reconfigure it (errors=) and write to its `.buffer`.
    return io.TextIOWrapper(io.BytesIO(), encoding=ENCODING)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode(ENCODING, "surrogateescape")  # type: ignore[attr-defined]


def _exit_status(exit: SystemExit, stderr: io.TextIOWrapper) -> int:
    """The status Python gives a process that ends with this SystemExit."""
    if exit.code is None:
        return 0
    if isinstance(exit.code, int):
        return exit.code
    print(exit.code, file=stderr)
    return 1


@contextlib.contextmanager
def _environment(env: Mapping[str, Optional[str]]) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in env}
    try:
        for name, value in env.items():
            _set(name, value)
        yield
    finally:
        for name, value in previous.items():
            _set(name, value)


def _set(name: str, value: Optional[str]) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@contextlib.contextmanager
def _folder(cwd) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _streams(stdout: io.TextIOWrapper, stderr: io.TextIOWrapper) -> Iterator[None]:
    previous = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    try:
        yield
    finally:
        sys.stdout, sys.stderr = previous
