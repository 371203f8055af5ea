"""run_to_await ends a chain at a console-script function (``[project.scripts]``, setup.cfg's
``console_scripts``): the script's wrapper calls it synchronously, so it stays a plain function
that starts the one loop on a coroutine holding its body. Where it cannot (its loop would be a
finding, or code on the loop calls it), the chain stops there, with the reason."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import libcst as cst
from libcst.codemod import CodemodContext

from flake8_loopguard.commands.migrate.console_scripts import console_scripts
from flake8_loopguard.project.await_plan import plan_project
from loopguard_codemods.await_chain.locate import SCRATCH_AWAIT_PLAN
from loopguard_codemods.base import SCRATCH_CONFIG, SCRATCH_TASK_MANAGER
from loopguard_codemods.run_to_await import RunToAwait

from ..harness import loopguard
from .helpers import FindingCodemodTest

TOOL = "the console script `tool` (pyproject.toml [project.scripts])"
PROGRAM = Path(__file__).parent / "await_programs" / "console_tool"


class ScriptEndTest(FindingCodemodTest):
    """The module is the program, and pyproject.toml names its ``main`` as the script ``tool``."""

    TRANSFORM = RunToAwait
    FILENAME = "cli.py"

    def run_codemod(self, source: str, filename: Optional[str] = None) -> "tuple[str, CodemodContext]":
        filename = filename or self.FILENAME
        plan = plan_project({filename: source}, self.CONFIG, console_scripts={"cli:main": TOOL})
        context = CodemodContext(
            filename=filename,
            scratch={
                SCRATCH_CONFIG: self.CONFIG,
                SCRATCH_TASK_MANAGER: self.TASK_MANAGER,
                SCRATCH_AWAIT_PLAN: plan.for_path(filename),
            },
        )
        return self.TRANSFORM(context).transform_module(cst.parse_module(source)).code, context


class TestTheChainEndsAtTheScript(ScriptEndTest):
    def test_the_script_function_starts_the_one_loop_on_a_coroutine_of_its_body(self):
        """main() keeps its name, signature and docstring (the wrapper calls it, help() reads it);
        its body, awaiting, goes to _main_async(), which gets every argument; the __main__ block
        still calls main(), which starts the loop."""
        notes = self.assertCodemod(
            """
            import asyncio
            import sys


            async def get(url):
                return url.upper()


            def fetch(url):
                return asyncio.run(get(url))


            # The command.
            def main(argv=None, *rest, prefix="> ", **options):
                \"\"\"Print each URL, fetched.\"\"\"
                for url in argv or sys.argv[1:]:
                    print(prefix + fetch(url))  # one page
                return 0


            if __name__ == "__main__":
                sys.exit(main())
            """,
            """
            import asyncio
            import sys


            async def get(url):
                return url.upper()


            async def fetch(url):
                return await get(url)


            # The command.
            def main(argv=None, *rest, prefix="> ", **options):
                \"\"\"Print each URL, fetched.\"\"\"
                return asyncio.run(_main_async(argv, *rest, prefix=prefix, **options))


            async def _main_async(argv, *rest, prefix, **options):
                for url in argv or sys.argv[1:]:
                    print(prefix + await fetch(url))  # one page
                return 0


            if __name__ == "__main__":
                sys.exit(main())
            """,
        )
        assert notes == []

    def test_a_loop_the_script_function_ran_itself_is_awaited_in_its_coroutine(self):
        """main() is entry-point code (the __main__ block calls it): its own asyncio.run is no
        finding, but inside the one loop it would fail, so it is awaited like the chain's."""
        self.assertCodemod(
            """
            import asyncio


            async def warm():
                return 1


            def fetch():
                return asyncio.run(warm())


            def main():
                asyncio.run(warm())
                print(fetch())


            if __name__ == "__main__":
                main()
            """,
            """
            import asyncio


            async def warm():
                return 1


            async def fetch():
                return await warm()


            def main():
                return asyncio.run(_main_async())


            async def _main_async():
                await warm()
                print(await fetch())


            if __name__ == "__main__":
                main()
            """,
        )


