"""``loopguard check --jobs 1`` next to ``--jobs 2`` (and the default), and where the time goes.

The project: N small modules, copies of the standard library's modules under 12 KB (its
``asyncio`` package included, so some of them use asyncio), 100 to a folder. For each N:

* the commands, ``check --no-cache --exit-zero`` with ``--jobs 1``, ``--jobs 2`` and no
  ``--jobs`` (one process per core, as many as the work pays for), run in turn (1, 2, default,
  1, 2, default, ...) ``--repeat`` times, each a fresh process: wall seconds and CPU seconds (user
  + system, the worker processes included), min and median. The turns keep the comparison fair
  when the machine's speed drifts; on a machine that runs other work the wall times spread, the
  CPU times much less: read the medians, and the CPU times for the cost of the processes.
* one more run of each, in a process that times the steps of the run (the same code, its
  functions wrapped): importing loopguard, finding the files,
  checking them (with worker processes: until the first process starts on its files, the
  processes' work, the results coming back), collecting the records, the whole-project pass,
  the report.

Run:  .venv/bin/python bench/check_jobs.py [--files 1000,5000,20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

SMALL_MODULE_BYTES = 12_000
SETTINGS = {"1": ["--jobs", "1"], "2": ["--jobs", "2"], "default": []}


def make_project(root: Path, count: int) -> int:
    """``count`` copies of small standard library modules under ``root``; their total size."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    candidates = sorted(stdlib.glob("*.py")) + sorted((stdlib / "asyncio").glob("*.py"))
    sources = [path.read_bytes() for path in candidates if path.stat().st_size < SMALL_MODULE_BYTES]
    total = 0
    for index in range(count):
        folder = root / f"pkg{index // 100:03}"
        folder.mkdir(parents=True, exist_ok=True)
        data = sources[index % len(sources)]
        (folder / f"m{index % 100:02}.py").write_bytes(data)
        total += len(data)
    return total


def heading(setting: str) -> str:
    return "no --jobs" if setting == "default" else f"--jobs {setting}"


def loopguard_command() -> List[str]:
    script = Path(sys.executable).with_name("loopguard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flake8_loopguard"]


