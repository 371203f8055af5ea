"""lazy_loop_resource on LG302: a resource built at import time, when no loop runs, at module level
(``name = None`` and an ``async def _ensure_<name>()``) or in a class body (``_name = None`` and a
static ``_ensure_<name>()`` on that class) is built on the running loop by its first user; every
coroutine that reads it awaits that first. What it cannot prove safe stays, with why."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from flake8_loopguard.core.config import Config
from loopguard_codemods.base import SCRATCH_CONFIG, SCRATCH_TASK_MANAGER_IMPORT
from loopguard_codemods.lazy_loop_resource import LazyLoopResource
from loopguard_codemods.placement import TaskManagerImport

from ..harness import loopguard
from .helpers import EVERY_RULE, FindingCodemodTest
from .programs import TEMPLATE
from .test_lazy_resource_programs import LazyResourceProgramTest


class TestModuleLevelResourceBecomesLazy(FindingCodemodTest):
    TRANSFORM = LazyLoopResource

    def test_the_session_is_built_on_the_running_loop_by_its_first_user(self):
        """The annotation allows None now; the ensure function follows the statement (two blank
        lines on both sides); each coroutine reading the name awaits it first (after a docstring),
        a coroutine method too; the uses stay as written, comments too."""
        notes = self.assertCodemod(
            """
            import aiohttp

            BASE = "https://example.org"
            # one session for the module
            session: aiohttp.ClientSession = aiohttp.ClientSession(base_url=BASE)  # shared
            RETRIES = 3


            async def fetch(path):
                \"\"\"GET a path.\"\"\"
                async with session.get(path) as response:
                    return await response.text()


            class Quotes:
                async def last(self):
                    return await session.get("/last")

                def name(self):
                    return "quotes"
            """,
            """
            from typing import Optional

            import aiohttp

            BASE = "https://example.org"
            # one session for the module
            session: Optional[aiohttp.ClientSession] = None  # shared


            async def _ensure_session():
                global session
                if session is None:
                    session = aiohttp.ClientSession(base_url=BASE)
                return session


            RETRIES = 3


            async def fetch(path):
                \"\"\"GET a path.\"\"\"
                await _ensure_session()
                async with session.get(path) as response:
                    return await response.text()


            class Quotes:
                async def last(self):
                    await _ensure_session()
                    return await session.get("/last")

                def name(self):
                    return "quotes"
            """,
        )
        self.assertEqual(notes, [])

    def test_a_resource_built_in_another_s_arguments_moves_with_it(self):
        """The connector is made inside the session's call: both LG302 go with one ensure function."""
        self.assertCodemod(
            """
            import aiohttp

            _session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4))


            async def close():
                await _session.close()
            """,
            """
            import aiohttp

            _session = None


            async def _ensure_session():
                global _session
                if _session is None:
                    _session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4))
                return _session


            async def close():
                await _ensure_session()
                await _session.close()
            """,
        )


class LeftForHumanTest(FindingCodemodTest):
    TRANSFORM = LazyLoopResource

    def assertLeftWith(self, source: str, reason: str, filename=None) -> None:  # noqa: N802 (unittest style)
        """The source stays byte for byte, and every LG302 finding is noted with exactly ``reason``."""
        notes = self.assertCodemod(source, source, filename=filename)
        self.assertTrue(notes, "nothing was noted for a human")
        self.assertEqual({(note.code, note.reason) for note in notes}, {("LG302", reason)})


