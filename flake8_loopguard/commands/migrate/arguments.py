"""``loopguard migrate``'s command line. Apart from the command, so that building the parser of
``loopguard`` loads neither command."""

from __future__ import annotations

from typing import Any

from ..workers import job_count


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "migrate",
        help="rewrite a project to the one-loop invariants (shows a diff; --write applies it)",
        description=(
            "Run the loopguard codemods over the Python files under PATH (default: the current "
            "directory). Prints a unified diff on stdout; --write applies it. The summary and "
            "every problem go to stderr. Exit: 0 nothing left to do, 1 changes proposed or "
            "findings left, 2 error."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--write", action="store_true", help="write the changes instead of showing them")
    parser.add_argument("--select", metavar="CODEMODS", help="comma-separated codemod names to run (default: all)")
    parser.add_argument(
        "--task-manager",
        metavar="MODULE:NAME",
        help="the TaskManager the rewritten code imports; created from the template when MODULE does not "
        "exist yet (default: loop_runtime:TaskManager)",
    )
    parser.add_argument("--jobs", "-j", type=job_count, default=1, metavar="N", help="worker processes (default: 1)")
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="write even when the paths have uncommitted git changes, or git cannot tell whether they have",
    )
