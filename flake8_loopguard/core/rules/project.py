"""Invariant 1 across files: one event loop per process.

This rule needs every file at once, so only ``loopguard check`` runs it, in its project pass
(``flake8_loopguard.project``); a per-file run (the flake8 plugin) finds nothing here.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Tuple

from ..findings import Finding
from ..model import Module
from ..project_facts import Branches, LoopCall, ProjectFacts
from .base import Rule, chain_text, example, register

LOOP_OWNING = ("LG101", "LG102")  # a call that creates or runs a loop of its own


@register
class MoreThanOneLoopOwner(Rule):
    """One process would own more than one event loop (`loopguard check` only).

    Why: invariant 1 is one event loop per process. LG101-LG103 allow a loop in entry-point
    code, so file by file nothing shows that the `main()` which starts the qasync loop also
    calls, three modules away, a helper that runs `asyncio.run()`: that call fails under the
    running loop, or builds a second loop whose objects the first cannot use. From each entry
    point (a `__main__` block with the functions it calls or hands over, an entry-point file, a
    function handed to another process), calls are followed across modules, through functions
    and coroutines, to the code that creates, runs or drives a loop. Reported once per entry
    point, at its own first loop-owning call, naming every other owner with its file, line and
    call chain, a second loop started in the entry code itself included (a reached function
    that makes a loop and drives it is named where it makes it; one that only drives a loop,
    at `run_until_complete`); the loop a runner's `loop_factory=` makes (a lambda or a
    function: `asyncio.run(main(), loop_factory=lambda: QEventLoop(app))`) is the runner's own.
    Owners in the two branches of one `if`/`else` of the entry code
    (`if gui: qasync.run(...) else: asyncio.run(...)`) never run together and are not counted
    against each other. Two programs of one repository (two entry scripts, one loop each) are
    two processes, and so is a function that another process runs: no finding. An entry point
    that starts no loop itself is not reported (what it reaches is LG101-LG103 already), nor a
    library without an entry point.

    Fix: keep one loop, started by the entry point (`qasync.run(main())` or
    `asyncio.run(main(), loop_factory=QEventLoop)`); the code it reaches awaits on the running
    loop instead of starting its own. Work that must own a loop runs in another process.
    """

    code = "LG107"
    name = "more-than-one-loop-owner"
    message = (
        "{call}() starts this process's event loop, and the code it reaches owns another: {others}; "
        "keep one loop, started by the entry point"
    )
    project_wide = True
    invalid = [
        example("""
            import asyncio, qasync

            def fetch_sync(symbol):
                return asyncio.run(quote(symbol))

            def refresh(window):
                window.show(fetch_sync('BTC'))

            def main(window):
                refresh(window)

            if __name__ == '__main__':
                qasync.run(main(None))
        """),
    ]
    valid = [
        example("""
            import qasync

            async def refresh(window):
                window.show(await quote('BTC'))

            if __name__ == '__main__':
                qasync.run(refresh(None))
        """),
        example("""
            import asyncio, sys, qasync

            if __name__ == '__main__':
                if '--gui' in sys.argv:
                    qasync.run(gui())
                else:
                    asyncio.run(cli())
        """),
        example("""
            import asyncio
            from concurrent.futures import ProcessPoolExecutor

            def crunch(job):
                return asyncio.run(solve(job))

            async def main(jobs):
                with ProcessPoolExecutor() as pool:
                    return list(pool.map(crunch, jobs))

            if __name__ == '__main__':
                asyncio.run(main([]))
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        return iter(())  # reported by check_project, from what each entry point reaches

    def check_project(self, project: ProjectFacts) -> Iterator[Tuple[str, Finding]]:
        for entry in project.entry_points():
            own = [call for call in entry.own_loop_calls if call.code in LOOP_OWNING]
            if not any(call.in_entry_point for call in own):
                continue  # no loop of its own: what it reaches is LG101-LG103's
            owners = [(call, "entry code", call.branches) for call in own]
            for reached in project.loops_reached(entry):
                # A function that makes its loop and drives it owns one loop: named where it is made.
                owning: List[LoopCall] = [call for call in reached.loop_calls if call.code in LOOP_OWNING]
                chain = chain_text(reached.chain)
                owners.extend((call, chain, reached.branches) for call in owning or reached.loop_calls)
            # At the first loop of its own that another owner runs beside (not in the other branch of
            # an `if`), never where the per-file rules report a loop already (a function handed to
            # another process from another module is not entry-point code to its own file).
            for at in own:
                if not at.in_entry_point:
                    continue
                others: Dict[Tuple[str, int, int], str] = {}
                for call, how, branches in owners:
                    where = (call.path, call.line, call.col)
                    if where != (at.path, at.line, at.col) and not _exclusive(branches, at.branches):
                        others.setdefault(where, f"{call.call}() at {call.path}:{call.line} ({how})")
                if others:
                    message = self.message.format(call=at.call, others="; ".join(others.values()))
                    yield at.path, Finding(at.line, at.col, self.code, message, at.context)
                    break


def _exclusive(one: Branches, other: Branches) -> bool:
    """Whether two calls are in the two branches of one `if`/`else`: never both run."""
    taken = {(line, col): branch for line, col, branch in one}
    return any(taken.get((line, col), branch) != branch for line, col, branch in other)
