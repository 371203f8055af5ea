"""The metadata wrapper the pipeline shares between codemods: libcst's answers, without the visit
libcst makes for an empty batch of providers."""

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from loopguard_codemods.metadata import TreeMetadataWrapper

SOURCE = "import asyncio\n\n\nclass Feed:\n    def start(self):\n        asyncio.ensure_future(self.run())\n"


def test_positions_are_libcsts():
    ours = TreeMetadataWrapper(cst.parse_module(SOURCE), unsafe_skip_copy=True)
    theirs = MetadataWrapper(cst.parse_module(SOURCE), unsafe_skip_copy=True)
    ours_positions = list(ours.resolve(PositionProvider).values())
    assert ours_positions == list(theirs.resolve(PositionProvider).values())
    assert len(ours_positions) > 10


def test_positions_alone_need_no_visit_of_the_tree(monkeypatch):
    visits = []
    monkeypatch.setattr(cst.Module, "visit", lambda self, visitor: visits.append(visitor))
    wrapper = TreeMetadataWrapper(cst.parse_module(SOURCE), unsafe_skip_copy=True)
    wrapper.resolve_many([PositionProvider])
    assert visits == []
    # libcst's own wrapper visits the whole tree for a batch with no provider in it: what the
    # subclass saves (if libcst stops doing it, this fails and the subclass can go).
    MetadataWrapper(cst.parse_module(SOURCE), unsafe_skip_copy=True).resolve_many([PositionProvider])
    assert len(visits) == 1


def test_batchable_providers_are_still_resolved_by_libcst():
    module = cst.parse_module(SOURCE)
    wrapper = TreeMetadataWrapper(module, unsafe_skip_copy=True)
    resolved = wrapper.resolve_many([PositionProvider, ParentNodeProvider])
    statement = module.body[0]
    assert resolved[ParentNodeProvider][statement] is module
    assert resolved[PositionProvider][statement].start.line == 1
