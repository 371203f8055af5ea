"""run_to_await alone: the chains it does not rewrite, each finding noted with where its chain
stops and why (the rewritten chains are in ``test_run_to_await.py``)."""

from loopguard_codemods.run_to_await import RunToAwait

from .helpers import FindingCodemodTest
from .test_run_to_await import LOAD


class TestChainsThatStop(FindingCodemodTest):
    """Nothing of a stopped chain is rewritten; each of its findings says where it stops and why."""

    TRANSFORM = RunToAwait

    def assertLeft(self, source, expected_notes):
        notes = self.assertCodemod(source, source)
        self.assertEqual([(note.line, note.code, note.reason) for note in notes], expected_notes)

    def test_a_property_stops_it(self):
        self.assertLeft(
            LOAD
            + """
            def load_sync():
                return asyncio.run(load())


            class Settings:
                @property
                def value(self):
                    return load_sync()
            """,
            [
                (
                    9,
                    "LG102",
                    "service.py:8 load_sync() -> service.py:14 Settings.value() stops the chain: value() is a "
                    "property: reading it cannot await (and 1 more)",
                )
            ],
        )

    def test_a_reference_that_is_not_a_call_stops_it(self):
        self.assertLeft(
            LOAD
            + """
            def load_sync():
                return asyncio.run(load())


            HANDLERS = {"load": load_sync}
            """,
            [(9, "LG102", "service.py:8 load_sync() stops the chain: service.py:12 uses load_sync without calling it")],
        )

    def test_a_function_nothing_in_the_project_calls(self):
        """A library's function: its users call it synchronously."""
        self.assertLeft(
            LOAD
            + """
            def load_sync():
                return asyncio.run(load())
            """,
            [
                (
                    9,
                    "LG102",
                    "service.py:8 load_sync() stops the chain: nothing in the project calls load_sync(): code "
                    "outside it (a framework, a callback's caller, a library's users) calls it synchronously",
                )
            ],
        )

    def test_a_thread_started_by_synchronous_code(self):
        """The worker's loop is its thread's one loop; the starter cannot reach the main loop."""
        why = "service.py:9 worker() stops the chain: service.py:14 runs it in a thread started by synchronous code"
        self.assertLeft(
            """
            import asyncio
            import threading


            async def load():
                return 1


            def worker():
                asyncio.run(load())


            def start():
                threading.Thread(target=worker, daemon=True).start()
            """,
            [(10, "LG102", why), (14, "LG401", why)],
        )

    def test_a_non_daemon_thread_never_joined(self):
        """The program waited for that thread at exit; a task would be cancelled with the loop."""
        why = (
            "service.py:9 worker(): in service.py: line 14: the thread is not a daemon and never joined: the "
            "program waits for it at exit, and a task would be cancelled when the loop ends"
        )
        self.assertLeft(
            """
            import asyncio
            import threading


            async def load():
                return 1


            def worker():
                asyncio.run(load())


            async def start():
                threading.Thread(target=worker).start()
            """,
            [(10, "LG102", why), (14, "LG401", why)],
        )

    def test_an_executor_worker(self):
        why = "service.py:9 worker() stops the chain: service.py:15 runs it in an executor's worker thread"
        self.assertLeft(
            """
            import asyncio
            from concurrent.futures import ThreadPoolExecutor


            async def load():
                return 1


            def worker():
                return asyncio.run(load())


            async def start():
                with ThreadPoolExecutor() as pool:
                    return pool.submit(worker).result()
            """,
            [(10, "LG102", why), (15, "LG401", why)],
        )

    def test_a_call_in_a_lambda(self):
        self.assertLeft(
            LOAD
            + """
            def load_sync():
                return asyncio.run(load())


            async def main():
                later = lambda: load_sync()
                return later()
            """,
            [(9, "LG102", "service.py:8 load_sync() stops the chain: service.py:13 calls it in a lambda")],
        )

    def test_an_await_under_a_threading_lock(self):
        self.assertLeft(
            """
            import asyncio
            import threading

            LOCK = threading.Lock()


            async def load():
                return 1


            def load_locked():
                with LOCK:
                    return asyncio.run(load())


            async def main():
                return load_locked()
            """,
            [
                (
                    13,
                    "LG102",
                    "service.py:11 load_locked() stops the chain: line 13: it would await while `with LOCK:` "
                    "holds a threading lock",
                )
            ],
        )

    def test_an_await_between_a_read_and_a_write(self):
        """Another task could change self.total while this one awaits."""
        self.assertLeft(
            LOAD
            + """
            class Counter:
                def add(self):
                    return asyncio.run(load())

                async def tick(self):
                    self.total += self.add()
            """,
            [
                (
                    10,
                    "LG102",
                    "service.py:9 Counter.add() stops the chain: service.py:13: it would await between a read and "
                    "a write of self.total",
                )
            ],
        )

    def test_an_entry_point_that_would_start_the_loop_twice(self):
        self.assertLeft(
            LOAD
            + """
            def first():
                return asyncio.run(load())


            def second():
                return asyncio.run(load())


            def main():
                print(first())


            if __name__ == "__main__":
                main()
                print(second())
            """,
            [
                (
                    9,
                    "LG102",
                    "service.py:8 first() -> service.py:16 main() stops the chain: the entry code of service.py "
                    "would start the loop 2 times (lines 21, 22)",
                )
            ],
        )

    def test_an_entry_point_that_already_runs_a_loop(self):
        self.assertLeft(
            LOAD
            + """
            def first():
                return asyncio.run(load())


            def main():
                print(first())


            if __name__ == "__main__":
                main()
                asyncio.run(load())
            """,
            [
                (
                    9,
                    "LG102",
                    "service.py:8 first() -> service.py:12 main() stops the chain: the entry code of service.py "
                    "already runs a loop at line 18",
                )
            ],
        )

    def test_a_loop_that_runs_forever(self):
        why = (
            "service.py:8 run_server(): in service.py: run_server() runs a loop forever: a long-lived loop that "
            "other code feeds"
        )
        self.assertLeft(
            """
            import asyncio


            async def serve():
                return 1


            def run_server():
                loop = asyncio.new_event_loop()
                loop.create_task(serve())
                loop.run_forever()


            async def main():
                run_server()
            """,
            [(9, "LG101", why), (11, "LG103", why)],
        )

    def test_a_loop_made_elsewhere(self):
        self.assertLeft(
            """
            import asyncio


            async def ping():
                return 1


            class Client:
                def __init__(self, loop):
                    self._loop = loop

                def ping(self):
                    return self._loop.run_until_complete(ping())

                async def check(self):
                    return self.ping()
            """,
            [
                (
                    13,
                    "LG103",
                    "service.py:12 Client.ping(): in service.py: ping() runs its coroutine on self._loop, a loop made "
                    "elsewhere",
                )
            ],
        )

    def test_run_alone_it_leaves_a_chain_whose_coroutines_would_block(self):
        """time.sleep in a function that becomes a coroutine is LG403; loopguard migrate's
        blocking_to_async would fix it, but alone the codemod introduces nothing."""
        self.assertLeft(
            """
            import asyncio
            import time


            async def job():
                return 1


            def step():
                time.sleep(0.1)
                return asyncio.run(job())


            async def run():
                return step()
            """,
            [
                (
                    11,
                    "LG102",
                    "service.py:9 step(): in service.py: as coroutines, its functions would be flagged LG403 "
                    "(loopguard migrate fixes that too)",
                )
            ],
        )

    def test_an_unfollowed_method_call_joins_the_entry_point_to_a_stopped_chain(self):
        """main() calls check(), which calls .ping() on an object the project pass cannot follow:
        Client.ping may run there, and inside the loop main() would start it would fail. So
        quick()'s chain, which main() is part of, stops too."""
        self.assertLeft(
            """
            import asyncio


            async def ping():
                return "pong"


            class Client:
                def ping(self):
                    loop = asyncio.new_event_loop()
                    return loop.run_until_complete(ping())


            def quick():
                return asyncio.run(ping())


            def check(client):
                return client.ping()


            def main():
                print(quick())
                print(check(Client()))


            if __name__ == "__main__":
                main()
            """,
            [
                (
                    10,
                    "LG101",
                    "service.py:9 Client.ping() stops the chain: service.py:19 calls .ping on an object the "
                    "project pass cannot follow",
                ),
                (
                    11,
                    "LG103",
                    "service.py:9 Client.ping() stops the chain: service.py:19 calls .ping on an object the "
                    "project pass cannot follow",
                ),
                (
                    15,
                    "LG102",
                    "service.py:14 quick() -> service.py:22 main(); service.py:9 Client.ping() stops the chain: "
                    "service.py:19 calls .ping on an object the project pass cannot follow",
                ),
            ],
        )
