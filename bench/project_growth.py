"""Cost grows linearly with the project and inside one function: seconds per unit at growing sizes.

Two kinds of growth, each at three sizes:

* Projects of many modules (``--modules``, default 1k, 4k and 16k), each module with loop
  sites, checked by ``loopguard check --no-cache --jobs 1 --exit-zero`` in a fresh process, as
  a user runs it, with the whole-project rules on. The time of the same command over an empty
  folder (the interpreter starting) is taken off. The unit is a module. Shapes:

  - ``hub``: every module has a helper that makes, drives and runs a loop; one entry point
    calls them all (one LG107 naming every other owner, an LG101-LG103 per helper);
  - ``entry-points``: every module is an entry point with its own loop, and calls the
    loop-making helper of the module before it;
  - ``process-pools``: every module hands its worker, and the worker of the module before it,
    to a process pool (one entry point per process), and the worker also calls a function of
    the module before it that makes a second loop (LG107 in each process);
  - ``script-dirs``: every folder is a program whose ``main.py`` imports ``from utils import
    helper``, as a script run from its folder does; a thread and a coroutine reach the helper's
    loop (the project has thousands of modules named ``*.utils``);
  - ``middle-modules``: a thread target in one module calls, through a module that mentions no
    loop (``import pkg``, ``pkg.net_N.fetch()``), a loop helper in a third.

* One generated file that grows inside one function or class (``--units``, default 1k, 4k
  and 16k), through the per-file engine with every rule on (opt-in ones too), then its
  whole-project summary and the whole-project pass over it (what ``loopguard check`` does with a
  file), in a child process with the cycle collector off, as ``loopguard check`` runs. The
  unit is one repetition of the shape:

  - ``task-groups``: ``async with asyncio.TaskGroup() as tgN: tgN.create_task(...)`` blocks;
  - ``task-locals``: ``tN = asyncio.create_task(...)``, awaited;
  - ``rebound-task``: ``t = asyncio.create_task(...)`` again and again (LG202 each);
  - ``task-attributes``: ``self.task_N = asyncio.create_task(...)`` in one method;
  - ``rebound-receiver``: ``loop = make(N); loop.run_until_complete(...)`` and ``runner =
    make(N); runner.run_forever()`` (a loop by its name; bound to calls that make no loop)
    again and again in one function;
  - ``annotated-parameters``: coroutines ``f(client: httpx.Client, loop)`` blocking on both;
  - ``class-family``: classes of one same-file base, each running a loop in ``run()``;
  - ``class-chain``: each class a subclass of the previous one, a loop class at the root;
  - ``entry-branches``: an entry function with ``if``/``else`` branches owning loops;
  - ``loop-sites``: functions that make, drive and run loops, all called by the entry point.

Prints seconds and microseconds per unit for each size. The script is also a check: it exits
1 when, for some shape, the time per unit at the largest size exceeds ``SLOPE_BOUND`` times
that at the smallest (a quadratic cost would show 16 times at 16x the size). A run that takes
longer than ``--timeout`` seconds is stopped and counts as over the bound.

Run:  .venv/bin/python bench/project_growth.py [--modules 1000,4000,16000]
                                              [--units 1000,4000,16000] [--only SHAPE,...]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from flake8_loopguard.core.config import Config
from flake8_loopguard.core.engine import analyse_source
from flake8_loopguard.core.rules import all_rules
from flake8_loopguard.project import Project, summarize

SLOPE_BOUND = 2.0
EVERY_RULE = Config(opt_in_codes=tuple(rule.code for rule in all_rules()))
LOOPGUARD = str(Path(sys.executable).with_name("loopguard"))

# ----- projects: path -> text, for n modules ---------------------------------------------

Files = Dict[str, str]


def hub(n: int) -> Files:
    files = {"pkg/__init__.py": ""}
    for i in range(n):
        files[f"pkg/m{i}.py"] = (
            "import asyncio\n\n\nasync def job():\n    pass\n\n\n"
            f"def run_{i}():\n    loop = asyncio.new_event_loop()\n    loop.run_until_complete(job())\n"
            "    return asyncio.run(job())\n"
        )
    imports = "".join(f"from pkg.m{i} import run_{i}\n" for i in range(n))
    calls = "".join(f"    run_{i}()\n" for i in range(n))
    files["main.py"] = (
        f"import asyncio\n{imports}\n\nasync def job():\n    pass\n\n\ndef main():\n{calls}\n\n"
        "if __name__ == '__main__':\n    asyncio.run(job())\n    main()\n"
    )
    return files


def entry_points(n: int) -> Files:
    files = {"pkg/__init__.py": ""}
    for i in range(n):
        previous = f"from pkg.m{i - 1} import helper_{i - 1}\n" if i else ""
        files[f"pkg/m{i}.py"] = (
            f"import asyncio\n{previous}\n\nasync def job():\n    pass\n\n\n"
            f"def helper_{i}():\n    loop = asyncio.new_event_loop()\n    loop.run_until_complete(job())\n\n\n"
            f"if __name__ == '__main__':\n    asyncio.run(job())\n    helper_{i}()\n"
            + (f"    helper_{i - 1}()\n" if i else "")
        )
    return files


def process_pools(n: int) -> Files:
    files = {"pkg/__init__.py": ""}
    for i in range(n):
        previous = f"from pkg.m{i - 1} import crunch_{i - 1}, settle_{i - 1}\n" if i else ""
        files[f"pkg/m{i}.py"] = (
            f"import asyncio\nfrom concurrent.futures import ProcessPoolExecutor\n{previous}\n\n"
            "async def solve(job):\n    return job\n\n\n"
            f"def settle_{i}():\n    return asyncio.new_event_loop()\n\n\n"
            f"def crunch_{i}(job):\n    asyncio.run(solve(job))\n"
            + (f"    settle_{i - 1}()\n" if i else "")
            + f"\n\ndef start_{i}(jobs):\n    with ProcessPoolExecutor() as pool:\n        pool.submit(crunch_{i}, jobs)\n"
            + (f"        pool.submit(crunch_{i - 1}, jobs)\n" if i else "")
        )
    return files


def script_dirs(n: int) -> Files:
    files = {}
    for i in range(n // 2):
        files[f"tool{i}/utils.py"] = (
            "import asyncio\n\n\nasync def job():\n    pass\n\n\ndef helper():\n    return asyncio.run(job())\n"
        )
        files[f"tool{i}/main.py"] = (
            "import asyncio\nimport threading\n\nfrom utils import helper\n\n\n"
            "async def handler():\n    helper()\n\n\n"
            "if __name__ == '__main__':\n    threading.Thread(target=helper).start()\n    asyncio.run(handler())\n"
        )
    return files


def middle_modules(n: int) -> Files:
    files = {"pkg/__init__.py": ""}
    for i in range(0, n, 3):
        files[f"pkg/net_{i}.py"] = (
            "import asyncio\n\n\nasync def job():\n    pass\n\n\ndef fetch():\n    return asyncio.run(job())\n"
        )
        files[f"pkg/relay_{i}.py"] = (
            f'"""Mentions no loop."""\nimport pkg\n\n\ndef relay():\n    return pkg.net_{i}.fetch()\n'
        )
        files[f"pkg/view_{i}.py"] = (
            f"import threading\n\nfrom pkg.relay_{i} import relay\n\n\n"
            "def start():\n    threading.Thread(target=relay).start()\n"
        )
    return files


PROJECTS: Dict[str, Callable[[int], Files]] = {
    "hub": hub,
    "entry-points": entry_points,
    "process-pools": process_pools,
    "script-dirs": script_dirs,
    "middle-modules": middle_modules,
}

# ----- one file, growing inside a function or a class: its text for n units --------------

PRELUDE = "import asyncio\nimport httpx\n\n\nasync def job():\n    pass\n\n\n"


def task_groups(n: int) -> str:
    blocks = "".join(
        f"    async with asyncio.TaskGroup() as tg{i}:\n        tg{i}.create_task(job())\n" for i in range(n)
    )
    return f"{PRELUDE}async def many():\n{blocks}"


def task_locals(n: int) -> str:
    blocks = "".join(f"    t{i} = asyncio.create_task(job())\n    if t{i}:\n        await t{i}\n" for i in range(n))
    return f"{PRELUDE}async def many():\n{blocks}"


def rebound_task(n: int) -> str:
    blocks = "    t = asyncio.create_task(job())\n" * n
    return f"{PRELUDE}async def many():\n{blocks}    await t\n"


def task_attributes(n: int) -> str:
    made = "".join(f"        self.task_{i} = asyncio.create_task(job())\n" for i in range(n))
    cancelled = "".join(f"        self.task_{i}.cancel()\n" for i in range(n))
    return f"{PRELUDE}class Owner:\n    async def start(self):\n{made}\n    async def stop(self):\n{cancelled}"


def rebound_receiver(n: int) -> str:
    blocks = "".join(
        f"    loop = make({i})\n    loop.run_until_complete(job())\n    runner = make({i})\n    runner.run_forever()\n"
        for i in range(n)
    )
    return f"{PRELUDE}def many(make):\n{blocks}"


def annotated_parameters(n: int) -> str:
    return PRELUDE + "".join(
        f"async def fetch_{i}(client: httpx.Client, loop):\n    client.get('/')\n    loop.run_until_complete(job())\n\n\n"
        for i in range(n)
    )


def class_family(n: int) -> str:
    classes = "".join(
        f"class Worker{i}(Base):\n    def run(self):\n        self.prepare()\n        asyncio.run(job())\n\n\n"
        for i in range(n)
    )
    return f"{PRELUDE}class Base:\n    def prepare(self):\n        pass\n\n\n{classes}"


def class_chain(n: int) -> str:
    classes = "".join(
        f"class Loop{i}(Loop{i - 1}):\n    def step_{i}(self):\n        self.run_until_complete(job())\n\n\n"
        for i in range(1, n)
    )
    return f"{PRELUDE}class Loop0(asyncio.SelectorEventLoop):\n    def step(self):\n        self.run_forever()\n\n\n{classes}"


def entry_branches(n: int) -> str:
    blocks = "".join(
        f"    if flags[{i}]:\n        asyncio.run(job())\n"
        f"    else:\n        asyncio.new_event_loop().run_until_complete(job())\n"
        for i in range(n)
    )
    return f"{PRELUDE}def main(flags):\n{blocks}\n\nif __name__ == '__main__':\n    main([])\n"


def loop_sites(n: int) -> str:
    helpers = "".join(
        f"def run_{i}():\n    loop = asyncio.new_event_loop()\n    loop.run_until_complete(job())\n"
        f"    return asyncio.run(job())\n\n\n"
        for i in range(n)
    )
    calls = "".join(f"    run_{i}()\n" for i in range(n))
    return f"{PRELUDE}{helpers}def main():\n{calls}\n\nif __name__ == '__main__':\n    asyncio.run(job())\n    main()\n"


FILES: Dict[str, Callable[[int], str]] = {
    "task-groups": task_groups,
    "task-locals": task_locals,
    "rebound-task": rebound_task,
    "task-attributes": task_attributes,
    "rebound-receiver": rebound_receiver,
    "annotated-parameters": annotated_parameters,
    "class-family": class_family,
    "class-chain": class_chain,
    "entry-branches": entry_branches,
    "loop-sites": loop_sites,
}

# ----- measuring ------------------------------------------------------------------------


def write_project(root: str, files: Files) -> None:
    for relative, text in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def seconds_to_check_folder(root: str, timeout: float) -> Tuple[Optional[float], int]:
    """(wall seconds or None when stopped, lines printed) of ``loopguard check`` over the folder."""
    command = [LOOPGUARD, "check", "--no-cache", "--jobs", "1", "--exit-zero", "."]
    started = time.perf_counter()
    try:
        completed = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, 0
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"loopguard check exited {completed.returncode} in {root}:\n{completed.stderr}")
    return seconds, completed.stdout.count("\n")


def check_file(source: str) -> int:
    """The per-file engine (every rule), the file's summary and the whole-project pass over it."""
    analysis = analyse_source(source, "generated.py", EVERY_RULE)
    assert analysis.module is not None
    summary = summarize(analysis.module, "generated.py", "generated", analysis.tree)
    project_findings = Project([summary]).findings()
    analysis.module.release()
    return len(analysis.findings) + sum(len(found) for found in project_findings.values())


