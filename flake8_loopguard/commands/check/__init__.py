"""``loopguard check``: the CI gate."""
