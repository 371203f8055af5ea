"""Input that is broken, huge or deep gives a clean pass or flake8's own error, never a traceback."""

import ast
import errno
import os
import subprocess
import sys

import pytest

from flake8_loopguard.flake8_plugin import LoopGuardPlugin

from .harness import assert_no_traceback, check, loopguard
from .samples import LG102, RUNS_A_LOOP, write


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


def run_in_process(cwd, *argv):
    result = loopguard(cwd, *argv)
    return result.status, result.stdout, result.stderr


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
def test_check_and_migrate_give_one_line_with_the_same_reason(tmp_path, content, reason):
    (tmp_path / "bad.py").write_bytes(content)
    assert run_in_process(tmp_path, "check", "--no-cache", ".") == (
        2, "no findings in 0 files\n", f"loopguard: ./bad.py: {reason}\n"
    )
    status, diff, summary = run_in_process(tmp_path, "migrate", ".")
    assert (status, diff, summary.splitlines()[0]) == (2, "", f"./bad.py: {reason}")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_the_same_line_in_both_commands(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    reason = "not a regular file (a FIFO, a socket or a device); not read"
    assert run_in_process(tmp_path, "check", "--no-cache", ".") == (
        2, "no findings in 0 files\n", f"loopguard: ./pipe.py: {reason}\n"
    )
    status, diff, summary = run_in_process(tmp_path, "migrate", ".")
    assert (status, diff, summary.splitlines()[0]) == (2, "", f"./pipe.py: {reason}")


def test_an_unreadable_file_is_the_same_line_in_both_commands(tmp_path, monkeypatch):
    """Opening fails as it does for a file without read permission (root reads every file, so
    the refusal is the system's answer given by hand)."""
    (tmp_path / "locked.py").write_text("import asyncio\n", encoding="utf-8")
    real_open = os.open

    def refused(path, *args, **kwargs):
        if os.path.basename(path) == "locked.py":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)
    reason = "cannot read: Permission denied"
    assert run_in_process(tmp_path, "check", "--no-cache", ".") == (
        2, "no findings in 0 files\n", f"loopguard: ./locked.py: {reason}\n"
    )
    status, diff, summary = run_in_process(tmp_path, "migrate", ".")
    assert (status, diff, summary.splitlines()[0]) == (2, "", f"./locked.py: {reason}")


# ----- `loopguard check` on bad files: one line each, the run goes on ------------------------------


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
    assert result.status == 2
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
    assert (result.status, result.stdout) == (
        2,
        "bad.py:2:13: E999 SyntaxError: invalid syntax\n1 finding in 1 of 1 file\n",
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs file names that are bytes, not UTF-8")
def test_a_file_name_that_is_not_utf8_is_checked_and_cached(tmp_path):
    name = os.fsencode(tmp_path) + b"/caf\xe9.py"
    with open(name, "wb") as stream:
        stream.write(RUNS_A_LOOP.encode())
    for _ in range(2):  # the second run reads the cache written by the first
        result = check(tmp_path, ".")
        assert_no_traceback(result)
        expected = f"./caf\xe9.py:5:12: {LG102}\n1 finding in 1 of 1 file\n"
        assert (result.status, result.stdout_bytes) == (1, expected.encode("latin-1"))


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
    assert result.status == (2 if lines else 0)
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
    assert (result.status, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        f"huge.py:5:12: {LG102}",
        f"huge.py:{last_line}:12: {LG102}",
        "2 findings in 1 of 1 file",
    ]


# Texts whose encoding Python reads from a cookie or a BOM, and texts it does not: the reader
# asks tokenize only when the first two lines could declare one, and must decode all alike.
ENCODED_SOURCES = [
    b"x = 1\n",
    "# -*- coding: latin-1 -*-\nname = 'été'\n".encode("latin-1"),
    "#!/usr/bin/env python\n# coding: cp1252\nname = '€'\n".encode("cp1252"),
    "x = 1\ny = 2\n# coding: latin-1\nname = 'é'\n".encode("utf-8"),  # a third line declares nothing
    b"# coding: latin-1\rx = 1\r",  # `\r` alone: one line for tokenize, cookie and all
    "\ufeffname = 'é'\n".encode("utf-8"),
    b"no_newline = 1",
]


@pytest.mark.parametrize("data", ENCODED_SOURCES)
def test_a_file_is_decoded_as_python_decodes_it(data):
    import io
    import tokenize

    from flake8_loopguard.commands.sources import decode_source

    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    assert decode_source(data) == (data.decode(encoding), encoding)
