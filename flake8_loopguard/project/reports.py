"""The whole-project findings: LG107 and the cross-module LG401/LG102/LG103, reported from the
call graph of :class:`~.graph.Project`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterable, Iterator, List, Tuple

from ..core.findings import Finding
from ..core.rules import RULES
from .summary import ANY_LOOP, RUNNING_LOOP, HandOverKind, ModuleSummary

if TYPE_CHECKING:
    from .graph import Project

LG107_MESSAGE = RULES["LG107"].message
CROSS_MODULE_MESSAGES = {
    "LG401": (
        "{chain} ({where}) runs a private event loop in a worker thread; "
        "make it an @asyncSlot coroutine on the main loop"
    ),
    "LG102": "{chain} ({where}) starts a new event loop with {call}() inside a coroutine; await the coroutine instead",
    "LG103": "{chain} ({where}) drives an event loop with {call}() inside a coroutine; await the coroutine instead",
}
MAX_NAMED_SITES = 3  # LG107 names this many other sites, then "and N more"


def whole_project_findings(project: Project) -> Dict[str, List[Finding]]:
    """The whole-project findings, keyed by path (only paths with findings), each list sorted."""
    found: Dict[str, Dict[Tuple[int, int, str], Finding]] = {}
    for path, finding in (*_loop_owner_findings(project.summaries), *_cross_module_findings(project)):
        found.setdefault(path, {}).setdefault((finding.line, finding.col, finding.code), finding)
    return {path: sorted(findings.values()) for path, findings in sorted(found.items())}


def _loop_owner_findings(summaries: Iterable[ModuleSummary]) -> Iterator[Tuple[str, Finding]]:
    sites = sorted(
        ((summary.path, site) for summary in summaries for site in summary.loop_sites),
        key=lambda item: (item[0], item[1].line, item[1].col),
    )
    if len(sites) < 2:
        return
    for index, (path, site) in enumerate(sites):
        others = [
            f"{other_path}:{other.line}" + (" (entry point)" if other.in_entry_point else "")
            for other_path, other in sites[:index] + sites[index + 1 :]
        ]
        named = ", ".join(others[:MAX_NAMED_SITES])
        if len(others) > MAX_NAMED_SITES:
            named += f" and {len(others) - MAX_NAMED_SITES} more"
        message = LG107_MESSAGE.format(call=site.call, others=named)
        yield path, Finding(site.line, site.col, "LG107", message, site.context)


def _cross_module_findings(project: Project) -> Iterator[Tuple[str, Finding]]:
    to_any_loop = project.chains_to(ANY_LOOP)
    to_running_loop = project.chains_to(RUNNING_LOOP)
    for summary in project.summaries:
        for hand_over in summary.hand_overs:
            start = project.resolve(hand_over.target, summary.module)
            next_hop = to_any_loop if hand_over.kind is HandOverKind.THREAD else to_running_loop
            if start is None or start not in next_hop:
                continue
            chain = project.chain(start, next_hop)
            if all(module == summary.module for module, _name in chain):
                continue  # the engine's per-file rules own what stays in one module
            helper = project.function(chain[-1])
            if hand_over.kind is HandOverKind.THREAD:
                code, call = "LG401", ""
            else:
                code, call = next(
                    (code, call) for wanted in ("LG102", "LG103") for code, call in helper.loop_calls if code == wanted
                )
            message = CROSS_MODULE_MESSAGES[code].format(
                chain=" -> ".join(f"{name}()" for _module, name in chain), where=project.where(chain[-1]), call=call
            )
            yield summary.path, Finding(hand_over.line, hand_over.col, code, message, hand_over.context)
