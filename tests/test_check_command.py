"""`loopguard check`: exit codes, the finding lines and their total, the report formats, the
baseline, and parity with the flake8 plugin on the fixtures. Run in the test's process
(tests/harness.py); the launchers themselves as processes."""

import configparser
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO
from .harness import check, loopguard_process
from .samples import CLEAN, DROPS_A_TASK, LG102, LG201, RUNS_A_LOOP, write

FIXTURES = sorted(path.parent for path in (REPO / "fixtures").glob("*/repo"))


def test_the_code_catalogue_is_the_rules():
    """The codes a warm run validates the settings with, without importing the rules."""
    from flake8_loopguard.commands.check.codes import PROJECT_CODES, RULE_CODES
    from flake8_loopguard.core.rules import RULES, project_rules

    assert RULE_CODES == tuple(sorted(RULES))
    assert PROJECT_CODES == tuple(rule.code for rule in project_rules())


# ----- parity with the flake8 plugin ------------------------------------------------


def flake8_options_as_flags(fixture):
    """The fixture's `loopguard-*` settings in its flake8 configuration, as `loopguard check` flags."""
    parser = configparser.ConfigParser()
    parser.read(fixture / "repo" / "setup.cfg")
    if not parser.has_section("flake8"):
        return []
    flags = []
    for key, value in parser.items("flake8"):
        if key.startswith("loopguard-"):
            flags += [f"--{key[len('loopguard-') :]}", value]
    return flags


# The closing line `loopguard check` adds after the finding lines (flake8 prints none).
FIXTURE_TOTALS = {
    "clean_qasync_app": "no findings in 8 files",
    "grpc_provider": "8 findings in 3 of 6 files",
    "log_merger": "7 findings in 3 of 7 files",
    "threadpool_broker": "5 findings in 2 of 6 files",
    "trading_desktop": "37 findings in 12 of 40 files",
    "ws_agent": "6 findings in 1 of 6 files",
}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_fixture_output_equals_the_flake8_golden(fixture):
    # The golden is `flake8 --select LG .` run in fixture/repo; LG107 is the gate's own whole-project rule.
    result = check(fixture / "repo", "--no-cache", "--ignore", "LG107", *flake8_options_as_flags(fixture), ".")
    golden = (fixture / "expected.txt").read_text(encoding="utf-8")
    assert result.stderr == ""
    assert result.stdout == golden + FIXTURE_TOTALS[fixture.name] + "\n"
    assert result.status == (1 if golden else 0)


# LG107, one finding per process that would own more than one loop: the trading app's main()
# makes two QEventLoops (the seed's "QEventLoop 이중 생성" path) and a start-up helper runs
# asyncio.run. log_merger's modes run one loop each, in the branches of one if/elif/else.
FIXTURE_LG107 = {
    "trading_desktop": [
        "./run_desktop_ui.py:80:12: LG107 qasync.QEventLoop() starts this process's event loop, and the code it "
        "reaches owns another: qasync.QEventLoop() at ./run_desktop_ui.py:91 (entry code); asyncio.run() at "
        "./run_desktop_ui.py:65 (main() -> _check_api_connectivity()); keep one loop, started by the entry point"
    ],
}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_fixture_lg107_is_one_finding_per_process_beside_the_flake8_golden(fixture):
    result = check(fixture / "repo", "--no-cache", *flake8_options_as_flags(fixture), ".")
    golden = (fixture / "expected.txt").read_text(encoding="utf-8").splitlines()
    *lines, _total = result.stdout.splitlines()
    assert [line for line in lines if " LG107 " not in line] == golden
    assert [line for line in lines if " LG107 " in line] == FIXTURE_LG107.get(fixture.name, [])


# ----- exit codes, output ------------------------------------------------------------


def test_violation_exits_1_with_flake8_lines_and_clean_code_exits_0(tmp_path):
    write(tmp_path, {"widget.py": RUNS_A_LOOP, "ok.py": CLEAN})
    found = check(tmp_path, "--no-cache", "widget.py", "ok.py")
    assert (found.status, found.stdout, found.stderr) == (
        1,
        f"widget.py:5:12: {LG102}\n1 finding in 1 of 2 files\n",
        "",
    )
    clean = check(tmp_path, "--no-cache", "ok.py")
    assert (clean.status, clean.stdout, clean.stderr) == (0, "no findings in 1 file\n", "")


def test_exit_zero_and_statistics(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP + "\n\ndef again():\n    asyncio.run(fetch())\n", "b.py": DROPS_A_TASK})
    result = check(tmp_path, "--no-cache", "--statistics", "--exit-zero", "--ignore", "LG107", "a.py", "b.py")
    assert result.status == 0
    assert result.stdout == (
        f"a.py:5:12: {LG102}\na.py:9:5: {LG102}\nb.py:5:5: {LG201}\n2     {LG102}\n1     {LG201}\n"
        "3 findings in 2 of 2 files\n"
    )


