"""The parts of the ``worker_class_to_task`` codemod, by concern.

- :mod:`.bases`: which base class makes a class a worker thread (``QThread``, ``QRunnable``,
  ``threading.Thread``, as the module imports them), and the runtime base that replaces it;
- :mod:`.instances`: where the module makes, keeps, starts and waits for instances of the worker
  classes (the starters that change with them, the uses that have no one-loop meaning);
- :mod:`.starters`: the workers' starters and uses in the other modules of a project, planned once
  per ``loopguard migrate`` run;
- :mod:`.convert`: the new class: ``run()`` a coroutine awaiting its work, the loop it kept in an
  attribute gone, the thread base replaced.

The codemod itself, ``loopguard_codemods.worker_class_to_task``, plans every class of the module
before it rewrites any, so that a starter above its worker class changes with it.
"""

from typing import Iterable, Set

from flake8_loopguard.core.findings import Finding


def worker_class_contexts(findings: Iterable[Finding]) -> Set[str]:
    """The classes (dotted contexts) whose ``run()`` the linter reports as a thread with a private loop."""
    return {f.context.rpartition(".")[0] for f in findings if f.code == "LG401" and not f.call and f.context.endswith(".run")}


def in_worker_class(finding: Finding, contexts: Set[str]) -> bool:
    """LG401 at the ``def run`` of one of ``contexts``, or a finding inside one of them."""
    if finding.code == "LG401" and not finding.call:
        return finding.context.rpartition(".")[0] in contexts
    return any(finding.context.startswith(f"{owner}.") for owner in contexts)
