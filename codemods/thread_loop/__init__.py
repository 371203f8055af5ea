"""The parts of the ``thread_loop_to_async_slot`` codemod, by concern.

- :mod:`.facts`: what it reads of the whole module (imports, value uses, hand-overs to threads,
  references, calls that more code follows);
- :mod:`.slot`: whether a function may become an ``@asyncSlot()`` coroutine, and its decorators;
- :mod:`.starter`: the new body of a starter (:class:`~.starter.StarterRewrite`), with the
  expression rewrites of :mod:`.expressions`;
- :mod:`.cleanup`: the private loop's own cleanup in a ``finally`` (its tasks cancelled and
  gathered, the loop closed), which goes with the loop;
- :mod:`.settle`: how the new body settles (the lines of removed statements, unused imports).

The codemod itself, ``loopguard_codemods.thread_loop_to_async_slot``, finds the functions and
records the outcome.
"""


class NotUnderstood(Exception):
    """Raised while planning a rewrite: the code is left as it is, for the reason given."""
