from flake8_loopguard.core.config import Config
from loopguard_codemods.base import SCRATCH_NOTES
from loopguard_codemods.blocking_to_async import BlockingToAsync

from .helpers import FindingCodemodTest
from .programs import run_program


class TestBlockingToAsync(FindingCodemodTest):
    TRANSFORM = BlockingToAsync

    def test_time_sleep_becomes_asyncio_sleep(self):
        """Sleeping on the loop lets every other task run; `import time` goes when unused."""
        self.assertCodemod(
            """
            import asyncio
            import time

            async def reconnect(self):
                time.sleep(0.5)  # back off
            """,
            """
            import asyncio

            async def reconnect(self):
                await asyncio.sleep(0.5)  # back off
            """,
        )

    def test_asyncio_import_is_added_and_time_kept_while_used(self):
        """No asyncio import yet: one is added; `time` stays for `time.monotonic()`."""
        self.assertCodemod(
            """
            import time

            async def wait(deadline):
                while time.monotonic() < deadline:
                    time.sleep(0.1)
            """,
            """
            import asyncio
            import time

            async def wait(deadline):
                while time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
            """,
        )

    def test_sleep_imported_by_name_and_asyncio_alias(self):
        """`from time import sleep` is dropped once unused; `import asyncio as aio` is reused."""
        self.assertCodemod(
            """
            import asyncio as aio
            from time import sleep

            async def poll():
                sleep(1)
            """,
            """
            import asyncio as aio

            async def poll():
                await aio.sleep(1)
            """,
        )

    def test_requests_runs_in_a_thread(self):
        """The result is still the response: `await` binds before `.json()` thanks to parentheses."""
        self.assertCodemod(
            """
            import requests

            async def quote(symbol):
                return requests.get(f"https://example.invalid/{symbol}", timeout=5).json()
            """,
            """
            import asyncio

            import requests

            async def quote(symbol):
                return (await asyncio.to_thread(requests.get, f"https://example.invalid/{symbol}", timeout=5)).json()
            """,
        )

    def test_multi_line_call_keeps_its_layout_and_comments(self):
        """Arguments on their own lines: the function joins them on its own line."""
        self.assertCodemod(
            """
            import asyncio
            import subprocess

            async def build():
                result = subprocess.run(  # the slow part
                    ["make", "all"],
                    check=True,  # fail loudly
                )
                return result
            """,
            """
            import asyncio
            import subprocess

            async def build():
                result = await asyncio.to_thread(  # the slow part
                    subprocess.run,
                    ["make", "all"],
                    check=True,  # fail loudly
                )
                return result
            """,
        )

    def test_aliases_and_builtins(self):
        """An imported alias and `input()` are passed to to_thread as they are spelled."""
        self.assertCodemod(
            """
            import asyncio
            from subprocess import check_output as out

            async def version():
                name = input()
                return out(["git", "describe"]).decode()
            """,
            """
            import asyncio
            from subprocess import check_output as out

            async def version():
                name = await asyncio.to_thread(input)
                return (await asyncio.to_thread(out, ["git", "describe"])).decode()
            """,
        )

    def test_session_method_on_a_constructed_receiver(self):
        """`requests.Session().get(url)`: the blocking call is `.get`, not the constructor."""
        self.assertCodemod(
            """
            import asyncio
            import requests

            async def fetch(url):
                session = requests.Session()
                first = session.get(url)
                return first, requests.Session().get(url)
            """,
            """
            import asyncio
            import requests

            async def fetch(url):
                session = requests.Session()
                first = await asyncio.to_thread(session.get, url)
                return first, await asyncio.to_thread(requests.Session().get, url)
            """,
        )

    def test_list_comprehension_may_await(self):
        """`await` in a list comprehension inside `async def` is an ordinary async comprehension."""
        self.assertCodemod(
            """
            import asyncio
            import requests

            async def fetch_all(urls):
                return [requests.get(url) for url in urls]
            """,
            """
            import asyncio
            import requests

            async def fetch_all(urls):
                return [await asyncio.to_thread(requests.get, url) for url in urls]
            """,
        )

    def test_generator_expression_is_left_for_a_human(self):
        """`await` in a generator expression would make it an async generator."""
        source = """
            import requests

            async def fetch_all(urls):
                return list(requests.get(url) for url in urls)
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual([(note.line, note.code) for note in notes], [(4, "LG403")])
        self.assertIn("generator expression", notes[0].reason)

    def test_synchronous_code_and_nested_functions_are_not_touched(self):
        """Blocking is fine outside coroutines, and in a function handed to a thread."""
        source = """
            import asyncio
            import time

            def tail(interval):
                time.sleep(interval)

            async def work():
                def blocking():
                    time.sleep(1)
                await asyncio.to_thread(blocking)
            """
        self.assertEqual(self.assertCodemod(source, source), [])

    def test_noqa_is_honoured(self):
        """A deliberate blocking call marked `# noqa: LG403` stays."""
        source = """
            import time

            async def calibrate():
                time.sleep(0.001)  # noqa: LG403
            """
        self.assertCodemod(source, source)

    def test_already_awaited_code_is_a_no_op(self):
        """The migrated form is not flagged, so a second migration changes nothing."""
        source = """
            import asyncio
            import requests

            async def quote():
                await asyncio.sleep(1)
                return await asyncio.to_thread(requests.get, "https://example.invalid")
            """
        self.assertCodemod(source, source)

    def test_submodule_import_binds_asyncio(self):
        """`import asyncio.subprocess` already binds `asyncio`: no second import."""
        self.assertCodemod(
            """
            import asyncio.subprocess
            import time

            async def nap():
                time.sleep(1)
            """,
            """
            import asyncio.subprocess

            async def nap():
                await asyncio.sleep(1)
            """,
        )


class TestConfiguredBlockingCalls(FindingCodemodTest):
    TRANSFORM = BlockingToAsync
    CONFIG = Config(blocking_calls=("mylib.sync_fetch", "mylib.Client.get"))

    def test_calls_named_in_loopguard_blocking_calls(self):
        """A project's own blocking function and method run in a thread like the known ones."""
        self.assertCodemod(
            """
            import asyncio
            import mylib

            async def load(key):
                client = mylib.Client()
                return mylib.sync_fetch(key), client.get(key)
            """,
            """
            import asyncio
            import mylib

            async def load(key):
                client = mylib.Client()
                return await asyncio.to_thread(mylib.sync_fetch, key), await asyncio.to_thread(client.get, key)
            """,
        )


