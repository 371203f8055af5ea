"""The whole-project pass (LG107, cross-module LG401/LG102/LG103) on example projects.

Each directory of tests/projects/ is a small project; its expected.txt is the golden output
of the project pass alone, one finding a line as ``path:line:col: CODE message``. Summaries
are built the way ``loopguard check`` builds them: the engine's model and ``summarize`` for
the files the prefilter lets through, ``summarize_imports_only`` for the others; then, round
after round, the import-scanned files that spell a name ``Project.names_toward_a_loop`` gives
them are modelled too.

Set LOOPGUARD_UPDATE_GOLDENS=1 to rewrite the goldens after a deliberate change (and
review the diff).
"""

import ast
import json
import os
import pickle
import re
from pathlib import Path

import pytest

from flake8_loopguard.core.config import DEFAULT_CONFIG
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.model import Module
from flake8_loopguard.core.import_lines import ImportLines
from flake8_loopguard.core.prefilter import may_have_findings
from flake8_loopguard.project import (
    ModuleSummary,
    Project,
    module_name_for,
    summarize,
    summarize_imports_only,
)
from flake8_loopguard.core.project_facts import EntryKind, HandOverKind
from flake8_loopguard.core.rules import RULES
from flake8_loopguard.project.summary import (
    EntryPointRecord,
    FunctionSummary,
    HandOver,
    LoopCallRecord,
    OwnCall,
    OwnLoopCall,
)

LG107_MESSAGE = RULES["LG107"].message

PROJECTS_DIR = Path(__file__).resolve().parent / "projects"
PROJECTS = sorted(path for path in PROJECTS_DIR.iterdir() if path.is_dir())


def source_files(root):
    return sorted(root.rglob("*.py"))


def summary_of(path, root, with_tree=True, model=False):
    relative = path.relative_to(root).as_posix()
    source = path.read_text(encoding="utf-8")
    name = module_name_for(str(path), str(root))
    if not (model or may_have_findings(source, DEFAULT_CONFIG)):
        return summarize_imports_only(source, relative, name)
    tree = ast.parse(source)
    module = Module(tree, relative, DEFAULT_CONFIG)
    return summarize(module, relative, name, tree) if with_tree else summarize(module, relative, name)


def summaries_of(root, with_tree=True):
    paths = source_files(root)
    summaries = {path: summary_of(path, root, with_tree) for path in paths}
    import_scanned = {path for path in paths if not may_have_findings(path.read_text(encoding="utf-8"), DEFAULT_CONFIG)}
    while True:
        project = Project(list(summaries.values()))
        needed = [path for path in sorted(import_scanned) if spells(path, project.names_toward_a_loop(summaries[path]))]
        if not needed:
            return list(summaries.values())
        for path in needed:
            summaries[path] = summary_of(path, root, with_tree, model=True)
            import_scanned.discard(path)


def spells(path, names):
    return bool(names) and not set(names).isdisjoint(re.findall(r"\w+", path.read_text(encoding="utf-8")))


def text_lines(findings_by_path):
    return [
        f"{path}:{finding.line}:{finding.col + 1}: {finding.code} {finding.message}\n"
        for path, findings in sorted(findings_by_path.items())
        for finding in findings
    ]


def test_every_example_project_is_collected():
    assert {path.name for path in PROJECTS} >= {
        "thread_target_relative_import",
        "aliased_import",
        "package_reexport",
        "executor_submit",
        "qthread_run",
        "coroutine_calls_helper",
        "two_entry_points",
        "clean_app",
        "import_cycle",
        "chain_and_same_module",
        "src_and_script_dirs",
        "one_process_many_loops",
        "worker_processes",
        "middle_modules",
        "separate_example_programs",
    }


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_project_findings_match_golden(project):
    output = "".join(text_lines(Project(summaries_of(project)).findings()))
    golden = project / "expected.txt"
    if os.environ.get("LOOPGUARD_UPDATE_GOLDENS"):
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


def test_clean_project_has_no_findings():
    assert Project(summaries_of(PROJECTS_DIR / "clean_app")).findings() == {}


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_no_finding_repeats_one_of_the_engine(project):
    """Same-module cases are the per-file rules'; the project pass adds only what they cannot see."""
    engine = {
        (path.relative_to(project).as_posix(), finding.line, finding.col, finding.code)
        for path in source_files(project)
        for finding in check_source(path.read_text(encoding="utf-8"), path.relative_to(project).as_posix())
    }
    found = {
        (path, finding.line, finding.col, finding.code)
        for path, findings in Project(summaries_of(project)).findings().items()
        for finding in findings
    }
    assert not engine & found


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_lg107_is_never_on_a_line_with_a_per_file_loop_finding(project):
    engine = {
        (path.relative_to(project).as_posix(), finding.line)
        for path in source_files(project)
        for finding in check_source(path.read_text(encoding="utf-8"), path.relative_to(project).as_posix())
        if finding.code in ("LG101", "LG102", "LG103")
    }
    lg107 = {
        (path, finding.line)
        for path, findings in Project(summaries_of(project)).findings().items()
        for finding in findings
        if finding.code == "LG107"
    }
    assert not engine & lg107


