"""The result cache of `loopguard check`: trusted only when this machine wrote it, a malformed
record is a miss, and it does not grow without bound.

Each test has its own cache home (the `cache_home` fixture), where this machine's key is made on
first use; the runs are in the test's process, but for runs that race as processes.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time

import pytest

from flake8_loopguard.commands.check import cache
from flake8_loopguard.commands.check.cache import (
    ResultCache,
    content_digest,
    key_home,
    machine_key,
    signed,
    verified_body,
)
from flake8_loopguard.commands.check.records import CacheEntry, FileRecord, ProjectRecord, RecordedFinding, Stat
from flake8_loopguard.commands.discovery import discover, tracked_by_git
from flake8_loopguard.core.findings import Finding

from .harness import LOOPGUARD, check, git
from .samples import CLEAN, DROPS_A_TASK, LG102, LG201, RUNS_A_LOOP, many_files, write
from .test_check_whole_project import HELPER_PROJECT, modelled_line

DAY = 24 * 3600
LOOP_REPORT = f"app.py:5:12: {LG102}\n1 finding in 1 of 1 file\n"  # what check prints for app.py


def results_file(folder):
    (found,) = folder.glob("results-*.json")
    return found


def verbose_tail(result):
    return result.stderr.splitlines()[-1]


def warnings_of(result):
    return [line for line in result.stderr.splitlines() if line.startswith("loopguard: warning: ")]


def own_home(folder):
    """The environment changes that make ``folder`` the cache home (and home): another machine, for the cache."""
    return {"XDG_CACHE_HOME": str(folder), "HOME": str(folder)}


def not_ours(cache_file):
    return f"loopguard: warning: the cache {cache_file} was not written by this machine's loopguard; ignored\n"


def tracked_warning(folder):
    return (
        f"loopguard: warning: the cache {folder} is tracked by git: a committed cache is never trusted; "
        "running without it\n"
    )


def malformed(cache_file):
    return (
        f"loopguard: warning: ignoring malformed records in the cache {cache_file}; what they held is computed again\n"
    )


def read_cache(cache_file):
    """The document of a results file written with this test's key (its MAC verified): the
    records' document, with the second one, the summaries by path, as ``"summaries"``."""
    body = verified_body(machine_key(key_home()), cache_file.name, cache_file.read_bytes())
    assert body is not None, f"{cache_file} does not verify"
    records, summaries = body.split(b"\n")
    return {**json.loads(records), "summaries": json.loads(summaries)}


def write_cache(cache_file, document):
    """Write a results file as this machine's loopguard would: with a valid MAC."""
    records = {key: value for key, value in document.items() if key != "summaries"}
    body = json.dumps(records).encode("ascii") + b"\n" + json.dumps(document["summaries"]).encode("ascii")
    cache_file.write_bytes(signed(machine_key(key_home()), cache_file.name, body))


def cache_records(root):
    (cache_file,) = (root / ".loopguard_cache").glob("results-*.json")
    files = read_cache(cache_file)["files"]
    return {os.path.relpath(path, root): entry[3] for path, entry in files.items()}


def craft_clean_cache(project, attacker_home):
    """What an attacker commits: the cache of a clean app.py, its content digest replaced by
    the violating file's, so that the records claim the violating file is clean."""
    write(project, {"app.py": CLEAN})
    assert check(project, ".", env=own_home(attacker_home)).status == 0
    cache_file = results_file(project / ".loopguard_cache")
    clean_digest = content_digest(CLEAN.encode()).encode()
    crafted = cache_file.read_bytes().replace(clean_digest, content_digest(RUNS_A_LOOP.encode()).encode())
    assert crafted != cache_file.read_bytes()
    cache_file.write_bytes(crafted)
    write(project, {"app.py": RUNS_A_LOOP})


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


# ----- what the cache spares: unchanged files, and files no loop helper concerns -------------------