class TestModuleLevelResourceIsLeft(LeftForHumanTest):
    def test_read_by_synchronous_code_and_at_import_time(self):
        self.assertLeftWith(
            """
            import aiohttp

            session = aiohttp.ClientSession()
            HEADERS = session.headers


            def is_open():
                return not session.closed


            async def fetch(path):
                return await session.get(path)
            """,
            "session is used at import time (line 4), before a coroutine could create it; read by the synchronous "
            "is_open() (line 8), which would see None",
        )

    def test_rebound_by_global_and_reassigned(self):
        self.assertLeftWith(
            """
            import aiohttp

            session = aiohttp.ClientSession()


            async def reset():
                global session
                await session.close()
                session = aiohttp.ClientSession()
            """,
            "session is bound again by `global session` in reset() (line 9)",
        )

    def test_used_in_a_lambda(self):
        self.assertLeftWith(
            """
            import aiohttp

            session = aiohttp.ClientSession()
            closer = lambda: session.close()
            """,
            "session is used in a lambda (line 4)",
        )

    def test_built_in_a_block(self):
        self.assertLeftWith(
            """
            import aiohttp

            if True:
                session = aiohttp.ClientSession()
            """,
            "the resource is built inside a block at module level (if, try, with), not unconditionally",
        )

    def test_arguments_that_call_a_function_of_the_module(self):
        self.assertLeftWith(
            """
            import aiohttp


            def headers():
                return {"token": "t"}


            session = aiohttp.ClientSession(headers=headers())


            async def fetch(path):
                return await session.get(path)
            """,
            "its arguments call headers(), a function of this module, which would run when the resource is built, "
            "later than at import",
        )

    def test_another_module_of_the_project_imports_it(self):
        """`from client import session` binds what the module holds when it is imported: None."""
        source = textwrap.dedent(
            """\
            import aiohttp

            session = aiohttp.ClientSession()


            async def fetch(path):
                return await session.get(path)
            """
        )
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "client.py").write_text(source, encoding="utf-8")
            (Path(folder) / "status.py").write_text("from client import session\n", encoding="utf-8")
            self.assertLeftWith(
                source,
                "session is read by status.py, another module that names it and this module: an import of it "
                "would get None",
                filename=str(Path(folder) / "client.py"),
            )


class TestClassBodyResourceBecomesLazy(FindingCodemodTest):
    TRANSFORM = LazyLoopResource

    def test_the_class_attribute_is_built_on_the_class_that_holds_it(self):
        """Every instance, a subclass's too, reads the one class attribute: the static ensure
        method sets it on Client, not on the instance's class; a blank line keeps the next
        statement apart; the subclass's coroutine awaits it too."""
        self.assertCodemod(
            """
            import aiohttp


            class Client:
                _session = aiohttp.ClientSession()
                RETRIES = 3

                async def get(self, path):
                    \"\"\"GET a path.\"\"\"
                    return await self._session.get(path)


            class Quiet(Client):
                async def ping(self):
                    return await self._session.get("/ping")
            """,
            """
            import aiohttp


            class Client:
                _session = None

                @staticmethod
                async def _ensure_session():
                    if Client._session is None:
                        Client._session = aiohttp.ClientSession()
                    return Client._session

                RETRIES = 3

                async def get(self, path):
                    \"\"\"GET a path.\"\"\"
                    await self._ensure_session()
                    return await self._session.get(path)


            class Quiet(Client):
                async def ping(self):
                    await self._ensure_session()
                    return await self._session.get("/ping")
            """,
        )


class TestClassBodyResourceIsLeft(LeftForHumanTest):
    def test_a_public_class_attribute(self):
        self.assertLeftWith(
            """
            import aiohttp


            class Client:
                session = aiohttp.ClientSession()

                async def get(self, path):
                    return await self.session.get(path)
            """,
            "Client.session is public: code in other modules may read it and would see None (make it private, or "
            "rewrite by hand)",
        )

    def test_used_by_the_class_body_or_by_synchronous_code(self):
        self.assertLeftWith(
            """
            import grpc


            class Stats:
                _channel = grpc.aio.insecure_channel("stats:50051")
                _stub = Stub(_channel)

                def is_ready(self):
                    return self._channel is not None
            """,
            "Stats._channel is used in the class body (line 6), at import time, before a coroutine could create it",
        )
        self.assertLeftWith(
            """
            import grpc


            class Stats:
                _channel = grpc.aio.insecure_channel("stats:50051")

                def is_ready(self):
                    return self._channel is not None
            """,
            "self._channel is read by the synchronous is_ready() (line 8), which would see None",
        )

    def test_arguments_that_use_a_name_of_the_class_body(self):
        self.assertLeftWith(
            """
            import aiohttp


            class Client:
                BASE = "https://example.org"
                _session = aiohttp.ClientSession(base_url=BASE)

                async def get(self, path):
                    return await self._session.get(path)
            """,
            "its arguments use `BASE`, a name of the class body, which the method that builds it cannot see",
        )