def _check_file_in_child(source: str, pipe) -> None:
    gc.disable()  # as `loopguard check` runs (its models hold no cycles, see check_command)
    started = time.perf_counter()
    found = check_file(source)
    pipe.send((time.perf_counter() - started, found))


def seconds_to_check_file(source: str, timeout: float) -> Tuple[Optional[float], int]:
    """(seconds or None when stopped, findings), in a child process that a timeout can stop."""
    receiving, sending = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=_check_file_in_child, args=(source, sending))
    child.start()
    if not receiving.poll(timeout):
        child.terminate()
        child.join()
        return None, 0
    seconds, found = receiving.recv()
    child.join()
    return seconds, found


def report(shape: str, unit: str, rows: List[Tuple[int, Optional[float], int]]) -> bool:
    """Print one shape's rows; whether its time per unit stayed within the bound."""
    first = rows[0][1] / rows[0][0] if rows[0][1] is not None else None
    for size, seconds, found in rows:
        if seconds is None:
            print(f"{shape:<22} {size:>7,} {unit:<8} {'stopped':>9} {'':>10} {'':>7} {found:>9,}")
            continue
        per_unit = seconds / size
        ratio = f"{per_unit / first:7.2f}" if first else f"{'':>7}"
        print(f"{shape:<22} {size:>7,} {unit:<8} {seconds:9.2f} {per_unit * 1e6:10.1f} {ratio} {found:>9,}")
    last = rows[-1][1]
    if first is None or last is None:
        return False
    return (last / rows[-1][0]) / first <= SLOPE_BOUND


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", default="1000,4000,16000", help="project sizes, comma-separated")
    parser.add_argument("--units", default="1000,4000,16000", help="sizes of the one-file shapes")
    parser.add_argument("--only", default="", help="shapes to run, comma-separated (default: all)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run is stopped")
    args = parser.parse_args(argv)
    modules = [int(size) for size in args.modules.split(",") if size]
    units = [int(size) for size in args.units.split(",") if size]
    only = {name for name in args.only.split(",") if name}
    unknown = only - set(PROJECTS) - set(FILES)
    if unknown:
        parser.error(f"unknown shapes: {', '.join(sorted(unknown))}")
    print(f"cores: {os.cpu_count()}, 1-minute load average: {os.getloadavg()[0]:.1f}")
    print(f"{'shape':<22} {'size':>7} {'unit':<8} {'seconds':>9} {'us/unit':>10} {'x first':>7} {'findings':>9}")
    within = True
    work = tempfile.mkdtemp(prefix="loopguard-growth-")
    try:
        empty = os.path.join(work, "empty")
        os.makedirs(empty)
        startup = min(seconds_to_check_folder(empty, args.timeout)[0] or 0.0 for _ in range(3))
        for shape, generate in PROJECTS.items():
            if only and shape not in only:
                continue
            rows = []
            for size in modules:
                root = os.path.join(work, f"{shape}-{size}")
                write_project(root, generate(size))
                seconds, lines = seconds_to_check_folder(root, args.timeout)
                rows.append((size, None if seconds is None else max(seconds - startup, 0.0), lines))
                shutil.rmtree(root)
            within = report(shape, "modules", rows) and within
        for shape, text in FILES.items():
            if only and shape not in only:
                continue
            rows = [(size, *seconds_to_check_file(text(size), args.timeout)) for size in units]
            within = report(shape, "units", rows) and within
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"project runs: the interpreter starting ({startup:.2f} s, an empty folder's run) is taken off")
    print(f"time per unit at the largest size within {SLOPE_BOUND}x the smallest's: {'yes' if within else 'NO'}")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
