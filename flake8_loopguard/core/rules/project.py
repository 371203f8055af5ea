"""Invariant 1 across files: the whole project owns one event loop.

This rule needs every file at once, so only ``loopguard check`` runs it, in its project pass
(``flake8_loopguard.project``); a per-file run (the flake8 plugin) finds nothing here.
"""

from __future__ import annotations

from typing import Iterator, Tuple

from ..findings import Finding
from ..model import Module
from ..project_facts import ProjectFacts
from .base import Rule, example, register

MAX_NAMED_SITES = 3  # LG107 names this many other sites, then "and N more"


@register
class MoreThanOneLoopOwner(Rule):
    """The project has more than one loop-owning site (`loopguard check` only).

    Why: invariant 1 is one event loop per process. Every call that creates or starts a loop
    is a place where a second loop is born; LG101 and LG102 allow them in entry-point code, so
    two entry points (a GUI `main.py` and a CLI `__main__.py`), or an entry point plus a helper
    behind a `# noqa`, go unnoticed file by file. Counted over the whole project, each site is
    reported with the others named.

    Fix: keep one loop, started by the entry point (`qasync.run(main())` or
    `asyncio.run(main(), loop_factory=QEventLoop)`); other code awaits on the running loop.
    Programs that really are separate processes say so with `# noqa: LG107` on each owner.
    """

    code = "LG107"
    name = "more-than-one-loop-owner"
    message = "{call}() owns an event loop besides {others}; keep one loop, started by the entry point"
    project_wide = True
    invalid = [
        example("""
            import asyncio, qasync

            def main(app):
                loop = qasync.QEventLoop(app)
                loop.run_forever()

            if __name__ == '__main__':
                asyncio.run(serve())
        """),
    ]
    valid = [
        example("""
            import qasync

            if __name__ == '__main__':
                qasync.run(main())
        """),
    ]

    def check(self, module: Module) -> Iterator[Finding]:
        return iter(())  # reported by check_project, from every file's loop-owning sites

    def check_project(self, project: ProjectFacts) -> Iterator[Tuple[str, Finding]]:
        sites = project.loop_sites()
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
            message = self.message.format(call=site.call, others=named)
            yield path, Finding(site.line, site.col, self.code, message, site.context)
