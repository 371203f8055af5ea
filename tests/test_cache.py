"""The result cache of `loopguard check`: what it spares (unchanged files, files no loop helper
concerns), a malformed record is a miss, its records are data written and read in one place, and
it does not grow without bound. Whether a cache is trusted at all: test_cache_trust.py.

Each test has its own cache home (the `cache_home` fixture), where this machine's key is made on
first use; the runs are in the test's process.
"""

import os
import subprocess
import sys
import time

import pytest

from flake8_loopguard.commands.check import cache
from flake8_loopguard.commands.check.cache import ResultCache, key_home, machine_key, signed, verified_body
from flake8_loopguard.commands.check.records import CacheEntry, FileRecord, ProjectRecord, RecordedFinding, Stat
from flake8_loopguard.core.findings import Finding

from .cache_files import DAY, cache_records, malformed, read_cache, results_file, verbose_tail, write_cache
from .harness import check
from .samples import CLEAN, LG102, RUNS_A_LOOP, many_files, write
from .test_check_whole_project import HELPER_PROJECT, modelled_line


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