class TestTheChainStopsAtTheScript(ScriptEndTest):
    FETCH = """
            import asyncio


            async def get():
                return 1


            def fetch():
                return asyncio.run(get())

    """

    def assert_left(self, rest: str, why: str) -> None:
        source = self.FETCH + rest
        notes = self.assertCodemod(source, source)
        route = "cli.py:8 fetch() -> cli.py:12 main()"
        assert [(note.line, note.code, note.reason) for note in notes] == [(9, "LG102", f"{route}{why}")]

    def test_outside_entry_point_code_its_loop_would_be_a_finding(self):
        self.assert_left(
            """
            def main():
                print(fetch())
            """,
            f" stops the chain: main() is {TOOL}: it stays synchronous and would start the loop outside "
            'entry-point code (LG102); call it from its module\'s `if __name__ == "__main__":` block, or name its '
            "file in `entry-points`",
        )

    def test_code_on_the_loop_may_not_call_it(self):
        self.assert_left(
            """
            def main():
                print(fetch())


            async def again():
                main()


            if __name__ == "__main__":
                main()
            """,
            f" stops the chain: main() is {TOOL}, which starts a loop, and cli.py:17 calls it on the loop",
        )

    def test_the_name_of_its_coroutine_is_taken(self):
        self.assert_left(
            """
            def main():
                print(fetch())


            _main_async = None

            if __name__ == "__main__":
                main()
            """,
            ": in cli.py: the coroutine taking the body of main() would be _main_async, which the module binds",
        )


def test_console_scripts_are_read_from_pyproject_and_setup_cfg(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project.scripts]\ntool = "tool.cli:main"\nodd = "tool.cli:App.run"\n'
        '[project.gui-scripts]\nwin = "tool.gui:start [qt]"\n'
        '[tool.poetry.scripts]\npoem = { reference = "tool.poem:main", type = "console" }\n',
        encoding="utf-8",
    )
    (tmp_path / "setup.cfg").write_text(
        "[options.entry_points]\nconsole_scripts =\n    old = tool.old:run\n", encoding="utf-8"
    )
    assert console_scripts(tmp_path) == {
        "tool.cli:main": TOOL,
        "tool.gui:start": "the console script `win` (pyproject.toml [project.gui-scripts])",
        "tool.poem:main": "the console script `poem` (pyproject.toml [tool.poetry.scripts])",
        "tool.old:run": "the console script `old` (setup.cfg [options.entry_points] console_scripts)",
    }
    (tmp_path / "pyproject.toml").write_text("[project.scripts\n", encoding="utf-8")
    assert list(console_scripts(tmp_path)) == ["tool.old:run"]  # a pyproject.toml that does not parse declares none


# The console script's wrapper, as pip writes it (`sys.exit(main())`), counting the loops made.
AS_THE_SCRIPT_RUNS_IT = """\
import asyncio.events, inspect, sys
made = []
new_event_loop = asyncio.events.new_event_loop
asyncio.events.new_event_loop = lambda: made.append(1) or new_event_loop()
from tool.cli import main
code = main()
print(f"loops={len(made)} coroutine_function={inspect.iscoroutinefunction(main)}", file=sys.stderr)
sys.exit(code)
"""


def run_tool(work: Path, *args: str) -> "tuple[int, str, str]":
    done = subprocess.run(
        [sys.executable, "-c", AS_THE_SCRIPT_RUNS_IT, *args], cwd=work, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout, done.stderr.strip()


def test_the_console_tool_prints_the_same_through_its_script_on_one_loop(tmp_path):
    """The package's command, called as its console script calls it: it prints the same, exits
    with the same code, and makes one loop instead of one per page; main() is still a plain
    function (made a coroutine, the script would get a coroutine object and never run it)."""
    work = tmp_path / "console_tool"
    shutil.copytree(PROGRAM, work, ignore=shutil.ignore_patterns("__pycache__"))
    assert run_tool(work, "a", "b", "c") == (3, "> A\n> B\n> C\n", "loops=3 coroutine_function=False")
    written = loopguard(work, "migrate", "--write", "--allow-dirty", ".")
    assert written.status == 0, written.stderr
    assert "run_to_await      1" in written.stderr.splitlines()
    assert run_tool(work, "a", "b", "c") == (3, "> A\n> B\n> C\n", "loops=1 coroutine_function=False")
    cli = (work / "tool" / "cli.py").read_text(encoding="utf-8")
    assert "    return asyncio.run(_main_async(argv, prefix=prefix))\n" in cli
    assert 'if __name__ == "__main__":\n    sys.exit(main())\n' in cli
    assert loopguard(work, "check", ".").stdout == "no findings in 3 files\n"
