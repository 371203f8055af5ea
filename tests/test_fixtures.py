"""Real flake8, as a subprocess, on each fixture repository, against its golden output.

Set LOOPGUARD_UPDATE_GOLDENS=1 to rewrite the goldens after a deliberate change (and
review the diff).
"""

import os
import subprocess

import pytest

from .conftest import REPO

FIXTURES = sorted(path.parent for path in (REPO / "fixtures").glob("*/repo"))


def run_flake8(flake8_command, repo):
    return subprocess.run(
        [*flake8_command, "--select", "LG", "."], cwd=repo, capture_output=True, text=True, timeout=120
    )


def test_every_fixture_is_collected():
    assert {path.name for path in FIXTURES} >= {
        "trading_desktop",
        "ws_agent",
        "grpc_provider",
        "threadpool_broker",
        "log_merger",
        "clean_qasync_app",
    }


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_flake8_output_matches_golden(fixture, flake8_command):
    result = run_flake8(flake8_command, fixture / "repo")
    golden = fixture / "expected.txt"
    if os.environ.get("LOOPGUARD_UPDATE_GOLDENS"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stderr == ""
    assert result.stdout == golden.read_text(encoding="utf-8")
    assert result.returncode == (1 if result.stdout else 0)


def test_clean_app_has_no_findings(flake8_command):
    result = run_flake8(flake8_command, REPO / "fixtures" / "clean_qasync_app" / "repo")
    assert (result.returncode, result.stdout) == (0, "")
