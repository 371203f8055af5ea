"""The flake8 adapter as users run it, on small files: flake8's own `main` in the test's process
(its options, configuration files, plugin loading and noqa), and a real flake8 process for the
plugin's registration and a first report."""

import subprocess
import textwrap

import pytest

from . import harness

UNOWNED_TASK = """\
import asyncio


class Screen:
    def __init__(self):
        self._lock = asyncio.Lock()

    def start(self):
        asyncio.create_task(self.load())
        asyncio.create_task(self.load())  # noqa: LG201
        asyncio.create_task(self.load())  # noqa: LG105
        self._registry.add_task(asyncio.create_task(self.load()))

    async def load(self):
        pass
"""


def write(folder, files):
    for name, text in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def flake8(cwd, *args, files=None):
    """flake8 run by its `main` in this process."""
    write(cwd, files)
    result = harness.flake8(cwd, *args)
    harness.assert_no_traceback(result)
    return result


def flake8_process(flake8_command, cwd, *args, files=None):
    """flake8 run as a real process, as a user or a hook starts it."""
    write(cwd, files)
    completed = subprocess.run([*flake8_command, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    result = harness.Result(completed.returncode, completed.stdout, completed.stderr)
    harness.assert_no_traceback(result)
    return result


def codes(result):
    return [line.split(": ", 1)[1].split(" ", 1)[0] for line in result.stdout.splitlines()]


def test_plugin_is_registered(flake8_command, tmp_path):
    result = flake8_process(flake8_command, tmp_path, "--version")
    assert "flake8-loopguard" in result.stdout


def test_noqa_silences_only_the_named_code(flake8_command, tmp_path):
    result = flake8_process(flake8_command, tmp_path, "--select", "LG", "screen.py", files={"screen.py": UNOWNED_TASK})
    assert result.stdout.splitlines() == [
        "screen.py:9:9: LG201 task created with create_task() is never referenced; keep it in a TaskManager",
        "screen.py:11:9: LG201 task created with create_task() is never referenced; keep it in a TaskManager",
    ]
    assert result.status == 1


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--select", "LG"], ["LG201", "LG201"]),
        (["--select", "LG", "--extend-select", "LG303"], ["LG303", "LG201", "LG201"]),
        (["--select", "LG", "--extend-select", "LG203,LG303"], ["LG303", "LG201", "LG201", "LG203"]),
        (["--select", "LG203"], ["LG203"]),
        # a prefix longer than `LG` that covers an opt-in code turns it on
        (["--select", "LG2"], ["LG201", "LG201", "LG203"]),
        (["--select", "LG", "--extend-select", "LG3"], ["LG303", "LG201", "LG201"]),
        (["--select", "LG", "--extend-select", "LG30"], ["LG303", "LG201", "LG201"]),
        (["--select", "LG", "--extend-select", "LG4"], ["LG201", "LG201"]),
    ],
)
def test_opt_in_rules_need_their_code_or_a_longer_prefix(tmp_path, args, expected):
    result = flake8(tmp_path, *args, "screen.py", files={"screen.py": UNOWNED_TASK})
    assert codes(result) == expected


def test_task_manager_option_names_the_receivers(tmp_path):
    files = {"screen.py": UNOWNED_TASK}
    args = ["--select", "LG203", "screen.py"]
    assert codes(flake8(tmp_path, *args, files=files)) == ["LG203"]
    assert codes(flake8(tmp_path, *args, "--loopguard-task-manager", "registry")) == []


ENTRY_SCRIPT = """\
import asyncio

loop = asyncio.new_event_loop()
loop.run_until_complete(asyncio.sleep(0))
"""


def test_main_py_is_an_entry_point_by_default(tmp_path):
    files = {"main.py": ENTRY_SCRIPT, "app/__main__.py": ENTRY_SCRIPT, "start.py": ENTRY_SCRIPT}
    result = flake8(tmp_path, "--select", "LG", ".", files=files)
    assert result.stdout.splitlines() == [
        "./start.py:3:8: LG101 event loop created with asyncio.new_event_loop() outside the entry point; "
        "await on the running loop instead",
        "./start.py:4:1: LG103 run_until_complete() drives an event loop outside the entry point; "
        "await the coroutine instead",
    ]


