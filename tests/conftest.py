import sys
from pathlib import Path

import pytest

from flake8_loopguard.core.config import Config
from flake8_loopguard.core.rules import all_rules

REPO = Path(__file__).resolve().parent.parent

# Every rule, opt-in ones included: the example files annotate them all.
ALL_CODES = tuple(rule.code for rule in all_rules())
EVERY_RULE = Config(opt_in_codes=ALL_CODES)


@pytest.fixture
def flake8_command():
    """flake8 of the interpreter running the tests, as a subprocess argv prefix."""
    return [sys.executable, "-m", "flake8"]
