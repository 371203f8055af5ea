"""Every rule's own valid/invalid examples: the documentation is the test."""

import ast

import pytest

from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.model import Module
from flake8_loopguard.project import Project, summarize
from flake8_loopguard.core.rules import all_rules

from .conftest import EVERY_RULE

INVALID = [(rule, example) for rule in all_rules() for example in rule.invalid]
VALID = [(rule, example) for rule in all_rules() for example in rule.valid]


def codes_in(example):
    return [finding.code for finding in check_source(example, "example.py", EVERY_RULE)]


def project_codes_in(example):
    """A project-wide rule's example is a one-file project, run through the project pass."""
    tree = ast.parse(example)
    summary = summarize(Module(tree, "example.py", EVERY_RULE), "example.py", "example", tree)
    return [finding.code for finding in Project([summary]).findings().get("example.py", [])]


@pytest.mark.parametrize("rule, example", INVALID, ids=lambda value: getattr(value, "code", ""))
def test_invalid_example_reports_the_rule(rule, example):
    if rule.project_wide:
        assert project_codes_in(example).count(rule.code) == 1  # once, naming the other owners
        assert rule.code not in codes_in(example)  # never from one file's rules
    else:
        assert codes_in(example).count(rule.code) == 1


@pytest.mark.parametrize("rule, example", VALID, ids=lambda value: getattr(value, "code", ""))
def test_valid_example_is_clean_for_the_rule(rule, example):
    assert rule.code not in codes_in(example) + project_codes_in(example)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_rule_is_documented(rule):
    sections = rule.doc_sections()
    assert set(sections) == {"summary", "why", "fix"}
    assert rule.invalid and rule.valid
    assert rule.message and rule.name
