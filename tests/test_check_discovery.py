"""`loopguard check`: which files it reads. Folders walked and printed as flake8 prints them, the
default and configured excludes, what git ignores, `--diff-against`, a folder it cannot list."""

import os

import pytest

from .harness import check, git
from .samples import DROPS_A_TASK, LG102, LG201, RUNS_A_LOOP, write


def test_folders_are_walked_and_printed_as_flake8_prints_them(tmp_path):
    write(tmp_path, {"pkg/b.py": DROPS_A_TASK, "pkg/a.py": RUNS_A_LOOP, "pkg/notes.txt": "asyncio.run(x)"})
    result = check(tmp_path, "--no-cache", ".")
    assert result.stdout == f"./pkg/a.py:5:12: {LG102}\n./pkg/b.py:5:5: {LG201}\n2 findings in 2 of 2 files\n"
    result = check(tmp_path, "--no-cache", "pkg")
    assert result.stdout == f"pkg/a.py:5:12: {LG102}\npkg/b.py:5:5: {LG201}\n2 findings in 2 of 2 files\n"


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
    assert (unknown.status, unknown.stdout) == (2, "")
    assert unknown.stderr == (
        f"loopguard: --diff-against no-such-rev: no commit of that name in the git repository {tmp_path.resolve()}\n"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that file permissions apply to")
def test_an_unreadable_folder_is_named(tmp_path):
    write(tmp_path, {"locked/a.py": RUNS_A_LOOP, "b.py": RUNS_A_LOOP})
    (tmp_path / "locked").chmod(0)
    try:
        result = check(tmp_path, "--no-cache", ".")
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert result.status == 2
    assert "loopguard: ./locked: cannot list the folder: Permission denied" in result.stderr
    assert result.stdout == f"./b.py:5:12: {LG102}\n1 finding in 1 of 1 file\n"
