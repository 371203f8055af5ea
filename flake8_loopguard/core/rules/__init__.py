"""The rule catalog. Importing this package registers every rule, family by family."""

from . import loops, project, qt, resources, tasks, threads  # noqa: F401  (registration)
from .base import RULES, Rule, all_rules, enabled_rules, findings_of, project_rules

__all__ = ["RULES", "Rule", "all_rules", "enabled_rules", "findings_of", "project_rules"]
