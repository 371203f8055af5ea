"""The semantic model answers what the rules ask: names, scopes, entry points."""

import ast
import gc

import pytest

from flake8_loopguard.core.config import DEFAULT_CONFIG, Config
from flake8_loopguard.core.model import Module, ScopeKind

from .conftest import EVERY_RULE, REPO


def build(source, filename="module.py", config=DEFAULT_CONFIG):
    return Module(ast.parse(source), filename, config)


def resolved_calls(source):
    return [site.qualified for site in build(source).calls]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import asyncio as aio\naio.run(x)", "asyncio.run"),
        ("from asyncio import run as arun\narun(x)", "asyncio.run"),
        ("import grpc.aio\ngrpc.aio.insecure_channel(t)", "grpc.aio.insecure_channel"),
        ("from grpc import aio\naio.secure_channel(t)", "grpc.aio.secure_channel"),
        ("import redis.asyncio as aioredis\naioredis.Redis()", "redis.asyncio.Redis"),
        ("from PyQt6.QtCore import QThread as T\nT()", "Qt.QThread"),
        ("import PySide2.QtWidgets as W\nW.QApplication([])", "Qt.QApplication"),
        ("from PyQt5 import QtCore\nQtCore.QRunnable()", "Qt.QRunnable"),
        ("from qasync import asyncSlot as slot\nslot()", "qasync.asyncSlot"),
        ("input()", "builtins.input"),
        ("from asyncio import *\nrun(x)", "asyncio.run"),
        ("from qasync import *\nasyncSlot()", "qasync.asyncSlot"),
        ("from PySide6.QtCore import *\nQThread()", "Qt.QThread"),
        ("from PyQt5.QtWidgets import *\nqApp.exec_()", "Qt.qApp.exec_"),
        ("import asyncio\nasyncio.events.new_event_loop()", "asyncio.new_event_loop"),
        ("from asyncio.runners import run\nrun(x)", "asyncio.run"),
        ("try:\n    import uvloop\nexcept ImportError:\n    uvloop = None\nuvloop.new_event_loop()", "uvloop.new_event_loop"),
        ("import asyncio\n[asyncio for asyncio in y]\nasyncio.run(x)", "asyncio.run"),
        ("import asyncio\nasyncio.Queue[bytes]()", "asyncio.Queue"),
    ],
)
def test_imports_and_aliases_resolve(source, expected):
    assert resolved_calls(source)[-1] == expected


@pytest.mark.parametrize(
    "source",
    [
        "from .asyncio import run\nrun(x)",  # the project's own module
        "def run(x):\n    pass\nrun(x)",
        "import asyncio\nrun = print\nrun(x)",
        "import subprocess\nsubprocess.run(x)",
        "app.run()",
        "def f(input):\n    input()",
        "from asyncio import *\ndef run(x):\n    pass\nrun(x)",  # a local def beats the star import
        "from trio import *\nrun(x)",  # a star import of a module the rules do not know
        "try:\n    import asyncio\nexcept ImportError:\n    pass\nasyncio = other\nasyncio.run(x)",
    ],
)
def test_look_alikes_do_not_resolve_to_asyncio(source):
    assert "asyncio.run" not in resolved_calls(source)
    assert "builtins.input" not in resolved_calls(source)


def test_import_below_a_function_still_resolves_inside_it():
    assert resolved_calls("def f():\n    asyncio.run(x)\n\nimport asyncio\n") == ["asyncio.run"]


def test_the_binding_in_force_at_the_line_wins():
    source = "from asyncio import run\nrun(x)\nrun = print\nrun(y)\n"
    assert resolved_calls(source) == ["asyncio.run", None]


def test_function_local_import_reaches_nested_functions():
    source = "def load():\n    import asyncio\n\n    def worker():\n        asyncio.new_event_loop()\n"
    assert resolved_calls(source) == ["asyncio.new_event_loop"]


def test_class_body_names_are_not_visible_in_methods():
    source = (
        "import asyncio\nclass A:\n    from trio import run as asyncio_run\n    def m(self):\n        asyncio_run(x)\n"
    )
    assert resolved_calls(source) == [None]


