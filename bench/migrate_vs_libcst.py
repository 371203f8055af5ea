"""``loopguard migrate`` against ``python -m libcst.tool codemod`` over the whole standard library.

What is measured, each as a subprocess, wall-clock time and the peak resident memory of its
largest process (``wait4``'s ``ru_maxrss``: a parent and the workers it reaped):

* ``loopguard migrate --jobs J <stdlib>``: diff mode, all the codemods, run on the standard
  library directory itself (``sysconfig``'s ``stdlib`` path). Its ``site-packages`` folder is
  skipped, as every walk of ``loopguard`` skips it. Every file's size and modification time are
  recorded before and compared after: the script fails if ``migrate`` wrote anything.
* ``python -m libcst.tool codemod get_event_loop_to_running_loop.GetEventLoopToRunningLoop -j J
  <copy>``: one codemod, run from the repository root (where ``.libcst.codemod.yaml`` is) on a
  copy of the same files in a temporary folder, because ``libcst.tool`` has no dry run.

Why ``migrate`` is faster: it lints each file with ``ast`` behind the prefilter first and
parses with libcst only the files that have a finding a codemod fixes; in those, a codemod that
rewrites at its findings descends only into the nodes that hold one, and added imports are placed
without walking the module; ``run_to_await``'s plan is made while the worker processes start on
the files. ``libcst.tool`` parses and transforms every file.

The machine's load average is printed before each command: the two run in turn, in the same run
(a libcst.tool time from an earlier run, ``--skip-libcst``, does not measure the bound).

The script exits 1 when ``migrate`` writes a file, reports an internal error, or is not at least
``BOUND`` times faster.

Run:  .venv/bin/python bench/migrate_vs_libcst.py [--jobs 2] [--skip-libcst SECONDS]
      (``--skip-libcst 187`` uses a previous libcst.tool time instead of running it again)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
BOUND = 15.0  # migrate must be at least this many times faster
SKIPPED_FOLDERS = ("site-packages", "__pycache__")


def run_measured(command: Sequence[str], cwd: Path) -> Tuple[float, float, int, int, bytes]:
    """(wall seconds, CPU seconds, peak RSS in MiB, exit code, stderr) of one command; stdout is discarded.

    The CPU time (user + system, the workers included) hardly depends on what else the machine
    runs; the wall time does.
    """
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        # ru_maxrss is in KiB on Linux.
        cpu = usage.ru_utime + usage.ru_stime
        return elapsed, cpu, usage.ru_maxrss // 1024, process.returncode, stderr.read()


def file_states(root: Path) -> Dict[str, Tuple[int, int]]:
    states = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS]
        for name in files:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            states[path] = (info.st_size, info.st_mtime_ns)
    return states


def python_files(root: Path) -> int:
    return sum(1 for path in file_states(root) if path.endswith(".py"))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-libcst", type=float, metavar="SECONDS", help="use this libcst.tool time")
    args = parser.parse_args(argv)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    print(f"standard library: {stdlib} ({python_files(stdlib)} .py files outside site-packages), jobs={args.jobs}")

    before = file_states(stdlib)
    print(f"load average before migrate: {_load()}")
    with tempfile.TemporaryDirectory() as scratch:
        # An empty working folder: no pyproject.toml, no git work tree around the run.
        migrate = [sys.executable, "-m", "flake8_loopguard", "migrate", "--jobs", str(args.jobs), str(stdlib)]
        migrate_time, migrate_cpu, migrate_rss, migrate_code, migrate_err = run_measured(migrate, Path(scratch))
    written = [path for path, state in file_states(stdlib).items() if before.get(path) != state]
    summary = migrate_err.decode("utf-8", "replace")
    failed = re.search(r"^failed +(\d+)$", summary, re.MULTILINE)
    print(
        f"loopguard migrate:   {migrate_time:7.1f} s wall  {migrate_cpu:7.1f} s CPU"
        f"   peak {migrate_rss:5d} MiB   exit {migrate_code}"
    )
    print(f"  files it could not migrate (named on its stderr): {failed.group(1) if failed else '?'}")
    print(f"  its verdict: {summary.splitlines()[-1] if summary else ''}")

    if args.skip_libcst is not None:
        libcst_time, libcst_cpu = args.skip_libcst, 0.0
        print(f"libcst.tool codemod: {libcst_time:7.1f} s   (given, not run: an earlier run's time does not measure the bound)")
    else:
        print(f"load average before libcst.tool: {_load()}")
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "stdlib"
            shutil.copytree(stdlib, copy, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED_FOLDERS))
            # The codemod's name comes before the options: libcst.tool finds it by position.
            codemod = [
                sys.executable, "-m", "libcst.tool", "codemod",
                "get_event_loop_to_running_loop.GetEventLoopToRunningLoop", "-j", str(args.jobs), str(copy),
            ]
            libcst_time, libcst_cpu, libcst_rss, libcst_code, _ = run_measured(codemod, REPO)
        print(
            f"libcst.tool codemod: {libcst_time:7.1f} s wall  {libcst_cpu:7.1f} s CPU"
            f"   peak {libcst_rss:5d} MiB   exit {libcst_code} (files it cannot parse count as failures)"
        )

    ratio = libcst_time / migrate_time
    print(f"ratio: migrate is {ratio:.1f}x faster in wall time (bound: {BOUND:.0f}x)")
    if libcst_cpu:
        print(f"       and {libcst_cpu / migrate_cpu:.1f}x cheaper in CPU time")
    problems = []
    if written:
        problems.append(f"migrate wrote {len(written)} file(s), e.g. {written[0]}")
    if "internal error" in summary or "Traceback" in summary:
        problems.append("migrate reported an internal error (see its stderr)")
    if ratio < BOUND:
        problems.append(f"migrate is only {ratio:.1f}x faster")
    for problem in problems:
        print(f"FAIL: {problem}")
    if "internal error" in summary or "Traceback" in summary:
        print("\n".join(line for line in summary.splitlines() if "internal error" in line or "Traceback" in line))
    return 1 if problems else 0


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