class TestOtherEventLoops(FindingCodemodTest):
    TRANSFORM = BlockingToAsync

    def test_trio_and_anyio_modules_are_left_for_a_human(self):
        """A trio coroutine has no asyncio loop: `await asyncio.sleep()` would fail there."""
        for library in ("trio", "anyio"):
            source = f"""
                import time
                import {library}

                async def settle():
                    time.sleep(0.01)
                """
            notes = self.assertCodemod(source, source)
            self.assertEqual([(note.line, note.code) for note in notes], [(5, "LG403")])
            self.assertIn(library, notes[0].reason)


class TestNoAwaitWhereAnotherTaskCouldInterleave(FindingCodemodTest):
    """A blocking call let no other task run; an ``await`` in its place does. Where that breaks
    the program (a threading lock held, an attribute read before and written after), the call is
    left, with the reason, and the program runs as before."""

    TRANSFORM = BlockingToAsync

    def assertLeftAndRunsAsBefore(self, source: str, reasons, printed: str) -> None:  # noqa: N802
        source = self.make_fixture_data(source)
        notes = self.assertCodemod(source, source)
        self.assertEqual([(note.line, note.reason) for note in notes], reasons)
        self.assertEqual(run_program(source), printed)

    def test_a_with_block_holding_a_threading_lock(self):
        """With an RLock the second task enters too (same thread): the exclusion is lost; with a
        Lock it would block the loop's thread for good."""
        self.assertLeftAndRunsAsBefore(
            """
            import asyncio
            import threading
            import time


            class Store:
                def __init__(self):
                    self._guard = threading.RLock()

                async def save(self, name):
                    with self._guard:
                        print("in", name)
                        time.sleep(0.001)
                        print("out", name)


            async def main():
                store = Store()
                await asyncio.gather(store.save("a"), store.save("b"))


            asyncio.run(main())
            """,
            [
                (
                    13,
                    "an await here would sit inside `with self._guard:` (line 11), which holds a threading lock: "
                    "another task that takes it would block the loop's thread (deadlock) or, for an RLock, get in "
                    "too; move the call out of the block, or use an asyncio.Lock",
                )
            ],
            "in a\nout a\nin b\nout b\n",
        )

    def test_between_acquire_and_release(self):
        """The sleep under the lock stays; the one after its release (in `finally`) is awaited."""
        before = self.make_fixture_data(
            """
            import asyncio
            import threading
            import time

            lock = threading.Lock()


            async def save(name):
                if not lock.acquire(timeout=1):
                    print("lock busy", name)
                    return
                try:
                    time.sleep(0.001)
                    print("saved", name)
                finally:
                    lock.release()
                time.sleep(0.001)


            async def main():
                await asyncio.gather(save("a"), save("b"))


            asyncio.run(main())
            """
        )
        after = before.replace("        lock.release()\n    time.sleep(0.001)", "        lock.release()\n    await asyncio.sleep(0.001)")
        self.assertNotEqual(after, before)
        notes = self.assertCodemod(before, after)
        self.assertEqual(
            [(note.line, note.reason) for note in notes],
            [
                (
                    13,
                    "an await here would sit between lock.acquire() (line 9) and its release(), which holds a "
                    "threading lock: another task that takes it would block the loop's thread (deadlock) or, for an "
                    "RLock, get in too; move the call out of the block, or use an asyncio.Lock",
                )
            ],
        )
        self.assertEqual(run_program(before), "saved a\nsaved b\n")
        self.assertEqual(run_program(after), "saved a\nsaved b\n")

    def test_between_a_read_and_a_write_of_an_attribute(self):
        """Two bumps that read, sleep and write lose one update once the sleep lets the other run."""
        source = self.make_fixture_data(
            """
            import asyncio
            import time


            class Counter:
                def __init__(self):
                    self.value = 0

                async def bump(self):
                    seen = self.value
                    time.sleep(0.001)
                    self.value = seen + 1

                async def tick(self):
                    time.sleep(0.001)
                    self.value += 1


            async def main():
                counter = Counter()
                await asyncio.gather(counter.bump(), counter.bump(), counter.tick())
                print(counter.value)


            asyncio.run(main())
            """
        )
        output, context = self.run_codemod(source)
        notes = [(note.line, note.reason) for note in context.scratch[SCRATCH_NOTES]]
        self.assertEqual(
            notes,
            [
                (
                    11,
                    "an await here would sit between the read of self.value (line 10) and its write (line 12): "
                    "another task could change it in between, and one update would be lost; reorder by hand",
                )
            ],
        )
        self.assertIn("    async def tick(self):\n        await asyncio.sleep(0.001)\n        self.value += 1\n", output)
        self.assertEqual(run_program(source), "3\n")
        self.assertEqual(run_program(output), "3\n")
