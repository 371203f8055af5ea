"""Does flake8-loopguard ever crash? Run it over every installed Python file.

Walks every ``.py`` file of the standard library and of the site-packages
directories of the interpreter running this script (paths deduplicated; the
stdlib walk leaves out its own ``site-packages``, which belongs to another
environment). Each file is read as bytes and decoded the way ``tokenize.open``
does (PEP 263 cookie or BOM, universal newlines), parsed with ``ast.parse``, and
handed to ``LoopGuardPlugin(tree, lines, filename).run()``. Files that cannot be
decoded or do not parse are skipped and counted; any exception raised by our
plugin is an internal error. The first 20 are printed with a traceback summary.

Prints: files checked, files skipped (decoding / syntax), files that passed the
prefilter, total findings, internal errors, elapsed time. Exits 1 on any
internal error.

Run:  .venv/bin/python bench/internal_errors.py
"""

from __future__ import annotations

import ast
import io
import os
import site
import sys
import sysconfig
import time
import tokenize
import traceback
import warnings
from typing import Iterator, List, Tuple

from flake8_loopguard.core.config import DEFAULT_CONFIG
from flake8_loopguard.flake8_plugin import LoopGuardPlugin
from flake8_loopguard.core.prefilter import may_have_findings

SHOWN_ERRORS = 20


def roots() -> Tuple[str, List[str]]:
    site_dirs = site.getsitepackages() + [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    if site.ENABLE_USER_SITE:
        site_dirs.append(site.getusersitepackages())
    return sysconfig.get_paths()["stdlib"], [path for path in dict.fromkeys(site_dirs) if os.path.isdir(path)]


def python_files() -> List[str]:
    stdlib, site_dirs = roots()
    seen = {}
    for root in [stdlib, *site_dirs]:
        for directory, subdirs, names in os.walk(root):
            subdirs[:] = sorted(
                d
                for d in subdirs
                if d != "__pycache__" and not (root == stdlib and d in ("site-packages", "dist-packages"))
            )
            for name in sorted(names):
                if name.endswith(".py"):
                    path = os.path.join(directory, name)
                    seen.setdefault(os.path.realpath(path), path)
    return list(seen.values())


def read_lines(path: str) -> List[str]:
    """Like ``tokenize.open(path).readlines()``; raises SyntaxError, LookupError or UnicodeDecodeError."""
    with open(path, "rb") as handle:
        data = handle.read()
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return io.TextIOWrapper(io.BytesIO(data), encoding).readlines()


def with_progress(paths: List[str]) -> Iterator[str]:
    if not sys.stdout.isatty():
        return iter(paths)
    from rich.progress import track

    return iter(track(paths, description="loopguard"))


def main() -> int:
    warnings.simplefilter("ignore")  # SyntaxWarnings from ast.parse of third-party code
    start = time.perf_counter()
    paths = python_files()
    checked = undecodable = unparsable = prefiltered = findings = 0
    errors: List[Tuple[str, str]] = []
    for path in with_progress(paths):
        try:
            lines = read_lines(path)
        except (SyntaxError, LookupError, UnicodeDecodeError):
            undecodable += 1
            continue
        source = "".join(lines)
        try:
            tree = ast.parse(source, filename=path)
        except (SyntaxError, ValueError):
            unparsable += 1
            continue
        checked += 1
        prefiltered += may_have_findings(source, DEFAULT_CONFIG)
        try:
            findings += len(list(LoopGuardPlugin(tree, lines, path).run()))
        except Exception as exc:  # any exception from our plugin is what we are looking for
            frames = traceback.extract_tb(exc.__traceback__)[1:][-5:]  # innermost frames, ours first
            where = "\n".join(f"    {frame.filename}:{frame.lineno} in {frame.name}" for frame in frames)
            errors.append((path, f"  {type(exc).__name__}: {exc}\n{where}"))
    elapsed = time.perf_counter() - start

    for path, summary in errors[:SHOWN_ERRORS]:
        print(f"INTERNAL ERROR in {path}\n{summary}")
    stdlib, site_dirs = roots()
    print(f"Python {sys.version.split()[0]}; roots: {stdlib} (stdlib), {', '.join(site_dirs)}")
    print(f"files found:            {len(paths)}")
    print(f"files checked:          {checked}")
    print(f"skipped (decoding):     {undecodable}")
    print(f"skipped (syntax):       {unparsable}")
    print(f"passed the prefilter:   {prefiltered}")
    print(f"total findings:         {findings}")
    print(f"internal errors:        {len(errors)}")
    print(f"elapsed:                {elapsed:.1f} s")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
