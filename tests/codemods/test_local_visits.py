"""What keeps ``loopguard migrate`` fast on large files, and must not change a byte of its output:
a codemod that rewrites only at its findings visits only the nodes that hold one; the imports a
codemod adds are placed without walking the whole module; a codemod that rewrote nothing hands the
same tree on (with its metadata)."""

import textwrap
from typing import List

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from loopguard_codemods.base import (
    SCRATCH_LINT,
    SCRATCH_METADATA,
    SCRATCH_NOTES,
    SCRATCH_TASK_MANAGER,
    LintedSource,
)
from loopguard_codemods.metadata import TreeMetadata
from loopguard_codemods.fire_and_forget_to_task_manager import FireAndForgetToTaskManager
from loopguard_codemods.get_event_loop_to_running_loop import GetEventLoopToRunningLoop
from loopguard_codemods.top_level_imports import TopLevelAddImports

from flake8_loopguard.core.engine import check_source


def source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


SERVICE = source(
    """
    import asyncio


    def untouched_helper(values):
        return [value * 2 for value in values]


    class Service:
        def quiet(self):
            return sorted(self.items)

        async def start(self):
            asyncio.create_task(self.poll())

        async def poll(self):
            await asyncio.sleep(1)
    """
)


class RecordingFireAndForget(FireAndForgetToTaskManager):
    """The codemod, recording the names it visits."""

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self.names: List[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Name):
            self.names.append(node.value)
        return super().on_visit(node)


def test_a_codemod_that_rewrites_at_its_findings_visits_only_the_nodes_around_them():
    context = CodemodContext(filename="service.py", scratch={SCRATCH_TASK_MANAGER: "loop_runtime:TaskManager"})
    codemod = RecordingFireAndForget(context)
    result = codemod.transform_module(cst.parse_module(SERVICE)).code
    # The rewrite is the one a whole-tree visit makes.
    assert "self._task_manager.add_task(asyncio.create_task(self.poll()), name=\"service:Service:start\")" in result
    assert "class Service:\n    _task_manager = TaskManager()\n" in result
    assert "from loop_runtime import TaskManager\n" in result
    # Only the nodes that hold the call's start were entered: not the import line, nor the
    # functions holding no finding (`quiet`, `sorted`, `values`), nor the call's argument.
    assert sorted(codemod.names) == ["Service", "asyncio", "create_task", "start"]


@pytest.mark.parametrize(
    "module",
    [
        "",
        '"""Doc."""\n',
        '"""Doc."""\nfrom __future__ import annotations\nimport os\n\nclass A:\n    import sys\n',
        "import os\nfrom asyncio import sleep\nx = 1\nfrom json import dumps\n",
        "from asyncio import sleep\n\ndef f():\n    from asyncio import gather\n    return gather\n",
        "class A:\n    pass\nimport os\n",
        "__strict__ = True\nimport os\n\ndef f():\n    import asyncio\n",
        "if True:\n    import asyncio\nfrom asyncio import wait\n",
    ],
)
@pytest.mark.parametrize(
    "wanted",
    [
        [("asyncio", None)],
        [("asyncio", "get_running_loop"), ("loop_runtime", "TaskManager")],
        [("os", None), ("asyncio", "sleep"), ("asyncio", "gather")],
    ],
)
def test_imports_are_added_as_libcst_adds_them(module, wanted):
    def added(visitor) -> str:
        context = CodemodContext(filename="service.py")
        for name, obj in wanted:
            AddImportsVisitor.add_needed_import(context, name, obj)
        return visitor(context).transform_module(cst.parse_module(module)).code

    assert added(TopLevelAddImports) == added(AddImportsVisitor)


def test_adding_imports_does_not_walk_the_functions_and_classes():
    visited: List[str] = []

    class Recording(TopLevelAddImports):
        def on_visit(self, node: cst.CSTNode) -> bool:
            visited.append(type(node).__name__)
            return super().on_visit(node)

    context = CodemodContext(filename="service.py")
    AddImportsVisitor.add_needed_import(context, "asyncio", "sleep")
    module = "import os\n\ndef f():\n    return os.getcwd()\n\nclass A:\n    x = [1, 2]\n"
    code = Recording(context).transform_module(cst.parse_module(module)).code
    assert code == "import os\nfrom asyncio import sleep\n\ndef f():\n    return os.getcwd()\n\nclass A:\n    x = [1, 2]\n"
    assert "FunctionDef" in visited and "ClassDef" in visited  # left, not entered
    assert not {"Return", "Call", "List", "IndentedBlock"} & set(visited)


def test_a_codemod_that_rewrites_nothing_hands_the_same_tree_on():
    text = source(
        """
        import asyncio

        def sync():
            return asyncio.get_event_loop()
        """
    )
    tree = cst.parse_module(text)
    findings = tuple(check_source(text, "service.py"))
    assert [finding.code for finding in findings] == ["LG105"]
    # As the pipeline hands it over: the tree with its metadata, shared by the codemods.
    scratch = {SCRATCH_LINT: LintedSource(text, findings), SCRATCH_METADATA: TreeMetadata.of_parsed(tree)}
    context = CodemodContext(filename="service.py", scratch=scratch)
    transformed = GetEventLoopToRunningLoop(context).transform_module(tree)
    # Left for a human (synchronous code): not a rebuilt equal, the very tree it was handed.
    assert [note.code for note in context.scratch[SCRATCH_NOTES]] == ["LG105"]
    assert transformed is tree


def test_a_codemod_that_visits_only_its_findings_cannot_gather_facts_with_visit_hooks():
    with pytest.raises(TypeError, match="VISITS_ONLY_FINDINGS leaves nodes unvisited, but it defines visit_Import"):

        class GathersImports(FireAndForgetToTaskManager):
            def visit_Import(self, node: cst.Import) -> None:
                pass
