"""How much time flake8-loopguard adds to a flake8 run, next to flake8-bugbear.

What is measured: the plugins' own time only, in one process, over the same
pre-parsed trees. Each file of a fixed standard-library sample is read once
(``tokenize.open(...).readlines()``, as flake8 does) and parsed once with
``ast.parse`` before any clock starts. Then, for every tree, we time

* ``LoopGuardPlugin(tree, lines, filename).run()`` drained to a list,
* ``bugbear.BugBearChecker(...)`` built with the arguments flake8 passes it,
* ``flake8_async.Plugin(tree, lines, filename).run()`` (its constructor parses
  the source again with libcst, which flake8 also pays per file; it is slow, so by
  default it is timed on an evenly spaced subset and extrapolated by line count),
* a bare ``for _ in ast.walk(tree): pass``, the floor for any AST plugin.

Options are parsed by flake8 itself (``--isolated``, so no config file is read),
which also runs each plugin's ``parse_options``. Each pass over the sample is
repeated ``--repeat`` times and the best is kept.

The sample: every ``.py`` file directly under the stdlib directory, then the
packages in ``PACKAGES`` (test directories excluded), minus files that fail to
parse -- about 300 files. ``--files N`` takes N of them, evenly spaced.

The script is also a check: it exits 1 when loopguard takes more than
``BOUND`` x bugbear's time.

Run:  .venv/bin/python bench/plugin_cost.py [--files N] [--repeat R]
                                           [--async-sample N | --skip-async]
"""

from __future__ import annotations

import argparse
import ast
import gc
import sys
import sysconfig
import time
import tokenize
import warnings
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Callable, List, Sequence, Tuple

import bugbear
import flake8_async
from flake8.options.parse_args import parse_args
from rich.console import Console
from rich.table import Table

from flake8_loopguard.core.config import DEFAULT_CONFIG
from flake8_loopguard.flake8_plugin import LoopGuardPlugin
from flake8_loopguard.core.prefilter import may_have_findings

BOUND = 0.1  # loopguard may cost at most this fraction of bugbear's time
PACKAGES = ("asyncio", "concurrent", "multiprocessing", "email", "http", "urllib", "json", "logging", "importlib")
TEST_DIRS = {"test", "tests", "idle_test"}


@dataclass
class SourceFile:
    name: str
    lines: List[str]
    tree: ast.AST


def sample_paths() -> List[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    paths = sorted(stdlib.glob("*.py"))
    for package in PACKAGES:
        paths += sorted(
            path for path in (stdlib / package).rglob("*.py") if not TEST_DIRS & set(path.relative_to(stdlib).parts)
        )
    return paths


def load(paths: Sequence[Path]) -> Tuple[List[SourceFile], int]:
    files, failed = [], 0
    for path in paths:
        try:
            with tokenize.open(path) as handle:
                lines = handle.readlines()
            files.append(SourceFile(str(path), lines, ast.parse("".join(lines), filename=str(path))))
        except (SyntaxError, ValueError):  # ValueError: undecodable bytes, NUL bytes
            failed += 1
    return files, failed


def evenly_spaced(items: list, count: int) -> list:
    if count <= 0 or count >= len(items):
        return list(items)
    return [items[i * len(items) // count] for i in range(count)]


def best_time(check: Callable[[SourceFile], list], files: Sequence[SourceFile], repeat: int) -> Tuple[float, int]:
    """Best wall time of one pass over ``files``, and the findings of that pass."""
    best, findings = float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        findings = sum(len(check(source)) for source in files)
        best = min(best, time.perf_counter() - start)
    return best, findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=0, help="sample size (default: the whole sample, ~300)")
    parser.add_argument("--repeat", type=int, default=3, help="passes per checker; the best is kept (default: 3)")
    parser.add_argument(
        "--async-sample",
        type=int,
        default=10,
        metavar="N",
        help="time flake8-async on N evenly spaced files and extrapolate (0: all files; default: 10)",
    )
    parser.add_argument("--skip-async", action="store_true", help="do not time flake8-async")
    args = parser.parse_args()

    warnings.simplefilter("ignore", SyntaxWarning)  # invalid escapes in old stdlib code
    _, options = parse_args(["--isolated"])  # flake8's own option parsing, plugins' parse_options included

    all_files, failed = load(sample_paths())
    files = evenly_spaced(all_files, args.files)
    total_lines = sum(len(source.lines) for source in files)
    passed = sum(may_have_findings("".join(source.lines), DEFAULT_CONFIG) for source in files)

    def loopguard(source: SourceFile) -> list:
        return list(LoopGuardPlugin(source.tree, source.lines, source.name).run())

    def bugbear_checker(source: SourceFile) -> list:
        return list(
            bugbear.BugBearChecker(
                tree=source.tree,
                filename=source.name,
                lines=source.lines,
                max_line_length=options.max_line_length,
                options=options,
            ).run()
        )

    def async_plugin(source: SourceFile) -> list:
        return list(flake8_async.Plugin(source.tree, source.lines, source.name).run())

    def bare_walk(source: SourceFile) -> list:
        for _ in ast.walk(source.tree):
            pass
        return []

    results = {}  # label -> (seconds, findings, note)
    for label, check in (
        ("ast.walk (bare)", bare_walk),
        ("flake8-loopguard", loopguard),
        ("flake8-bugbear", bugbear_checker),
    ):
        seconds, findings = best_time(check, files, args.repeat)
        results[label] = (seconds, str(findings), "")
    if not args.skip_async:
        subset = evenly_spaced(files, args.async_sample)
        seconds, findings = best_time(async_plugin, subset, args.repeat)
        subset_lines = sum(len(source.lines) for source in subset)
        if len(subset) < len(files):
            note = f"EXTRAPOLATED by lines from {len(subset)} files"
            results["flake8-async"] = (seconds * total_lines / subset_lines, f"{findings} in those", note)
        else:
            results["flake8-async"] = (seconds, str(findings), "")

    console = Console(width=max(Console().width, 120))  # no wrapping when piped
    console.print(
        f"Python {sys.version.split()[0]}; flake8 {version('flake8')}, flake8-bugbear {version('flake8-bugbear')}, "
        f"flake8-async {version('flake8-async')}, flake8-loopguard {version('flake8-loopguard')}"
    )
    console.print(
        f"Sample: {len(files)} stdlib files, {total_lines} lines "
        f"({failed} candidate files skipped: did not parse); best of {args.repeat} passes"
    )
    bugbear_seconds = results["flake8-bugbear"][0]
    table = Table("checker", "seconds", "ms/file", "x bugbear", "findings", "note")
    for label, (seconds, findings, note) in results.items():
        table.add_row(
            label,
            f"{seconds:.4f}",
            f"{1000 * seconds / len(files):.3f}",
            f"{seconds / bugbear_seconds:.3f}",
            findings,
            note,
        )
    console.print(table)
    console.print(
        f"Prefilter: {passed} of {len(files)} files pass (flake8_loopguard.core.prefilter.may_have_findings, DEFAULT_CONFIG)"
    )

    ours, limit = results["flake8-loopguard"][0], BOUND * bugbear_seconds
    verdict = "OK" if ours <= limit else "FAIL"
    console.print(
        f"Bound: loopguard <= {BOUND} x bugbear = {limit:.4f} s; measured {ours:.4f} s "
        f"({ours / bugbear_seconds:.3f} x) -> {verdict}"
    )
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