def test_entry_point_globs_from_the_command_line_and_config(tmp_path):
    files = {"main.py": ENTRY_SCRIPT, "start.py": ENTRY_SCRIPT}
    none = flake8(tmp_path, "--select", "LG", "--loopguard-entry-points", "", ".", files=files)
    assert sorted(set(line.split(":")[0] for line in none.stdout.splitlines())) == ["./main.py", "./start.py"]
    (tmp_path / "setup.cfg").write_text("[flake8]\nloopguard-entry-points = start.py\n", encoding="utf-8")
    configured = flake8(tmp_path, "--select", "LG", ".")
    assert sorted(set(line.split(":")[0] for line in configured.stdout.splitlines())) == ["./main.py"]


def test_loop_bound_option_adds_factories(tmp_path):
    files = {
        "client.py": """\
            from myapp.clients import make_async_client


            class Provider:
                def __init__(self):
                    self.client = make_async_client("stats:50051")
            """
    }
    assert flake8(tmp_path, "--select", "LG", "client.py", files=files).stdout == ""
    result = flake8(
        tmp_path,
        "--select",
        "LG",
        "--loopguard-loop-bound",
        "myapp.clients.make_async_client",
        "client.py",
    )
    assert codes(result) == ["LG301"]
    assert "myapp.clients.make_async_client() in __init__" in result.stdout


def test_entry_point_globs_with_a_slash_follow_the_project_root_not_the_spelling(tmp_path):
    """pre-commit passes `scripts/start.py`, a user types `./scripts/start.py` or runs from a
    subdirectory: the glob is relative to the directory of the flake8 configuration."""
    files = {"scripts/start.py": ENTRY_SCRIPT, "app/scripts/start.py": ENTRY_SCRIPT}
    (tmp_path / "setup.cfg").write_text("[flake8]\nloopguard-entry-points = scripts/*.py\n", encoding="utf-8")
    for spelling in ("scripts/start.py", "./scripts/start.py", str(tmp_path / "scripts" / "start.py")):
        assert flake8(tmp_path, "--select", "LG", spelling, files=files).stdout == ""
    from_app = flake8(tmp_path / "app", "--select", "LG", "scripts/start.py", "../scripts/start.py")
    assert sorted(set(line.split(":")[0] for line in from_app.stdout.splitlines())) == ["scripts/start.py"]


def test_blocking_calls_option_adds_functions_and_methods(tmp_path):
    files = {
        "feed.py": """\
            from mylib import Client, sync_fetch


            async def refresh():
                sync_fetch("prices")
                client = Client()
                client.get("prices")
                client.close()
            """
    }
    assert flake8(tmp_path, "--select", "LG", "feed.py", files=files).stdout == ""
    result = flake8(
        tmp_path, "--select", "LG", "--loopguard-blocking-calls", "mylib.sync_fetch,mylib.Client.get", "feed.py"
    )
    assert [line.split(": ", 1)[1][:22] for line in result.stdout.splitlines()] == [
        "LG403 blocking mylib.s",
        "LG403 blocking client.",
    ]


def test_async_slot_decorators_option_names_the_project_decorator(tmp_path):
    files = {
        "screen.py": """\
            from PySide6.QtWidgets import QWidget
            from myapp.ui import coroutine_slot


            class Screen(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button.clicked.connect(self._refresh)

                @coroutine_slot
                async def _refresh(self):
                    pass

                @coroutine_slot
                def _sync(self):
                    pass
            """
    }
    assert codes(flake8(tmp_path, "--select", "LG", "screen.py", files=files)) == ["LG501"]
    configured = flake8(
        tmp_path, "--select", "LG", "--loopguard-async-slot-decorators", "myapp.ui.coroutine_slot", "screen.py"
    )
    assert codes(configured) == ["LG502"]
