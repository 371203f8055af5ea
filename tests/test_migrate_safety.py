"""``loopguard migrate --write`` loses nothing: not uncommitted work when git fails, not an import's
module when the run is interrupted, not a file's hard links, owner, extended attributes or
read-only state. The command runs in the test's process (tests/harness.py); as a real process
where a signal is sent to it, or it might never end."""

import errno
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from .harness import changed_environment, git, loopguard_process, migrate
from .processes import run_patched
from .test_migrate_command import DROPPED_TASK, GET_EVENT_LOOP, ONLY_LOOP_FIX, REPO, make_project, snapshot

MIGRATED_LOOP = GET_EVENT_LOOP.replace("get_event_loop", "get_running_loop")
TEMPLATE = (REPO / "codemods" / "templates" / "loop_runtime.py").read_text(encoding="utf-8")
OTHER_UID = OTHER_GID = 12345
as_root = pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="only root can own files for another uid")


def outside_git_env(tmp_path):
    """git looks for a repository no higher than ``tmp_path``: whatever holds the temporary folder does not count."""
    return {"GIT_CEILING_DIRECTORIES": str(tmp_path)}


def committed_project(root, files):
    make_project(root, files)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return root


def imports_cleanly(cwd, *modules):
    """Whether a fresh interpreter in ``cwd`` imports ``modules`` (the migrated project as it is run)."""
    return subprocess.run(
        [sys.executable, "-c", f"import {', '.join(modules)}"],
        cwd=cwd, capture_output=True, text=True, timeout=60,
    )


def last_line(result):
    return result.stderr.rstrip("\n").splitlines()[-1]


def migrate_after_a_signal(cwd, patch, *args):
    """`loopguard migrate` in a fresh interpreter after ``patch`` arranged a signal: (status, stderr)."""
    process = run_patched(cwd, patch, "migrate", *args)
    _, stderr = process.communicate(timeout=300)
    return process.returncode, stderr


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
    env = {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "XDG_CONFIG_HOME": str(home)}
    status = subprocess.run(
        ["git", "status"], cwd=project, capture_output=True, text=True, env=changed_environment(env), timeout=60
    )
    assert status.returncode == 128 and "dubious ownership" in status.stderr  # the situation under test
    return project, env


@as_root
def test_refuses_to_write_when_git_cannot_tell_and_says_why_in_one_line(tmp_path):
    project, env = foreign_checkout(tmp_path)
    before = snapshot(project)
    refused = migrate(project, "--write", *ONLY_LOOP_FIX, env=env)
    assert refused.status == 2
    assert refused.stderr == (
        "loopguard migrate: refusing to write: git cannot tell whether the paths have uncommitted changes: "
        f"git rev-parse failed: fatal: detected dubious ownership in repository at '{project}'; "
        "fix that, or pass --allow-dirty to write anyway\n"
    )
    assert refused.stdout == ""
    assert snapshot(project) == before
    assert (project / "app/other.py").stat().st_uid == OTHER_UID


@as_root
def test_allow_dirty_writes_when_git_cannot_tell_and_keeps_the_owner(tmp_path):
    project, env = foreign_checkout(tmp_path)
    written = migrate(project, "--write", "--allow-dirty", *ONLY_LOOP_FIX, env=env)
    assert written.stderr.splitlines()[0] == (
        "loopguard migrate: warning: git cannot tell whether the paths have uncommitted changes: "
        f"git rev-parse failed: fatal: detected dubious ownership in repository at '{project}'; "
        "writing anyway (--allow-dirty)"
    )
    assert written.status == 0, written.stderr
    feed = project / "app/feed.py"
    assert feed.read_text(encoding="utf-8") == MIGRATED_LOOP
    assert (feed.stat().st_uid, feed.stat().st_gid) == (OTHER_UID, OTHER_GID)
    assert (project / "app/other.py").read_text(encoding="utf-8") == "x = 2\n"