def test_the_same_module_worker_is_the_engines():
    project = PROJECTS_DIR / "chain_and_same_module"
    scheduler = project / "jobs" / "scheduler.py"
    engine_lg401 = [f.line for f in check_source(scheduler.read_text(encoding="utf-8")) if f.code == "LG401"]
    project_lg401 = [f.line for f in Project(summaries_of(project)).findings()["jobs/scheduler.py"] if f.code == "LG401"]
    assert (engine_lg401, project_lg401) == ([17], [16])


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_summaries_survive_json_and_pickle(project):
    for summary in summaries_of(project):
        through_json = ModuleSummary.from_json(json.loads(json.dumps(summary.to_json())))
        assert through_json == summary
        assert pickle.loads(pickle.dumps(summary)) == summary


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_the_import_scan_agrees_with_the_tree(project):
    """What a skipped file contributes (its imports) is what parsing it would have given."""
    for path in source_files(project):
        relative = path.relative_to(project).as_posix()
        source = path.read_text(encoding="utf-8")
        name = module_name_for(str(path), str(project))
        tree = ast.parse(source)
        parsed = summarize(Module(tree, relative, DEFAULT_CONFIG), relative, name, tree)
        scanned = summarize_imports_only(source, relative, name)
        assert (scanned.imports, scanned.star_imports) == (parsed.imports, parsed.star_imports), relative


def test_without_the_tree_absolute_imports_still_resolve():
    project = PROJECTS_DIR / "aliased_import"
    assert Project(summaries_of(project, with_tree=False)).findings() == Project(summaries_of(project)).findings()


@pytest.mark.parametrize(
    "path, expected",
    [
        ("pkg/sub/mod.py", "pkg.sub.mod"),
        ("pkg/__init__.py", "pkg"),
        ("src/pkg/mod.py", "pkg.mod"),
        ("src/pkg/__init__.py", "pkg"),
        ("src.py", "src"),
        ("main.py", "main"),
        ("stubs/pkg/mod.pyi", "stubs.pkg.mod"),
        ("./pkg/mod.py", "pkg.mod"),
    ],
)
def test_module_name_for(tmp_path, path, expected):
    assert module_name_for(str(tmp_path / path), str(tmp_path)) == expected


def test_module_name_for_a_src_folder_that_is_itself_a_package(tmp_path):
    """`src/__init__.py` (Be1k0/YuQue-BdT's layout): `src` is a package of the root, the code
    imports `from src.core import ...`, and its modules are named so."""
    (tmp_path / "src" / "core").mkdir(parents=True)
    (tmp_path / "src" / "__init__.py").write_text("")
    assert module_name_for(str(tmp_path / "src" / "core" / "jobs.py"), str(tmp_path)) == "src.core.jobs"
    assert module_name_for(str(tmp_path / "src" / "__init__.py"), str(tmp_path)) == "src"


def test_module_name_for_a_file_outside_the_root(tmp_path):
    assert module_name_for(str(tmp_path / "elsewhere" / "tool.py"), str(tmp_path / "project")) == "tool"


def test_module_name_for_relative_spellings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert module_name_for("app/ui/window.py", ".") == "app.ui.window"
    assert module_name_for(str(tmp_path / "app" / "ui" / "window.py"), ".") == "app.ui.window"


def test_relative_imports_resolve_against_the_module_and_its_package():
    source = (
        "from . import sibling\n"
        "from .. import parent_name\n"
        "from ..other import thing as alias\n"
        "from ...too import high\n"
        "from .star import *\n"
    )
    in_module = summarize_imports_only(source, "app/ui/window.py", "app.ui.window")
    assert in_module.imports == {
        "sibling": "app.ui.sibling",
        "parent_name": "app.parent_name",
        "alias": "app.other.thing",
    }
    assert in_module.star_imports == ("app.ui.star",)
    in_package = summarize_imports_only(source, "app/ui/__init__.py", "app.ui")
    assert in_package.imports["sibling"] == "app.ui.sibling"
    assert in_package.imports["parent_name"] == "app.parent_name"
    assert "high" not in in_module.imports and "high" not in in_package.imports


def test_a_root_level_file_imports_its_siblings_relatively():
    """The root is itself a package when the check runs inside it."""
    assert summarize_imports_only("from .helpers import run\n", "worker.py", "worker").imports == {"run": "helpers.run"}


