"""`--write-baseline` / `--baseline`: findings matched by content and definition, not line number."""

import hashlib
import json
import os
import stat

import pytest

from flake8_loopguard.commands.check.baseline import (
    Baseline,
    BaselineEntry,
    BaselineError,
    fingerprint,
    occurrence_fingerprints,
    write_baseline,
)
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.commands.check.located import Located
from flake8_loopguard.core.findings import Finding

from .harness import loopguard

WIDGET = """\
import asyncio


class Widget:
    def refresh(self):
        asyncio.create_task(self._load())

    async def _load(self):
        loop = asyncio.get_event_loop()
"""


def located_in(source, path="app/widget.py"):
    """What `loopguard check` hands over: the engine's findings with their line's text."""
    lines = source.splitlines()
    return [Located(path, finding, lines[finding.line - 1].strip()) for finding in check_source(source, path)]


def baseline_of(tmp_path, located):
    baseline_file = tmp_path / "loopguard-baseline.json"
    write_baseline(baseline_file, located)
    return Baseline.load(baseline_file)


def test_a_fresh_baseline_covers_every_finding(tmp_path):
    located = located_in(WIDGET)
    assert [item.finding.code for item in located] == ["LG201", "LG105"]
    assert baseline_of(tmp_path, located).filter(located) == ([], [])


def test_the_file_is_sorted_readable_json(tmp_path):
    baseline_file = tmp_path / "loopguard-baseline.json"
    write_baseline(baseline_file, located_in(WIDGET))
    assert baseline_file.read_text(encoding="utf-8") == (
        "{\n"
        '  "version": 1,\n'
        '  "findings": [\n'
        "    {\n"
        '      "path": "app/widget.py",\n'
        '      "code": "LG105",\n'
        '      "context": "Widget._load",\n'
        '      "line_text": "loop = asyncio.get_event_loop()",\n'
        f'      "fingerprint": "{fingerprint(located_in(WIDGET)[1])}",\n'
        '      "count": 1\n'
        "    },\n"
        "    {\n"
        '      "path": "app/widget.py",\n'
        '      "code": "LG201",\n'
        '      "context": "Widget.refresh",\n'
        '      "line_text": "asyncio.create_task(self._load())",\n'
        f'      "fingerprint": "{fingerprint(located_in(WIDGET)[0])}",\n'
        '      "count": 1\n'
        "    }\n"
        "  ]\n"
        "}\n"
    )


def test_fingerprint_recipe():
    """Pinned: changing the recipe would turn every baselined finding into a new one."""
    item = Located("./app//widget.py", Finding(6, 8, "LG201", "m", "Widget.refresh"), "asyncio.create_task(  x())")
    key = "app/widget.py\0LG201\0asyncio.create_task( x())\0Widget.refresh"
    assert fingerprint(item) == hashlib.sha256(key.encode()).hexdigest()[:16] == "c48df42dd1e7bb65"


def test_lines_inserted_above_do_not_resurrect_a_finding(tmp_path):
    baseline = baseline_of(tmp_path, located_in(WIDGET))
    moved = WIDGET.replace("import asyncio\n", "import asyncio\nimport logging\n\nlog = logging.getLogger()\n")
    located = located_in(moved)
    assert [item.finding.line for item in located] == [9, 12]
    assert baseline.filter(located) == ([], [])


def test_reindenting_or_respacing_the_line_keeps_the_match(tmp_path):
    baseline = baseline_of(tmp_path, located_in(WIDGET))
    respaced = WIDGET.replace("loop = asyncio", "loop  =  asyncio")
    wrapped = WIDGET.replace(
        "        asyncio.create_task(self._load())\n",
        "        if True:\n            asyncio.create_task(self._load())\n",
    )
    assert baseline.filter(located_in(respaced)) == ([], [])
    assert baseline.filter(located_in(wrapped)) == ([], [])


def test_a_changed_line_is_new_and_its_old_entry_removable(tmp_path):
    baseline = baseline_of(tmp_path, located_in(WIDGET))
    changed = WIDGET.replace("self._load()", "self._load(force=True)")
    new, removable = baseline.filter(located_in(changed))
    assert [(item.finding.code, item.line_text) for item in new] == [
        ("LG201", "asyncio.create_task(self._load(force=True))")
    ]
    assert [(entry.code, entry.line_text, entry.count) for entry in removable] == [
        ("LG201", "asyncio.create_task(self._load())", 1)
    ]


