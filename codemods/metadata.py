"""The libcst metadata of the tree the pipeline's codemods transform: resolved once per tree and
shared by every codemod handed that tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Mapping

import libcst as cst
from libcst.metadata import BatchableMetadataProvider, MetadataWrapper
from libcst.metadata.base_provider import ProviderT


class TreeMetadataWrapper(MetadataWrapper):
    """libcst's wrapper, without one cost. libcst ends each round of resolving with a visit of the
    whole tree for the batchable providers of that round, also when the round has none: positions
    alone, which is what most codemods here ask, cost one visit more than their own codegen pass
    (a quarter of a large module's rewrite). A provider that needs no other and is not batchable
    is resolved here before libcst looks, so that libcst has nothing left to visit for."""

    def resolve_many(self, providers: Collection[ProviderT]) -> Mapping[ProviderT, Mapping[cst.CSTNode, object]]:
        for provider in providers:
            if (
                provider not in self._metadata
                and not provider.METADATA_DEPENDENCIES
                and not issubclass(provider, BatchableMetadataProvider)
            ):
                instance = provider(self._cache.get(provider)) if provider.gen_cache else provider()
                self._metadata[provider] = instance._gen(self)
        return super().resolve_many(providers)


@dataclass(frozen=True)
class TreeMetadata:
    """The libcst metadata of one tree, resolved once for every codemod that transforms it.

    The pipeline chains the codemods on one tree; a codemod that leaves it as it was hands the
    next one the same tree, and with it the metadata already resolved (positions, parents,
    scopes: each provider at most once per tree).
    """

    tree: cst.Module
    wrapper: MetadataWrapper

    @classmethod
    def of_parsed(cls, tree: cst.Module) -> "TreeMetadata":
        """For a tree fresh from the parser, which no one else holds: its nodes are used as they
        are, without the deep copy libcst makes to guard against a node shared by two places."""
        return cls(tree, TreeMetadataWrapper(tree, unsafe_skip_copy=True))

    @classmethod
    def of_transformed(cls, tree: cst.Module, cache: Mapping[ProviderT, object]) -> "TreeMetadata":
        """For a tree a codemod made, which may hold a node in two places: deep-copied first."""
        return cls(tree, TreeMetadataWrapper(tree, cache=cache))