def test_the_import_scan_reads_continuations_and_skips_definitions():
    source = (
        "import os, json as j\n"
        "from .a import (\n"
        "    one,\n"
        "    two as deux,\n"
        ")\n"
        "from .b import \\\n"
        "    three\n"
        "try:\n"
        "    from .fast import four\n"
        "except ImportError:\n"
        "    from .slow import four\n"
        "def f(\n"
        "    x,\n"
        "):\n"
        "    from .lazy import hidden\n"
        "class C:\n"
        "    import inner\n"
        "importlib_user = 1\n"
        "from .c import five; from .d import six\n"
    )
    imports = summarize_imports_only(source, "pkg/m.py", "pkg.m").imports
    assert imports == {
        "os": "os",
        "j": "json",
        "one": "pkg.a.one",
        "deux": "pkg.a.two",
        "three": "pkg.b.three",
        "four": "pkg.slow.four",
        "five": "pkg.c.five",
        "six": "pkg.d.six",
    }


def test_an_import_word_in_a_string_does_not_hide_the_imports_below_it():
    """A line with `import (` that is not an import statement (a string, prose) is one line: its
    open bracket does not join the real imports after it to it."""
    source = 'HINT = "try: import (this"\nfrom .helpers import run\nfrom .jobs import (\n    start,\n)\n'
    assert summarize_imports_only(source, "pkg/m.py", "pkg.m").imports == {"run": "pkg.helpers.run", "start": "pkg.jobs.start"}


def test_the_import_lines_the_prefilter_found_are_the_ones_scanned():
    source = "import os\nfrom .a import one\n"
    lines = ImportLines(source)
    assert summarize_imports_only(source, "pkg/m.py", "pkg.m", lines) == summarize_imports_only(source, "pkg/m.py", "pkg.m")
    assert {"os", "a", "one"} <= lines.words()


def test_a_file_without_imports_summarises_to_nothing():
    assert summarize_imports_only("x = 1\n", "m.py", "m") == ModuleSummary("m", "m.py")


def runs_a_loop(line, in_entry_point=False):
    return LoopCallRecord("LG102", "asyncio.run", line, 4, in_entry_point)


def entry_script(path, *calls, line=9):
    """A ``__main__`` block that runs a loop and calls ``calls``."""
    own_calls = tuple(OwnCall(target, "", ()) for target in calls)
    own_loop = OwnLoopCall("LG102", "asyncio.run", line, 4, "", ())
    record = EntryPointRecord(EntryKind.MAIN, line, 0, calls=own_calls, loop_calls=(own_loop,))
    return ModuleSummary(path[:-3].replace("/", "."), path, entry_points=(record,))


def loop_helpers(count):
    functions = {
        f"fetch_{index}": FunctionSummary(index + 1, loop_calls=(runs_a_loop(index + 1),)) for index in range(count)
    }
    return ModuleSummary("helpers", "helpers.py", functions=functions)


def test_lg107_names_every_owner_it_reaches_with_no_cut_off():
    calls = [f"helpers.fetch_{index}" for index in range(20)]
    findings = Project([entry_script("main.py", *calls), loop_helpers(20)]).findings()
    assert sorted(findings) == ["main.py"]
    (finding,) = findings["main.py"]
    others = "; ".join(f"asyncio.run() at helpers.py:{index + 1} (fetch_{index}())" for index in range(20))
    assert finding.message == LG107_MESSAGE.format(call="asyncio.run", others=others)
    assert (finding.line, finding.col, finding.context) == (9, 4, "")


def test_two_programs_and_a_library_are_no_lg107():
    assert Project([entry_script("a.py"), entry_script("b.py"), loop_helpers(3)]).findings() == {}


def test_an_entry_point_without_a_loop_of_its_own_is_no_lg107():
    record = EntryPointRecord(EntryKind.MAIN, 3, 0, calls=(OwnCall("helpers.fetch_0", "", ()),))
    script = ModuleSummary("main", "main.py", entry_points=(record,))
    assert Project([script, loop_helpers(2)]).findings() == {}


def test_owners_in_the_other_branch_of_an_if_are_another_run_of_the_program():
    """``if gui: qasync.run(...) else: asyncio.run(...)``: one loop or the other, never both; a
    second loop beside one of them, in its own branch, still counts."""
    gui, cli = (5, 4, 0), (5, 4, 1)
    own = (
        OwnLoopCall("LG102", "qasync.run", 6, 8, "", (gui,)),
        OwnLoopCall("LG102", "asyncio.run", 8, 8, "", (cli,)),
    )
    record = EntryPointRecord(EntryKind.MAIN, 5, 0, calls=(OwnCall("helpers.fetch_0", "", (gui,)),), loop_calls=own)
    script = ModuleSummary("main", "main.py", entry_points=(record,))
    findings = Project([script, loop_helpers(1)]).findings()
    (finding,) = findings["main.py"]
    assert (finding.line, finding.col) == (6, 8)
    assert "helpers.py:1 (fetch_0())" in finding.message and "main.py:8" not in finding.message
    in_the_other_branch = (OwnCall("helpers.fetch_0", "", (cli,)),)
    record = EntryPointRecord(EntryKind.MAIN, 5, 0, calls=in_the_other_branch, loop_calls=own[:1])
    exclusive = ModuleSummary("main", "main.py", entry_points=(record,))
    assert Project([exclusive, loop_helpers(1)]).findings() == {}