class TestModuleLevelResourcePrograms(LazyResourceProgramTest):
    def test_the_program_prints_the_same(self):
        """The session is made on its first use instead of at import: nothing is printed between,
        so the output is the same, one session made and closed."""
        source = self.make_fixture_data(
            """
            import asyncio

            from fakes import Session

            HEADERS = {"token": "t"}
            session = Session(headers=HEADERS)


            async def quote(path):
                return await session.get(path)


            async def main():
                print(await quote("/a"))
                print(await quote("/b"))
                await session.close()
                print("sessions made:", Session.made)


            asyncio.run(main())
            """
        )
        after, notes = self.migrated(source)
        self.assertEqual(notes, [])
        self.assertIn("session = None\n\n\nasync def _ensure_session():\n", after)
        expected = (
            "session made\nGET /a {'token': 't'}\nGET /b {'token': 't'}\nsession closed\nsessions made: 1\n"
        )
        self.assertEqual(self.run_with_fakes(source), expected)
        self.assertEqual(self.run_with_fakes(after), expected)

    def test_instances_share_the_one_class_session_as_before(self):
        """Two clients, a subclass's instance among them: one session made (at the first use
        now), used by both, closed once."""
        source = self.make_fixture_data(
            """
            import asyncio

            from fakes import Session


            class Client:
                _session = Session(base="/api")

                async def get(self, path):
                    return await self._session.get(path)

                async def close(self):
                    await self._session.close()


            class Admin(Client):
                pass


            async def main():
                print(await Client().get("/a"))
                print(await Admin().get("/b"))
                await Client().close()
                print("sessions made:", Session.made)


            asyncio.run(main())
            """
        )
        after, notes = self.migrated(source)
        self.assertEqual(notes, [])
        self.assertIn("    @staticmethod\n    async def _ensure_session():\n", after)
        expected = "session made\nGET /a {}\nGET /b {}\nsession closed\nsessions made: 1\n"
        self.assertEqual(self.run_with_fakes(source), expected)
        self.assertEqual(self.run_with_fakes(after), expected)


POOL = '''\
import asyncio


class Pool:
    """A client that takes the current loop when it is made, as older aiohttp sessions did."""

    def __init__(self, size):
        self._loop = asyncio.get_event_loop()
        self._size = size

    async def fetch(self, key):
        answer = self._loop.create_future()
        self._loop.call_soon(answer.set_result, f"{key}:{self._size}")
        return await answer
'''
APP = '''\
import asyncio

from pool import Pool

pool = Pool(4)


async def lookup(key):
    return await pool.fetch(key)


async def main():
    print(await lookup("a"))
    print(await lookup("b"))


if __name__ == "__main__":
    asyncio.run(main())
'''


class TestAResourceMadeAtImportFails(FindingCodemodTest):
    TRANSFORM = LazyLoopResource
    CONFIG = Config(extra_loop_bound=("pool.Pool",), opt_in_codes=EVERY_RULE.opt_in_codes)

    def test_made_at_import_it_is_bound_to_another_loop_made_lazily_it_works(self):
        """Made at import, the pool holds the loop current then, not the one asyncio.run starts:
        its future belongs to another loop and the program fails. Made by the first coroutine
        that uses it, it holds the running loop."""
        after, _context = self.run_codemod(APP, "app.py")
        self.assertIn("    await _ensure_pool()\n    return await pool.fetch(key)\n", after)
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "pool.py").write_text(POOL, encoding="utf-8")
            ran = {}
            for name, text in (("before", APP), ("after", after)):
                (Path(folder) / "app.py").write_text(text, encoding="utf-8")
                done = subprocess.run(
                    [sys.executable, "app.py"], cwd=folder, capture_output=True, text=True, timeout=60
                )
                ran[name] = (done.returncode, done.stdout, done.stderr.strip().splitlines()[-1:])
        self.assertEqual(ran["before"][:2], (1, ""))
        self.assertRegex(ran["before"][2][0], r"^RuntimeError: Task .* got Future .* attached to a different loop$")
        self.assertEqual(ran["after"], (0, "a:4\nb:4\n", []))


