"""``lazy_loop_resource`` keeps the program working: each case runs a small program with a fake
loop-bound session (``fakes.Session``, named by ``loopguard-loop-bound``) before and after the
codemod and compares what it printed."""

from __future__ import annotations

from pathlib import Path

from flake8_loopguard.core.config import Config
from loopguard_codemods.lazy_loop_resource import LazyLoopResource

from .helpers import EVERY_RULE, FindingCodemodTest
from .programs import run_program

FAKES = '''
class Session:
    made = 0

    def __init__(self, base="", headers=None):
        Session.made += 1
        self.headers = dict(headers or {})  # copied when made, as aiohttp does
        self.closed = False
        print("session made")

    async def get(self, path):
        if self.closed:
            raise RuntimeError("Session is closed")
        return f"GET {path} {self.headers}"

    async def close(self):
        self.closed = True
        print("session closed")
'''


class LazyResourceProgramTest(FindingCodemodTest):
    TRANSFORM = LazyLoopResource
    CONFIG = Config(extra_loop_bound=("fakes.Session",), opt_in_codes=EVERY_RULE.opt_in_codes)

    def migrated(self, source: str, filename=None):
        """(the codemod's output, the reasons it noted) for ``source``."""
        output, context = self.run_codemod(source, filename)
        return output, [note.reason for note in context.scratch.get("loopguard.left_for_human", [])]

    def run_with_fakes(self, source: str, **modules: str) -> str:
        return run_program(source, extra_modules={"fakes": FAKES, **modules})


class TestClosedStaysClosed(LazyResourceProgramTest):
    def test_close_before_the_first_use(self):
        """The eager session was closed by close(); a lazy one must be too, so a use after close()
        fails as before instead of making a session that nothing closes."""
        source = self.make_fixture_data(
            """
            import asyncio

            from fakes import Session


            class Client:
                def __init__(self):
                    self._session = Session()

                async def fetch(self, path):
                    return await self._session.get(path)

                async def close(self):
                    if not self._session.closed:
                        await self._session.close()


            async def main():
                client = Client()
                await client.close()
                try:
                    print(await client.fetch("/quotes"))
                except RuntimeError as error:
                    print("error:", error)
                print("sessions made:", Session.made)


            asyncio.run(main())
            """
        )
        after, notes = self.migrated(source)
        self.assertEqual(notes, [])
        self.assertIn(
            "    async def close(self):\n        await self._ensure_session()\n        if not self._session.closed:\n",
            after,
        )
        expected = "session made\nsession closed\nerror: Session is closed\nsessions made: 1\n"
        self.assertEqual(self.run_with_fakes(source), expected)
        self.assertEqual(self.run_with_fakes(after), expected)

    def test_set_to_none_after_close_is_left(self):
        """close() drops the session: the lazy accessor would build a new one on the next use,
        which nothing would close (the eager code failed on that use)."""
        source = self.make_fixture_data(
            """
            import asyncio

            from fakes import Session


            class Client:
                def __init__(self):
                    self._session = Session()

                async def fetch(self, path):
                    return await self._session.get(path)

                async def close(self):
                    await self._session.close()
                    self._session = None


            async def main():
                client = Client()
                await client.close()
                try:
                    print(await client.fetch("/quotes"))
                except AttributeError as error:
                    print("error:", error)


            asyncio.run(main())
            """
        )
        after, notes = self.migrated(source)
        self.assertEqual(after, source)
        self.assertEqual(
            notes,
            [
                "self._session is set to None in close() (line 15): the lazy accessor would build a new one "
                "on the next use, which nothing would close"
            ],
        )
        self.assertEqual(self.run_with_fakes(source), "session made\nsession closed\nerror: 'NoneType' object has no attribute 'get'\n")


