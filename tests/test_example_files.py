"""Each file under examples/ says on each offending line which codes it expects.

`# error: LG201, LG203` expects exactly those codes on that line; every other line
expects none. Opt-in rules are on, so their codes are annotated too.
"""

import re
from pathlib import Path

import pytest

from flake8_loopguard.core.engine import check_source

from .conftest import EVERY_RULE

EXAMPLES = sorted((Path(__file__).parent / "examples").glob("*.py"))
ANNOTATION = re.compile(r"#\s*error:\s*([A-Z0-9, ]+)")


def expected_codes(source: str):
    expected = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = ANNOTATION.search(line)
        if match:
            expected.extend((number, code.strip()) for code in match.group(1).split(","))
    return sorted(expected)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_findings_match_annotations(path):
    source = path.read_text(encoding="utf-8")
    found = sorted((finding.line, finding.code) for finding in check_source(source, path.name, EVERY_RULE))
    assert found == expected_codes(source)