class WithTheRuntimeTest(FindingCodemodTest):
    """The file's runtime module exists (an earlier migration made it) and defines register_closer."""

    TRANSFORM = LazyLoopResource

    def run_codemod(self, source: str, filename=None):
        with tempfile.TemporaryDirectory() as folder:
            runtime = Path(folder) / "loop_runtime.py"
            shutil.copyfile(TEMPLATE, runtime)
            context = CodemodContext(
                filename=filename or self.FILENAME,
                scratch={
                    SCRATCH_CONFIG: self.CONFIG,
                    SCRATCH_TASK_MANAGER_IMPORT: TaskManagerImport(
                        "loop_runtime", "TaskManager", runtime, Path(folder), exists=True
                    ),
                },
            )
            try:
                return self.TRANSFORM(context).transform_module(cst.parse_module(source)).code, context
            except SkipFile:
                return source, context


class TestTheShutdownSequenceClosesIt(WithTheRuntimeTest):
    def test_the_session_made_lazily_is_registered_with_the_runtime_s_closers(self):
        """Module level and class body alike; a factory whose close method is not known (a
        grpc server stops) is not registered."""
        self.assertCodemod(
            """
            import aiohttp
            import grpc

            session = aiohttp.ClientSession()
            server = grpc.aio.server()


            class Quotes:
                _session = aiohttp.ClientSession()

                async def last(self):
                    return await self._session.get("/last")


            async def fetch(path):
                await server.start()
                return await session.get(path)
            """,
            """
            import aiohttp
            import grpc

            from loop_runtime import register_closer

            session = None


            async def _ensure_session():
                global session
                if session is None:
                    session = aiohttp.ClientSession()
                    register_closer(session.close)
                return session


            server = None


            async def _ensure_server():
                global server
                if server is None:
                    server = grpc.aio.server()
                return server


            class Quotes:
                _session = None

                @staticmethod
                async def _ensure_session():
                    if Quotes._session is None:
                        Quotes._session = aiohttp.ClientSession()
                        register_closer(Quotes._session.close)
                    return Quotes._session

                async def last(self):
                    await self._ensure_session()
                    return await self._session.get("/last")


            async def fetch(path):
                await _ensure_session()
                await _ensure_server()
                await server.start()
                return await session.get(path)
            """,
        )


# A stand-in for aiohttp (no network): its session says when it is made and closed.
FAKE_AIOHTTP = '''\
class ClientSession:
    def __init__(self, base_url=""):
        self.base_url = base_url
        self.closed = False
        print("session made")

    async def get(self, path):
        return f"GET {self.base_url}{path}"

    async def close(self):
        if not self.closed:
            self.closed = True
            print("session closed")
'''
SHUT_DOWN_APP = '''\
import asyncio

import aiohttp

import loop_runtime

session = aiohttp.ClientSession(base_url="https://example.org")


async def fetch(path):
    return await session.get(path)


async def main():
    try:
        print(await fetch("/a"))
        print(await fetch("/b"))
    finally:
        await loop_runtime.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
'''


def test_the_shutdown_sequence_closes_the_session_it_never_closed(tmp_path):
    """Made at import, the session was never closed (shutdown() knew nothing of it); made by its
    first user and registered, it is closed by shutdown(), after the work, once."""
    (tmp_path / "aiohttp").mkdir()
    (tmp_path / "aiohttp" / "__init__.py").write_text(FAKE_AIOHTTP, encoding="utf-8")
    shutil.copyfile(TEMPLATE, tmp_path / "loop_runtime.py")
    (tmp_path / "app.py").write_text(SHUT_DOWN_APP, encoding="utf-8")

    def run() -> str:
        done = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    work = "session made\nGET https://example.org/a\nGET https://example.org/b\n"
    assert run() == work
    written = loopguard(tmp_path, "migrate", "--write", "--allow-dirty", "app.py")
    assert "lazy_loop_resource      1" in written.stderr.splitlines(), written.stderr
    assert "        register_closer(session.close)\n" in (tmp_path / "app.py").read_text(encoding="utf-8")
    assert run() == work + "session closed\n"