class TestArgumentsKeepTheirValue(LazyResourceProgramTest):
    """Built later, the resource reads its arguments later: only arguments that cannot change by
    then may move."""

    CLIENT = """
        import asyncio

        from fakes import Session


        class Client:
            def __init__(self, headers{annotation}):
                self._headers = headers
                self._session = Session(headers=self._headers)

            async def fetch(self, path):
                return await self._session.get(path)
        {more}
        """

    def client(self, annotation: str = "", more: str = "") -> str:
        return self.make_fixture_data(self.CLIENT.replace("{annotation}", annotation).replace("{more}", more))

    def test_a_parameter_the_caller_may_change(self):
        source = self.client() + self.make_fixture_data(
            """

            async def main():
                headers = {"token": "a"}
                client = Client(headers)
                headers["token"] = "b"
                print(await client.fetch("/quotes"))


            asyncio.run(main())
            """
        )
        after, notes = self.migrated(source)
        self.assertEqual(after, source)
        self.assertEqual(
            notes,
            [
                "its arguments use `headers`, a parameter of __init__ not annotated with an immutable type "
                "(str, int, float, bool, bytes, tuple, frozenset): the caller may change it before the first use, "
                "which a resource built later would see"
            ],
        )
        self.assertEqual(self.run_with_fakes(source), "session made\nGET /quotes {'token': 'a'}\n")

    def test_an_attribute_the_class_changes(self):
        source = self.client(
            annotation=": dict",
            more="""
            def login(self, token):
                self._headers["token"] = token
        """,
        ) + self.make_fixture_data(
            """

            async def main():
                client = Client({"token": "a"})
                client.login("b")
                print(await client.fetch("/quotes"))


            asyncio.run(main())
            """
        )
        after, notes = self.migrated(source)
        self.assertEqual(after, source)
        self.assertEqual(
            notes,
            [
                "its arguments use self._headers, which the module changes (line 15): a resource built later "
                "would see the change"
            ],
        )
        self.assertEqual(self.run_with_fakes(source), "session made\nGET /quotes {'token': 'a'}\n")

    def test_an_immutable_parameter_moves(self):
        source = self.client(annotation=": str").replace("headers=self._headers", "base=self._headers") + (
            self.make_fixture_data(
                """

                async def main():
                    print(await Client("https://x").fetch("/quotes"))


                asyncio.run(main())
                """
            )
        )
        after, notes = self.migrated(source)
        self.assertEqual(notes, [])
        self.assertIn("            self._session = Session(base=self._headers)\n", after)
        self.assertEqual(self.run_with_fakes(source), "session made\nGET /quotes {}\n")
        self.assertEqual(self.run_with_fakes(after), "session made\nGET /quotes {}\n")


    def assertLeftForHuman(self, source: str, reason: str) -> None:  # noqa: N802 (unittest style)
        notes = self.assertCodemod(source, source)
        self.assertTrue(notes and all(reason in note.reason for note in notes), notes)

    def test_arguments_that_may_change_before_the_first_use(self):
        """Built later, the resource reads its arguments later: whatever could change by then keeps
        the construction in `__init__`."""
        for init, more, reason in (
            (
                "def __init__(self, headers):\n        self._headers = headers\n"
                "        self._session = aiohttp.ClientSession(headers=headers)",
                "",
                "its arguments use `headers`, a parameter of __init__ not annotated with an immutable type",
            ),
            (
                "def __init__(self, url: str):\n        self.url = url\n"
                "        self._session = aiohttp.ClientSession(url)",
                "",
                "its arguments use self.url, which code of other modules may change before the first use",
            ),
            (
                "def __init__(self):\n        self._session = aiohttp.ClientSession(headers=self._make_headers())",
                "",
                "its arguments call self._make_headers(), which reads the object as it is when the resource is built",
            ),
            (
                "def __init__(self):\n        self._session = aiohttp.ClientSession(headers=HEADERS)",
                "\ndef login(token):\n    HEADERS['token'] = token\n",
                "its arguments use `HEADERS`, which the module changes (line 14)",
            ),
            (
                "def __init__(self):\n        self._session = aiohttp.ClientSession(headers=HEADERS)",
                "\nHEADERS = {}\n",
                "its arguments use `HEADERS`, which the module binds more than once",
            ),
        ):
            with self.subTest(reason):
                self.assertLeftForHuman(
                    "import aiohttp\n\nHEADERS = {'accept': 'json'}\n\n\nclass Client:\n    "
                    + init
                    + "\n\n    async def get(self, url):\n        return await self._session.get(url)\n"
                    + more,
                    reason,
                )


class TestReadersInOtherModules(LazyResourceProgramTest):
    def test_a_module_of_the_package_that_reads_the_attribute(self):
        """Another module of the package reads ``client._session``: it would see None."""
        folder = Path(self.make_package())
        client_path = folder / "pkg" / "client.py"
        source = client_path.read_text(encoding="utf-8")
        after, notes = self.migrated(source, str(client_path))
        self.assertEqual(after, source)
        self.assertEqual(
            notes,
            ["self._session is read by pkg/status.py, another module that names Client: it would see None"],
        )
        bot = (folder / "pkg" / "status.py").read_text(encoding="utf-8").replace("from pkg.client", "from client")
        self.assertEqual(self.run_with_fakes(bot, client=source), "session made\nopen: True\n")

    def make_package(self) -> str:
        import tempfile

        folder = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, folder)
        package = Path(folder) / "pkg"
        package.mkdir()
        (package / "__init__.py").write_text("", encoding="utf-8")
        (package / "client.py").write_text(
            "from fakes import Session\n\n\n"
            "class Client:\n"
            "    def __init__(self):\n"
            "        self._session = Session()\n\n"
            "    async def fetch(self, path):\n"
            "        return await self._session.get(path)\n",
            encoding="utf-8",
        )
        (package / "status.py").write_text(
            "from pkg.client import Client\n\n"
            "client = Client()\n"
            "print('open:', not client._session.closed)\n",
            encoding="utf-8",
        )
        return folder
