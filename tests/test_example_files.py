"""Each file under examples/ says on each offending line which findings it expects: code,
column and message (see annotations.py); every other line expects none. Opt-in rules are on,
so their findings are annotated too."""

from pathlib import Path

import pytest

from flake8_loopguard.core.engine import check_source

from .annotations import expected_findings, found_findings
from .conftest import EVERY_RULE

EXAMPLES = sorted((Path(__file__).parent / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_findings_match_annotations(path):
    source = path.read_text(encoding="utf-8")
    assert found_findings(check_source(source, path.name, EVERY_RULE)) == expected_findings(source)
