"""A real pre-commit run with the plugin as a hook, as the README shows it."""

import os
import subprocess
import sys
from pathlib import Path

from .harness import git

PRE_COMMIT_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: loopguard
        name: loopguard (flake8 --select LG)
        entry: flake8 --select LG,E999
        language: system
        types: [python]
"""


def pre_commit_run(repo, tmp_path):
    env = {
        **os.environ,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_hook_blocks_a_private_loop_and_passes_clean_code(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG, encoding="utf-8")
    widget = repo / "widget.py"
    widget.write_text("import asyncio\n\n\ndef load():\n    return asyncio.run(fetch())\n", encoding="utf-8")
    git(repo, "add", ".")

    blocked = pre_commit_run(repo, tmp_path)
    assert blocked.returncode == 1
    assert "widget.py:5:12: LG102 asyncio.run() starts a new event loop outside the entry point" in blocked.stdout

    widget.write_text("async def load():\n    return await fetch()\n", encoding="utf-8")
    git(repo, "add", ".")
    passed = pre_commit_run(repo, tmp_path)
    assert passed.returncode == 0, passed.stdout