def test_refuses_to_write_in_a_repository_when_git_cannot_be_run(tmp_path):
    project = committed_project(tmp_path / "project", {"app/feed.py": GET_EVENT_LOOP})
    before = snapshot(project)
    no_git = tmp_path / "bin"
    no_git.mkdir()
    refused = migrate(project, "--write", *ONLY_LOOP_FIX, env={"PATH": str(no_git)})
    assert refused.status == 2
    assert refused.stderr == (
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
    assert "warning" not in shown.stderr  # the diff writes nothing: nothing to warn about
    written = migrate(project, "--write", *ONLY_LOOP_FIX, env=env)
    assert written.status == 0, written.stderr
    assert written.stderr.splitlines()[0] == (
        "loopguard migrate: warning: no git work tree holds .: nothing written there can be undone "
        "(no git history to restore it from)"
    )
    assert (project / "app/feed.py").read_text(encoding="utf-8") == MIGRATED_LOOP
    again = migrate(project, "--write", *ONLY_LOOP_FIX, env=env)
    assert (again.status, last_line(again)) == (0, "nothing to write.")
    assert "warning" not in again.stderr


# ----- item 8: the runtime module before its importers, and a rerun that completes a run ------------

# A real SIGINT, sent the moment the n-th rename has replaced its file: the worst moment for the count.
SIGINT_AFTER_RENAME = textwrap.dedent(
    """\
    import os, signal
    real_replace, renamed = os.replace, []
    def replace_then_interrupt(source, target):
        real_replace(source, target)
        renamed.append(target)
        if len(renamed) == {n}:
            os.kill(os.getpid(), signal.SIGINT)
    os.replace = replace_then_interrupt
    """
)


def test_the_written_count_is_exact_when_ctrl_c_lands_on_a_rename(tmp_path):
    committed_project(tmp_path, {"a.py": GET_EVENT_LOOP, "b.py": GET_EVENT_LOOP, "c.py": GET_EVENT_LOOP})
    status, stderr = migrate_after_a_signal(tmp_path, SIGINT_AFTER_RENAME.format(n=2), "--write", *ONLY_LOOP_FIX)
    assert status == 130
    assert stderr == "loopguard migrate: interrupted; 2 file(s) written before it, each completely\n"
    contents = [(tmp_path / name).read_text(encoding="utf-8") for name in ("a.py", "b.py", "c.py")]
    assert sorted(contents) == sorted([MIGRATED_LOOP, MIGRATED_LOOP, GET_EVENT_LOOP])
    assert sorted(path.name for path in tmp_path.iterdir()) == [".git", "a.py", "b.py", "c.py"]


def test_an_interrupted_run_never_leaves_an_import_of_a_missing_module_and_a_rerun_completes_it(tmp_path):
    committed_project(tmp_path, {"app/__init__.py": "", "app/jobs.py": DROPPED_TASK, "app/more.py": DROPPED_TASK})
    status, stderr = migrate_after_a_signal(tmp_path, SIGINT_AFTER_RENAME.format(n=2), "--write")
    assert status == 130
    # The runtime module, then one of the two files that import it.
    assert (tmp_path / "loop_runtime.py").read_text(encoding="utf-8") == TEMPLATE
    rewritten = [name for name in ("jobs.py", "more.py") if "loop_runtime" in (tmp_path / "app" / name).read_text()]
    assert len(rewritten) == 1
    check = imports_cleanly(tmp_path, "app.jobs", "app.more")
    assert check.returncode == 0, check.stderr
    assert stderr == "loopguard migrate: interrupted; 2 file(s) written before it, each completely\n"

    rerun = migrate(tmp_path, "--write", "--allow-dirty")  # the interrupted run's changes are not committed
    assert (rerun.status, last_line(rerun)) == (0, "1 file(s) written."), rerun.stderr
    for name in ("jobs.py", "more.py"):
        assert "from loop_runtime import TaskManager\n" in (tmp_path / "app" / name).read_text(encoding="utf-8")
    check = imports_cleanly(tmp_path, "app.jobs", "app.more")
    assert check.returncode == 0, check.stderr


def test_a_rerun_creates_the_runtime_module_its_imports_are_missing(tmp_path):
    """What an interrupted run of earlier versions left: the files rewritten, their module never written."""
    make_project(tmp_path, {"app/__init__.py": "", "app/jobs.py": DROPPED_TASK})
    assert migrate(tmp_path, "--write").status == 0
    migrated = snapshot(tmp_path)
    (tmp_path / "loop_runtime.py").unlink()
    assert imports_cleanly(tmp_path, "app.jobs").returncode == 1

    shown = migrate(tmp_path)
    assert shown.status == 1
    assert shown.stdout.startswith("--- /dev/null\n+++ b/loop_runtime.py\n")
    assert last_line(shown) == "1 file(s) would be created: read the diff, then run again with --write."

    rerun = migrate(tmp_path, "--write")
    assert (rerun.status, last_line(rerun)) == (0, "1 file(s) created."), rerun.stderr
    assert snapshot(tmp_path) == migrated
    check = imports_cleanly(tmp_path, "app.jobs")
    assert check.returncode == 0, check.stderr


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_files_that_would_import_a_runtime_module_that_cannot_be_created_are_not_written(tmp_path):
    make_project(tmp_path, {"app/__init__.py": "", "app/jobs.py": DROPPED_TASK, "app/feed.py": GET_EVENT_LOOP})
    (tmp_path / "loop_runtime.py").symlink_to(tmp_path / "moved_away.py")  # a link to nothing: not a module
    before = snapshot(tmp_path)
    result = migrate(tmp_path, "app", "--write", env=outside_git_env(tmp_path))
    assert result.status == 2
    lines = result.stderr.splitlines()
    assert lines[1:3] == [
        "loop_runtime.py: cannot create the runtime module: File exists",
        "app/jobs.py: not written: it would import the runtime module, which could not be created",
    ]
    assert (tmp_path / "app/feed.py").read_text(encoding="utf-8") == MIGRATED_LOOP  # it imports nothing new
    after = snapshot(tmp_path)
    assert after.pop("app/feed.py") != before.pop("app/feed.py")
    assert after == before


# ----- item 9: what a rewritten file keeps, and the files it cannot be done for ------------------------


def test_a_hard_linked_file_is_listed_not_split(tmp_path):
    project = make_project(tmp_path / "project", {"app/feed.py": GET_EVENT_LOOP, "app/ok.py": GET_EVENT_LOOP})
    other_name = tmp_path / "elsewhere.py"
    os.link(project / "app/feed.py", other_name)
    result = migrate(project, "app", "--write", *ONLY_LOOP_FIX, env=outside_git_env(tmp_path))
    assert result.status == 2
    stderr = result.stderr
    assert "app/feed.py: has 2 hard links; rewriting it would split them; left unchanged\n" in stderr
    lines = stderr.splitlines()
    assert "failed   1" in lines
    # The summary tells what is on disk: one fix made, one LG105 left in the file not rewritten.
    assert "get_event_loop_to_running_loop      1" in lines
    assert "LG105                 2      1" in lines
    assert last_line(result) == "1 file(s) written. 1 file(s) could not be migrated (see the lines above)."
    assert (project / "app/feed.py").read_text(encoding="utf-8") == other_name.read_text(encoding="utf-8")
    assert other_name.read_text(encoding="utf-8") == GET_EVENT_LOOP
    assert os.path.samefile(project / "app/feed.py", other_name)
    assert (project / "app/ok.py").read_text(encoding="utf-8") == MIGRATED_LOOP


def test_a_read_only_file_is_listed_not_rewritten(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP})
    os.chmod(tmp_path / "app/feed.py", 0o444)
    result = migrate(tmp_path, "app", "--write", *ONLY_LOOP_FIX, env=outside_git_env(tmp_path))
    assert result.status == 2
    assert "app/feed.py: read-only; left unchanged\n" in result.stderr
    assert (tmp_path / "app/feed.py").read_text(encoding="utf-8") == GET_EVENT_LOOP
    assert stat.S_IMODE((tmp_path / "app/feed.py").stat().st_mode) == 0o444


