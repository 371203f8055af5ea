"""The documentation: the `loopguard rule(s)` commands, the generated rule tables of the README and
docs/rules.md, the links between the pages, and the README's set-up commands."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_loopguard.commands.rule_docs import with_generated_blocks
from flake8_loopguard.core.rules import RULES, all_rules

from . import harness
from .conftest import REPO


def loopguard(*args):
    return harness.loopguard(".", *args)


@pytest.mark.parametrize("page", ["README.md", "docs/rules.md"])
def test_generated_rule_tables_are_up_to_date(page):
    text = (REPO / page).read_text(encoding="utf-8")
    assert text == with_generated_blocks(text), f"run: loopguard rules --update {page}"


def test_every_rule_has_its_entry_in_the_reference_the_readme_links_to():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    reference = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in all_rules():
        assert f"(docs/rules.md#{rule.code.lower()})" in readme
        assert f'<a id="{rule.code.lower()}"></a>' in reference


def test_every_relative_link_of_the_documentation_names_a_file_that_exists():
    for page in [REPO / "README.md", *(REPO / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name} links to {target}"


def test_rule_command_shows_the_whole_entry():
    result = loopguard("rule", "lg201")
    assert result.status == 0
    rule = RULES["LG201"]
    for part in ("LG201 fire-and-forget-task (default: on)", "Why is this bad:", "Example:", "Use instead:", "Fix:"):
        assert part in result.stdout
    assert rule.invalid[0].splitlines()[-1] in result.stdout
    assert rule.valid[0].splitlines()[-1] in result.stdout


def test_unknown_rule_is_a_usage_error():
    result = loopguard("rule", "LG999")
    assert (result.status, result.stdout) == (2, "")
    assert "unknown rule 'LG999'" in result.stderr


def test_rules_command_lists_every_rule():
    result = loopguard("rules")
    assert [line.split()[0] for line in result.stdout.splitlines()] == [rule.code for rule in all_rules()]
    assert result.stdout.count(" off ") == 2


def test_console_script_is_the_same_command():
    script = Path(sys.executable).parent / "loopguard"
    result = subprocess.run([str(script), "rules"], capture_output=True, text=True, timeout=60)
    assert result.stdout == loopguard("rules").stdout


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = readme.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert len(commands) == 2
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
