"""The parts of the ``run_to_await`` codemod, by concern.

- :mod:`.locate`: the file's part of the plan (handed in by ``loopguard migrate``, else made from
  the module alone), and the libcst nodes each planned edit names;
- :mod:`.plumbing`: how a function that becomes a coroutine loses its private loop (runs become
  awaits, the loop's creation, installation and closing go);
- :mod:`.threads`: a thread whose target becomes a coroutine becomes a task on the one loop;
- :mod:`.expressions`: the new expressions (``await f()``, ``asyncio.run(main())``, the slot
  decorator).

The codemod itself, ``loopguard_codemods.run_to_await``, checks every edit of a chain before it
makes any, and makes them as the transformer leaves the nodes.
"""


class NotRewritable(Exception):
    """Raised while checking a chain's edits in one file: the chain is left whole, for this reason."""