def supports_user_xattrs(folder):
    probe = folder / "xattr_probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.probe", b"1")
        return True
    except OSError:
        return False
    finally:
        probe.unlink()


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="needs extended attributes")
def test_extended_attributes_are_kept(tmp_path):
    if not supports_user_xattrs(tmp_path):
        pytest.skip("the temporary folder's file system has no user extended attributes")
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP})
    os.setxattr(tmp_path / "app/feed.py", "user.origin", b"vendored from upstream")
    result = migrate(tmp_path, "app", "--write", *ONLY_LOOP_FIX, env=outside_git_env(tmp_path))
    assert result.status == 0, result.stderr
    assert (tmp_path / "app/feed.py").read_text(encoding="utf-8") == MIGRATED_LOOP
    assert os.getxattr(tmp_path / "app/feed.py", "user.origin") == b"vendored from upstream"


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="needs extended attributes")
def test_a_file_whose_extended_attributes_cannot_be_kept_is_listed(tmp_path, monkeypatch):
    if not supports_user_xattrs(tmp_path):
        pytest.skip("the temporary folder's file system has no user extended attributes")
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP})
    os.setxattr(tmp_path / "app/feed.py", "user.origin", b"vendored from upstream")

    def unsupported(*args, **kwargs):
        raise OSError(errno.ENOTSUP, os.strerror(errno.ENOTSUP))

    monkeypatch.setattr(os, "setxattr", unsupported)
    result = migrate(tmp_path, "app", "--write", *ONLY_LOOP_FIX, env=outside_git_env(tmp_path))
    assert result.status == 2
    assert (
        "app/feed.py: its extended attribute user.origin cannot be kept (Operation not supported); left unchanged\n"
        in result.stderr
    )
    assert (tmp_path / "app/feed.py").read_text(encoding="utf-8") == GET_EVENT_LOOP
    assert sorted(path.name for path in (tmp_path / "app").iterdir()) == ["feed.py"]  # no temporary file left


