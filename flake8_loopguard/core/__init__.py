"""The core: findings, configuration, noqa, the prefilter, the semantic model, the rules and the
engine that runs them. It imports neither flake8, libcst nor the commands above it."""
