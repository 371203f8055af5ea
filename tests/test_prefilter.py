"""The prefilter skips files no rule can fire on, and never hides a finding."""

import ast

import pytest

from flake8_loopguard.core import engine
from flake8_loopguard.core.config import Config
from flake8_loopguard.core.prefilter import may_have_findings
from flake8_loopguard.core.rules import all_rules

from .conftest import EVERY_RULE, REPO


def test_file_without_trigger_words_is_not_walked(monkeypatch):
    def no_walk(*args):
        raise AssertionError("the prefilter should have skipped this file")

    monkeypatch.setattr(engine, "Module", no_walk)
    source = "import threading\n\ndef run(app):\n    app.run()\n    threading.Thread(target=run).start()\n"
    assert engine.check_tree(ast.parse(source), source, "plain.py") == []


def test_extra_loop_bound_factories_open_the_prefilter():
    source = "from myapp.clients import make_async_client\n"
    assert not may_have_findings(source, Config())
    assert may_have_findings(source, Config(extra_loop_bound=("myapp.clients.make_async_client",)))


def corpus():
    examples = [example for rule in all_rules() for example in rule.invalid + rule.valid]
    files = [*(REPO / "tests" / "examples").glob("*.py"), *(REPO / "fixtures").rglob("*.py")]
    return examples + [path.read_text(encoding="utf-8") for path in files]


@pytest.mark.parametrize("source", corpus())
def test_prefilter_never_hides_a_finding(monkeypatch, source):
    filtered = engine.check_source(source, "example.py", EVERY_RULE)
    monkeypatch.setattr(engine, "may_have_findings", lambda *args: True)
    assert engine.check_source(source, "example.py", EVERY_RULE) == filtered


@pytest.mark.parametrize(
    "source, opens",
    [
        ("# redistribute the load\n", False),  # `redis` only as a word
        # asyncio counts on an import line: in prose or a string alone no rule can see it.
        ('"""Unlike asyncio, this module uses threads."""\nimport threading\n', False),
        ("import asyncio\n", True),
        ("from asyncio import (\n    sleep,\n)\n", True),
        ("def f():\n    import asyncio as aio\n    aio.run(main())\n", True),
        ("import redis.asyncio as aioredis\n", True),
        # The libraries the model knows only through an import open it on an import line alone.
        ("# a grpc or httpx client would do\nx = 1\n", False),
        ("def f():\n    import grpc\n    return grpc.insecure_channel('x')\n", True),
        ("from httpx import AsyncClient\n", True),
        ('HINT = "import (asyncio"\n', True),  # words of an import line count, also in a string
        # The loop methods open it anywhere, on any receiver.
        ("def drive(ev, job):\n    ev.run_until_complete(job)\n", True),
        ("def schedule(ev, job):\n    ev.create_task(job())\n", True),
        ("def current(ev):\n    return ev.current_task()\n", False),  # `_task` alone is not one
        ("x = 1; from subprocess import (\n    check_output as out,\n)\n\nasync def f():\n    out(['ls'])\n", True),
        ("async def handler(request):\n    return request\n", False),  # no rule needs only a coroutine
        ("import time\n\nasync def handler():\n    time.sleep(1)\n", True),  # LG403 may fire
        ("from PySide6 import QtWidgets\n\nasync def on_click():\n    pass\nbutton.clicked.connect(on_click)\n", True),
        ("from PySide6 import QtWidgets\n\nasync def on_click():\n    pass\n", False),  # no `connect`: no LG501
        ("from PyQt5 import QtWidgets\nbutton.clicked.connect(on_click)\nasync def on_click():\n    pass\n", True),
        # A blocking call in a coroutine comes after the first `async def`.
        ("import time\ntime.sleep(1)\n\nasync def handler():\n    pass\n", False),
        ("input('go?')\n\nasync def handler():\n    pass\n", False),
        # ... or an import renamed it.
        ("from subprocess import (\n    check_output as out,\n)\n\nasync def f():\n    out(['ls'])\n", True),
        ("from time import sleep as nap\n\nasync def handler():\n    nap(1)\n", True),
        # LG403 needs the module on an import line and one of its blocking calls' names.
        ("import os\n\nasync def handler():\n    return os.getcwd()\n", False),
        ("import os\n\nasync def handler():\n    os.system('ls')\n", True),
        ("x = 1; import subprocess as sp\n\nasync def handler():\n    sp.run(['ls'])\n", True),
        ("from \\\n  time import sleep\n\nasync def handler():\n    sleep(1)\n", True),
        ("import json, \\\r\n  time\r\n\r\nasync def handler():\r\n    time.sleep(1)\r\n", True),
        ("import requests\n\nasync def handler(s):\n    with requests.Session() as s:\n        s.post('u')\n", True),
        ("# time.sleep\n\nasync def handler():\n    pass\n", False),  # `time` never imported
        # `input` needs no import; only its call counts.
        ("async def ask():\n    return input ('name? ')\n", True),
        ("async def ask(input):\n    return input.strip()\n", False),
        ("import time\rasync def handler():\r    time.sleep(1)\r", True),  # old Mac line ends
        # `async def` inside a string defines nothing.
        ("import time\nDOC = 'async def f(): time.sleep(1)'\n", False),
    ],
)
def test_what_opens_the_prefilter(source, opens):
    assert may_have_findings(source, Config()) is opens


def test_configured_blocking_calls_and_slot_decorators_open_the_prefilter():
    source = "from mylib import fetch\n\nasync def handler():\n    fetch()\n"
    assert not may_have_findings(source, Config())
    assert may_have_findings(source, Config(blocking_calls=("mylib.fetch",)))
    assert may_have_findings("@coroutine_slot\nasync def f(): pass\n", Config(async_slot_decorators=("ui.coroutine_slot",)))


# Receivers known only from their annotation, in files that never say "asyncio".
ANNOTATED_RECEIVERS = [
    "import httpx\n\nasync def quote(client: httpx.Client, url):\n    return client.get(url)\n",
    "from typing import Optional\nfrom requests import Session\n\nasync def quote(s: Optional[Session], url):\n    return s.get(url)\n",
    "import urllib3\n\nasync def quote(pool: 'urllib3.PoolManager', url):\n    pool.request('GET', url)\n",
    "from requests import Session as Http\n\nclass Api:\n    session: Http\n\n    async def quote(self, url):\n        return self.session.get(url)\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from asyncio import AbstractEventLoop\n\n"
    "def drive(ev: 'AbstractEventLoop', coro):\n    ev.run_until_complete(coro)\n",
    "from uvloop import Loop\n\ndef schedule(ev: Loop, job):\n    ev.create_task(job())\n",
]


@pytest.mark.parametrize("source", ANNOTATED_RECEIVERS)
def test_the_prefilter_lets_annotated_receivers_through(monkeypatch, source):
    assert may_have_findings(source, Config())
    filtered = engine.check_source(source, "example.py", EVERY_RULE)
    assert filtered, "the annotation should make a finding"
    monkeypatch.setattr(engine, "may_have_findings", lambda *args: True)
    assert engine.check_source(source, "example.py", EVERY_RULE) == filtered
