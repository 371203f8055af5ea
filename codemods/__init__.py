"""libcst codemods that rewrite what the loopguard linter finds (``loopguard migrate``)."""
