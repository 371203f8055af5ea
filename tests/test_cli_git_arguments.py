"""No value a user gives `loopguard` reaches git as an option (`--diff-against`, the paths).

`git diff --output=FILE` writes the diff to FILE: a revision such as `--output=notes.txt` once
overwrote a tracked file and passed the gate. Runs in a temporary git repository.
"""

import subprocess
from pathlib import Path

import pytest

from flake8_loopguard.commands import discovery
from flake8_loopguard.commands.migrate.git import uncommitted_changes

from .harness import git, loopguard

LG102 = "LG102 asyncio.run() starts a new event loop outside the entry point; await the coroutine instead"
LG201 = "LG201 task created with create_task() is never referenced; keep it in a TaskManager"
RUNS_A_LOOP = "import asyncio\n\n\ndef load():\n    return asyncio.run(fetch())\n"
DROPS_A_TASK = "import asyncio\n\n\nasync def tick():\n    asyncio.create_task(fetch())\n"
NOTES = "tracked notes\n"


def check(cwd, *args):
    return loopguard(cwd, "check", "--no-cache", *args)


@pytest.fixture
def repo(tmp_path):
    """Two commits: `a.py` (LG102) and the tracked `notes.txt`, tagged `start`; then `b.py` (LG201)."""
    (tmp_path / "a.py").write_text(RUNS_A_LOOP, encoding="utf-8")
    (tmp_path / "notes.txt").write_text(NOTES, encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    git(tmp_path, "tag", "start")
    (tmp_path / "b.py").write_text(DROPS_A_TASK, encoding="utf-8")
    git(tmp_path, "add", "b.py")
    git(tmp_path, "commit", "-q", "-m", "b")
    return tmp_path


@pytest.mark.parametrize("value", ["--output=notes.txt", "-x", "--no-index"])
def test_an_option_like_revision_is_one_line_exit_2_and_git_writes_nothing(repo, value):
    result = check(repo, f"--diff-against={value}", ".")
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == f"loopguard: --diff-against {value}: not a revision: a revision cannot start with '-'\n"
    assert (repo / "notes.txt").read_text(encoding="utf-8") == NOTES
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_an_option_after_diff_against_is_a_usage_error(repo):
    # argparse reads `-x` as an option, not as the value of --diff-against.
    result = check(repo, "--diff-against", "-x", ".")
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr.startswith("usage: loopguard check ")
    assert result.stderr.endswith("\nloopguard check: error: argument --diff-against: expected one argument\n")


@pytest.mark.parametrize("value", ["no-such-rev", "HEAD:a.py", ""])
def test_a_revision_that_names_no_commit_is_one_line_exit_2(repo, value):
    result = check(repo, "--diff-against", value, ".")
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == (
        f"loopguard: --diff-against {value}: no commit of that name in the git repository {repo.resolve()}\n"
    )


@pytest.mark.parametrize("revision", ["HEAD~1", "start", "full id"])
def test_a_revision_reports_the_files_changed_since(repo, revision):
    if revision == "full id":
        revision = git(repo, "rev-parse", "HEAD~1").strip()
    result = check(repo, "--diff-against", revision, ".")
    assert (result.status, result.stdout, result.stderr) == (
        1,
        f"./b.py:5:5: {LG201}\n1 finding in 1 of 1 file\n",
        "",
    )
    unchanged = check(repo, "--diff-against", "HEAD", ".")
    assert (unchanged.status, unchanged.stdout, unchanged.stderr) == (0, "no findings in 0 files\n", "")


def test_rev_parse_gets_end_of_options_where_git_knows_it(repo, monkeypatch):
    """git diff receives the resolved commit id; rev-parse reads --end-of-options since git 2.30,
    and an older git gets the revision (already refused if it starts with '-') without it."""
    monkeypatch.chdir(repo)
    calls = []
    real_git = discovery._git

    def recording_git(arguments, cwd=None):
        calls.append(arguments)
        return real_git(arguments, cwd)

    monkeypatch.setattr(discovery, "_git", recording_git)
    start_commit = git(repo, "rev-parse", "HEAD~1").strip()
    changed = {str(repo.resolve() / "b.py")}
    for version, end_of_options in [((2, 39), ["--end-of-options"]), ((2, 29), [])]:
        monkeypatch.setattr(discovery, "_git_version", lambda version=version: version)
        calls.clear()
        assert discovery.changed_files("HEAD~1") == changed
        assert ["rev-parse", "--verify", "--quiet", *end_of_options, "HEAD~1^{commit}"] in calls
        assert ["diff", "--name-only", "-z", start_commit, "--"] in calls


@pytest.mark.parametrize("folder", ["--output=x", "-C"])
def test_a_folder_named_like_an_option_is_walked_with_gitignore(repo, folder):
    (repo / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    (repo / folder).mkdir()
    (repo / folder / "a.py").write_text(RUNS_A_LOOP, encoding="utf-8")
    (repo / folder / "ignored.py").write_text(RUNS_A_LOOP, encoding="utf-8")
    git(repo, "add", "--", ".gitignore", f"{folder}/a.py")
    git(repo, "commit", "-q", "-m", "an option-like folder")
    result = check(repo, "--ignore", "LG107", "--", folder)
    assert (result.status, result.stdout, result.stderr) == (
        1,
        f"{folder}/a.py:5:12: {LG102}\n1 finding in 1 of 1 file\n",
        "",
    )
    assert not (repo / "x").exists()
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_migrate_dirty_check_reads_an_option_like_folder_as_a_path(repo, monkeypatch):
    folder = repo / "--output=x"
    folder.mkdir()
    (folder / "a.py").write_text(RUNS_A_LOOP, encoding="utf-8")
    monkeypatch.chdir(repo)
    assert uncommitted_changes(["--output=x"]).dirty == [str(Path("--output=x") / "a.py")]
    assert not (repo / "x").exists()


def test_a_folder_outside_any_git_work_tree_is_walked_without_running_git(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(RUNS_A_LOOP, encoding="utf-8")

    def no_git(*args, **kwargs):
        raise AssertionError(f"git was run: {args[0]}")

    monkeypatch.setattr(subprocess, "run", no_git)  # discovery imports it where git runs
    monkeypatch.delenv("GIT_DIR", raising=False)
    found = discovery.discover([str(tmp_path)], ())
    assert found.files == [str(tmp_path / "app.py")] and not found.warnings