SCOPES = """\
import asyncio

CHANNEL = make()

class Client:
    shared = make()

    def __init__(self):
        self.session = make()
        callback = lambda: make()

    async def fetch(self):
        make()

        def nested():
            make()
"""


def test_scopes_of_calls():
    module = build(SCOPES)
    facts = [(site.line, site.scope.kind, site.scope.is_init, site.scope.runs_at_import) for site in module.calls]
    assert facts == [
        (3, ScopeKind.MODULE, False, True),
        (6, ScopeKind.CLASS, False, True),
        (9, ScopeKind.FUNCTION, True, False),
        (10, ScopeKind.LAMBDA, False, False),
        (13, ScopeKind.COROUTINE, False, False),
        (16, ScopeKind.FUNCTION, False, False),
    ]


ENTRY = """\
import asyncio

def main():
    helper()

def helper():
    pass

def unrelated():
    pass

asyncio.run(main())

if __name__ == "__main__":
    asyncio.run(main())
    loop = asyncio.new_event_loop()
"""


def test_entry_point_code():
    module = build(ENTRY)
    entry = {site.line: module.in_entry_point(site) for site in module.calls}
    assert entry == {4: True, 12: False, 15: True, 16: True}
    assert module.entry_functions == {"main"}


@pytest.mark.parametrize(
    "globs, filename, expected",
    [
        (("main.py", "__main__.py"), "./app/main.py", True),
        (("main.py", "__main__.py"), "./app/__main__.py", True),
        (("main.py", "__main__.py"), "./app/domain.py", False),
        (("scripts/*.py",), "./scripts/start.py", True),
        (("scripts/*.py",), "./src/start.py", False),
        (("run_*.py",), "run_desktop_ui.py", True),
        ((), "main.py", False),
        (("scripts/*.py",), "scripts/start.py", True),
        (("scripts/*.py",), "/project/scripts/start.py", True),
        (("scripts/*.py",), "/project/app/scripts/start.py", False),  # relative to the root, not the end
        (("scripts/*.py",), "./scripts/sub/start.py", False),  # `*` stays within one directory
        (("**/cli.py",), "cli.py", True),  # `**/` also matches the root itself
        (("**/cli.py",), "/project/tools/deep/cli.py", True),
        (("tools/**/run.py",), "tools/run.py", True),
    ],
)
def test_entry_point_file_globs(globs, filename, expected, monkeypatch):
    monkeypatch.chdir("/")
    config = Config(entry_points=globs, project_root="/project")
    assert config.is_entry_point_file(filename if filename.startswith("/") else "/project/" + filename) is expected


def test_loop_calls_are_classified_entry_points_included():
    module = build(ENTRY)
    assert [(site.line, module.loop_call_code(site)) for site in module.calls if module.loop_call_code(site)] == [
        (12, "LG102"),
        (15, "LG102"),
        (16, "LG101"),
    ]


BRANCHES = """\
import asyncio

def main(mode):
    if mode == "gui":
        asyncio.run(gui())
    elif mode == "cli":
        asyncio.run(cli())
    else:
        asyncio.run(batch())
    asyncio.run(always())
    if mode:
        asyncio.run(maybe())

if __name__ == "__main__":
    main("gui")
"""


def test_the_if_else_branches_a_call_is_in():
    module = build(BRANCHES)
    branches = {site.line: module.branches_of(site) for site in module.calls if site.qualified == "asyncio.run"}
    assert branches == {
        5: ((4, 4, 0),),
        7: ((4, 4, 1), (6, 4, 0)),
        9: ((4, 4, 1), (6, 4, 1)),
        10: (),
        12: (),  # an `if` without `else` excludes nothing
    }
    assert [site.line for site in module.entry_function_calls["main"]] == [15]


def test_the_loop_a_runners_loop_factory_makes_is_the_runners():
    module = build(
        "import asyncio\nfrom qasync import QEventLoop\n\ndef make():\n    return QEventLoop(app)\n\n"
        "asyncio.run(main(), loop_factory=lambda: QEventLoop(app))\n"
        "with asyncio.Runner(loop_factory=make) as runner:\n    runner.run(main())\n"
        "QEventLoop(app)\n"
    )
    creations = [site for site in module.calls if module.loop_call_code(site) == "LG101"]
    assert [(site.line, module.makes_runners_loop(site)) for site in creations] == [(5, True), (7, True), (10, False)]