def test_the_cache_says_which_files_were_modelled_and_models_an_import_scanned_one_when_needed(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.loopguard]\n", **HELPER_PROJECT, "helpers.py": CLEAN})
    assert check(tmp_path, ".").status == 0
    # Nothing reaches a loop: every file the prefilter skips is import-scanned, none is parsed.
    assert not any(record["modelled"] for record in cache_records(tmp_path).values())
    # Now a helper makes a loop: the unchanged import-scanned files that call it are modelled.
    write(tmp_path, {"helpers.py": HELPER_PROJECT["helpers.py"]})
    result = check(tmp_path, "-v", ".")
    assert result.stdout == check(tmp_path, "--no-cache", ".").stdout
    assert "LG401 refresh_in_background() -> load_all()" in result.stdout
    assert result.stderr.splitlines()[-2:] == [
        modelled_line(4),
        "loopguard: 6 files: 1 checked, 5 unchanged since the cache, 6 reported on",
    ]
    records = cache_records(tmp_path)
    assert [path for path, record in sorted(records.items()) if record["modelled"]] == [
        "direct.py",
        "helpers.py",
        "middle.py",
        os.path.join("pkg", "__init__.py"),
        "worker.py",
    ]
    # quiet.py imports helpers, was read, and spells no name of a function that reaches a loop:
    # recorded, so an unchanged project does not read it again.
    assert "names_tested" in records["quiet.py"]
    again = check(tmp_path, "-v", ".")
    assert again.stdout == result.stdout
    assert again.stderr.splitlines()[-2:] == [
        modelled_line(0),
        "loopguard: 6 files: 0 checked, 6 unchanged since the cache, 6 reported on",
    ]
    # The whole-project findings are cached for these very files; a malformed record is recomputed.
    (cache_file,) = (tmp_path / ".loopguard_cache").glob("results-*.json")
    document = read_cache(cache_file)
    assert sorted(document["project"]["record"]) == ["./direct.py", "./worker.py"]
    document["project"]["record"] = {"./worker.py": [["not", "a finding"]]}
    write_cache(cache_file, document)
    damaged = check(tmp_path, ".")
    assert (damaged.stdout, damaged.stderr) == (
        result.stdout,
        f"loopguard: warning: ignoring malformed records in the cache {cache_file}; what they held is computed again\n",
    )


def test_a_run_the_cache_answers_loads_neither_the_rules_nor_the_engine(tmp_path):
    """A warm run needs the rule codes (for the settings) and the records, not the code that made
    them: it imports no rule, model, engine or project pass, even when a file it cannot decode is
    read again (it is never cached) on a machine where the run decides whether processes pay."""
    write(tmp_path, {"app.py": RUNS_A_LOOP, "clean.py": CLEAN})
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")  # not UTF-8: an error line in every run
    heavy = ["flake8_loopguard.core.rules", "flake8_loopguard.core.model", "flake8_loopguard.core.engine",
             "flake8_loopguard.project", "flake8_loopguard.commands.check.analysis"]  # fmt: skip
    probe = (
        "import os, sys\n"
        "os.sched_getaffinity = lambda pid: {0, 1}  # two cores: the run samples its files\n"
        "from flake8_loopguard import cli\n"
        "status = cli.main(['check', '.'])\n"
        f"print(status, sorted(set({heavy!r}) & set(sys.modules)))\n"
    )
    assert check(tmp_path, ".").status == 2  # fills the cache
    warm = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert warm.stdout.splitlines()[-1] == "2 []"
    assert warm.stdout.splitlines()[0] == f"./app.py:5:12: {LG102}"
    assert warm.stderr == (
        "loopguard: ./latin.py: cannot decode as utf-8 (line 1, byte 0xe9): invalid continuation byte\n"
    )


