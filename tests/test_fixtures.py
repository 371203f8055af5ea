"""flake8 (its own `main`, in the test's process) on each fixture repository, against its golden output.

Set LOOPGUARD_UPDATE_GOLDENS=1 to rewrite the goldens after a deliberate change (and
review the diff).
"""

import os

import pytest

from . import harness
from .conftest import REPO

FIXTURES = sorted(path.parent for path in (REPO / "fixtures").glob("*/repo"))


def run_flake8(repo):
    return harness.flake8(repo, "--select", "LG", ".")


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
def test_flake8_output_matches_golden(fixture):
    result = run_flake8(fixture / "repo")
    golden = fixture / "expected.txt"
    if os.environ.get("LOOPGUARD_UPDATE_GOLDENS"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stderr == ""
    assert result.stdout == golden.read_text(encoding="utf-8")
    assert result.status == (1 if result.stdout else 0)


def test_clean_app_has_no_findings():
    result = run_flake8(REPO / "fixtures" / "clean_qasync_app" / "repo")
    assert (result.status, result.stdout) == (0, "")
