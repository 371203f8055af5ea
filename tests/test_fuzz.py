"""Programs generated from the Python grammar never make the plugin raise."""

import ast

import hypothesmith
from hypothesis import HealthCheck, given, settings

from flake8_loopguard.core.config import Config
from flake8_loopguard.core.engine import check_tree
from flake8_loopguard.core.model import Module
from flake8_loopguard.core.rules import all_rules, findings_of

from .conftest import ALL_CODES

EVERY_RULE = Config(opt_in_codes=ALL_CODES)

# Words that steer generated code toward what the rules look at.
PRELUDE = "import asyncio, qasync, threading\nfrom PySide6.QtCore import QThread\n"
# No example database: hypothesmith targets ever larger programs, and the database keeps the
# largest found so far (the pareto front) for the next run to start from, so each local run
# generated bigger programs than the last (test_generated_statements: 12 s with an empty
# database, 110-180 s with the one a few runs had left). Every run draws its own 150 examples;
# a failure prints the falsifying source.
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@FUZZ
@given(hypothesmith.from_grammar())
def test_generated_programs(source):
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return  # flake8 reports these as E999 before any plugin runs
    # Bypass the prefilter so every generated tree is walked.
    findings_of(all_rules(), Module(tree, "generated.py", EVERY_RULE))
    check_tree(ast.parse(PRELUDE + source), PRELUDE + source, "generated.py", EVERY_RULE)


@FUZZ
@given(hypothesmith.from_node())
def test_generated_statements(source):
    tree = ast.parse(source)
    findings_of(all_rules(), Module(tree, "generated.py", EVERY_RULE))