def test_the_summaries_are_read_only_when_the_whole_project_pass_runs(tmp_path, monkeypatch):
    """Three quarters of a cache are the files' whole-project summaries, which a run whose
    whole-project findings are cached never needs: they are a second document, parsed only when
    the pass runs. A run that changes no summary writes that document back as it was read."""
    write(tmp_path, {"pyproject.toml": "[tool.loopguard]\n", **HELPER_PROJECT})
    correct = check(tmp_path, "--no-cache", ".")
    assert "LG401 refresh_in_background() -> load_all()" in correct.stdout
    assert check(tmp_path, ".").stdout == correct.stdout
    cache_file = results_file(tmp_path / ".loopguard_cache")
    parsed = []  # what the warm run hands the JSON parser
    real_loads = cache.json.loads
    with monkeypatch.context() as patched:
        patched.setattr(cache.json, "loads", lambda text: parsed.append(bytes(text)) or real_loads(text))
        assert check(tmp_path, ".").stdout == correct.stdout
    records_line = verified_body(machine_key(key_home()), cache_file.name, cache_file.read_bytes()).split(b"\n")[0]
    assert parsed == [records_line]
    document = read_cache(cache_file)
    assert sorted(os.path.relpath(path, tmp_path) for path in document["summaries"]) == sorted(HELPER_PROJECT)
    assert all(entry[3]["summary"] is True for entry in document["files"].values())
    # Unreadable summaries pass unnoticed while the findings of these very files are cached...
    cache_file.write_bytes(signed(machine_key(key_home()), cache_file.name, records_line + b"\n[garbage"))
    os.utime(tmp_path / "quiet.py")  # a new stat, the same content: the records are written again
    touched = check(tmp_path, "-v", ".")
    assert (touched.stdout, touched.stderr.splitlines()[-1]) == (
        correct.stdout,
        "loopguard: 6 files: 0 checked, 6 unchanged since the cache, 6 reported on",
    )
    assert verified_body(machine_key(key_home()), cache_file.name, cache_file.read_bytes()).endswith(b"\n[garbage")
    # ... and are read once a file changed: each is a miss, its file checked again.
    write(tmp_path, {"direct.py": HELPER_PROJECT["direct.py"] + "\n"})
    changed = check(tmp_path, "-v", ".")
    assert changed.stdout == check(tmp_path, "--no-cache", ".").stdout
    assert malformed(cache_file).rstrip("\n") in changed.stderr.splitlines()
    assert verbose_tail(changed) == "loopguard: 6 files: 6 checked, 0 unchanged since the cache, 6 reported on"
    again = check(tmp_path, "-v", ".")
    assert (again.stdout, again.stderr.splitlines()[-1]) == (
        changed.stdout,
        "loopguard: 6 files: 0 checked, 6 unchanged since the cache, 6 reported on",
    )
    assert len(read_cache(cache_file)["summaries"]) == 6


def test_the_cache_skips_unchanged_files(tmp_path):
    many_files(tmp_path)
    first = check(tmp_path, "-v", ".")
    assert (
        first.stderr.splitlines()[-1] == "loopguard: 40 files: 40 checked, 0 unchanged since the cache, 40 reported on"
    )
    assert list((tmp_path / ".loopguard_cache").glob("results-*.json"))
    second = check(tmp_path, "-v", ".")
    assert second.stdout == first.stdout
    assert (
        second.stderr.splitlines()[-1] == "loopguard: 40 files: 0 checked, 40 unchanged since the cache, 40 reported on"
    )
    (tmp_path / "pkg" / "m01.py").write_text(CLEAN, encoding="utf-8")
    third = check(tmp_path, "-v", ".")
    assert (
        third.stderr.splitlines()[-1] == "loopguard: 40 files: 1 checked, 39 unchanged since the cache, 40 reported on"
    )
    assert "m01.py" not in third.stdout
    no_cache = check(tmp_path, "-v", "--no-cache", ".")
    assert no_cache.stdout == third.stdout
    assert "40 checked" in no_cache.stderr.splitlines()[-1]


def test_a_corrupt_cache_is_a_warning_and_is_rewritten(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP})
    check(tmp_path, "a.py")
    (cache_file,) = (tmp_path / ".loopguard_cache").glob("results-*.json")
    cache_file.write_bytes(b"\x00garbage{")
    result = check(tmp_path, "a.py")
    assert (result.status, result.stdout) == (1, f"a.py:5:12: {LG102}\n1 finding in 1 of 1 file\n")
    # Damaged or not ours: its MAC does not verify, nothing of it is read.
    assert result.stderr == (
        f"loopguard: warning: the cache {cache_file} was not written by this machine's loopguard; ignored\n"
    )
    again = check(tmp_path, "-v", "a.py")
    assert "0 checked, 1 unchanged" in again.stderr