def test_lg107_is_never_where_a_per_file_rule_reports():
    """A function handed to another process from another module is not entry-point code to its
    own file, whose LG102 stands: LG107 does not report there again."""
    child = FunctionSummary(3, loop_calls=(runs_a_loop(4), LoopCallRecord("LG102", "asyncio.run", 5, 4, False)))
    worker = ModuleSummary("worker", "worker.py", functions={"child": child})
    record = EntryPointRecord(EntryKind.PROCESS, 7, 4, functions=("worker.child",))
    starter = ModuleSummary("starter", "starter.py", imports={"child": "worker.child"}, entry_points=(record,))
    assert Project([worker, starter]).findings() == {}


def test_a_star_import_of_no_module_of_the_project_ends_the_search():
    """``from ._speedups import *`` in a package whose ``_speedups`` is a compiled extension:
    ``pkg.work`` was read as ``pkg._speedups.work``, then ``pkg._speedups._speedups.work``...,
    a new name at each step, until Python's recursion limit (an internal error of the check);
    with two such star imports, each step also doubled the names to try."""
    package = ModuleSummary("pkg", "pkg/__init__.py", star_imports=("pkg._speedups", "pkg._fallback"))
    hand_overs = (
        HandOver(HandOverKind.THREAD, "pkg.work", 7, 4, "start"),
        HandOver(HandOverKind.COROUTINE, "pkg.work", 11, 4, "main"),
    )
    user = ModuleSummary("app", "app.py", imports={"pkg": "pkg"}, hand_overs=hand_overs)
    assert Project([package, user]).findings() == {}
    version = ModuleSummary("pkg", "pkg/__init__.py", imports={"version": "pkg.version.version"})
    assert Project([version, user]).resolve("pkg.version", "app") is None


def test_an_import_cycle_ends_the_search():
    a = ModuleSummary("a", "a.py", imports={"helper": "b.helper"})
    b = ModuleSummary("b", "b.py", imports={"helper": "a.helper"}, star_imports=("a",))
    hand_overs = (HandOver(HandOverKind.THREAD, "a.helper", 3, 4, "f"), HandOver(HandOverKind.COROUTINE, "b.x", 5, 4, "g"))
    user = ModuleSummary("c", "c.py", hand_overs=hand_overs)
    assert Project([a, b, user]).findings() == {}


def test_names_toward_a_loop_through_renaming_re_exports_packages_and_script_folders():
    # The hand-over round skips, for speed, the imports whose last name no renaming chain can
    # lead to a loop-reaching function, and the packages under which no module has one: these
    # are the shapes that must still be found.
    loop = LoopCallRecord("LG101", "asyncio.run", 3, 4, False)

    def imports_only(module, imports):
        return ModuleSummary(module, module.replace(".", "/") + ".py", imports=imports)

    summaries = [
        ModuleSummary("pkg", "pkg/__init__.py"),
        ModuleSummary("pkg.loops", "pkg/loops.py", functions={"start": FunctionSummary(2, loop_calls=(loop,))}),
        imports_only("pkg.api", {"launch": "pkg.loops.start"}),  # from .loops import start as launch
        imports_only("app.main", {"go": "pkg.api.launch", "path": "os.path"}),
        imports_only("app.cli", {"run": "app.main.go"}),  # a name app.main's import gave it
        imports_only("app.tool", {"pkg": "pkg", "os": "os"}),
        imports_only("app.other", {"api": "pkg.api"}),
        ModuleSummary(
            "scripts.helpers", "scripts/helpers.py", functions={"spin": FunctionSummary(2, loop_calls=(loop,))}
        ),
        imports_only("scripts.run", {"helpers": "helpers", "sp": "helpers.spin", "json": "json"}),
        imports_only("elsewhere", {"unrelated": "json.loads"}),
    ]
    project = Project(summaries)
    names = {summary.module: project.names_toward_a_loop(summary) for summary in summaries[2:]}
    assert names == {
        "pkg.api": ("launch",),
        "app.main": ("go",),
        "app.cli": ("run",),
        "app.tool": ("launch", "start"),
        "app.other": ("launch",),
        "scripts.helpers": (),
        "scripts.run": ("sp", "spin"),  # `import helpers` gives its names; `sp` is one
        "elsewhere": (),
    }
