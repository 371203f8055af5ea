"""What a rule reports: the one type every layer shares (the engine, the adapters, the
project pass, the codemods)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Finding:
    line: int
    col: int  # 0-based, as in ``ast``; adapters show it 1-based
    code: str
    message: str
    # The enclosing definition (``Widget._load_data``; ``""`` at module level): what a
    # baseline fingerprint and a codemod's task name are made of.
    context: str = field(default="", compare=False)
    # What the codemods need to rewrite the site without reading the message or modelling the
    # code again (a finding at a ``def`` or a decorator has no call).
    call: str = field(default="", compare=False)  # resolved (``time.sleep``), else as written (``self.s.get``)
    in_coroutine: bool = field(default=False, compare=False)  # the call runs in an ``async def``'s body
    end_line: int = field(default=0, compare=False)  # where the reported node ends (``ast``'s end position)
    end_col: int = field(default=0, compare=False)
    # The worker (``Downloader.run``) whose private event loop, in another thread, runs the
    # call; ``""`` when none is known. Told by the task rules (LG201-LG203).
    private_loop_worker: str = field(default="", compare=False)

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"