PROCESSES = """\
import asyncio, multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Optional

def child():
    asyncio.run(serve())

class Renderer(multiprocessing.Process):
    def run(self):
        asyncio.run(serve())

def start(pool: Optional[ProcessPoolExecutor], unknown, loop):
    multiprocessing.Process(target=child).start()
    ctx = multiprocessing.get_context("spawn")
    ctx.Process(target=lambda: asyncio.run(serve())).start()
    multiprocessing.get_context("fork").Pool(2).map(child, [1])
    with ProcessPoolExecutor() as processes, ThreadPoolExecutor() as threads:
        processes.submit(child)
        threads.submit(child)
    pool.submit(child)
    unknown.submit(child)
    loop.run_in_executor(pool, child)
    loop.run_in_executor(None, child)
    asyncio.to_thread(child)
"""


def test_hand_overs_to_threads_and_to_other_processes():
    module = build(PROCESSES)
    assert [site.line for site, _worker in module.process_hand_overs] == [13, 15, 16, 18, 20, 22]
    assert [site.line for site, _worker in module.thread_hand_overs] == [19, 21, 23, 24]
    assert [function.name for function in module.process_entry_functions] == ["child", "run"]
    in_entry = {site.line: module.in_entry_point(site) for site in module.calls if site.qualified == "asyncio.run"}
    assert in_entry == {6: True, 10: True, 15: True}


@pytest.mark.parametrize("path", sorted((REPO / "tests" / "examples").glob("*.py")), ids=lambda path: path.name)
def test_a_released_module_leaves_nothing_for_the_cycle_collector(path):
    # The check command runs with the collector off: what a module leaves in cycles stays.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    Module(tree, path.name, EVERY_RULE).release()  # once first: what it imports lazily stays
    # Start from no garbage at all: one collection is not enough when a finalizer it runs frees
    # more cycles (a qasync QObject left by an earlier test frees its per-instance Signaller
    # class), which the collection below would then count as the module's.
    for _ in range(10):
        if gc.collect() == 0:
            break
    gc.disable()
    try:
        module = Module(tree, path.name, EVERY_RULE)
        assert module.calls and module.functions
        module.release()
        del module
        assert gc.collect() == 0
    finally:
        gc.enable()


def receiver_types(source, name):
    """The qualified types the annotations give ``name`` where the last call of the source reads it."""
    module = build(source)
    site = module.calls[-1]
    return [module.resolve(member, scope) for member, scope in module.annotated_types(name.split("."), site.scope)]


@pytest.mark.parametrize(
    "annotation",
    [
        "httpx.Client",
        "Optional[httpx.Client]",
        "httpx.Client | None",
        "None | httpx.Client",
        "Union[httpx.Client, None]",
        "typing.Optional[httpx.Client]",
        '"httpx.Client"',
        '"Optional[httpx.Client]"',
        "Optional['httpx.Client']",
        "Annotated[httpx.Client, 'pooled']",
    ],
)
def test_an_annotation_names_the_receivers_type(annotation):
    source = (
        "import typing\nfrom typing import Annotated, Optional, Union\nimport httpx\n\n"
        f"async def f(client: {annotation}):\n    client.get(u)\n"
    )
    assert receiver_types(source, "client") == ["httpx.Client"]


def test_annotated_assignments_and_attributes():
    source = (
        "import httpx, requests\n\n"
        "class Api:\n    session: requests.Session\n\n"
        "    def __init__(self):\n        self.http: httpx.Client = make()\n\n"
        "    async def quote(self):\n        local: httpx.Client = make()\n        local.get(u)\n"
    )
    assert receiver_types(source, "local") == ["httpx.Client"]
    assert receiver_types(source, "self.session") == ["requests.Session"]
    assert receiver_types(source, "self.http") == ["httpx.Client"]


