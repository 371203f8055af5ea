"""``loopguard migrate --write`` on a copy of each fixture repository, against its golden migrated tree.

Each fixture has ``migrated/`` (the whole repository after the migration, the scaffolded
``loop_runtime.py`` included) and ``remaining.txt`` (flake8 ``--select LG`` on that tree: what
is left for a human). Both commands run in the test's process (tests/harness.py).

Set LOOPGUARD_UPDATE_GOLDENS=1 to rewrite ``migrated/`` and ``remaining.txt`` after a deliberate
change to a codemod, then read the diff (``git diff fixtures/``) before committing it.
"""

import ast
import os
import shutil
from collections import Counter

import pytest

from . import harness
from .conftest import REPO

FIXTURES = sorted(path.parent for path in (REPO / "fixtures").glob("*/repo"))
# Caches that Python and the tools leave next to the code are not part of a tree.
IGNORED_DIRECTORIES = ("__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis", ".loopguard_cache")


def migrate(cwd, *args):
    return harness.migrate(cwd, *args, ".")


def flake8(cwd):
    return harness.flake8(cwd, "--select", "LG", ".")


def read_tree(root):
    """Every file under ``root`` as {relative posix path: bytes}, caches left out."""
    tree = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part in IGNORED_DIRECTORIES for part in relative.parts):
            tree[relative.as_posix()] = path.read_bytes()
    return tree


def copy_repo(source, destination):
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*IGNORED_DIRECTORIES))
    return destination


def write_golden_tree(tree, destination):
    if destination.exists():
        shutil.rmtree(destination)
    for relative, data in tree.items():
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def assert_same_tree(actual, expected, what):
    assert sorted(actual) == sorted(expected), f"{what}: not the same set of files"
    differing = [path for path in expected if actual[path] != expected[path]]
    assert not differing, f"{what}: files differ byte for byte: {differing}"


def findings_by_file_and_code(flake8_output):
    """Counter of (path, code) over flake8 lines ``path:line:col: CODE message``: lines move, codes do not."""
    counts = Counter()
    for line in flake8_output.splitlines():
        path, _line, _col, rest = line.split(":", 3)
        counts[(path, rest.split()[0])] += 1
    return counts


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_migration_matches_golden_tree_and_remaining_findings(tmp_path, fixture):
    work = copy_repo(fixture / "repo", tmp_path / fixture.name)
    original = read_tree(work)
    golden_tree = fixture / "migrated"
    golden_remaining = fixture / "remaining.txt"

    written = migrate(work, "--write", "--allow-dirty")
    assert "Traceback" not in written.stderr, written.stderr
    migrated = read_tree(work)
    remaining = flake8(work)
    assert remaining.stderr == ""

    if os.environ.get("LOOPGUARD_UPDATE_GOLDENS"):
        write_golden_tree(migrated, golden_tree)
        golden_remaining.write_text(remaining.stdout, encoding="utf-8")

    assert_same_tree(migrated, read_tree(golden_tree), f"{fixture.name}/migrated")
    assert remaining.stdout == golden_remaining.read_text(encoding="utf-8")
    assert remaining.status == (1 if remaining.stdout else 0)
    # --write leaves nothing proposed: exit 1 exactly when findings are left for a human.
    assert written.status == (1 if remaining.stdout else 0), written.stderr
    assert written.stdout == ""

    for relative, data in migrated.items():
        if relative.endswith(".py"):
            ast.parse(data, filename=relative)
    # A codemod never introduces a finding: what is left is a part of what was there.
    before = findings_by_file_and_code((fixture / "expected.txt").read_text(encoding="utf-8"))
    after = findings_by_file_and_code(remaining.stdout)
    assert not after - before, f"findings the migration introduced: {sorted(after - before)}"
    # The migration adds files (the scaffolded runtime module), it never removes one.
    assert set(original) <= set(migrated)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_diff_mode_proposes_the_golden_changes_without_writing(tmp_path, fixture):
    work = copy_repo(fixture / "repo", tmp_path / fixture.name)
    original = read_tree(work)
    golden = read_tree(fixture / "migrated")
    remaining = (fixture / "remaining.txt").read_text(encoding="utf-8")
    changed = sorted(path for path in golden if original.get(path) != golden[path])

    shown = migrate(work)

    assert read_tree(work) == original
    assert shown.status == (1 if changed or remaining else 0), shown.stderr
    # One unified diff section per file the migration changes or creates, and none for the others.
    shown_files = sorted(
        line[len("+++ b/"):] for line in shown.stdout.splitlines() if line.startswith("+++ b/")
    )
    assert shown_files == changed


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_second_migration_changes_nothing(tmp_path, fixture):
    work = copy_repo(fixture / "migrated", tmp_path / fixture.name)
    before = read_tree(work)
    remaining = (fixture / "remaining.txt").read_text(encoding="utf-8")

    again = migrate(work, "--write", "--allow-dirty")

    assert read_tree(work) == before
    assert again.stdout == ""
    assert again.status == (1 if remaining else 0), again.stderr


def test_clean_app_is_left_as_it_is(tmp_path):
    fixture = REPO / "fixtures" / "clean_qasync_app"
    work = copy_repo(fixture / "repo", tmp_path / "clean_qasync_app")
    original = read_tree(work)

    result = migrate(work, "--write", "--allow-dirty")

    assert (result.status, result.stdout) == (0, "")
    assert read_tree(work) == original
    assert read_tree(fixture / "migrated") == original
    assert (fixture / "remaining.txt").read_text(encoding="utf-8") == ""


def test_every_fixture_has_its_migration_goldens():
    for fixture in FIXTURES:
        assert (fixture / "migrated").is_dir(), fixture.name
        assert (fixture / "remaining.txt").is_file(), fixture.name
