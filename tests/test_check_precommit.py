"""The repository's `.pre-commit-hooks.yaml`, run by the real pre-commit against this checkout.

pre-commit installs the hook's repository with pip into an environment of its own, from a git
revision. The checkout under test may hold uncommitted work, so the test commits a copy of its
working tree (tracked and untracked files git does not ignore) and points pre-commit at that.
"""

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import REPO
from .harness import loopguard

pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")

LG102 = "LG102 asyncio.run() starts a new event loop outside the entry point; await the coroutine instead"
VIOLATION = "import asyncio\n\n\ndef load():\n    return asyncio.run(fetch())\n"
FIXED = "async def load():\n    return await fetch()\n"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def run(command, cwd, env=None, check=True):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory):
    """A git repository holding this checkout's working tree in one commit: (path, revision)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    copy = tmp_path_factory.mktemp("loopguard-checkout")
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    env = {**os.environ, **GIT_IDENTITY}
    run(["git", "init", "-q"], cwd=copy)
    run(["git", "add", "-A"], cwd=copy)
    run(["git", "commit", "-q", "-m", "checkout under test"], cwd=copy, env=env)
    return copy, run(["git", "rev-parse", "HEAD"], cwd=copy).stdout.strip()


@pytest.fixture
def project(tmp_path):
    repo = tmp_path / "project"
    repo.mkdir()
    run(["git", "init", "-q"], cwd=repo)
    return repo


def pre_commit_env(tmp_path):
    return {
        **os.environ,
        **GIT_IDENTITY,
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        # Shared by the tests of one session: pre-commit builds the hook environment once.
        "PRE_COMMIT_HOME": str(tmp_path.parent / "pre-commit-home"),
    }


def test_try_repo_blocks_a_violation_and_passes_the_fix(hook_repository, project, tmp_path):
    checkout, _revision = hook_repository
    env = pre_commit_env(tmp_path)
    (project / "widget.py").write_text(VIOLATION, encoding="utf-8")
    run(["git", "add", "widget.py"], cwd=project)

    blocked = run([sys.executable, "-m", "pre_commit", "try-repo", str(checkout), "loopguard"], project, env, False)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert f"widget.py:5:12: {LG102}" in blocked.stdout

    (project / "widget.py").write_text(FIXED, encoding="utf-8")
    run(["git", "add", "widget.py"], cwd=project)
    passed = run([sys.executable, "-m", "pre_commit", "try-repo", str(checkout), "loopguard"], project, env, False)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_installed_hook_blocks_the_commit_until_fixed_or_baselined(hook_repository, project, tmp_path):
    checkout, revision = hook_repository
    env = pre_commit_env(tmp_path)
    config = f"repos:\n  - repo: {checkout}\n    rev: {revision}\n    hooks:\n      - id: loopguard\n"
    (project / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    run([sys.executable, "-m", "pre_commit", "install"], cwd=project, env=env)

    (project / "widget.py").write_text(VIOLATION, encoding="utf-8")
    run(["git", "add", "."], cwd=project)
    blocked = run(["git", "commit", "-m", "private loop"], cwd=project, env=env, check=False)
    assert blocked.returncode != 0
    assert f"widget.py:5:12: {LG102}" in blocked.stdout + blocked.stderr
    assert run(["git", "rev-list", "--all"], cwd=project).stdout == ""  # nothing was committed

    (project / "widget.py").write_text(FIXED, encoding="utf-8")
    run(["git", "add", "."], cwd=project)
    run(["git", "commit", "-q", "-m", "one loop"], cwd=project, env=env)

    # A legacy violation recorded in the baseline no longer blocks; the hook reads it through `args`.
    (project / "legacy.py").write_text(VIOLATION, encoding="utf-8")
    baseline = loopguard(project, "check", "--write-baseline", "loopguard-baseline.json", "legacy.py")
    assert baseline.status == 0 and "recorded 1 findings" in baseline.stderr
    (project / ".pre-commit-config.yaml").write_text(
        config + "        args: [--baseline, loopguard-baseline.json]\n", encoding="utf-8"
    )
    run(["git", "add", "."], cwd=project)
    run(["git", "commit", "-q", "-m", "legacy code, baselined"], cwd=project, env=env)