def test_an_annotation_belongs_to_the_scope_that_binds_the_name():
    source = (
        "import httpx\n\ndef typed(client: httpx.Client):\n    pass\n\n"
        "async def untyped(client):\n    client.get(u)\n"
    )
    assert receiver_types(source, "client") == []
    closure = "import httpx\n\ndef outer(client: httpx.Client):\n    async def inner():\n        client.get(u)\n"
    assert receiver_types(closure, "client") == ["httpx.Client"]


def test_an_import_for_type_checkers_only_makes_no_loop_user():
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import asyncio\n"
    assert not build(typing_only).imports_loop_library
    assert build(typing_only + "import asyncio\n").imports_loop_library
    assert build("import typing\nif typing.TYPE_CHECKING:\n    import qasync\n").imports_qasync


LOOP_IMPLEMENTATIONS = """\
import asyncio
from qasync import QEventLoop


class Mixin:
    def drain(self):
        self.run_forever()


class MyLoop(Mixin, asyncio.SelectorEventLoop):
    def run_until_complete(self, future):
        self.run_forever()
        super().run_until_complete(future)


class Policy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return QEventLoop(self.app)

    def other(self):
        return QEventLoop(self.app)


class Widget:
    def refresh(self):
        self.run_forever()
        loop = MyLoop()
        loop.run_forever()
"""


def test_an_event_loops_own_implementation():
    module = build(LOOP_IMPLEMENTATIONS)
    by_line = {site.line: site for site in module.calls if site.attr in ("run_forever", "run_until_complete")}
    assert [line for line in (7, 12, 13, 26, 28) if module.drives_itself(by_line[line])] == [7, 12, 13]
    assert [site.line for site in module.loop_drivings] == [26, 28]
    assert [site.line for site in module.calls if module.loop_call_code(site) == "LG101"] == [21, 27]
    assert [(site.line, site.function_name) for site in module.loop_creations] == [(21, "QEventLoop"), (27, "MyLoop")]
    assert module.is_loop_expression(ast.parse("loop", mode="eval").body, by_line[28].scope)


def test_either_side_of_an_or_is_bound():
    module = build("import asyncio\nev = asyncio.get_event_loop() or make()\nev.create_task(job())\n")
    site = module.calls[-1]
    assert [bound.qualified for bound in module.assignments_to(("ev",), site.scope)] == ["asyncio.get_event_loop", None]
    assert [creation.line for creation in module.task_creations] == [3]


def test_code_a_private_loop_runs_in_another_thread_names_its_worker():
    """What a worker's private loop runs: the worker, what it runs and calls (transitively), what
    is submitted to the loop it made or a thread runs; not the code of the main loop."""
    module = build(
        """
import asyncio, threading
from concurrent.futures import ThreadPoolExecutor
from PySide6.QtCore import QRunnable

class Loader(QRunnable):
    def run(self):
        asyncio.run(self.load())
    async def load(self):
        self.helper()
    def helper(self):
        pass

def fetch(symbol):
    return asyncio.run(quote(symbol))

async def quote(symbol):
    pass

def fetch_all(symbols):
    with ThreadPoolExecutor() as pool:
        return [pool.submit(fetch, s) for s in symbols]

def start_loop():
    global LOOP
    LOOP = asyncio.new_event_loop()
    LOOP.run_forever()

def submit():
    asyncio.run_coroutine_threadsafe(on_loop(), LOOP)
    LOOP.call_soon_threadsafe(also_on_loop)

async def on_loop():
    pass

def also_on_loop():
    pass

threading.Thread(target=start_loop).start()

async def main_loop_code():
    pass
"""
    )
    workers = {
        function.qualified_name: module.private_loop_worker(function)
        for function in module.module_scope.descendants()
        if function.function_info is not None
    }
    assert workers == {
        "Loader.run": "Loader.run",
        "Loader.load": "Loader.run",
        "Loader.helper": "Loader.run",
        "fetch": "fetch",
        "quote": "fetch",
        "fetch_all": None,
        "start_loop": "start_loop",
        "submit": None,
        "on_loop": "start_loop",
        "also_on_loop": "start_loop",
        "main_loop_code": None,
    }
