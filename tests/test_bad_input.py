"""Input that is broken, huge or deep gives a clean pass or flake8's own error, never a traceback."""

import ast
import errno
import os
import subprocess

import pytest

from flake8_loopguard.flake8_plugin import LoopGuardPlugin


def run_plugin(source, filename="bad.py", tree=None):
    lines = source.splitlines(keepends=True)
    return list(LoopGuardPlugin(tree if tree is not None else ast.parse(source), lines, filename).run())


def nul_bytes_are_a_syntax_error():
    """Python < 3.11 raises ValueError for NUL bytes, and flake8 then crashes before any plugin runs."""
    try:
        ast.parse("x\x00")
    except SyntaxError:
        return True
    except ValueError:
        return False
    return False


def test_broken_files_are_flake8_errors_not_crashes(flake8_command, tmp_path):
    (tmp_path / "syntax.py").write_text("import asyncio\ndef f(:\n", encoding="utf-8")
    if nul_bytes_are_a_syntax_error():
        (tmp_path / "nul.py").write_bytes(b"import asyncio\x00\nasyncio.run(main())\n")
    (tmp_path / "latin.py").write_bytes(b"import asyncio\nx = '\xff\xfe'\n")
    (tmp_path / "empty.py").write_bytes(b"")
    result = subprocess.run(
        [*flake8_command, "--select", "LG,E999", "."], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.stderr == ""
    # The column of a syntax error depends on the Python version; the file and code do not.
    reported = [(line.split(":")[0], line.split(": ")[1].split()[0]) for line in result.stdout.splitlines()]
    if nul_bytes_are_a_syntax_error():
        assert reported == [("./nul.py", "E999"), ("./syntax.py", "E999")]
        assert "null bytes" in result.stdout
    else:
        assert reported == [("./syntax.py", "E999")]


def test_ten_megabyte_file():
    filler = "VALUES = [" + ", ".join(str(number) for number in range(200)) + "]\n"
    source = "import asyncio\n" + filler * (10_000_000 // len(filler) + 1) + "asyncio.get_event_loop()\n"
    assert len(source) > 10_000_000
    findings = run_plugin(source)
    assert [(line, message.split()[0]) for line, _, message, _ in findings] == [(source.count("\n"), "LG105")]


def test_thousand_deep_expressions_from_source():
    for source in (
        "import asyncio\nx = " + "-" * 1000 + "1\n",
        "import asyncio\nx = f" + "()" * 1000 + "\n",
        "import asyncio\nx = " + "not " * 1000 + "asyncio.get_event_loop()\n",
    ):
        findings = run_plugin(source)
        assert all(message.startswith("LG105") for _, _, message, _ in findings)


def located(node):
    """Give a node a position by hand: ``ast.fix_missing_locations`` itself would recurse too deep."""
    node.lineno, node.col_offset, node.end_lineno, node.end_col_offset = 2, 0, 2, 0
    return node


def test_deep_trees_beyond_the_recursion_limit():
    """Trees deeper than Python's recursion limit, as another tool could hand them over."""
    call = located(ast.Name(id="asyncio", ctx=ast.Load()))
    for _ in range(20_000):
        attribute = located(ast.Attribute(value=call, attr="create_task", ctx=ast.Load()))
        call = located(ast.Call(func=attribute, args=[], keywords=[]))
    binop = located(ast.Name(id="a", ctx=ast.Load()))
    for _ in range(20_000):
        binop = located(ast.BinOp(left=binop, op=ast.Add(), right=located(ast.Name(id="loop", ctx=ast.Load()))))
    tree = ast.Module(body=[located(ast.Expr(value=call)), located(ast.Expr(value=binop))], type_ignores=[])
    assert run_plugin("import asyncio\n", tree=tree) == []


# ----- one reader for both commands: the same line for the same bad file -------------------------


def run_in_process(capsys, *argv):
    from flake8_loopguard.cli import main

    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# Each bad file, and the reason both commands give for it after its name.
BAD_SOURCES = [
    pytest.param(
        b"import asyncio\nname = '\xe9t\xe9'\n",
        "cannot decode as utf-8 (line 2, byte 0xe9): invalid continuation byte",
        id="undecodable",
    ),
    pytest.param(
        b"x = '\xff'\n",
        "cannot decode as utf-8 (line 1, byte 0xff): invalid start byte",
        id="undecodable-cookie-line",
    ),
    pytest.param(
        b"\xef\xbb\xbfx = 1\r\ny = '\xff'\n",
        "cannot decode as utf-8-sig (line 2, byte 0xff): invalid start byte",
        id="undecodable-after-bom",
    ),
    pytest.param(b"import asyncio\x00\n", "contains NUL bytes; not Python source", id="nul-byte"),
    pytest.param(
        b"# -*- coding: klingon -*-\nimport asyncio\n",
        "bad encoding declaration: unknown encoding: klingon",
        id="unknown-codec",
    ),
    pytest.param(
        b"\xef\xbb\xbf# coding: latin-1\nx = 1\n",
        "bad encoding declaration: it contradicts the UTF-8 byte order mark",
        id="cookie-against-bom",
    ),
    pytest.param(
        b"# coding: rot13\nx = 1\n",
        "bad encoding declaration: rot13 is not a text encoding",
        id="not-a-text-codec",
    ),
]


@pytest.mark.parametrize("content, reason", BAD_SOURCES)
def test_check_and_migrate_give_one_line_with_the_same_reason(tmp_path, monkeypatch, capsys, content, reason):
    (tmp_path / "bad.py").write_bytes(content)
    monkeypatch.chdir(tmp_path)
    assert run_in_process(capsys, "check", "--no-cache", ".") == (
        2, "no findings in 0 files\n", f"loopguard: ./bad.py: {reason}\n"
    )
    status, diff, summary = run_in_process(capsys, "migrate", ".")
    assert (status, diff, summary.splitlines()[0]) == (2, "", f"./bad.py: {reason}")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_the_same_line_in_both_commands(tmp_path, monkeypatch, capsys):
    os.mkfifo(tmp_path / "pipe.py")
    monkeypatch.chdir(tmp_path)
    reason = "not a regular file (a FIFO, a socket or a device); not read"
    assert run_in_process(capsys, "check", "--no-cache", ".") == (
        2, "no findings in 0 files\n", f"loopguard: ./pipe.py: {reason}\n"
    )
    status, diff, summary = run_in_process(capsys, "migrate", ".")
    assert (status, diff, summary.splitlines()[0]) == (2, "", f"./pipe.py: {reason}")


def test_an_unreadable_file_is_the_same_line_in_both_commands(tmp_path, monkeypatch, capsys):
    """Opening fails as it does for a file without read permission (root reads every file, so
    the refusal is the system's answer given by hand)."""
    (tmp_path / "locked.py").write_text("import asyncio\n", encoding="utf-8")
    real_open = os.open

    def refused(path, *args, **kwargs):
        if os.path.basename(path) == "locked.py":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)
    monkeypatch.chdir(tmp_path)
    reason = "cannot read: Permission denied"
    assert run_in_process(capsys, "check", "--no-cache", ".") == (
        2, "no findings in 0 files\n", f"loopguard: ./locked.py: {reason}\n"
    )
    status, diff, summary = run_in_process(capsys, "migrate", ".")
    assert (status, diff, summary.splitlines()[0]) == (2, "", f"./locked.py: {reason}")
