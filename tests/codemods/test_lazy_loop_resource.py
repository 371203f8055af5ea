"""lazy_loop_resource: LG301 resources move from ``__init__`` into an awaited ``_ensure_<name>()``."""

from __future__ import annotations

from flake8_loopguard.core.config import Config
from loopguard_codemods.lazy_loop_resource import LazyLoopResource

from .helpers import EVERY_RULE, FindingCodemodTest


class TestLazyLoopResource(FindingCodemodTest):
    TRANSFORM = LazyLoopResource

    def assertLeftForHuman(self, source: str, reason: str) -> None:  # noqa: N802 (unittest style)
        """The source stays byte for byte, and every LG301 finding is noted with ``reason``."""
        notes = self.assertCodemod(source, source)
        self.assertTrue(notes, "nothing was noted for a human")
        for note in notes:
            self.assertEqual(note.code, "LG301")
            self.assertIn(reason, note.reason)

    def test_session_of_the_seed(self):
        """The seed's client: lazy session, every coroutine that reads it awaits it first, close()
        too (see test_lazy_resource_programs: a use after close() fails as it did)."""
        self.assertCodemod(
            """
            import aiohttp


            class UpbitPrivateClient:
                BASE_URL = "https://api.upbit.com/v1"

                def __init__(self, access_key: str):
                    self._access_key = access_key
                    # one session per client
                    self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))  # shared

                def _make_token(self) -> str:
                    return self._access_key

                async def _get(self, path: str) -> dict:
                    \"\"\"GET a path of the API.\"\"\"
                    headers = {"Authorization": f"Bearer {self._make_token()}"}
                    async with self._session.get(f"{self.BASE_URL}{path}", headers=headers) as resp:
                        return await resp.json()

                async def close(self) -> None:
                    if not self._session.closed:
                        await self._session.close()
            """,
            """
            import aiohttp


            class UpbitPrivateClient:
                BASE_URL = "https://api.upbit.com/v1"

                def __init__(self, access_key: str):
                    self._access_key = access_key
                    # one session per client
                    self._session = None  # shared

                async def _ensure_session(self):
                    if self._session is None:
                        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
                    return self._session

                def _make_token(self) -> str:
                    return self._access_key

                async def _get(self, path: str) -> dict:
                    \"\"\"GET a path of the API.\"\"\"
                    await self._ensure_session()
                    headers = {"Authorization": f"Bearer {self._make_token()}"}
                    async with self._session.get(f"{self.BASE_URL}{path}", headers=headers) as resp:
                        return await resp.json()

                async def close(self) -> None:
                    await self._ensure_session()
                    if not self._session.closed:
                        await self._session.close()
            """,
        )

    def test_a_coroutine_that_only_closes_it_awaits_it_too(self):
        """The eager resource existed to be closed; the lazy one is made to be closed, so that a
        use after the close fails as it did instead of making one that nothing closes."""
        self.assertCodemod(
            """
            import httpx


            class Api:
                def __init__(self):
                    self._http = httpx.AsyncClient()

                async def fetch(self, url):
                    # one request
                    return await self._http.get(url)

                async def aclose(self):
                    await self._http.aclose()  # release the pool
            """,
            """
            import httpx


            class Api:
                def __init__(self):
                    self._http = None

                async def _ensure_http(self):
                    if self._http is None:
                        self._http = httpx.AsyncClient()
                    return self._http

                async def fetch(self, url):
                    await self._ensure_http()
                    # one request
                    return await self._http.get(url)

                async def aclose(self):
                    await self._ensure_http()
                    await self._http.aclose()  # release the pool
            """,
        )

    def test_every_coroutine_that_reads_it_awaits_it_first(self):
        """A guarded release, an `or` test and a None check see the resource as the eager code did."""
        self.assertCodemod(
            """
            import aiohttp


            class Feed:
                def __init__(self):
                    self._session = aiohttp.ClientSession()

                async def close(self):
                    if self._session:
                        await self._session.close()

                async def reset(self):
                    if self._session.closed or self._broken:
                        await self._session.close()

                async def is_open(self):
                    return self._session is not None
            """,
            """
            import aiohttp


            class Feed:
                def __init__(self):
                    self._session = None

                async def _ensure_session(self):
                    if self._session is None:
                        self._session = aiohttp.ClientSession()
                    return self._session

                async def close(self):
                    await self._ensure_session()
                    if self._session:
                        await self._session.close()

                async def reset(self):
                    await self._ensure_session()
                    if self._session.closed or self._broken:
                        await self._session.close()

                async def is_open(self):
                    await self._ensure_session()
                    return self._session is not None
            """,
        )

    def test_stored_parameters_and_multiline_constructor(self):
        """Arguments read from `__init__`'s parameters read the attributes that store them; the
        constructor keeps its layout and comments, one level deeper."""
        self.assertCodemod(
            """
            import aiohttp


            class Client:
                def __init__(self, base_url: str, limit: int = 30):
                    self._base_url = base_url
                    self._limit: int = limit
                    self._session = aiohttp.ClientSession(
                        base_url,  # every request is relative to it
                        connector=aiohttp.TCPConnector(limit=limit),
                        headers={"Accept": "application/json"},
                    )

                async def get(self, path):
                    async with self._session.get(path) as response:
                        return await response.json()
            """,
            """
            import aiohttp


            class Client:
                def __init__(self, base_url: str, limit: int = 30):
                    self._base_url = base_url
                    self._limit: int = limit
                    self._session = None

                async def _ensure_session(self):
                    if self._session is None:
                        self._session = aiohttp.ClientSession(
                            self._base_url,  # every request is relative to it
                            connector=aiohttp.TCPConnector(limit=self._limit),
                            headers={"Accept": "application/json"},
                        )
                    return self._session

                async def get(self, path):
                    await self._ensure_session()
                    async with self._session.get(path) as response:
                        return await response.json()
            """,
        )

    def test_two_resources(self):
        """Each resource gets its ensure method, in `__init__`'s order; a user of both awaits both."""
        self.assertCodemod(
            """
            import grpc
            import redis.asyncio


            class StatsProvider:
                def __init__(self, target: str):
                    self._target = target
                    self._aio_channel = grpc.aio.insecure_channel(self._target)
                    self._cache = redis.asyncio.Redis()

                async def fetch(self, key):
                    cached = await self._cache.get(key)
                    return cached or await self._aio_channel.unary_unary("/Stats/Get")(key)
            """,
            """
            import grpc
            import redis.asyncio


            class StatsProvider:
                def __init__(self, target: str):
                    self._target = target
                    self._aio_channel = None
                    self._cache = None

                async def _ensure_aio_channel(self):
                    if self._aio_channel is None:
                        self._aio_channel = grpc.aio.insecure_channel(self._target)
                    return self._aio_channel

                async def _ensure_cache(self):
                    if self._cache is None:
                        self._cache = redis.asyncio.Redis()
                    return self._cache

                async def fetch(self, key):
                    await self._ensure_aio_channel()
                    await self._ensure_cache()
                    cached = await self._cache.get(key)
                    return cached or await self._aio_channel.unary_unary("/Stats/Get")(key)
            """,
        )

    def test_subclass_coroutines_await_the_inherited_ensure_method(self):
        """A subclass in the module inherits `_ensure_session`; its coroutines await it too."""
        self.assertCodemod(
            """
            import aiohttp


            class Client:
                def __init__(self):
                    self._session = aiohttp.ClientSession()


            class TracingClient(Client):
                async def get(self, url):
                    return await self._session.get(url)
            """,
            """
            import aiohttp


            class Client:
                def __init__(self):
                    self._session = None

                async def _ensure_session(self):
                    if self._session is None:
                        self._session = aiohttp.ClientSession()
                    return self._session


            class TracingClient(Client):
                async def get(self, url):
                    await self._ensure_session()
                    return await self._session.get(url)
            """,
        )

    def test_annotated_attribute_becomes_optional(self):
        """`self._x: T = Factory()` starts as None, so its annotation says so (an Optional already
        there is kept)."""
        self.assertCodemod(
            """
            from typing import Optional

            import aiohttp
            import httpx


            class Client:
                def __init__(self) -> None:
                    self._session: aiohttp.ClientSession = aiohttp.ClientSession()
                    self._http: Optional[httpx.AsyncClient] = httpx.AsyncClient()

                async def get(self, url: str) -> bytes:
                    response = await self._session.get(url)
                    return await self._http.get(url) if response.status == 404 else await response.read()
            """,
            """
            from typing import Optional

            import aiohttp
            import httpx


            class Client:
                def __init__(self) -> None:
                    self._session: Optional[aiohttp.ClientSession] = None
                    self._http: Optional[httpx.AsyncClient] = None

                async def _ensure_session(self):
                    if self._session is None:
                        self._session = aiohttp.ClientSession()
                    return self._session

                async def _ensure_http(self):
                    if self._http is None:
                        self._http = httpx.AsyncClient()
                    return self._http

                async def get(self, url: str) -> bytes:
                    await self._ensure_session()
                    await self._ensure_http()
                    response = await self._session.get(url)
                    return await self._http.get(url) if response.status == 404 else await response.read()
            """,
        )
        self.assertCodemod(
            """
            import aiohttp


            class Client:
                def __init__(self):
                    self._session: aiohttp.ClientSession = aiohttp.ClientSession()
            """,
            """
            from typing import Optional

            import aiohttp


            class Client:
                def __init__(self):
                    self._session: Optional[aiohttp.ClientSession] = None

                async def _ensure_session(self):
                    if self._session is None:
                        self._session = aiohttp.ClientSession()
                    return self._session
            """,
        )

    def test_same_attribute_name_in_an_unrelated_class(self):
        """Another class's `self._session` is that class's own attribute, not a use of this one."""
        self.assertCodemod(
            """
            import aiohttp


            class Client:
                def __init__(self):
                    self._session = aiohttp.ClientSession()

                async def ping(self):
                    return await self._session.get("/ping")


            class Recorder:
                def __init__(self, session):
                    self._session = session

                def record(self):
                    return self._session
            """,
            """
            import aiohttp


            class Client:
                def __init__(self):
                    self._session = None

                async def _ensure_session(self):
                    if self._session is None:
                        self._session = aiohttp.ClientSession()
                    return self._session

                async def ping(self):
                    await self._ensure_session()
                    return await self._session.get("/ping")


            class Recorder:
                def __init__(self, session):
                    self._session = session

                def record(self):
                    return self._session
            """,
        )

    def test_tabs_and_windows_line_endings_are_kept(self):
        """New code follows the file's indentation and line endings."""
        source = (
            "import aiohttp\r\n\r\n\r\nclass C:\r\n\tdef __init__(self):\r\n\t\tself._s = aiohttp.ClientSession()\r\n"
            "\r\n\tasync def get(self):\r\n\t\treturn await self._s.get('/')\r\n"
        )
        output, _ = self.run_codemod(source)
        self.assertEqual(
            output,
            "import aiohttp\r\n\r\n\r\nclass C:\r\n\tdef __init__(self):\r\n\t\tself._s = None\r\n\r\n"
            "\tasync def _ensure_s(self):\r\n\t\tif self._s is None:\r\n\t\t\tself._s = aiohttp.ClientSession()\r\n"
            "\t\treturn self._s\r\n\r\n"
            "\tasync def get(self):\r\n\t\tawait self._ensure_s()\r\n\t\treturn await self._s.get('/')\r\n",
        )

    # ----- left for a human, byte for byte ----------------------------------------------

    def test_public_attribute(self):
        """`bot.session` is read by other modules (a bot's extensions): only private attributes move."""
        self.assertLeftForHuman(
            """
            import aiohttp


            class Bot:
                def __init__(self):
                    self.session = aiohttp.ClientSession()

                async def fetch(self, url):
                    return await self.session.get(url)
            """,
            "self.session is public: code in other modules may read it and would see None",
        )

    def test_read_by_a_synchronous_method(self):
        """A sync method would see None: rewriting only the coroutines would break it. The note
        names every use that stands in the way."""
        source = """
            import aiohttp


            class Client:
                def __init__(self):
                    self._session = aiohttp.ClientSession()

                async def get(self, url):
                    return await self._session.get(url)

                def headers(self):
                    return self._session.headers


            def cookies(client):
                return client._session.cookie_jar
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.line, note.reason) for note in notes],
            [
                (
                    6,
                    "self._session is read by the synchronous headers() (line 12), which would see None; "
                    "used outside the methods of its class (line 16)",
                )
            ],
        )

    def test_handed_to_another_constructor_in_init(self):
        """`Client(session=self._session)` in `__init__` needs the resource right away."""
        self.assertLeftForHuman(
            """
            import aiohttp


            class Service:
                def __init__(self):
                    self._session = aiohttp.ClientSession()
                    self._client = Client(session=self._session)
            """,
            "self._session is read in __init__ (line 7), before a coroutine could create it",
        )

    def test_used_outside_the_class(self):
        """`client._session` elsewhere in the module would see None."""
        self.assertLeftForHuman(
            """
            import aiohttp


            class Client:
                def __init__(self):
                    self._session = aiohttp.ClientSession()

                async def get(self, url):
                    return await self._session.get(url)


            async def download(client, url):
                return await client._session.get(url)
            """,
            "used outside the methods of its class (line 13)",
        )

    def test_used_by_a_base_class(self):
        """A base class's method also runs on instances of other subclasses, which have no ensure method."""
        self.assertLeftForHuman(
            """
            import aiohttp


            class Base:
                async def get(self, url):
                    return await self._session.get(url)


            class Client(Base):
                def __init__(self):
                    self._session = aiohttp.ClientSession()
            """,
            "used outside the methods of its class (line 6)",
        )

    def test_arguments_that_stay_in_init(self):
        """A local of `__init__`, or a parameter it does not keep, cannot be read from another method."""
        source = """
            import aiohttp
            import grpc


            class Provider:
                def __init__(self, host, port, timeout, url):
                    target = f"{host}:{port}"
                    self._aio_channel = grpc.aio.insecure_channel(target)
                    self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
                    self._url = url
                    url = url.rstrip("/")
                    self._http = aiohttp.ClientSession(url)
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.line, note.reason) for note in notes],
            [
                (
                    8,
                    "its arguments use `target`, a local variable of __init__: the constructor cannot move out of __init__",
                ),
                (
                    9,
                    "its arguments use `timeout`, a parameter of __init__ that is not stored on self: "
                    "the constructor cannot move out of __init__",
                ),
                (
                    12,
                    "its arguments use `url`, a parameter that __init__ reassigns: the constructor cannot move out of __init__",
                ),
            ],
        )

    def test_shapes_it_does_not_rewrite(self):
        """Only an unconditional `self.x = Factory(...)` statement of `__init__` is rewritten."""
        source = """
            import aiohttp


            class Client:
                def __init__(self, shared):
                    if shared:
                        self._session = aiohttp.ClientSession()
                    session = aiohttp.ClientSession()
                    self._other = session
                    self.a = self.b = aiohttp.ClientSession()
                    self.c = aiohttp.ClientSession(); self.ready = True
                    self.pool = [aiohttp.ClientSession()]
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.line, note.reason) for note in notes],
            [
                (7, "the resource is built inside a block of __init__ (if, try, with, loop), not unconditionally"),
                (8, "the resource is assigned to `session`, not to an attribute of self"),
                (10, "the resource is assigned to several targets at once"),
                (11, "the assignment shares its line with other statements"),
                (12, "the resource is not assigned as it is built (`self.x = Factory(...)`)"),
            ],
        )

    def test_reassigned_deleted_or_used_in_a_nested_function(self):
        """Uses the codemod cannot follow keep the whole attribute as it is."""
        for body, reason in (
            (
                "async def reconnect(self):\n        self._session = aiohttp.ClientSession()",
                "reassigned in reconnect()",
            ),
            ("async def drop(self):\n        del self._session", "deleted in drop()"),
            ("async def later(self):\n        return lambda: self._session.get('/')", "nested in later()"),
            ("async def named(self):\n        return getattr(self, '_session')", "appears in a string"),
            ("async def _ensure_session(self):\n        return None", "already uses the name _ensure_session"),
        ):
            with self.subTest(reason):
                self.assertLeftForHuman(
                    "import aiohttp\n\n\nclass Client:\n    def __init__(self):\n"
                    "        self._session = aiohttp.ClientSession()\n\n    " + body + "\n",
                    reason,
                )

    def test_noqa_line_is_untouched(self):
        """`# noqa: LG301` keeps the eager construction (the owner knows why)."""
        source = """
            import aiohttp


            class Client:
                def __init__(self):
                    self._session = aiohttp.ClientSession()  # noqa: LG301

                async def get(self, url):
                    return await self._session.get(url)
            """
        self.assertEqual(self.assertCodemod(source, source), [])


class TestConfiguredFactory(FindingCodemodTest):
    TRANSFORM = LazyLoopResource
    CONFIG = Config(extra_loop_bound=("statsvc.clients.make_async_client",), opt_in_codes=EVERY_RULE.opt_in_codes)

    def test_factory_named_by_loopguard_loop_bound(self):
        """A project's own factory (`loopguard-loop-bound`) is made lazy like the built-in ones."""
        self.assertCodemod(
            """
            from statsvc.clients import make_async_client


            class Provider:
                def __init__(self, billing_target: str):
                    self._billing_target = billing_target
                    self._billing = make_async_client(billing_target)

                async def finances(self, request):
                    return await self._billing.list_unit_finances(request)
            """,
            """
            from statsvc.clients import make_async_client


            class Provider:
                def __init__(self, billing_target: str):
                    self._billing_target = billing_target
                    self._billing = None

                async def _ensure_billing(self):
                    if self._billing is None:
                        self._billing = make_async_client(self._billing_target)
                    return self._billing

                async def finances(self, request):
                    await self._ensure_billing()
                    return await self._billing.list_unit_finances(request)
            """,
        )
