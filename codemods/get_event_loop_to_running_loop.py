"""LG105: ``asyncio.get_event_loop()`` -> ``asyncio.get_running_loop()`` inside coroutines."""

from __future__ import annotations

import libcst as cst

from flake8_loopguard.core.findings import Finding

from .base import FindingCodemod, LeaveForHuman, Rewritten


class GetEventLoopToRunningLoop(FindingCodemod):
    """In a coroutine the running loop is the only loop there is: ask for it by name.

    The call keeps the user's spelling: ``aio.get_event_loop()`` becomes
    ``aio.get_running_loop()``, and a ``from asyncio import get_event_loop`` call becomes
    ``get_running_loop()`` with its import added (the old one is dropped once unused).
    Synchronous code is left for a human: there may be no running loop to ask for.
    """

    NAME = "get_event_loop_to_running_loop"
    DESCRIPTION = "asyncio.get_event_loop() -> asyncio.get_running_loop() inside coroutines"
    fixes = ("LG105",)
    VISITS_ONLY_FINDINGS = True
    SYNCHRONOUS = "synchronous code: pass the loop in from a coroutine, or make this a coroutine"
    FALLBACK = "get_running_loop is bound to get_event_loop by an import fallback: drop the fallback (Python >= 3.7)"

    def rewrite(self, node: cst.Call, finding: Finding) -> Rewritten:
        if not finding.in_coroutine:
            return LeaveForHuman(self.SYNCHRONOUS)
        if node.args:
            return LeaveForHuman("get_event_loop() is called with arguments")
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "get_event_loop":
            return node.with_changes(func=func.with_changes(attr=func.attr.with_changes(value="get_running_loop")))
        if isinstance(func, cst.Name) and func.value == "get_running_loop":
            return LeaveForHuman(self.FALLBACK)
        if isinstance(func, cst.Name):
            # Imported from asyncio, maybe under an alias: use the asyncio function by its own name.
            self.add_needed_import("asyncio", "get_running_loop")
            self.remove_unused_import(
                "asyncio", "get_event_loop", None if func.value == "get_event_loop" else func.value
            )
            return node.with_changes(func=cst.Name("get_running_loop"))
        return LeaveForHuman("get_event_loop is reached through an expression the codemod does not rewrite")
