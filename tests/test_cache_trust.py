"""The result cache of `loopguard check` is trusted only when this machine wrote it: a cache
committed to the repository, copied from another machine or renamed is ignored, with a warning.

Each test has its own cache home (the `cache_home` fixture), where this machine's key is made on
first use; the runs are in the test's process, but for runs that race as processes.
"""

import os
import shutil
import stat
import subprocess
import threading

import pytest

from flake8_loopguard.commands.check import cache
from flake8_loopguard.commands.check.cache import key_home, machine_key, signed
from flake8_loopguard.commands.discovery import discover, tracked_by_git

from .cache_files import (
    LOOP_REPORT,
    craft_clean_cache,
    not_ours,
    own_home,
    results_file,
    tracked_warning,
    verbose_tail,
    warnings_of,
)
from .harness import LOOPGUARD, check, git
from .samples import DROPS_A_TASK, LG201, RUNS_A_LOOP, write


# ----- item 1: only this machine's cache is trusted ---------------------------------------


def test_a_crafted_cache_committed_to_the_repository_does_not_pass_a_fresh_clone(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    craft_clean_cache(project, tmp_path / "attacker-home")
    git(project, "add", "app.py")
    git(project, "add", "-f", ".loopguard_cache")
    git(project, "commit", "-q", "-m", "a clean-looking cache")
    # The gate's machine: a fresh clone at the same path, a fresh cache home.
    shutil.move(project, tmp_path / "origin")
    git(tmp_path, "clone", "-q", str(tmp_path / "origin"), str(project))
    committed = {path.name: path.read_bytes() for path in (project / ".loopguard_cache").iterdir()}

    result = check(project, ".", env=own_home(tmp_path / "gate-home"))

    assert (result.status, result.stdout) == (1, "./" + LOOP_REPORT)
    assert result.stderr == tracked_warning(project / ".loopguard_cache")
    # Nothing written into the repository's folder.
    assert {path.name: path.read_bytes() for path in (project / ".loopguard_cache").iterdir()} == committed


@pytest.mark.parametrize(
    "arguments, report",
    [
        ((".",), f"./app.py:5:5: {LG201}\n1 finding in 1 of 1 file\n"),  # the walk's git listing says it is tracked
        (("--select", "LG201", "app.py"), f"app.py:5:5: {LG201}\n1 finding in 1 of 1 file\n"),  # no walk: git is asked
    ],
)
def test_a_cache_this_machine_wrote_is_not_trusted_once_committed(tmp_path, arguments, report):
    git(tmp_path, "init", "-q")
    write(tmp_path, {"app.py": DROPS_A_TASK})
    assert check(tmp_path, *arguments).stdout == report
    git(tmp_path, "add", "app.py")
    git(tmp_path, "add", "-f", ".loopguard_cache")
    git(tmp_path, "commit", "-q", "-m", "the developer's own cache")
    cache_file = results_file(tmp_path / ".loopguard_cache")
    committed = cache_file.read_bytes()
    write(tmp_path, {"app.py": DROPS_A_TASK + "# changed\n"})

    result = check(tmp_path, "-v", *arguments)

    assert (result.status, result.stdout) == (1, report)
    assert warnings_of(result) == [tracked_warning(tmp_path / ".loopguard_cache").rstrip("\n")]
    assert verbose_tail(result) == "loopguard: 1 files: 1 checked, 0 unchanged since the cache, 1 reported on"
    assert cache_file.read_bytes() == committed  # never written to, though a file changed


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root, to give the checkout to another user")
def test_when_git_cannot_tell_whether_it_tracks_the_cache_the_run_goes_on_without_it(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    write(project, {"app.py": RUNS_A_LOOP})
    for path in [project, *project.rglob("*")]:
        os.lchown(path, 12345, 12345)  # git then refuses the repository: "dubious ownership"

    result = check(project, "app.py")

    assert (result.status, result.stdout) == (1, LOOP_REPORT)
    (warning,) = warnings_of(result)
    assert warning.startswith(
        f"loopguard: warning: cannot tell whether git tracks the cache {project / '.loopguard_cache'} "
        "(git ls-files -z failed: fatal: detected dubious ownership in repository at "
    )
    assert warning.endswith("); running without it")
    assert not (project / ".loopguard_cache").exists()


def test_a_cache_copied_from_another_machine_is_ignored_with_a_warning_and_replaced(tmp_path):
    craft_clean_cache(tmp_path, tmp_path / "other-machine")
    cache_file = results_file(tmp_path / ".loopguard_cache")

    result = check(tmp_path, "app.py")

    assert (result.status, result.stdout) == (1, LOOP_REPORT)
    assert result.stderr == not_ours(cache_file)
    # Replaced by one this machine wrote: trusted from now on.
    again = check(tmp_path, "-v", "app.py")
    assert (again.status, again.stdout) == (1, LOOP_REPORT)
    assert warnings_of(again) == []
    assert verbose_tail(again) == "loopguard: 1 files: 0 checked, 1 unchanged since the cache, 1 reported on"
    # ...and not by the other machine, which has another key.
    other = check(tmp_path, "app.py", env=own_home(tmp_path / "other-machine"))
    assert (other.status, other.stdout, other.stderr) == (1, LOOP_REPORT, not_ours(cache_file))


def test_a_results_file_renamed_to_answer_for_another_configuration_is_ignored(tmp_path):
    write(tmp_path, {"app.py": RUNS_A_LOOP})
    # A configuration where app.py is clean: it is an entry point, where a loop may be run.
    assert check(tmp_path, "--entry-points", "app.py", "app.py").status == 0
    quiet = results_file(tmp_path / ".loopguard_cache")
    shutil.move(quiet, tmp_path / "quiet.json")
    check(tmp_path, "app.py")
    default = results_file(tmp_path / ".loopguard_cache")
    shutil.move(tmp_path / "quiet.json", default)

    result = check(tmp_path, "app.py")

    assert (result.status, result.stdout, result.stderr) == (1, LOOP_REPORT, not_ours(default))


def test_the_key_is_made_once_in_the_cache_home_readable_by_its_owner_only(tmp_path, cache_home):
    write(tmp_path, {"app.py": RUNS_A_LOOP})
    assert check(tmp_path, "app.py").stderr == ""
    key_file = cache_home / "loopguard" / "key"
    key = key_file.read_bytes()
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(cache_home / "loopguard").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert check(tmp_path, "-v", "app.py").stderr.endswith("0 checked, 1 unchanged since the cache, 1 reported on\n")
    assert key_file.read_bytes() == key
    assert os.listdir(cache_home / "loopguard") == ["key"]


def test_the_cache_home_is_xdg_cache_home_else_dot_cache_in_the_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert key_home() == tmp_path / "xdg" / "loopguard"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG specification says
    assert key_home() == tmp_path / "home" / ".cache" / "loopguard"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert key_home() == tmp_path / "home" / ".cache" / "loopguard"


def test_runs_that_make_the_key_at_the_same_moment_agree_on_one(tmp_path, monkeypatch):
    home = tmp_path / "loopguard"
    runs = 6
    # Every run has read "no key yet" and written its candidate before any of them links it.
    all_candidates_written = threading.Barrier(runs, timeout=30)
    real_link = os.link

    def link_after_the_others(source, destination):
        all_candidates_written.wait()
        real_link(source, destination)

    monkeypatch.setattr(cache.os, "link", link_after_the_others)
    keys = [None] * runs

    def make(index):
        keys[index] = machine_key(home)

    threads = [threading.Thread(target=make, args=(index,)) for index in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert keys[0] is not None and keys == [keys[0]] * runs
    assert os.listdir(home) == ["key"]  # no candidate left behind
    assert (home / "key").read_bytes() == keys[0]


def test_runs_started_together_share_one_key_and_one_trusted_cache(tmp_path, cache_home):
    projects = [tmp_path / f"p{index}" for index in range(4)]
    for project in projects:
        write(project, {"app.py": RUNS_A_LOOP})
    command = [*LOOPGUARD, "check", "app.py"]
    processes = [subprocess.Popen(command, cwd=project, stderr=subprocess.PIPE, text=True) for project in projects]
    assert [process.communicate(timeout=120)[1] for process in processes] == [""] * 4
    for project in projects:
        assert check(project, "-v", "app.py").stderr.endswith("0 checked, 1 unchanged since the cache, 1 reported on\n")


@pytest.mark.parametrize("spoil", ["a file", "a damaged key"])
def test_an_unusable_cache_home_is_one_warning_and_a_run_without_the_cache(tmp_path, cache_home, spoil):
    if spoil == "a file":
        cache_home.parent.mkdir(parents=True, exist_ok=True)
        cache_home.write_text("not a folder\n", encoding="utf-8")
        warning = f"loopguard: warning: cannot keep the cache key in {cache_home / 'loopguard'}: Not a directory"
    else:
        (cache_home / "loopguard").mkdir(parents=True)
        (cache_home / "loopguard" / "key").write_bytes(b"short")
        key_file = cache_home / "loopguard" / "key"
        warning = (
            f"loopguard: warning: the cache key {key_file} is damaged (5 bytes, not 32); delete it to make a new one"
        )
    write(tmp_path, {"app.py": RUNS_A_LOOP})
    for _ in range(2):
        result = check(tmp_path, "-v", "app.py")
        assert (result.status, result.stdout) == (1, LOOP_REPORT)
        assert warnings_of(result) == [f"{warning}; running without the cache"]
        assert verbose_tail(result) == "loopguard: 1 files: 1 checked, 0 unchanged since the cache, 1 reported on"
    assert not (tmp_path / ".loopguard_cache").exists()


def test_no_cache_touches_neither_the_cache_nor_the_key(tmp_path, cache_home):
    write(tmp_path, {"app.py": RUNS_A_LOOP})
    result = check(tmp_path, "--no-cache", "app.py")
    assert (result.status, result.stdout, result.stderr) == (1, LOOP_REPORT, "")
    assert not cache_home.exists() and not (tmp_path / ".loopguard_cache").exists()


def test_cache_dir_puts_the_cache_elsewhere(tmp_path):
    write(tmp_path, {"app.py": RUNS_A_LOOP})
    first = check(tmp_path, "--cache-dir", "elsewhere", "app.py")
    assert (first.status, first.stdout, first.stderr) == (1, LOOP_REPORT, "")
    assert results_file(tmp_path / "elsewhere") and not (tmp_path / ".loopguard_cache").exists()
    second = check(tmp_path, "-v", "--cache-dir", "elsewhere", "app.py")
    assert verbose_tail(second) == "loopguard: 1 files: 0 checked, 1 unchanged since the cache, 1 reported on"


def test_what_git_tracks_the_walk_and_git_agree(tmp_path, monkeypatch):
    git(tmp_path, "init", "-q")
    write(tmp_path, {"tracked/a": "", "untracked/b": "", "ignored/c": "", ".gitignore": "ignored/\n", "x.py": ""})
    write(tmp_path, {"both/d": "", "both/e": ""})
    git(tmp_path, "add", "tracked/a", "both/d")
    monkeypatch.chdir(tmp_path)
    walked = discover(["."], ())
    expected = {
        "tracked": True,
        "both": True,
        "untracked": False,
        "ignored": False,
        "missing": False,
        "missing/deeper": False,
        "x.py": False,
    }
    assert {name: walked.tracked_by_git(name) for name in expected} == expected
    assert {name: tracked_by_git(name) for name in expected} == expected
    assert tracked_by_git(str(tmp_path.parent)) is False  # outside any work tree: git is not run


def test_a_verified_cache_that_does_not_parse_is_a_warning(tmp_path):
    write(tmp_path, {"app.py": RUNS_A_LOOP})
    check(tmp_path, "app.py")
    cache_file = results_file(tmp_path / ".loopguard_cache")
    cache_file.write_bytes(signed(machine_key(key_home()), cache_file.name, b"{not json"))
    result = check(tmp_path, "app.py")
    assert (result.status, result.stdout) == (1, LOOP_REPORT)
    assert result.stderr == (
        f"loopguard: warning: ignoring the unreadable cache {cache_file}: "
        "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\n"
    )
    assert check(tmp_path, "app.py").stderr == ""
