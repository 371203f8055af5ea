"""Whole-project analysis for ``loopguard check``: LG107 and the cross-module LG401/LG102/LG103.

Each file is summarised once, from the :class:`~flake8_loopguard.core.model.Module` the engine
already built (the summary is small, picklable and JSON-serialisable, so the check command
caches it and ships it between processes). The project pass then joins the summaries:

- LG107: from each entry point (a ``__main__`` block with its entry functions, an entry-point
  file, a function handed to another process), the calls are followed across modules, through
  functions and coroutines, to the loops the same process would create, run or drive; an entry
  point that starts a loop and reaches another is reported once, at its own loop.
- A function handed to a worker thread (``threading.Thread(target=...)``, an executor's
  ``submit``/``run_in_executor``, ``asyncio.to_thread``, the ``run()`` of a ``Thread``/
  ``QThread``/``QRunnable`` subclass) that reaches a function of another module which creates,
  runs or drives a loop is LG401 at the hand-over. A coroutine calling such a function is
  LG102 (it runs a loop) or LG103 (it drives one) at the call. Calls are followed through
  the project's imports, aliases and package re-exports, over any depth of plain functions,
  shortest chain first; cycles end the search.

Cases that stay inside one module are the engine's (per-file rules), never reported twice.

A file the prefilter skips is summarised from its import lines alone; it makes no loop itself,
so it matters only as a link of a chain, through its imports of functions that reach a loop.
:meth:`Project.names_toward_a_loop` says which names it must spell for that, and the check
command models such files, round after round, until no new one is needed.
"""

from .graph import Project
from .imports import module_name_for
from .summary import ModuleSummary, summarize, summarize_imports_only

__all__ = ["ModuleSummary", "Project", "module_name_for", "summarize", "summarize_imports_only"]
