"""Run a small program as it was and as the migration left it, and say what it did.

A rewrite is judged by the program, not by the parser: a codemod test that changes behaviour
risk runs the source before and after the codemod and compares what each run printed.

``run_program(source)`` executes ``source`` in-process as a fresh module (``__name__`` is
``"__main__"``), with ``loop_runtime`` importable as a fresh copy of the scaffolded template
(its process-wide registry starts empty in every run). It returns everything the program
printed, followed by ``"raised <Type>: <message>"`` when the run ended with an exception, so
that a crash is part of what the test compares, never a test error.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
import types
from pathlib import Path
from typing import Dict, Iterator, Optional

TEMPLATE = Path(__file__).resolve().parents[2] / "codemods" / "templates" / "loop_runtime.py"


def fresh_runtime(name: str = "loop_runtime") -> types.ModuleType:
    """A new copy of the scaffolded runtime module."""
    spec = importlib.util.spec_from_file_location(name, TEMPLATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def importable(modules: Dict[str, types.ModuleType]) -> Iterator[None]:
    """``modules`` in ``sys.modules`` for the duration, whatever was there put back after."""
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def run_program(source: str, *, extra_modules: Optional[Dict[str, str]] = None) -> str:
    """What running ``source`` printed (and how it ended); ``extra_modules``: name -> source of
    modules the program imports (another module of the project)."""
    modules = {"loop_runtime": fresh_runtime()}
    for name, text in (extra_modules or {}).items():
        module = types.ModuleType(name)
        modules[name] = module
    printed = io.StringIO()
    with importable(modules), contextlib.redirect_stdout(printed):
        try:
            for name, text in (extra_modules or {}).items():
                exec(compile(text, f"{name}.py", "exec"), modules[name].__dict__)
            namespace = {"__name__": "__main__", "__builtins__": __builtins__}
            exec(compile(source, "program.py", "exec"), namespace)
        except BaseException as error:  # the program's end is what is compared, crash included
            print(f"raised {type(error).__name__}: {error}")
    return printed.getvalue()
