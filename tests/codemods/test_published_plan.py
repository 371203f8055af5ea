"""run_to_await's plan made while the worker processes start on the files (``PublishedPlan``): a
file is migrated as if the plan gave it no edit, the plan is read when its notes are written, and
a file the plan gives edits is migrated again with them; the outcome is the one the plan gives
when it is known from the start."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import List

import pytest

from flake8_loopguard.core.config import Config
from flake8_loopguard.project.await_plan import AwaitPlan, PublishedPlan, plan_project
from loopguard_codemods import pipeline
from loopguard_codemods.pipeline import MigrationResult, PlanNotReady, migrate_source

from ..harness import loopguard

NET = textwrap.dedent(
    """\
    import asyncio


    async def _get(url):
        return url


    def fetch(url):
        return asyncio.run(_get(url))
    """
)
CLI = textwrap.dedent(
    """\
    import asyncio

    from app.net import fetch


    async def ping():
        return 1


    async def start():
        asyncio.create_task(ping())


    def main():
        print(fetch('a'))


    if __name__ == '__main__':
        main()
    """
)
# A test keeps its asyncio.run (the plan says why), and its fire-and-forget task is registered.
TESTS = textwrap.dedent(
    """\
    import asyncio
    import unittest


    async def work():
        return 1


    class WorkTest(unittest.TestCase):
        def test_work(self):
            self.assertEqual(asyncio.run(work()), 1)

        async def start(self):
            asyncio.create_task(work())
    """
)
SOURCES = {"app/__init__.py": "", "app/net.py": NET, "app/cli.py": CLI, "app/test_work.py": TESTS}


class RecordedPlan(PublishedPlan):
    """Published the first time a file asks for it, which the events record."""

    def __init__(self, path: str, plan: AwaitPlan, events: List[str]) -> None:
        super().__init__(path)
        object.__setattr__(self, "made", plan)
        object.__setattr__(self, "events", events)

    def plan(self) -> AwaitPlan:
        if not self.ready:
            self.events.append("plan read")
            self.publish(self.made)
        return super().plan()


def outcome(result: MigrationResult) -> tuple:
    return (result.source_after, result.left_for_human, result.left_for_human_before, result.fixes)


@pytest.mark.parametrize(
    "path, events",
    [
        # Other codemods' work: parsed before the plan is read; the plan gives no edit here.
        ("app/test_work.py", ["parsed", "plan read"]),
        # The plan makes main() a coroutine: the file is migrated again, with it.
        ("app/cli.py", ["parsed", "plan read", "parsed"]),
    ],
)
def test_a_file_migrated_before_the_plan_is_published_ends_as_with_the_plan(tmp_path, monkeypatch, path, events):
    plan = plan_project(SOURCES, Config())
    known = migrate_source(SOURCES[path], path, await_plan=plan)
    seen: List[str] = []
    parse = pipeline.cst.parse_module

    def recorded_parse(text: str):  # type: ignore[no-untyped-def]
        seen.append("parsed")
        return parse(text)

    monkeypatch.setattr(pipeline.cst, "parse_module", recorded_parse)
    published = RecordedPlan(str(tmp_path / f"plan-{Path(path).stem}.pickle"), plan, seen)
    assert outcome(migrate_source(SOURCES[path], path, await_plan=published)) == outcome(known)
    assert seen == events


def test_a_file_with_nothing_to_parse_for_is_not_kept_waiting_for_the_plan(tmp_path):
    """Its caller migrates it again once the plan is published (it costs a lint)."""
    plan = plan_project(SOURCES, Config())
    waiting = PublishedPlan(str(tmp_path / "plan.pickle"))
    with pytest.raises(PlanNotReady):
        migrate_source(SOURCES["app/__init__.py"], "app/__init__.py", await_plan=waiting)
    waiting.publish(plan)
    result = migrate_source(SOURCES["app/__init__.py"], "app/__init__.py", await_plan=waiting)
    assert outcome(result) == outcome(migrate_source("", "app/__init__.py", await_plan=plan))


def test_the_plan_s_notes_replace_the_provisional_ones(tmp_path):
    plan = plan_project(SOURCES, Config())
    published = RecordedPlan(str(tmp_path / "plan.pickle"), plan, [])
    result = migrate_source(TESTS, "app/test_work.py", await_plan=published)
    assert result.fixes == {"fire_and_forget_to_task_manager": 1}
    [note] = [note for note in result.left_for_human_before if note.codemod == "run_to_await"]
    assert (note.line, note.code) == (11, "LG102")
    assert note.reason == (
        "app/test_work.py:10 WorkTest.test_work() stops the chain: test_work() is a test: its runner calls it "
        "and expects it to finish (and 1 more)"
    )


def test_migrate_with_worker_processes_gives_what_one_process_gives(tmp_path):
    for relative, text in SOURCES.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    one = loopguard(tmp_path, "migrate", "--jobs", "1", ".")
    two = loopguard(tmp_path, "migrate", "--jobs", "2", ".")
    assert "async def main():" in one.stdout and "await fetch('a')" in one.stdout
    assert "_task_manager.add_task(asyncio.create_task(ping())" in one.stdout
    assert (two.stdout, two.stderr, two.status) == (one.stdout, one.stderr, one.status)
