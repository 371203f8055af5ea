"""The test case every codemod test uses: libcst's ``CodemodTest`` plus the loopguard guarantees.

``assertCodemod(before, after)`` runs ``TRANSFORM`` alone (as ``python -m libcst.tool codemod``
does: the codemod lints the source itself) and then checks what every codemod promises:

- the output is exactly ``after`` and compiles;
- linting the output finds no code more often than linting the input (nothing introduced), and
  each finding the codemod counted as fixed is really gone;
- a second run on the output changes nothing (idempotence).

It returns the notes left for a human, for the test to assert on.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import ClassVar, List, Optional, Type

import libcst as cst
from libcst.codemod import CodemodContext, CodemodTest, SkipFile

from flake8_loopguard.core.config import Config
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.noqa import is_silenced, noqa_lines
from flake8_loopguard.core.findings import Finding
from flake8_loopguard.core.rules import all_rules
from loopguard_codemods.base import (
    SCRATCH_CONFIG,
    SCRATCH_FIXES,
    SCRATCH_NOTES,
    SCRATCH_TASK_MANAGER,
    FindingCodemod,
    HumanNote,
    source_lines,
)

# Every rule, opt-in ones included: a codemod must not introduce an opt-in finding either.
EVERY_RULE = Config(opt_in_codes=tuple(rule.code for rule in all_rules()))


def unsilenced_findings(source: str, filename: str, config: Config) -> List[Finding]:
    silenced = noqa_lines(source_lines(source))
    return [
        finding
        for finding in check_source(source, filename, config)
        if not is_silenced(finding.code, silenced.get(finding.line))
    ]


class FindingCodemodTest(CodemodTest):
    TRANSFORM: ClassVar[Type[FindingCodemod]]
    # Not an entry point: the loop-ownership rules apply.
    FILENAME: ClassVar[str] = "service.py"
    CONFIG: ClassVar[Config] = EVERY_RULE
    TASK_MANAGER: ClassVar[str] = "loop_runtime:TaskManager"

    def run_codemod(self, source: str, filename: Optional[str] = None) -> "tuple[str, CodemodContext]":
        """The codemod's output for ``source`` and the context it ran in (skipped: the source)."""
        context = CodemodContext(
            filename=filename or self.FILENAME,
            scratch={SCRATCH_CONFIG: self.CONFIG, SCRATCH_TASK_MANAGER: self.TASK_MANAGER},
        )
        try:
            output = self.TRANSFORM(context).transform_module(cst.parse_module(source)).code
        except SkipFile:
            output = source
        return output, context

    def assertCodemod(self, before: str, after: str, *, filename: Optional[str] = None) -> List[HumanNote]:
        filename = filename or self.FILENAME
        before = self.make_fixture_data(before)
        after = self.make_fixture_data(after)
        output, context = self.run_codemod(before, filename)
        self.assertCodeEqual(after, output)
        compile(output, filename, "exec", dont_inherit=True)

        found_before = unsilenced_findings(before, filename, self.CONFIG)
        found_after = unsilenced_findings(output, filename, self.CONFIG)
        introduced = Counter(f.code for f in found_after) - Counter(f.code for f in found_before)
        self.assertFalse(introduced, f"the codemod introduced {dict(introduced)}: {found_after}")
        fixed = context.scratch.get(SCRATCH_FIXES, {}).get(self.TRANSFORM.NAME, 0)
        fixable_before = [f for f in found_before if f.code in self.TRANSFORM.fixes]
        fixable_after = [f for f in found_after if f.code in self.TRANSFORM.fixes]
        self.assertEqual(
            len(fixable_after), len(fixable_before) - fixed, f"counted {fixed} fix(es), left {fixable_after}"
        )

        second_output, _ = self.run_codemod(output, filename)
        self.assertEqual(output, second_output, "a second run changed the code again")
        return list(context.scratch.get(SCRATCH_NOTES, []))


def run_libcst_tool(codemod: str, folder: Path) -> subprocess.CompletedProcess:
    """``python -m libcst.tool codemod <module>.<Class> folder``, with the repository's .libcst.codemod.yaml."""
    repository = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "-m", "libcst.tool", "codemod", codemod, str(folder)],
        cwd=repository,
        capture_output=True,
        text=True,
        timeout=120,
    )
