"""The cycle collector is paused while run_to_await's plan is made and while a file is migrated
(the modelled files and libcst's trees live until the end, and each collection scanned them all
again), and runs as usual afterwards."""

import gc
from pathlib import Path

from flake8_loopguard.commands.migrate import files as file_migration
from flake8_loopguard.commands.migrate.files import MigrationOptions
from flake8_loopguard.commands.selection import Selection
from flake8_loopguard.commands.settings import load_settings
from flake8_loopguard.core.config import Config
from flake8_loopguard.core.rules import all_rules
from flake8_loopguard.project.await_plan import build, plan_project
from loopguard_codemods import pipeline
from loopguard_codemods.placement import RuntimePlacement


def test_the_plan_is_made_with_the_collector_paused(monkeypatch):
    seen = []
    plan = build._Builder.plan

    def recorded(builder):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return plan(builder)

    monkeypatch.setattr(build._Builder, "plan", recorded)
    assert gc.isenabled()
    plan_project({"app.py": "import asyncio\n\n\ndef main():\n    asyncio.run(main())\n"}, Config())
    assert seen == [False]
    assert gc.isenabled()


def test_a_file_is_migrated_with_the_collector_paused(monkeypatch, tmp_path):
    seen = []
    migrate_source = pipeline.migrate_source

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return migrate_source(*args, **kwargs)

    monkeypatch.setattr(pipeline, "migrate_source", recorded)
    path = tmp_path / "service.py"
    path.write_text("import asyncio\n\n\nasync def f():\n    return asyncio.get_event_loop()\n", encoding="utf-8")
    settings = load_settings(tuple(rule.code for rule in all_rules()), {})
    options = MigrationOptions(
        config=settings.engine_config(),
        selected=None,
        selection=Selection(settings),
        placement=RuntimePlacement(None, scaffolds=True, cwd=Path(tmp_path)),
    )
    result = file_migration.migrate_file(options, str(path))
    assert result.fixes == {"get_event_loop_to_running_loop": 1}
    assert seen == [False]
    assert gc.isenabled()
