"""Shapes met in real public code, one small file each under regressions/.

Each file names the public source it was rewritten from and annotates its offending lines the
way examples/ does (`# error: LG201(col=5, call="create_task")`, see annotations.py); every
other line expects no finding. Files are checked under their path relative to the repository,
so regressions/entry_points/main.py is an entry point by the default globs.
"""

from pathlib import Path

import pytest

from flake8_loopguard.core import engine
from flake8_loopguard.core.engine import check_source

from .annotations import expected_findings, found_findings
from .conftest import EVERY_RULE, REPO

REGRESSIONS = sorted((Path(__file__).parent / "regressions").rglob("*.py"))


def regression_id(path):
    return path.relative_to(Path(__file__).parent / "regressions").as_posix()


def relative_path(path):
    return path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("path", REGRESSIONS, ids=regression_id)
def test_findings_match_annotations(path):
    source = path.read_text(encoding="utf-8")
    found = check_source(source, relative_path(path), EVERY_RULE)
    assert found_findings(found) == expected_findings(source)


@pytest.mark.parametrize("path", REGRESSIONS, ids=regression_id)
def test_prefilter_keeps_every_finding(monkeypatch, path):
    """Star imports and aliases must not slip past the text prefilter."""
    source = path.read_text(encoding="utf-8")
    filtered = check_source(source, relative_path(path), EVERY_RULE)
    monkeypatch.setattr(engine, "may_have_findings", lambda *args: True)
    assert check_source(source, relative_path(path), EVERY_RULE) == filtered