def test_an_unwritable_cache_is_a_warning(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP, "not-a-folder": "x"})
    result = check(tmp_path, "--cache-dir", "not-a-folder/cache", "a.py")
    assert (result.status, result.stdout) == (1, f"a.py:5:12: {LG102}\n1 finding in 1 of 1 file\n")
    assert result.stderr.startswith("loopguard: warning: cannot write the cache not-a-folder/cache/results-")


# ----- item 4: a record of the wrong shape is a miss ------------------------------------------


def _record_is_a_number(document, entry):
    entry[3] = 5


def _entry_is_a_number(document, entry):
    document["files"][next(path for path in document["files"] if path.endswith("a.py"))] = 5


def _finding_too_short(document, entry):
    entry[3]["findings"][0] = entry[3]["findings"][0][:5]


def _finding_line_is_text(document, entry):
    entry[3]["findings"][0][0] = "5"


def _findings_not_a_list(document, entry):
    entry[3]["findings"] = {"line": 5}


def _a_py(document):
    return next(path for path in document["files"] if path.endswith("a.py"))


def _summary_of_the_wrong_type(document, entry):
    document["summaries"][_a_py(document)] = [1, 2]
    document["project"] = None  # so that the whole-project pass reads the summaries


def _summary_field_of_the_wrong_type(document, entry):
    document["summaries"][_a_py(document)]["entry_points"][0][1] = "five"
    document["project"] = None


def _summary_missing(document, entry):
    del document["summaries"][_a_py(document)]
    document["project"] = None


def _summaries_not_an_object(document, entry):
    document["summaries"] = [1, 2]
    document["project"] = None


def _summary_mark_of_the_wrong_type(document, entry):
    entry[3]["summary"] = "elsewhere"


def _project_record_of_the_wrong_shape(document, entry):
    document["project"]["record"] = {"./a.py": 5}


def _project_finding_of_the_wrong_type(document, entry):
    document["project"]["record"]["./a.py"][0][1] = None


def _project_of_the_wrong_shape(document, entry):
    document["project"] = [1, 2]


@pytest.mark.parametrize(
    "spoil",
    [
        _record_is_a_number,
        _entry_is_a_number,
        _finding_too_short,
        _finding_line_is_text,
        _findings_not_a_list,
        _summary_of_the_wrong_type,
        _summary_field_of_the_wrong_type,
        _summary_missing,
        _summaries_not_an_object,
        _summary_mark_of_the_wrong_type,
        _project_record_of_the_wrong_shape,
        _project_finding_of_the_wrong_type,
        _project_of_the_wrong_shape,
    ],
    ids=lambda spoil: spoil.__name__.strip("_"),
)
def test_a_record_of_the_wrong_shape_is_a_warning_and_a_correct_run(tmp_path, spoil):
    # Written by this machine (the MAC verifies), yet of another shape: a bug, a format change.
    # a.py: a helper that runs a loop (LG102), and an entry point whose loop meets b.py's helper (LG107)
    entry_script = RUNS_A_LOOP + '\n\nif __name__ == "__main__":\n    import b\n    asyncio.run(main())\n    b.load()\n'
    write(tmp_path, {"pyproject.toml": "[tool.loopguard]\n", "a.py": entry_script, "b.py": RUNS_A_LOOP})
    correct = check(tmp_path, "--no-cache", ".")
    assert correct.status == 1 and "./a.py:10:5: LG107" in correct.stdout
    assert check(tmp_path, ".").stdout == correct.stdout
    cache_file = results_file(tmp_path / ".loopguard_cache")
    document = read_cache(cache_file)
    spoil(document, document["files"][str(tmp_path / "a.py")])
    write_cache(cache_file, document)

    result = check(tmp_path, ".")

    assert (result.status, result.stdout, result.stderr) == (1, correct.stdout, malformed(cache_file))
    again = check(tmp_path, "-v", ".")  # the cache was written again, of the right shape
    assert (again.stdout, again.stderr.splitlines()[-1]) == (
        correct.stdout,
        "loopguard: 2 files: 0 checked, 2 unchanged since the cache, 2 reported on",
    )