def test_the_same_line_in_another_function_is_new(tmp_path):
    baseline = baseline_of(tmp_path, located_in(WIDGET))
    moved = WIDGET.replace("def refresh(self):", "def reload(self):")
    new, removable = baseline.filter(located_in(moved))
    assert [(item.finding.code, item.finding.context) for item in new] == [("LG201", "Widget.reload")]
    assert [entry.context for entry in removable] == ["Widget.refresh"]


def test_the_same_line_in_another_file_is_new(tmp_path):
    baseline = baseline_of(tmp_path, located_in(WIDGET))
    new, removable = baseline.filter(located_in(WIDGET, path="app/copy.py"))
    assert [item.path for item in new] == ["app/copy.py", "app/copy.py"]
    assert len(removable) == 2


def test_the_path_may_be_spelled_differently(tmp_path):
    baseline = baseline_of(tmp_path, located_in(WIDGET, path="./app/widget.py"))
    assert baseline.filter(located_in(WIDGET, path="app/widget.py")) == ([], [])
    assert baseline.filter(located_in(WIDGET, path="app\\widget.py")) == ([], [])


def test_a_fixed_finding_is_removable(tmp_path):
    baseline = baseline_of(tmp_path, located_in(WIDGET))
    fixed = WIDGET.replace("asyncio.get_event_loop()", "asyncio.get_running_loop()")
    new, removable = baseline.filter(located_in(fixed))
    assert new == []
    assert removable == [
        BaselineEntry(
            path="app/widget.py",
            code="LG105",
            context="Widget._load",
            line_text="loop = asyncio.get_event_loop()",
            fingerprint=fingerprint(located_in(WIDGET)[1]),
            count=1,
        )
    ]


DUPLICATES = """\
import asyncio


async def poll():
    asyncio.create_task(tick())
    asyncio.create_task(tick())
"""


def test_identical_findings_in_one_function_are_counted(tmp_path):
    located = located_in(DUPLICATES)
    labels = occurrence_fingerprints(located)
    assert labels == [f"{fingerprint(located[0])}:1", f"{fingerprint(located[0])}:2"]
    baseline = baseline_of(tmp_path, located)
    assert [entry.count for entry in baseline.entries] == [2]
    assert baseline.filter(located) == ([], [])


def test_one_more_identical_finding_is_new(tmp_path):
    baseline = baseline_of(tmp_path, located_in(DUPLICATES))
    third = DUPLICATES + "    asyncio.create_task(tick())\n"
    new, removable = baseline.filter(located_in(third))
    assert [item.finding.line for item in new] == [7]
    assert removable == []


def test_one_identical_finding_less_is_removable_once(tmp_path):
    baseline = baseline_of(tmp_path, located_in(DUPLICATES))
    one_left = DUPLICATES.replace("    asyncio.create_task(tick())\n", "", 1)
    new, removable = baseline.filter(located_in(one_left))
    assert new == []
    assert [(entry.line_text, entry.count) for entry in removable] == [("asyncio.create_task(tick())", 1)]


def test_a_fingerprint_listed_twice_adds_up(tmp_path):
    located = located_in(DUPLICATES)
    baseline_file = tmp_path / "merged.json"
    write_baseline(baseline_file, located[:1])
    document = json.loads(baseline_file.read_text(encoding="utf-8"))
    document["findings"] *= 2
    baseline_file.write_text(json.dumps(document), encoding="utf-8")
    assert Baseline.load(baseline_file).filter(located) == ([], [])


def test_an_empty_baseline_reports_everything(tmp_path):
    located = located_in(WIDGET)
    assert baseline_of(tmp_path, []).filter(located) == (located, [])


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{", "not a loopguard baseline: invalid JSON at line 1 column 2 (Expecting property name"),
        ("[]", 'not a loopguard baseline: no "version" field'),
        ('{"findings": []}', 'not a loopguard baseline: no "version" field'),
        ('{"version": 2, "findings": []}', "baseline version 2 is not supported (this loopguard reads version 1)"),
        ('{"version": 1}', 'not a loopguard baseline: "findings" is not a list'),
        ('{"version": 1, "findings": [3]}', "not a loopguard baseline: finding 1 is not an object"),
        (
            '{"version": 1, "findings": [{"path": "a.py", "code": "LG201", "context": "", "line_text": "x"}]}',
            'not a loopguard baseline: finding 1 has no text field "fingerprint"',
        ),
        (
            '{"version": 1, "findings": [{"path": "a.py", "code": "LG201", "context": "", "line_text": "x",'
            ' "fingerprint": "0", "count": true}]}',
            'not a loopguard baseline: finding 1 has no positive whole "count"',
        ),
    ],
)
def test_a_broken_baseline_is_an_error_naming_the_file(tmp_path, content, reason):
    baseline_file = tmp_path / "loopguard-baseline.json"
    baseline_file.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as raised:
        Baseline.load(baseline_file)
    assert str(raised.value).startswith(f"{baseline_file}: {reason}")


