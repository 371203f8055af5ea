"""run_to_await judged by the programs: each small program in ``await_programs/`` (none of them Qt)
is run, migrated with the real command, and run again; it must print the same. Where the chains
are rewritten, one loop is left, started once at the entry point, and ``loopguard check`` finds
no LG102/LG103 any more; where a chain must stay synchronous, nothing changes and the summary
says where it stops."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..harness import loopguard

PROGRAMS = Path(__file__).parent / "await_programs"

# program -> the runs compared (arguments after the script), and whether its chains are rewritten
RUNS = {
    "cli_tool": [["tool.py", "show", "a", "b"], ["tool.py", "count", "a", "bb"]],
    "bot": [["bot.py"]],
    "scraper": [["scraper.py"]],
    "store_report": [["report.py"]],
    "tree_walk": [["walk.py"]],
    "registry_stopped": [["app.py"]],
}
REWRITTEN = sorted(set(RUNS) - {"registry_stopped"})
LOOP_STARTS = re.compile(r"\basyncio\.run\(|\bqasync\.run\(")
PRIVATE_LOOPS = re.compile(r"run_until_complete|new_event_loop|set_event_loop|run_forever")


def outputs(cwd: Path, runs) -> list:
    found = []
    for run in runs:
        done = subprocess.run([sys.executable, *run], cwd=cwd, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        found.append(done.stdout)
    return found


def sources(root: Path) -> dict:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def migrate_copy(name: str, tmp_path: Path):
    """(the copy, its outputs before, its sources before, the --write run)."""
    work = tmp_path / name
    shutil.copytree(PROGRAMS / name, work, ignore=shutil.ignore_patterns("__pycache__"))
    before = outputs(work, RUNS[name])
    original = sources(work)
    written = loopguard(work, "migrate", "--write", "--allow-dirty", ".")
    assert "Traceback" not in written.stderr, written.stderr
    return work, before, original, written


@pytest.mark.parametrize("name", REWRITTEN)
def test_the_rewritten_program_prints_the_same(name, tmp_path):
    work, before, original, _written = migrate_copy(name, tmp_path)
    assert before and all(before)
    assert sources(work) != original  # the program was rewritten...
    assert outputs(work, RUNS[name]) == before  # ...and does the same


@pytest.mark.parametrize("name", REWRITTEN)
def test_one_loop_is_left_started_once_at_the_entry_point(name, tmp_path):
    work, _before, original, written = migrate_copy(name, tmp_path)
    after = sources(work)
    assert after != original
    code = "\n".join(after.values())
    assert len(LOOP_STARTS.findall(code)) == 1, code
    assert not PRIVATE_LOOPS.search(code)
    checked = loopguard(work, "check", ".")
    assert not re.search(r"LG10[23]", checked.stdout), checked.stdout
    assert written.status == 0, written.stderr


def test_a_chain_that_must_stay_synchronous_is_listed_and_left(tmp_path):
    work, before, original, written = migrate_copy("registry_stopped", tmp_path)
    assert sources(work) == original
    assert outputs(work, RUNS["registry_stopped"]) == before
    assert (
        "./app.py:12: LG102 app.py:11 load() -> app.py:17 Settings.user() stops the chain: user() is a property: "
        "reading it cannot await (and 1 more) [run_to_await]"
    ) in written.stderr.splitlines()
    assert written.status == 1


def test_the_threads_of_the_scraper_became_awaited_tasks(tmp_path):
    work = tmp_path / "scraper"
    shutil.copytree(PROGRAMS / "scraper", work)
    loopguard(work, "migrate", "--write", "--allow-dirty", ".")
    code = (work / "scraper.py").read_text(encoding="utf-8")
    assert "threading" not in code
    # Wrapped to black's default line length, 88: the program has no formatter settings.
    assert (
        "        thread = _task_manager.add_task(\n"
        '            asyncio.create_task(worker(url, results)), name="scraper:crawl"\n'
        "        )\n"
    ) in code
    assert "        await thread\n" in code
    assert (work / "loop_runtime.py").is_file()