# ----- the records are data; their JSON is written and read in one place (issue 13) -------------


RECORDED = RecordedFinding(Finding(5, 12, "LG102", "asyncio.run() starts a new event loop", "load"), "asyncio.run(f())")
RECORD = FileRecord((RECORDED,), {"module": "app"}, modelled=False, names_tested="9f2c")
RECORD_JSON = {
    "findings": [[5, 12, "LG102", "asyncio.run() starts a new event loop", "load", "asyncio.run(f())"]],
    "summary": {"module": "app"},
    "modelled": False,
    "names_tested": "9f2c",
}


def test_a_file_record_and_its_json():
    assert RECORD.to_json() == RECORD_JSON
    assert FileRecord.from_json(RECORD_JSON) == RECORD
    assert FileRecord.from_json(RECORD_JSON).findings[0].finding.context == "load"
    untested = FileRecord((), None, modelled=True)
    assert untested.to_json() == {"findings": [], "summary": None, "modelled": True}  # no names looked for
    entry = CacheEntry(Stat(1_700_000_000_000_000_000, 42), "d1g3st", RECORD)
    assert entry.to_json() == [1_700_000_000_000_000_000, 42, "d1g3st", RECORD_JSON]
    assert CacheEntry.from_json(entry.to_json()) == entry
    project = ProjectRecord("f1ng3r", {"./a.py": (RECORDED.finding,)})
    assert project.to_json() == {
        "fingerprint": "f1ng3r",
        "record": {"./a.py": [[5, 12, "LG102", "asyncio.run() starts a new event loop", "load"]]},
    }
    assert ProjectRecord.from_json(project.to_json()) == project


@pytest.mark.parametrize(
    "kind, value",
    [
        (FileRecord, {**RECORD_JSON, "modelled": 1}),
        (FileRecord, {**RECORD_JSON, "findings": [[5, 12, "LG102", "message", "load"]]}),
        (FileRecord, {**RECORD_JSON, "names_tested": None}),
        (FileRecord, {key: value for key, value in RECORD_JSON.items() if key != "summary"}),
        (CacheEntry, [True, 42, "d1g3st", RECORD_JSON]),
        (CacheEntry, [1, 42, "d1g3st"]),
        (ProjectRecord, {"fingerprint": "f1ng3r", "record": {"./a.py": [[5, 12, "LG102", "message"]]}}),
        (ProjectRecord, {"record": {}}),
    ],
)
def test_json_of_another_shape_is_no_record(kind, value):
    assert kind.from_json(value) is None


def test_the_cache_keeps_records_and_hands_them_back(tmp_path):
    secret = machine_key(key_home())
    cache = ResultCache.open(tmp_path, "k", secret)
    old = Stat(1_000_000_000_000_000_000, 42)  # long ago: trusted
    cache.store("/p/app.py", old, "d1g3st", RECORD)
    cache.store_project(ProjectRecord("f1ng3r", {"./app.py": (RECORDED.finding,)}))
    cache.save()

    reopened = ResultCache.open(tmp_path, "k", secret)
    # The summary is read apart, when the whole-project pass asks for it.
    looked_up = reopened.lookup("/p/app.py", old)
    assert looked_up == RECORD._replace(summary=None) and reopened.summary_elsewhere("/p/app.py")
    assert reopened.with_summary("/p/app.py", looked_up) == RECORD
    assert reopened.lookup("/p/app.py", Stat(old.mtime_ns + 1, 42)) is None
    assert reopened.project_findings("f1ng3r") == {"./app.py": (RECORDED.finding,)}
    assert reopened.project_findings("another") is None
    assert reopened.warnings == []


# ----- item 4: the cache does not grow without bound ------------------------------------------