def test_a_missing_baseline_says_how_to_create_it(tmp_path):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(BaselineError) as raised:
        Baseline.load(missing)
    assert str(raised.value) == (
        f"{missing}: baseline file not found; create it with `loopguard check --write-baseline {missing}`"
    )


def test_a_binary_baseline_is_an_error_naming_the_file(tmp_path):
    baseline_file = tmp_path / "loopguard-baseline.json"
    baseline_file.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(BaselineError, match="not a loopguard baseline: the file is not UTF-8 text") as raised:
        Baseline.load(baseline_file)
    assert str(raised.value).startswith(str(baseline_file))


def test_a_directory_is_an_error_naming_it(tmp_path):
    with pytest.raises(BaselineError) as raised:
        Baseline.load(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path}: cannot read the baseline: ")


def test_writing_into_a_missing_directory_is_an_error_naming_the_file(tmp_path):
    target = tmp_path / "missing" / "baseline.json"
    with pytest.raises(BaselineError) as raised:
        write_baseline(target, located_in(WIDGET))
    assert str(raised.value) == f"{target}: cannot write the baseline: No such file or directory"


def test_rewriting_replaces_the_file_and_leaves_no_temporary(tmp_path):
    baseline_file = tmp_path / "loopguard-baseline.json"
    write_baseline(baseline_file, located_in(WIDGET))
    write_baseline(baseline_file, [])
    assert baseline_file.read_text(encoding="utf-8") == '{\n  "version": 1,\n  "findings": []\n}\n'
    assert [path.name for path in tmp_path.iterdir()] == ["loopguard-baseline.json"]


# ----- an entry silences only the finding its fields describe ---------------------------


def edited_baseline(tmp_path, located, edit):
    """The baseline of ``located``, its JSON entries changed by ``edit`` as a hand would."""
    baseline_file = tmp_path / "loopguard-baseline.json"
    write_baseline(baseline_file, located)
    document = json.loads(baseline_file.read_text(encoding="utf-8"))
    edit(document["findings"])
    baseline_file.write_text(json.dumps(document), encoding="utf-8")
    return Baseline.load(baseline_file)


@pytest.mark.parametrize(
    "field, relabelled",
    [
        ("path", "app/other.py"),
        ("code", "LG105"),
        ("line_text", "asyncio.create_task(self._other())"),
        ("context", "Widget.other"),
    ],
)
def test_a_relabelled_entry_silences_nothing(tmp_path, field, relabelled):
    """A reviewer reads the fields: an entry that says something else than its fingerprint must not
    silence the finding the fingerprint was made from."""
    located = located_in(WIDGET)[:1]

    def relabel(entries):
        entries[0][field] = relabelled

    baseline = edited_baseline(tmp_path, located, relabel)
    assert baseline.filter(located) == (located, [])
    assert [(getattr(entry, field), entry.fingerprint) for entry in baseline.mismatched] == [
        (relabelled, fingerprint(located[0]))
    ]
    assert baseline.entries == ()


def test_an_entry_relabelled_as_another_finding_does_not_silence_that_one(tmp_path):
    """The fields copied from the LG105 finding, the fingerprint left as the LG201 one's."""
    task, loop = located_in(WIDGET)

    def relabel(entries):
        (entry,) = entries
        entry.update(code="LG105", context="Widget._load", line_text="loop = asyncio.get_event_loop()")

    baseline = edited_baseline(tmp_path, [task], relabel)
    assert baseline.filter([task, loop]) == ([task, loop], [])
    assert [entry.code for entry in baseline.mismatched] == ["LG105"]


def test_an_entry_given_another_findings_fingerprint_silences_neither(tmp_path):
    task, loop = located_in(WIDGET)

    def swap_fingerprint(entries):
        (entry,) = entries
        entry["fingerprint"] = fingerprint(loop)

    baseline = edited_baseline(tmp_path, [task], swap_fingerprint)
    assert baseline.filter([task, loop]) == ([task, loop], [])
    assert [entry.code for entry in baseline.mismatched] == ["LG201"]


