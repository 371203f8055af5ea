"""``loopguard migrate``: the one-shot codemod migration."""
