"""run_to_await over several modules: the plan made once over the project, each file rewritten
with its part of it, and the command keeping a chain whole when one of its files cannot take it.
Run alone (``python -m libcst.tool codemod``), the codemod sees one module only."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from flake8_loopguard.core.config import Config
from flake8_loopguard.project.await_plan import plan_project
from loopguard_codemods.pipeline import migrate_source

from ..conftest import REPO
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
    from app.net import fetch


    def load(urls):
        return [fetch(url) for url in urls]


    def main():
        print(load(["a"]))


    if __name__ == "__main__":
        main()
    """
)


def write(root: Path, files: dict) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_chain_across_two_modules_is_planned_once_and_rewritten_in_each():
    sources = {"app/__init__.py": "", "app/net.py": NET, "app/cli.py": CLI}
    plan = plan_project(sources, Config())
    assert [chain.paths for chain in plan.chains.values()] == [("app/cli.py", "app/net.py")]
    after = {path: migrate_source(text, path, await_plan=plan).source_after for path, text in sources.items()}
    # asyncio, no longer used there, goes.
    assert after["app/net.py"] == "async def _get(url):\n    return url\n\n\nasync def fetch(url):\n    return await _get(url)\n"
    assert after["app/cli.py"] == textwrap.dedent(
        """\
        import asyncio

        from app.net import fetch


        async def load(urls):
            return [await fetch(url) for url in urls]


        async def main():
            print(await load(["a"]))


        if __name__ == "__main__":
            asyncio.run(main())
        """
    )
    assert after["app/__init__.py"] == ""


def test_a_re_export_is_followed_to_the_function(tmp_path):
    """`from store import query` where store/__init__.py re-exports store.db.query."""
    sources = {
        "store/__init__.py": "from .db import query\n",
        "store/db.py": "import asyncio\n\n\nasync def q():\n    return 1\n\n\ndef query():\n    return asyncio.run(q())\n",
        "report.py": "from store import query\n\n\ndef main():\n    print(query())\n\n\nif __name__ == '__main__':\n    main()\n",
    }
    plan = plan_project(sources, Config())
    assert dict(plan.for_path("report.py").make_async) == {"main": 1}
    assert dict(plan.for_path("store/db.py").make_async) == {"query": 1}


def test_a_chain_one_file_cannot_take_is_left_in_every_file(tmp_path):
    """The plan sees a chain from db.query() to main(); the codemod finds that query() keeps using
    its loop (it creates a task on it), so db.py refuses the chain, and the command migrates
    cli.py again without it: neither file changes, and the finding says why."""
    write(
        tmp_path,
        {
            "db.py": textwrap.dedent(
                """\
                import asyncio


                async def q():
                    return 1


                def query():
                    loop = asyncio.new_event_loop()
                    loop.create_task(q())
                    return loop.run_until_complete(q())
                """
            ),
            "cli.py": "from db import query\n\n\ndef main():\n    print(query())\n\n\nif __name__ == '__main__':\n    main()\n",
        },
    )
    before = {path.name: path.read_text() for path in tmp_path.glob("*.py")}
    written = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", "--select", "run_to_await", ".")
    assert {path.name: path.read_text() for path in tmp_path.glob("*.py")} == before
    why = "db.py:8 query() -> cli.py:4 main(): in db.py: query() uses its loop 'loop' for more than running coroutines"
    assert f"./db.py:9: LG101 {why} [run_to_await]" in written.stderr.splitlines(), written.stderr
    assert f"./db.py:11: LG103 {why} [run_to_await]" in written.stderr.splitlines(), written.stderr
    assert "failed   0" in written.stderr.splitlines()


def test_a_file_refused_with_the_chain_keeps_its_other_fixes_and_stops_the_chain(tmp_path):
    """--select run_to_await alone: as a coroutine, step() would block the loop (LG403, which
    blocking_to_async is not selected to fix), so step.py is refused with the chain; the chain
    stops in main.py too, and nothing is written."""
    write(
        tmp_path,
        {
            "step.py": "import asyncio\nimport time\n\n\nasync def job():\n    return 1\n\n\ndef step():\n"
            "    time.sleep(0)\n    return asyncio.run(job())\n",
            "run.py": "from step import step\n\n\ndef main():\n    print(step())\n\n\nif __name__ == '__main__':\n    main()\n",
        },
    )
    before = {path.name: path.read_text() for path in tmp_path.glob("*.py")}
    written = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", "--select", "run_to_await", ".")
    assert {path.name: path.read_text() for path in tmp_path.glob("*.py")} == before
    assert written.status == 1, written.stderr
    assert (
        "./step.py:11: LG102 step.py:9 step() -> run.py:4 main(): in step.py: the rewrite would introduce LG403; "
        "file left unchanged [run_to_await]"
    ) in written.stderr.splitlines(), written.stderr