def test_an_entry_respaced_by_hand_still_matches(tmp_path):
    """The fields are normalised before hashing, as the findings' are."""
    located = located_in(WIDGET)[:1]

    def respace(entries):
        entries[0].update(path="./app//widget.py", line_text="  asyncio.create_task(self._load())  ")

    baseline = edited_baseline(tmp_path, located, respace)
    assert baseline.filter(located) == ([], [])
    assert baseline.mismatched == ()


# ----- the file's mode --------------------------------------------------------------------


@pytest.fixture
def umask():
    """Set the process's umask for the test, restored after it."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


@pytest.mark.parametrize("mode", [0o640, 0o664, 0o444])
def test_rewriting_keeps_the_files_mode(tmp_path, umask, mode):
    baseline_file = tmp_path / "loopguard-baseline.json"
    write_baseline(baseline_file, [])
    baseline_file.chmod(mode)
    write_baseline(baseline_file, located_in(WIDGET))
    assert stat.S_IMODE(baseline_file.stat().st_mode) == mode
    assert len(Baseline.load(baseline_file).entries) == 2


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path, umask, mask, mode):
    umask(mask)
    baseline_file = tmp_path / "loopguard-baseline.json"
    write_baseline(baseline_file, located_in(WIDGET))
    assert stat.S_IMODE(baseline_file.stat().st_mode) == mode


# ----- `loopguard check --baseline`: what is stale, what fails the gate (real runs) -------

LG201 = "LG201 task created with create_task() is never referenced; keep it in a TaskManager"
DROPS_A_TASK = "import asyncio\n\n\nasync def tick():\n    asyncio.create_task(fetch())\n"
DROPS_A_TASK_AND_RUNS_A_LOOP = DROPS_A_TASK + "\n\ndef load():\n    return asyncio.run(fetch())\n"
CLEAN = "async def tick():\n    await fetch()\n"


def loopguard_check(cwd, *args):
    return loopguard(cwd, "check", "--no-cache", *args)


def recorded(tmp_path, files):
    """``files`` written, and their findings recorded in baseline.json by a run on the whole folder."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    written = loopguard_check(tmp_path, "--write-baseline", "baseline.json")
    assert written.status == 0, written.stderr
    return json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))["findings"]


def missing_file(path, code="LG201", context="tick"):
    return (
        f"loopguard: warning: baseline.json: {path}: 1 {code} finding(s) in {context}: the file does not exist;"
        " refresh it with --write-baseline\n"
    )


def gate_fails(entries):
    return (
        f"loopguard: baseline.json: {entries} entry(ies) of files that do not exist fail the gate; refresh the"
        " baseline with `loopguard check --write-baseline baseline.json` on the whole project\n"
    )


def total(findings: int, files_with_findings: int, files: int, silenced: int) -> str:
    """The closing line of `loopguard check` with a baseline."""
    in_files = f"{files} file" + ("" if files == 1 else "s")
    if not findings:
        return f"no new findings in {in_files} ({silenced} silenced by the baseline)\n"
    plural = "" if findings == 1 else "s"
    counted = f"{findings} new finding{plural} in {files_with_findings} of {in_files}"
    return f"{counted} ({silenced} silenced by the baseline)\n"


def test_a_relabelled_entry_is_reported_and_the_finding_fails_the_gate(tmp_path):
    (entry,) = recorded(tmp_path, {"a.py": DROPS_A_TASK})
    entry["path"] = "legacy/old.py"  # the fingerprint stays a.py's
    (tmp_path / "baseline.json").write_text(json.dumps({"version": 1, "findings": [entry]}), encoding="utf-8")
    result = loopguard_check(tmp_path, "--baseline", "baseline.json")
    assert (result.status, result.stdout) == (1, f"./a.py:5:5: {LG201}\n{total(1, 1, 1, silenced=0)}")
    assert result.stderr == (
        f"loopguard: warning: baseline.json: legacy/old.py: the LG201 entry in tick does not match its fingerprint"
        f" {entry['fingerprint']} (edited by hand?), so it silences nothing\n"
    )