def measure(command: Sequence[str], cwd: Path) -> Tuple[float, float]:
    """(wall seconds, CPU seconds of the process and the processes it waited for) of one run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 2):  # 2: a file the stdlib holds in an encoding Python lacks
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


# ----- the timed run: one `loopguard check` with its steps wrapped ----------------------------------


def timed_run(arguments: Sequence[str]) -> None:
    """Run ``loopguard check`` here with its steps timed; print them as JSON on stdout."""
    started = time.monotonic()  # CLOCK_MONOTONIC: the same clock in the worker processes
    from flake8_loopguard.commands.check import command as check_command
    from flake8_loopguard.commands.check import files as check_files
    from flake8_loopguard.commands.check import run as check_run

    imported = time.monotonic()
    steps: Dict[str, float] = {}
    workers_file = tempfile.NamedTemporaryFile("r", suffix=".jsonl")

    def timed(owner, name: str, step: str) -> None:
        function = getattr(owner, name)

        def wrapper(*args, **kwargs):
            begin = time.monotonic()
            try:
                return function(*args, **kwargs)
            finally:
                steps[step] = steps.get(step, 0.0) + time.monotonic() - begin

        setattr(owner, name, wrapper)

    share = check_files._check_share

    def timed_share(shared_tasks):
        begin, cpu = time.monotonic(), time.process_time()
        done = share(shared_tasks)
        import pickle

        result_bytes = len(pickle.dumps(done, pickle.HIGHEST_PROTOCOL))
        with open(workers_file.name, "a") as stream:
            line = {"begin": begin, "end": time.monotonic(), "cpu": time.process_time() - cpu}
            stream.write(json.dumps({**line, "files": len(done), "result_mb": result_bytes / 1e6}) + "\n")
        return done

    # Sent to the processes by name: under the name of the function it stands for.
    timed_share.__module__, timed_share.__qualname__ = share.__module__, share.__qualname__
    check_files._check_share = timed_share
    workers_check = check_files.FileWorkers.check

    def timed_workers_check(self, tasks):
        steps.setdefault("first submit", time.monotonic())
        outcomes = workers_check(self, tasks)
        steps.setdefault("results back", time.monotonic())
        return outcomes

    check_files.FileWorkers.check = timed_workers_check
    timed(check_command, "discover", "finding the files")
    timed(check_run.Run, "_check", "checking the files")
    timed(check_run.Run, "_collect", "collecting the records")
    timed(check_command, "_project_located", "whole-project pass")
    timed(check_command, "_report", "report")
    from flake8_loopguard.cli import main

    with open(os.devnull, "w") as devnull:
        stdout, sys.stdout = sys.stdout, devnull
        try:
            main(["check", "--no-cache", "--exit-zero", *arguments])
        finally:
            sys.stdout = stdout
    ended = time.monotonic()
    workers = [json.loads(line) for line in workers_file]
    first_phase = [worker for worker in workers if worker["begin"] < steps["results back"]] if workers else []
    times = os.times()
    report: Dict[str, object] = {
        "importing loopguard": imported - started,
        "finding the files": steps["finding the files"],
        "checking the files": steps["checking the files"],
        # With worker processes, the first phase (the phases after it check few files):
        "  until the first process starts": None,
        "  the processes' work (the longest)": None,
        "  results back after the last process": None,
        "collecting the records": steps["collecting the records"],
        "whole-project pass": steps.get("whole-project pass", 0.0),
        "report": steps["report"],
        "total (after the interpreter's start)": ended - started,
        "CPU s of this process": times.user + times.system,
        "CPU s of the worker processes": times.children_user + times.children_system,
    }
    if first_phase:
        report["  until the first process starts"] = min(w["begin"] for w in first_phase) - steps["first submit"]
        report["  the processes' work (the longest)"] = max(w["end"] - w["begin"] for w in first_phase)
        report["  results back after the last process"] = steps["results back"] - max(w["end"] for w in first_phase)
    report["workers"] = [
        f"{w['files']} files, {w['cpu']:.2f} s CPU, {w['result_mb']:.1f} MB of results" for w in first_phase
    ]
    print(json.dumps(report))


def time_steps(arguments: Sequence[str], cwd: Path) -> Dict[str, object]:
    completed = subprocess.run(
        [sys.executable, __file__, "--timed-run", *arguments], cwd=cwd, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout)


# ----- the comparison ----------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", default="1000,5000,20000", help="project sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (default 5)")
    args = parser.parse_args(argv)

    print(f"cores: {len(os.sched_getaffinity(0))}, 1-minute load average before: {os.getloadavg()[0]:.1f}")
    command = loopguard_command()
    for count in [int(text) for text in args.files.split(",")]:
        with tempfile.TemporaryDirectory(prefix="loopguard-jobs-") as folder:
            root = Path(folder)
            total = make_project(root / "project", count)
            measure([*command, "--version"], root)  # bytecode compiled, files in the page cache
            measure([*command, "check", "--no-cache", "--exit-zero", "project"], root)
            runs: Dict[str, List[Tuple[float, float]]] = {name: [] for name in SETTINGS}
            check = [*command, "check", "--no-cache", "--exit-zero"]
            for _ in range(args.repeat):
                for name, flags in SETTINGS.items():
                    runs[name].append(measure([*check, *flags, "project"], root))
            steps = {name: time_steps([*flags, "project"], root) for name, flags in SETTINGS.items()}
        print()
        load = os.getloadavg()[0]
        print(f"{count} files, {total / 1e6:.1f} MB; {args.repeat} runs each; load average now {load:.1f}")
        print(f"{'':44}" + "".join(f"{heading(name):>18}" for name in SETTINGS))
        for label, column in (("wall s, min / median", 0), ("CPU s, min / median", 1)):
            cells = []
            for name in SETTINGS:
                values = [run[column] for run in runs[name]]
                cells.append(f"{min(values):.2f} / {statistics.median(values):.2f}")
            print(f"{label:44}" + "".join(f"{cell:>18}" for cell in cells))
        ratio = statistics.median(runs["2"][i][0] / runs["1"][i][0] for i in range(args.repeat))
        print(f"{'wall --jobs 2 / --jobs 1, median of the turns':44}{ratio:>18.2f}")
        print("where the time goes (one timed run each, seconds):")
        for key in [key for key in steps["1"] if key != "workers"]:
            cells = [f"{steps[name][key]:.3f}" if steps[name][key] is not None else "" for name in SETTINGS]
            print(f"  {key:42}" + "".join(f"{cell:>18}" for cell in cells))
        for name in SETTINGS:
            for worker in steps[name].get("workers", []):
                print(f"  worker process ({heading(name)}): {worker}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--timed-run"]:
        timed_run(sys.argv[2:])
    else:
        sys.exit(main(sys.argv[1:]))
