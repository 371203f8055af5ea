"""``loopguard migrate --write`` loses nothing: not uncommitted work when git fails, not an import's
module when the run is interrupted, not a file's hard links, owner, extended attributes or
read-only state. The real command runs as a subprocess, as a user runs it."""

import os
import subprocess

import pytest

from .test_migrate_command import GET_EVENT_LOOP, ONLY_LOOP_FIX, command_env, git, make_project, migrate, snapshot

MIGRATED_LOOP = GET_EVENT_LOOP.replace("get_event_loop", "get_running_loop")
OTHER_UID = OTHER_GID = 12345
as_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="only root can own files for another uid")


def outside_git_env(tmp_path):
    """git looks for a repository no higher than ``tmp_path``: whatever holds the temporary folder does not count."""
    env = command_env()
    env["GIT_CEILING_DIRECTORIES"] = str(tmp_path)
    return env


def committed_project(root, files):
    make_project(root, files)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


def last_line(result):
    return result.stderr.decode().rstrip("\n").splitlines()[-1]


# ----- item 7: git that cannot tell whether the tree is clean ------------------------------------


def foreign_checkout(tmp_path):
    """A committed repository with an uncommitted edit, owned by another user: root's git refuses it."""
    project = committed_project(tmp_path / "project", {"app/feed.py": GET_EVENT_LOOP, "app/other.py": "x = 1\n"})
    (project / "app/other.py").write_text("x = 2\n", encoding="utf-8")  # work that must not be lost
    for folder, folders, files in os.walk(project):
        for name in [folder, *(os.path.join(folder, entry) for entry in folders + files)]:
            os.chown(name, OTHER_UID, OTHER_GID, follow_symlinks=False)
    home = tmp_path / "home"  # no safe.directory in any configuration git reads
    home.mkdir()
    env = command_env()
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", XDG_CONFIG_HOME=str(home))
    status = subprocess.run(["git", "status"], cwd=project, capture_output=True, text=True, env=env, timeout=60)
    assert status.returncode == 128 and "dubious ownership" in status.stderr  # the situation under test
    return project, env


@as_root
def test_refuses_to_write_when_git_cannot_tell_and_says_why_in_one_line(tmp_path):
    project, env = foreign_checkout(tmp_path)
    before = snapshot(project)
    refused = migrate(project, "--write", *ONLY_LOOP_FIX, env=env)
    assert refused.returncode == 2
    assert refused.stderr.decode() == (
        "loopguard migrate: refusing to write: git cannot tell whether the paths have uncommitted changes: "
        f"git rev-parse failed: fatal: detected dubious ownership in repository at '{project}'; "
        "fix that, or pass --allow-dirty to write anyway\n"
    )
    assert refused.stdout == b""
    assert snapshot(project) == before
    assert (project / "app/other.py").stat().st_uid == OTHER_UID


@as_root
def test_allow_dirty_writes_when_git_cannot_tell(tmp_path):
    project, env = foreign_checkout(tmp_path)
    written = migrate(project, "--write", "--allow-dirty", *ONLY_LOOP_FIX, env=env)
    assert written.stderr.decode().splitlines()[0] == (
        "loopguard migrate: warning: git cannot tell whether the paths have uncommitted changes: "
        f"git rev-parse failed: fatal: detected dubious ownership in repository at '{project}'; "
        "writing anyway (--allow-dirty)"
    )
    assert written.returncode == 0, written.stderr.decode()
    feed = project / "app/feed.py"
    assert feed.read_text(encoding="utf-8") == MIGRATED_LOOP
    assert (project / "app/other.py").read_text(encoding="utf-8") == "x = 2\n"


def test_refuses_to_write_in_a_repository_when_git_cannot_be_run(tmp_path):
    project = committed_project(tmp_path / "project", {"app/feed.py": GET_EVENT_LOOP})
    before = snapshot(project)
    no_git = tmp_path / "bin"
    no_git.mkdir()
    env = command_env()
    env["PATH"] = str(no_git)  # the command itself runs by the interpreter's full path
    refused = migrate(project, "--write", *ONLY_LOOP_FIX, env=env)
    assert refused.returncode == 2
    assert refused.stderr.decode() == (
        "loopguard migrate: refusing to write: git cannot tell whether the paths have uncommitted changes: "
        f"cannot run git (No such file or directory) although {project / '.git'} exists; "
        "fix that, or pass --allow-dirty to write anyway\n"
    )
    assert snapshot(project) == before


@pytest.mark.parametrize("git_installed", [True, False], ids=["git", "no git"])
def test_outside_git_it_warns_that_nothing_can_be_undone_then_writes(tmp_path, git_installed):
    project = make_project(tmp_path / "project", {"app/feed.py": GET_EVENT_LOOP})
    env = outside_git_env(tmp_path)
    if not git_installed:
        (tmp_path / "bin").mkdir()
        env["PATH"] = str(tmp_path / "bin")
    shown = migrate(project, *ONLY_LOOP_FIX, env=env)
    assert "warning" not in shown.stderr.decode()  # the diff writes nothing: nothing to warn about
    written = migrate(project, "--write", *ONLY_LOOP_FIX, env=env)
    assert written.returncode == 0, written.stderr.decode()
    assert written.stderr.decode().splitlines()[0] == (
        "loopguard migrate: warning: no git work tree holds .: nothing written there can be undone "
        "(no git history to restore it from)"
    )
    assert (project / "app/feed.py").read_text(encoding="utf-8") == MIGRATED_LOOP
    again = migrate(project, "--write", *ONLY_LOOP_FIX, env=env)
    assert (again.returncode, last_line(again)) == (0, "nothing to write.")
    assert "warning" not in again.stderr.decode()