def test_after_a_rename_the_old_entry_fails_the_gate_and_a_new_file_of_the_old_name_is_reported(tmp_path):
    recorded(tmp_path, {"a.py": DROPS_A_TASK})
    (tmp_path / "a.py").rename(tmp_path / "b.py")
    moved = loopguard_check(tmp_path, "--baseline", "baseline.json")
    # The finding moved: in b.py it is new, and the entry of a.py is stale.
    assert (moved.status, moved.stdout) == (1, f"./b.py:5:5: {LG201}\n{total(1, 1, 1, silenced=0)}")
    assert moved.stderr == missing_file("a.py") + gate_fails(1)
    # Refreshed as told, the baseline no longer names a.py: a new a.py is checked like any new file.
    assert [entry["path"] for entry in recorded(tmp_path, {})] == ["b.py"]
    (tmp_path / "a.py").write_text(DROPS_A_TASK, encoding="utf-8")
    result = loopguard_check(tmp_path, "--baseline", "baseline.json")
    assert (result.status, result.stdout, result.stderr) == (
        1, f"./a.py:5:5: {LG201}\n{total(1, 1, 2, silenced=1)}", "",
    )


def test_an_entry_of_a_deleted_file_fails_the_gate_on_its_own(tmp_path):
    """Renamed and fixed in one commit, nothing is new; the stale entry alone fails the gate, so
    it cannot linger until a file of the old name silently takes it over."""
    recorded(tmp_path, {"a.py": DROPS_A_TASK})
    (tmp_path / "a.py").rename(tmp_path / "b.py")
    (tmp_path / "b.py").write_text(CLEAN, encoding="utf-8")
    result = loopguard_check(tmp_path, "--baseline", "baseline.json")
    assert (result.status, result.stdout, result.stderr) == (
        1, total(0, 0, 1, silenced=0), missing_file("a.py") + gate_fails(1),
    )
    exit_zero = loopguard_check(tmp_path, "--baseline", "baseline.json", "--exit-zero")
    assert (exit_zero.status, exit_zero.stderr) == (0, result.stderr)


def test_a_partial_run_leaves_entries_of_unchecked_files_alone_but_not_of_deleted_ones(tmp_path):
    recorded(tmp_path, {"a.py": DROPS_A_TASK, "c.py": DROPS_A_TASK, "d.py": DROPS_A_TASK})
    (tmp_path / "a.py").write_text(CLEAN, encoding="utf-8")  # fixed, but not checked below
    (tmp_path / "d.py").unlink()
    result = loopguard_check(tmp_path, "--baseline", "baseline.json", "c.py")
    assert (result.status, result.stdout, result.stderr) == (
        1, total(0, 0, 1, silenced=1), missing_file("d.py") + gate_fails(1),
    )


@pytest.mark.parametrize(
    "selection",
    [["--select", "LG201"], ["--ignore", "LG102"], ["--per-file-ignores", "m.py: LG102"]],
    ids=["select", "ignore", "per-file-ignores"],
)
def test_entries_of_codes_the_run_does_not_report_are_not_stale(tmp_path, selection):
    entries = recorded(tmp_path, {"m.py": DROPS_A_TASK_AND_RUNS_A_LOOP})
    assert [entry["code"] for entry in entries] == ["LG102", "LG201"]
    result = loopguard_check(tmp_path, "--baseline", "baseline.json", *selection)
    assert (result.status, result.stdout, result.stderr) == (0, total(0, 0, 1, silenced=1), "")
    (tmp_path / "m.py").unlink()
    deleted = loopguard_check(tmp_path, "--baseline", "baseline.json", *selection)
    assert (deleted.status, deleted.stdout, deleted.stderr) == (
        1, total(0, 0, 0, silenced=0), missing_file("m.py") + gate_fails(1),
    )


def test_entries_of_a_file_that_could_not_be_read_are_not_called_gone(tmp_path):
    recorded(tmp_path, {"a.py": DROPS_A_TASK})
    (tmp_path / "a.py").write_bytes(b"import asyncio\0\n")
    result = loopguard_check(tmp_path, "--baseline", "baseline.json")
    assert (result.status, result.stdout) == (2, total(0, 0, 0, silenced=0))
    assert result.stderr == "loopguard: ./a.py: contains NUL bytes; not Python source\n"


def test_write_baseline_keeps_the_files_mode(tmp_path):
    recorded(tmp_path, {"a.py": DROPS_A_TASK})
    (tmp_path / "baseline.json").chmod(0o664)
    assert len(recorded(tmp_path, {"b.py": DROPS_A_TASK})) == 2
    assert stat.S_IMODE((tmp_path / "baseline.json").stat().st_mode) == 0o664