def test_python_dash_m_and_the_loopguard_script_are_the_command_main_runs(tmp_path):
    """The launchers, as processes: their exit status and output are main's."""
    write(tmp_path, {"widget.py": RUNS_A_LOOP})
    expected = (1, f"widget.py:5:12: {LG102}\n1 finding in 1 of 1 file\n", "")
    in_process = check(tmp_path, "--no-cache", "widget.py")
    assert (in_process.status, in_process.stdout, in_process.stderr) == expected
    via_python_m = loopguard_process(tmp_path, "check", "--no-cache", "widget.py")
    assert (via_python_m.status, via_python_m.stdout, via_python_m.stderr) == expected
    script = Path(sys.executable).with_name("loopguard")
    if not script.exists():
        pytest.skip(f"no loopguard script next to {sys.executable}")
    via_script = subprocess.run(
        [str(script), "check", "--no-cache", "widget.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert (via_script.returncode, via_script.stdout, via_script.stderr) == expected


def test_a_run_is_told_everything_by_one_settled_options_object(tmp_path, monkeypatch, capsys):
    """The command line is settled once over [tool.loopguard] into a frozen CheckOptions; the run,
    the cache key and the report read that, so a run can be made from options alone."""
    import dataclasses

    from flake8_loopguard.cli import _parser
    from flake8_loopguard.commands.check.cache import configuration_key
    from flake8_loopguard.commands.check.command import check as check_with, settled_options
    from flake8_loopguard.commands.check.formats import ReportFormat

    write(tmp_path, {"pyproject.toml": '[tool.loopguard]\nignore = "LG201"\n', "app.py": RUNS_A_LOOP})
    monkeypatch.chdir(tmp_path)
    options = settled_options(_parser().parse_args(["check", "--format", "json", "--cache-dir", "c", "-j", "1"]))
    assert (options.paths, options.jobs, options.cache_dir, options.report.format) == (
        (".",),
        1,
        Path("c"),
        ReportFormat.JSON,
    )
    assert options.settings.ignore == ("LG201",) and options.whole_project
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.jobs = 2
    as_text = dataclasses.replace(
        options, cache_dir=None, report=dataclasses.replace(options.report, format=ReportFormat.TEXT)
    )
    status = check_with(as_text)
    assert (status, capsys.readouterr().out) == (1, f"./app.py:5:12: {LG102}\n1 finding in 1 of 1 file\n")
    assert not (tmp_path / "c").exists()
    # The key of the cached results follows what changes the records, not how they are reported.
    assert configuration_key(as_text) == configuration_key(options)
    assert configuration_key(dataclasses.replace(options, whole_project=False)) != configuration_key(options)


def test_baseline_reports_only_new_findings(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP})
    written = check(tmp_path, "--no-cache", "--write-baseline", "baseline.json", "a.py")
    assert written.status == 0
    assert written.stderr == "loopguard: baseline.json: recorded 1 findings\n"
    (tmp_path / "a.py").write_text(
        "# a comment moves the finding down\n" + RUNS_A_LOOP + DROPS_A_TASK.split("\n", 1)[1]
    )
    result = check(tmp_path, "--no-cache", "--baseline", "baseline.json", "a.py")
    assert (result.status, result.stdout) == (
        1,
        f"a.py:10:5: {LG201}\n1 new finding in 1 of 1 file (1 silenced by the baseline)\n",
    )
    (tmp_path / "a.py").write_text(CLEAN)
    fixed = check(tmp_path, "--no-cache", "--baseline", "baseline.json", "a.py")
    assert (fixed.status, fixed.stdout) == (0, "no new findings in 1 file (0 silenced by the baseline)\n")
    assert "a.py: 1 LG102 finding(s) in load are gone; refresh it with --write-baseline" in fixed.stderr
    missing = check(tmp_path, "--no-cache", "--baseline", "nope.json", "a.py")
    assert missing.status == 2
    assert "nope.json: baseline file not found" in missing.stderr


def test_other_formats_go_through_the_shared_renderer(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP})
    result = check(tmp_path, "--no-cache", "--format", "json", "a.py")
    assert result.status == 1
    assert '"code": "LG102"' in result.stdout
    assert '"line": 5' in result.stdout
    to_file = check(tmp_path, "--no-cache", "--format", "github", "--output-file", "report.txt", "a.py")
    assert (to_file.status, to_file.stdout, to_file.stderr) == (1, "", "1 finding in 1 of 1 file\n")
    assert (tmp_path / "report.txt").read_text().startswith("::error file=a.py,line=5,col=12,title=LG102::")
