"""The `# error:` annotations of the example and regression files.

An offending line names each finding it expects as a call: the rule's code, the column flake8
shows (1-based), and the values the rule's message is made of, by the names its message uses::

    asyncio.create_task(job())  # error: LG201(col=5, call="create_task")
    asyncio.set_event_loop(asyncio.new_event_loop())  # error: LG104(col=5), LG101(col=28, call="asyncio.new_event_loop")

so the file pins the code, the place and the message of every finding; every other line
expects none (flake8-async's `# error: col, args` comments, written as calls).
"""

from __future__ import annotations

import ast
import re
from typing import List, Sequence, Tuple

from flake8_loopguard.core.findings import Finding
from flake8_loopguard.core.rules import RULES

ANNOTATION = re.compile(r"#\s*error:\s*(.+)$")
Expected = Tuple[int, int, str, str]  # line, 1-based column, code, message


def expected_findings(source: str) -> List[Expected]:
    expected = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = ANNOTATION.search(line)
        if match is None:
            continue
        calls = ast.parse(f"[{match.group(1)}]", mode="eval").body
        for call in calls.elts:  # type: ignore[attr-defined]
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name), f"line {number}: {match.group(1)}"
            values = {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords}
            column = values.pop("col")
            code = call.func.id
            expected.append((number, column, code, RULES[code].message.format(**values)))
    return sorted(expected)


def found_findings(findings: Sequence[Finding]) -> List[Expected]:
    return sorted((finding.line, finding.col + 1, finding.code, finding.message) for finding in findings)
