"""`loopguard check` next to ruff, over the whole Python standard library.

What is measured, each as a separate process started from a temporary folder (so that no
project configuration applies), best wall time of ``--repeat`` runs:

* ``ruff check --no-cache --select ASYNC,RUF006 --exit-zero STDLIB`` (ruff's asyncio rules),
* ``loopguard check --no-cache --exit-zero STDLIB`` (cold: every file read, the ones the
  prefilter lets through parsed and checked, the whole-project pass),
* ``loopguard check --exit-zero STDLIB`` again after one run that filled the cache (warm).

loopguard runs as a user's installation has it: installed (not editable) from this checkout
into a virtual environment of its own, made in a temporary folder (``pip install --no-deps``:
``loopguard check`` imports none of its dependencies), with its bytecode compiled once beforehand
(into a temporary ``PYTHONPYCACHEPREFIX``, even where ``PYTHONDONTWRITEBYTECODE`` is set).
Compiling its own modules on every start, or the import hook of an editable install (about
10 ms of each start), is not what a user's run pays. ``--editable`` measures the development
installation instead (the environment running this script).

The three commands are run in turn, ``--repeat`` times (ruff, cold, warm, ruff, ...), so that a
change in the machine's load falls on all three alike.

Bounds (issue 14): cold within 2.5x ruff's time, warm within 0.35x ruff's. Peak memory is the
largest resident set of the command's processes (``getrusage(RUSAGE_CHILDREN).ru_maxrss``, read
in a wrapper process that runs nothing else); CPU time (user + system, every process of the
command) is printed too, the fairer figure on a machine shared with other work. Exits 1 when a
bound is missed.

Where the time goes: the cold and the warm command are run once more in one process
(``--jobs 1``) with each step's functions wrapped in a CPU-time counter, and each step's
seconds are printed (the steps of the worker processes are the same functions).

Run:  .venv/bin/python bench/check_vs_ruff.py [--repeat R] [--jobs N] [--path DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

COLD_BOUND = 2.5
WARM_BOUND = 0.35


def measure(command: Sequence[str], cwd: str) -> Tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak MB, stderr's last line) of one run of ``command``, in a fresh wrapper."""
    wrapper = [sys.executable, __file__, "--wrap", *command]
    environment = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(cwd, "pycache"))
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    completed = subprocess.run(wrapper, cwd=cwd, capture_output=True, text=True, check=True, env=environment)
    report = json.loads(completed.stdout)
    # 2 is expected of loopguard here: the stdlib's test data holds files in unknown encodings.
    if report["returncode"] not in (0, 2):
        raise SystemExit(f"{' '.join(command)} exited {report['returncode']}:\n{report['stderr']}")
    last_line = report["stderr"].strip().splitlines()[-1] if report["stderr"].strip() else ""
    return report["seconds"], report["cpu_seconds"], report["peak_kb"] / 1024, last_line


def wrap(command: Sequence[str]) -> None:
    started = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_kb": usage.ru_maxrss,
        "returncode": completed.returncode,
        "stderr": completed.stderr,
    }
    print(json.dumps(report))


def best(runs: Sequence[Tuple[float, float, float, str]]) -> Tuple[float, float, float, str]:
    """The best wall time and the best CPU time of the runs, the largest peak, the last summary."""
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs), runs[-1][3]


# step -> (module, attribute): the functions whose CPU time makes each step (the first matching
# wrapper counts; a step inside another is subtracted from it by the nesting below).
STEPS: Tuple[Tuple[str, str, str], ...] = (
    ("find the files", "flake8_loopguard.commands.check.command", "discover"),
    ("open the cache (MAC, JSON)", "flake8_loopguard.commands.check.run:Run", "_open_cache"),
    ("read", "flake8_loopguard.commands.check.files", "read_source_bytes"),
    ("decode", "flake8_loopguard.commands.check.files", "decode_source"),
    ("prefilter", "flake8_loopguard.core.engine", "may_have_findings"),
    ("ast.parse", "flake8_loopguard.core.engine:ast", "parse"),
    ("model (one walk)", "flake8_loopguard.core.engine", "Module"),
    ("rules", "flake8_loopguard.core.engine", "_findings"),
    ("summary of a parsed file", "flake8_loopguard.commands.check.analysis", "summarize"),
    ("imports of a skipped file", "flake8_loopguard.commands.check.analysis", "summarize_imports_only"),
    ("hand-over round (graph, names)", "flake8_loopguard.commands.check.run:Run", "_model_hand_over_files"),
    ("whole-project findings", "flake8_loopguard.commands.check.run:Run", "project_findings"),
    ("report", "flake8_loopguard.commands.check.command", "report"),
    ("write the cache", "flake8_loopguard.commands.check.run:Run", "save_cache"),
)


