import itertools
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


@pytest.fixture(scope="session")
def _cache_homes(tmp_path_factory):
    """A folder for the tests' cache homes, and a counter to name them."""
    return tmp_path_factory.mktemp("cache-homes"), itertools.count()


@pytest.fixture(autouse=True)
def cache_home(_cache_homes, monkeypatch):
    """The user's cache home (XDG_CACHE_HOME), where `loopguard check` keeps this machine's cache
    key: one per test, made only when used, so the suite neither reads nor writes the developer's
    ~/.cache. Subprocesses inherit it; a test that gives one an `env` must start from os.environ."""
    folder, numbers = _cache_homes
    home = folder / str(next(numbers))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home