@as_root
def test_root_rewriting_another_users_file_keeps_its_owner(tmp_path):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP})
    os.chown(tmp_path / "app/feed.py", OTHER_UID, OTHER_GID)
    os.chmod(tmp_path / "app/feed.py", 0o640)
    result = migrate(tmp_path, "app", "--write", *ONLY_LOOP_FIX, env=outside_git_env(tmp_path))
    assert result.status == 0, result.stderr
    feed = (tmp_path / "app/feed.py").stat()
    assert (feed.st_uid, feed.st_gid, stat.S_IMODE(feed.st_mode)) == (OTHER_UID, OTHER_GID, 0o640)
    assert (tmp_path / "app/feed.py").read_text(encoding="utf-8") == MIGRATED_LOOP


@as_root
def test_a_file_whose_owner_cannot_be_kept_is_listed(tmp_path, monkeypatch):
    make_project(tmp_path, {"app/feed.py": GET_EVENT_LOOP})
    os.chown(tmp_path / "app/feed.py", OTHER_UID, OTHER_GID)

    def refused(*args, **kwargs):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "chown", refused)
    result = migrate(tmp_path, "app", "--write", *ONLY_LOOP_FIX, env=outside_git_env(tmp_path))
    assert result.status == 2
    assert (
        f"app/feed.py: owned by uid {OTHER_UID}, gid {OTHER_GID}, which the rewritten file cannot keep "
        "(Operation not permitted); left unchanged\n" in result.stderr
    )
    assert (tmp_path / "app/feed.py").read_text(encoding="utf-8") == GET_EVENT_LOOP
    assert (tmp_path / "app/feed.py").stat().st_uid == OTHER_UID


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_named_like_a_module_is_one_line_not_a_run_that_never_ends(tmp_path):
    (tmp_path / "app.py").write_text("import asyncio\n\nasync def f():\n    asyncio.get_event_loop()\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.py")
    result = loopguard_process(tmp_path, "migrate", ".", timeout=60)
    assert result.status == 2
    assert "pipe.py: not a regular file (a FIFO, a socket or a device); not read\n" in result.stderr
    assert "+    asyncio.get_running_loop()" in result.stdout  # the other file is migrated
