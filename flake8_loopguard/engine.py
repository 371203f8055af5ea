"""source text -> prefilter -> ast -> one walk -> semantic model -> rules -> findings."""

from __future__ import annotations

import ast
import gc
from contextlib import contextmanager
from typing import Iterable, Iterator, List, Optional

from .config import DEFAULT_CONFIG, Config
from .model import Module
from .prefilter import may_have_findings
from .rules import Finding, Rule, enabled_rules, findings_of


def check_tree(
    tree: ast.AST,
    source: str,
    filename: str,
    config: Config = DEFAULT_CONFIG,
    rules: Optional[Iterable[Rule]] = None,
) -> List[Finding]:
    """Findings for an already parsed module; ``source`` only feeds the prefilter."""
    if not may_have_findings(source, config):
        return []
    return _run_rules(tree, filename, config, rules)


def check_source(
    source: str,
    filename: str = "<string>",
    config: Config = DEFAULT_CONFIG,
    rules: Optional[Iterable[Rule]] = None,
) -> List[Finding]:
    """Parse and check. A file that does not parse raises ``SyntaxError`` for the caller to report."""
    if not may_have_findings(source, config):
        return []
    with _collector_paused():
        return _run_rules(ast.parse(source, filename=filename), filename, config, rules)


def _run_rules(tree: ast.AST, filename: str, config: Config, rules: Optional[Iterable[Rule]]) -> List[Finding]:
    with _collector_paused():
        module = Module(tree, filename, config)
        return findings_of(enabled_rules(config) if rules is None else rules, module)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing and modelling a module allocate many objects and free none of them until the
    end; the cycle collector would scan them all again and again, making a large file cost more
    than its size. Paused here, it runs as usual afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
