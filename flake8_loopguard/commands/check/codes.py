"""The rule codes ``loopguard check`` accepts in its settings, without importing the rules: a run
the cache answers needs the codes, not the rules' code (and the model they import). Kept equal
to the rule catalog by ``tests/test_check_command.py``."""

# Every rule's code (``flake8_loopguard.core.rules.RULES``), in code order.
RULE_CODES = tuple(
    "LG101 LG102 LG103 LG104 LG105 LG107 LG201 LG202 LG203 LG301 LG302 LG303 "
    "LG401 LG402 LG403 LG501 LG502 LG503".split()
)
# The codes the whole-project pass reports (``project_rules()``).
PROJECT_CODES = ("LG102", "LG103", "LG107", "LG401")
