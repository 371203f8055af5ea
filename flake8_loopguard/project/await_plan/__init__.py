"""The whole-project plan of the ``run_to_await`` codemod (no libcst here: the codemod reads it).

- :mod:`.facts`: what one modelled module tells (functions, calls of project functions and where
  they run, hand-overs, loop calls);
- :mod:`.references`: where a module names a function without calling it;
- :mod:`.chains`: the chains of functions to make coroutines, and where each stops;
- :mod:`.plan`: the plan's types, each file's part of it;
- :mod:`.build`: the plan of a project (or of one module) from its source texts.
"""

from .build import plan_module, plan_project
from .plan import AwaitPlan, Chain, FilePlan, PublishedPlan, digest

__all__ = ["AwaitPlan", "Chain", "FilePlan", "PublishedPlan", "digest", "plan_module", "plan_project"]