def steps(argv: Sequence[str]) -> None:
    """Run ``loopguard ARGV`` in this process with each step timed; print the steps as JSON."""
    import importlib

    started = time.process_time()
    from flake8_loopguard import cli

    importlib.import_module("flake8_loopguard.commands.check.command")
    spent = {"start-up (imports)": time.process_time() - started}
    counts = {}
    active: List[str] = []  # the steps being timed, innermost last: a step inside another is not counted twice

    def timed(label: str, function):
        def wrapper(*args, **kwargs):
            begun = time.process_time()
            active.append(label)
            try:
                return function(*args, **kwargs)
            finally:
                active.pop()
                seconds = time.process_time() - begun
                spent[label] = spent.get(label, 0.0) + seconds
                counts[label] = counts.get(label, 0) + 1
                if active:
                    spent[active[-1]] -= seconds
        return wrapper

    for label, where, name in STEPS:
        module_name, _, attribute = where.partition(":")
        owner = importlib.import_module(module_name)
        if attribute:
            owner = getattr(owner, attribute)
        setattr(owner, name, timed(label, getattr(owner, name)))
    begun = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        cli.main(list(argv))
    total = time.process_time() - begun + spent["start-up (imports)"]
    print(json.dumps({"steps": spent, "counts": counts, "total": total}))


def where_the_time_goes(command: Sequence[str], cwd: str) -> dict:
    environment = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(cwd, "pycache"))
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    completed = subprocess.run(
        [sys.executable, __file__, "--steps", *command], cwd=cwd, capture_output=True, text=True, check=True,
        env=environment,
    )
    return json.loads(completed.stdout)


def print_steps(title: str, timing: dict) -> None:
    print(title)
    print(f"  {'step':<34} {'calls':>6} {'CPU s':>7}")
    for label, seconds in timing["steps"].items():
        calls = timing["counts"].get(label, 1 if label.startswith("start-up") else 0)
        if calls:
            print(f"  {label:<34} {calls:>6} {seconds:>7.3f}")
    accounted = sum(timing["steps"].values())
    print(f"  {'other (argument parsing, tasks...)':<34} {'':>6} {timing['total'] - accounted:>7.3f}")
    print(f"  {'total (one process)':<34} {'':>6} {timing['total']:>7.3f}")


def loopguard_command() -> List[str]:
    script = Path(sys.executable).with_name("loopguard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flake8_loopguard"]


def installed_loopguard(workdir: str) -> List[str]:
    """The console script of loopguard installed from this checkout, not editable, into a new
    virtual environment under ``workdir`` (the interpreter running this script makes it)."""
    environment = os.path.join(workdir, "installed")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", environment], check=True)
    scripts = Path(environment, "Scripts" if os.name == "nt" else "bin")
    python = next(path for path in (scripts / "python", scripts / "python.exe") if path.exists())
    extra = ["tomli"] if sys.version_info < (3, 11) else []  # the one dependency `check` imports there
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
         str(Path(__file__).resolve().parent.parent), *extra],
        capture_output=True, text=True,
    )  # fmt: skip
    if completed.returncode != 0:
        raise SystemExit(f"cannot install loopguard for the measurement (--editable skips that):\n{completed.stderr}")
    return [str(scripts / "loopguard")]


