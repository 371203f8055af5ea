"""``loopguard check``'s command line. Apart from the command, so that building the parser of
``loopguard`` loads neither command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...core.config import OPTIONS
from ..workers import job_count
from .cache import DEFAULT_DIRECTORY
from .formats import FORMAT_NAMES


def add_parser(commands: Any) -> None:
    """Register ``check`` on the ``loopguard`` subcommand parser."""
    parser = commands.add_parser(
        "check",
        help="check files for loop-ownership violations (the CI gate)",
        description=(
            "Check Python files with every loopguard rule, plus the whole-project rules. Settings come from "
            "[tool.loopguard] in the nearest pyproject.toml; a flag replaces the setting of the same name. "
            "Exit status: 0 clean, 1 violations found, 2 usage or internal error."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to check (default: .)")
    selection = parser.add_argument_group("selection (flake8's meaning; CODES are comma-separated codes or prefixes)")
    selection.add_argument(
        "--select", metavar="CODES", help="report only these (replaces the default: every default-on rule)"
    )
    selection.add_argument(
        "--extend-select", metavar="CODES", help="report these too (opt-in rules: LG203, LG303, LG3)"
    )
    selection.add_argument("--ignore", metavar="CODES", help="do not report these")
    selection.add_argument("--per-file-ignores", metavar="MAPPING", help="'glob: CODES' pairs, one per line")
    files = parser.add_argument_group("files")
    files.add_argument(
        "--exclude", metavar="PATTERNS", help="globs of files and folders to skip (replaces the default)"
    )
    files.add_argument("--extend-exclude", metavar="PATTERNS", help="globs of files and folders to skip as well")
    files.add_argument(
        "--diff-against",
        metavar="REV",
        help="report only files changed since the git revision REV, and untracked files (the whole-project rules "
        "still read every file)",
    )
    rules = parser.add_argument_group("rule options (the flake8 plugin's --loopguard-* options)")
    for option in OPTIONS:
        rules.add_argument(f"--{option.name}", metavar="NAMES", help=option.help)
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=FORMAT_NAMES, default="text", help="report format (default: text)")
    output.add_argument("--output-file", "-o", metavar="FILE", type=Path, help="write the report to FILE")
    output.add_argument("--statistics", action="store_true", help="count the findings per code")
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even when violations are found")
    output.add_argument(
        "--verbose", "-v", action="store_true", help="say which configuration is used and how many files were checked"
    )
    baseline = parser.add_argument_group("baseline (ratchet a legacy code base)").add_mutually_exclusive_group()
    baseline.add_argument("--baseline", metavar="FILE", type=Path, help="report only findings not recorded in FILE")
    baseline.add_argument("--write-baseline", metavar="FILE", type=Path, help="record today's findings in FILE")
    run = parser.add_argument_group("running")
    run.add_argument("--jobs", "-j", metavar="N", type=job_count, help="processes to use (default: one per core)")
    run.add_argument("--no-cache", action="store_true", help=f"neither read nor write the cache ({DEFAULT_DIRECTORY}/)")
    run.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        help=f"the cache folder (default: {DEFAULT_DIRECTORY}/ at the project root)",
    )