def test_entries_of_files_that_no_longer_exist_are_dropped(tmp_path):
    write(tmp_path, {"a.py": RUNS_A_LOOP, "b.py": RUNS_A_LOOP})
    check(tmp_path, "a.py", "b.py")
    check(tmp_path, "a.py")  # b.py's entry is kept while b.py exists: a later run may name it again
    cache_file = results_file(tmp_path / ".loopguard_cache")
    assert sorted(read_cache(cache_file)["files"]) == [str(tmp_path / "a.py"), str(tmp_path / "b.py")]
    os.remove(tmp_path / "b.py")

    result = check(tmp_path, "-v", "a.py")  # nothing changed for this run: yet the dead entry goes

    assert verbose_tail(result) == "loopguard: 1 files: 0 checked, 1 unchanged since the cache, 1 reported on"
    assert sorted(read_cache(cache_file)["files"]) == [str(tmp_path / "a.py")]


def age(path, days):
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_results_of_configurations_not_used_for_a_month_are_deleted(tmp_path):
    write(tmp_path, {"app.py": RUNS_A_LOOP})
    check(tmp_path, "app.py")
    folder = tmp_path / ".loopguard_cache"
    ours = results_file(folder)
    ages = {"results-old.json": 31, "results-recent.json": 2, ".results-leftover": 2, ".results-being-written": 0}
    for name, days in ages.items():
        (folder / name).write_bytes(b"")
        age(folder / name, days)

    result = check(tmp_path, "-v", "app.py")

    assert verbose_tail(result) == "loopguard: 1 files: 0 checked, 1 unchanged since the cache, 1 reported on"
    remaining = {path.name for path in folder.iterdir()}
    assert remaining == {".gitignore", "CACHEDIR.TAG", ours.name, "results-recent.json", ".results-being-written"}


def test_only_the_most_recently_used_other_configurations_are_kept(tmp_path):
    write(tmp_path, {"app.py": RUNS_A_LOOP})
    check(tmp_path, "app.py")
    folder = tmp_path / ".loopguard_cache"
    for number in range(10):
        (folder / f"results-other{number}.json").write_bytes(b"")
        age(folder / f"results-other{number}.json", number + 1)
    check(tmp_path, "app.py")
    kept = sorted(path.name for path in folder.glob("results-other*.json"))
    assert kept == [f"results-other{number}.json" for number in range(8)]


def test_two_configurations_used_alternately_both_stay_warm(tmp_path):
    write(tmp_path, {"app.py": RUNS_A_LOOP})
    configurations = [(), ("--extend-select", "LG203")]
    for flags in configurations:
        check(tmp_path, *flags, "app.py")
    folder = tmp_path / ".loopguard_cache"
    first, second = sorted(folder.glob("results-*.json"), key=os.path.getmtime)
    # The first has not been written for 40 days, yet is used: a run that reads it keeps it alive.
    age(first, 40)
    for _ in range(2):
        for flags in configurations:
            result = check(tmp_path, "-v", *flags, "app.py")
            assert verbose_tail(result) == "loopguard: 1 files: 0 checked, 1 unchanged since the cache, 1 reported on"
    assert sorted(folder.glob("results-*.json")) == sorted([first, second])


def test_only_summaries_read_from_the_cache_have_their_shape_checked(tmp_path, monkeypatch):
    # A summary this run made is read back without checking its shape (two thirds of the time
    # of reading it); one from the cache is checked, and a malformed one is a miss.
    from flake8_loopguard.project.summary import ModuleSummary

    checked = []
    shape_is_valid = ModuleSummary.json_is_valid

    def counted(data):
        checked.append(data["path"])
        return shape_is_valid(data)

    monkeypatch.setattr(ModuleSummary, "json_is_valid", staticmethod(counted))
    write(tmp_path, {"app.py": RUNS_A_LOOP, "b.py": "import app\n", "c.py": "import b\n"})
    first = check(tmp_path, "--no-cache", "--jobs", "1", ".")
    assert checked == []
    assert check(tmp_path, "--jobs", "1", ".").stdout == first.stdout  # fills the cache, checks nothing read
    assert checked == []
    write(tmp_path, {"c.py": "import b\nimport app\n"})
    assert check(tmp_path, "--jobs", "1", ".").stdout == first.stdout
    assert sorted(checked) == ["./app.py", "./b.py"]  # c.py changed: checked again, its summary made here