def ruff_command() -> List[str]:
    ruff = Path(sys.executable).with_name("ruff")
    found = str(ruff) if ruff.exists() else shutil.which("ruff")
    if found is None:
        raise SystemExit("ruff is not installed: pip install ruff")
    return [found]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Nine: on a 2-core machine shared with other work one run in three is 10 to 20 % slow; the
    # best of nine turns, each command in each turn, gives both commands a quiet moment.
    parser.add_argument("--repeat", type=int, default=9, help="runs per measurement; the best counts (default 9)")
    parser.add_argument("--jobs", type=int, help="loopguard --jobs (default: its own, one per core)")
    parser.add_argument("--path", default=sysconfig.get_paths()["stdlib"], help="the tree to check (default: stdlib)")
    parser.add_argument(
        "--editable", action="store_true", help="measure this environment's (development) installation as it is"
    )
    args = parser.parse_args(argv)

    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="loopguard-bench-") as workdir:
        loopguard = loopguard_command() if args.editable else installed_loopguard(workdir)
        # The interpreter's own start, which every loopguard run pays (the warm run's floor).
        bare_start = best([measure([str(Path(loopguard[0]).with_name("python")), "-c", "pass"], workdir)
                           for _ in range(args.repeat)])  # fmt: skip
        cache = ["--cache-dir", os.path.join(workdir, "cache")]
        ruff = [*ruff_command(), "check", "--no-cache", "--select", "ASYNC,RUF006", "--exit-zero", "-q", args.path]
        cold = [*loopguard, "check", "--no-cache", "--exit-zero", "-v", *jobs, args.path]
        warm = [*loopguard, "check", "--exit-zero", "-v", *cache, *jobs, args.path]

        measure([*loopguard, "--version"], workdir)  # compiles loopguard's bytecode
        measure(warm, workdir)  # fills the cache
        runs: Dict[str, list] = {"ruff": [], "cold": [], "warm": []}
        for _turn in range(args.repeat):
            for name, command in (("ruff", ruff), ("cold", cold), ("warm", warm)):
                runs[name].append(measure(command, workdir))
        ruff_wall, ruff_cpu, ruff_mb, _ = best(runs["ruff"])
        cold_wall, cold_cpu, cold_mb, cold_summary = best(runs["cold"])
        warm_wall, warm_cpu, warm_mb, warm_summary = best(runs["warm"])
        cold_steps = where_the_time_goes(["check", "--no-cache", "--exit-zero", "--jobs", "1", args.path], workdir)
        warm_steps = where_the_time_goes(["check", "--exit-zero", "--jobs", "1", *cache, args.path], workdir)

    print(f"tree: {args.path}")
    installation = "this environment (--editable)" if args.editable else "installed from this checkout, not editable"
    print(f"loopguard: {installation}")
    print(
        f"cores: {os.cpu_count()}, 1-minute load average: {load_at_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end; best of {args.repeat} runs each"
    )
    print(f"the interpreter's start (python -c pass): {bare_start[0]:.3f} s wall, {bare_start[1]:.3f} s CPU")
    print(f"cold run: {cold_summary.removeprefix('loopguard: ')}")
    print(f"warm run: {warm_summary.removeprefix('loopguard: ')}")
    print()
    rows = [
        ("ruff check --select ASYNC,RUF006 --no-cache", ruff_wall, ruff_cpu, None, ruff_mb),
        ("loopguard check --no-cache (cold)", cold_wall, cold_cpu, COLD_BOUND, cold_mb),
        ("loopguard check, cache filled (warm)", warm_wall, warm_cpu, WARM_BOUND, warm_mb),
    ]
    print(f"{'command':<44} {'wall s':>7} {'x ruff':>7} {'bound':>6} {'CPU s':>7} {'x ruff':>7} {'peak MB':>8}")
    for name, wall, cpu, bound, megabytes in rows:
        shown_bound = f"{bound:.2f}" if bound is not None else ""
        print(
            f"{name:<44} {wall:>7.2f} {wall / ruff_wall:>7.2f} {shown_bound:>6} {cpu:>7.2f} {cpu / ruff_cpu:>7.2f}"
            f" {megabytes:>8.0f}"
        )
    # The bounds are on wall time, as the issue states them; CPU time is printed for loaded machines.
    missed = [name for name, wall, _cpu, bound, _mb in rows if bound is not None and wall / ruff_wall > bound]
    cpu_missed = [name for name, _wall, cpu, bound, _mb in rows if bound is not None and cpu / ruff_cpu > bound]
    print()
    print("bounds met (wall)" if not missed else f"bound missed (wall): {', '.join(missed)}")
    print("bounds met (CPU)" if not cpu_missed else f"bound missed (CPU): {', '.join(cpu_missed)}")
    print()
    print_steps("where the cold run's time goes (one process, --jobs 1):", cold_steps)
    print_steps("where the warm run's time goes (one process):", warm_steps)
    return 1 if missed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--wrap"]:
        wrap(sys.argv[2:])
    elif sys.argv[1:2] == ["--steps"]:
        steps(sys.argv[2:])
    else:
        sys.exit(main(sys.argv[1:]))