def test_with_blocking_to_async_the_same_chain_is_rewritten(tmp_path):
    """All codemods: blocking_to_async turns the sleep into an awaited one, so the chain goes."""
    write(
        tmp_path,
        {
            "step.py": "import asyncio\nimport time\n\n\nasync def job():\n    return 1\n\n\ndef step():\n"
            "    time.sleep(0)\n    return asyncio.run(job())\n",
            "run.py": "from step import step\n\n\ndef main():\n    print(step())\n\n\nif __name__ == '__main__':\n    main()\n",
        },
    )
    written = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert written.status == 0, written.stderr
    assert (tmp_path / "step.py").read_text() == (
        "import asyncio\n\n\nasync def job():\n    return 1\n\n\nasync def step():\n"
        "    await asyncio.sleep(0)\n    return await job()\n"
    )
    ran = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (ran.returncode, ran.stdout) == (0, "1\n")


def test_a_process_target_keeps_its_loop_and_its_helper_stays(tmp_path):
    """A function another process runs owns that process's one loop: its asyncio.run is no
    finding; a helper it calls is noted, not rewritten."""
    source = textwrap.dedent(
        """\
        import asyncio
        import multiprocessing


        async def job():
            return 1


        def helper():
            return asyncio.run(job())


        def child():
            asyncio.run(job())
            helper()


        def start():
            multiprocessing.Process(target=child).start()
        """
    )
    result = migrate_source(source, "jobs.py")
    assert not result.changed
    assert [(f.line, f.code) for f in result.findings_before] == [(10, "LG102")]
    notes = [(n.line, n.code, n.reason) for n in result.left_for_human if n.codemod == "run_to_await"]
    assert notes == [
        (
            10,
            "LG102",
            "jobs.py:9 helper() -> jobs.py:13 child() stops the chain: another process runs it: its loop is that "
            "process's one loop (and 1 more)",
        )
    ]


def test_run_alone_the_codemod_sees_one_module(tmp_path):
    """python -m libcst.tool codemod: net.fetch()'s caller is in another module, which the
    codemod run on its own does not see; it leaves fetch() as it is and says why."""
    write(tmp_path, {"app/__init__.py": "", "app/net.py": NET, "app/cli.py": CLI})
    completed = subprocess.run(
        [sys.executable, "-m", "libcst.tool", "codemod", "run_to_await.RunToAwait", str(tmp_path / "app")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "app" / "net.py").read_text() == NET
    assert (tmp_path / "app" / "cli.py").read_text() == CLI
    assert "nothing in the project calls fetch()" in completed.stderr


def test_a_chain_through_a_file_silenced_as_a_whole_is_left_in_every_file(tmp_path):
    """run.py is skipped (`# flake8: noqa`): its main() cannot await step(), so step() stays
    synchronous too, and the note says why."""
    write(
        tmp_path,
        {
            "step.py": "import asyncio\n\n\nasync def job():\n    return 1\n\n\ndef step():\n    return asyncio.run(job())\n",
            "run.py": "# flake8: noqa\nfrom step import step\n\n\ndef main():\n    print(step())\n\n\n"
            "if __name__ == '__main__':\n    main()\n",
        },
    )
    before = {path.name: path.read_text() for path in tmp_path.glob("*.py")}
    written = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert {path.name: path.read_text() for path in tmp_path.glob("*.py")} == before
    assert (
        "./step.py:9: LG102 step.py:8 step() -> run.py:5 main(): run.py is not migrated (# flake8: noqa) [run_to_await]"
    ) in written.stderr.splitlines(), written.stderr
    assert written.status == 1


STOPPED_BY_A_PROPERTY = {
    "helpers.py": textwrap.dedent(
        """\
        import asyncio


        async def ping():
            asyncio.create_task(asyncio.sleep(0))


        def load():
            return asyncio.run(fetch())


        async def fetch():
            return "u"
        """
    ),
    "settings.py": textwrap.dedent(
        """\
        import asyncio

        from helpers import load


        async def spawn():
            asyncio.create_task(asyncio.sleep(0))


        class Settings:
            @property
            def user(self):
                return load()
        """
    ),
}


def test_with_write_the_places_a_reason_names_are_those_of_the_written_files(tmp_path):
    """The task registrations add lines above load() and above the property in both files: with
    --write, the chain the note names points into the files as written (diff mode: as they are)."""
    write(tmp_path, STOPPED_BY_A_PROPERTY)
    shown = loopguard(tmp_path, "migrate", "--allow-dirty", ".")
    why = (
        "load() -> settings.py:{} Settings.user() stops the chain: user() is a property: reading it cannot await "
        "(and 1 more)"
    )
    assert f"./helpers.py:9: LG102 helpers.py:8 {why.format(12)} [run_to_await]" in shown.stderr.splitlines()
    written = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", ".")
    assert f"./helpers.py:13: LG102 helpers.py:12 {why.format(15)} [run_to_await]" in written.stderr.splitlines()
    helpers = (tmp_path / "helpers.py").read_text().splitlines()
    settings = (tmp_path / "settings.py").read_text().splitlines()
    assert (helpers[13 - 1], helpers[12 - 1], settings[15 - 1]) == (
        "    return asyncio.run(fetch())",
        "def load():",
        "    def user(self):",
    )
