"""run_to_await alone (as ``python -m libcst.tool codemod`` runs it): the module is the whole
program, so every chain here stays inside one module. The chains across modules, and the
command that keeps a chain whole over several files, are tested in
``test_run_to_await_project.py``; the programs that must print the same before and after, in
``test_run_to_await_programs.py``."""

from loopguard_codemods.run_to_await import RunToAwait

from .helpers import FindingCodemodTest

LOAD = """
            import asyncio


            async def load():
                return 1

"""


class TestChainsAreRewritten(FindingCodemodTest):
    TRANSFORM = RunToAwait

    def test_private_loop_becomes_an_await_up_to_the_main_block(self):
        """The loop's plumbing goes (the try/finally that only closed it gives way to its
        body, whose comment stays), the callers await, the entry point starts the one loop."""
        self.assertCodemod(
            """
            import asyncio


            async def download(url):
                await asyncio.sleep(0)
                return url


            def fetch(url):
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
                try:
                    # the page, on a loop of our own
                    return loop.run_until_complete(download(url))
                finally:
                    loop.close()
                    asyncio.set_event_loop(None)


            def title(url):
                return fetch(url).upper()


            if __name__ == "__main__":
                print(title("a"))
            """,
            """
            import asyncio


            async def download(url):
                await asyncio.sleep(0)
                return url


            async def fetch(url):
                # the page, on a loop of our own
                return await download(url)


            async def title(url):
                return (await fetch(url)).upper()


            if __name__ == "__main__":
                print(asyncio.run(title("a")))
            """,
        )

    def test_one_helper_used_by_two_commands_and_a_list_comprehension(self):
        """Every caller of the helper awaits it, wherever it sits in the expression; one
        ``asyncio.run`` is left, at the entry point."""
        self.assertCodemod(
            """
            import asyncio
            import sys


            async def fetch(url):
                return url.upper()


            def get(url):
                return asyncio.run(fetch(url))


            def show(urls):
                for url in urls:
                    print(get(url))


            def total(urls):
                print(sum([len(get(url)) for url in urls]))


            def main(argv):
                if argv[0] == "show":
                    show(argv[1:])
                else:
                    total(argv[1:])


            if __name__ == "__main__":
                sys.exit(main(sys.argv[1:]))
            """,
            """
            import asyncio
            import sys


            async def fetch(url):
                return url.upper()


            async def get(url):
                return await fetch(url)


            async def show(urls):
                for url in urls:
                    print(await get(url))


            async def total(urls):
                print(sum([len(await get(url)) for url in urls]))


            async def main(argv):
                if argv[0] == "show":
                    await show(argv[1:])
                else:
                    await total(argv[1:])


            if __name__ == "__main__":
                sys.exit(asyncio.run(main(sys.argv[1:])))
            """,
        )

    def test_recursion_and_a_cycle_terminate(self):
        """A recursive function and two that call each other: each awaits the other; the
        chain ends at the coroutine that calls them. asyncio, now unused, goes."""
        self.assertCodemod(
            """
            import asyncio


            async def job(n):
                return n


            def depth(n):
                value = asyncio.get_event_loop().run_until_complete(job(n))
                if n > 0:
                    return value + depth(n - 1)
                return value


            def ping(n):
                return asyncio.run(job(n)) + (pong(n - 1) if n else 0)


            def pong(n):
                return ping(n - 1) if n > 0 else 0


            async def report():
                print(depth(3), ping(4))
            """,
            """
            async def job(n):
                return n


            async def depth(n):
                value = await job(n)
                if n > 0:
                    return value + await depth(n - 1)
                return value


            async def ping(n):
                return await job(n) + (await pong(n - 1) if n else 0)


            async def pong(n):
                return await ping(n - 1) if n > 0 else 0


            async def report():
                print(await depth(3), await ping(4))
            """,
        )

    def test_a_coroutine_that_runs_a_loop_awaits_instead(self):
        """asyncio.run() inside a coroutine fails on the running loop: await the coroutine
        (asyncio, now unused, goes)."""
        self.assertCodemod(
            LOAD
            + """
            async def handler():
                value = asyncio.run(load())
                return value
            """,
            """
            async def load():
                return 1


            async def handler():
                value = await load()
                return value
            """,
        )

    def test_threads_started_on_the_loop_become_tasks(self):
        """The starter is a coroutine: the joined thread becomes an awaited task, the daemon
        thread a registered task; the thread's settings and start() go, and threading."""
        self.assertCodemod(
            """
            import asyncio
            import threading


            async def job(n):
                return n


            def worker(n, results):
                results.append(asyncio.run(job(n)))


            async def gather(results):
                t = threading.Thread(target=worker, args=(1, results))
                t.daemon = True
                t.start()
                t.join()
                threading.Thread(target=worker, kwargs={"n": 2, "results": results}, daemon=True).start()
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            async def job(n):
                return n


            async def worker(n, results):
                results.append(await job(n))


            async def gather(results):
                t = _task_manager.add_task(asyncio.create_task(worker(1, results)), name="service:gather")
                await t
                _task_manager.add_task(asyncio.create_task(worker(n=2, results=results)), name="service:gather#2")
            """,
        )

    def test_a_slot_connected_to_a_signal_becomes_an_async_slot(self):
        """In a qasync program, the chain ends at the slot, which gets @asyncSlot()."""
        self.assertCodemod(
            """
            import asyncio

            import qasync
            from PySide6.QtWidgets import QPushButton, QWidget


            async def fetch():
                return 3


            def fetch_sync():
                return asyncio.run(fetch())


            class Window(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button = QPushButton("go", self)
                    self.button.clicked.connect(self.refresh)

                def refresh(self):
                    self.count = fetch_sync()
            """,
            """
            import qasync
            from PySide6.QtWidgets import QPushButton, QWidget


            async def fetch():
                return 3


            async def fetch_sync():
                return await fetch()


            class Window(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button = QPushButton("go", self)
                    self.button.clicked.connect(self.refresh)

                @qasync.asyncSlot()
                async def refresh(self):
                    self.count = await fetch_sync()
            """,
        )

    def test_a_silenced_loop_is_left_and_the_other_chain_rewritten(self):
        """`# noqa: LG102` keeps load_sync as it is; other() is a chain of its own."""
        self.assertCodemod(
            LOAD
            + """
            def load_sync():
                return asyncio.run(load())  # noqa: LG102


            def other():
                return asyncio.run(load())


            async def main():
                return load_sync() + other()
            """,
            LOAD
            + """
            def load_sync():
                return asyncio.run(load())  # noqa: LG102


            async def other():
                return await load()


            async def main():
                return load_sync() + await other()
            """,
        )

    def test_methods_called_on_an_instance_made_here(self):
        """`bot = Bot()` then `bot.run(...)`: the call is Bot.run's, so the chain goes up through
        the methods to the entry point."""
        self.assertCodemod(
            """
            import asyncio


            async def reply(text):
                await asyncio.sleep(0)
                return text[::-1]


            class Bot:
                def handle(self, message):
                    loop = asyncio.new_event_loop()
                    try:
                        return loop.run_until_complete(reply(message))
                    finally:
                        loop.close()

                def run(self, messages):
                    for message in messages:
                        print(self.handle(message))


            if __name__ == "__main__":
                bot = Bot()
                bot.run(["hello", "world"])
            """,
            """
            import asyncio


            async def reply(text):
                await asyncio.sleep(0)
                return text[::-1]


            class Bot:
                async def handle(self, message):
                    return await reply(message)

                async def run(self, messages):
                    for message in messages:
                        print(await self.handle(message))


            if __name__ == "__main__":
                bot = Bot()
                asyncio.run(bot.run(["hello", "world"]))
            """,
        )

    def test_threads_kept_in_a_list_and_joined_become_awaited_tasks(self):
        """The starter runs a loop itself (it is an entry function), so it becomes a coroutine,
        and the threads it starts become tasks on its loop, awaited where they were joined."""
        self.assertCodemod(
            """
            import asyncio
            import threading


            async def get_index():
                await asyncio.sleep(0)
                return ["a", "bb", "ccc"]


            async def get_page(url):
                await asyncio.sleep(0)
                return len(url)


            def worker(url, results):
                results[url] = asyncio.run(get_page(url))


            def crawl():
                urls = asyncio.run(get_index())
                results = {}
                threads = []
                for url in urls:
                    thread = threading.Thread(target=worker, args=(url, results))
                    thread.start()
                    threads.append(thread)
                for thread in threads:
                    thread.join()
                return results


            if __name__ == "__main__":
                print(sorted(crawl().items()))
            """,
            """
            import asyncio

            from loop_runtime import TaskManager

            _task_manager = TaskManager()


            async def get_index():
                await asyncio.sleep(0)
                return ["a", "bb", "ccc"]


            async def get_page(url):
                await asyncio.sleep(0)
                return len(url)


            async def worker(url, results):
                results[url] = await get_page(url)


            async def crawl():
                urls = await get_index()
                results = {}
                threads = []
                for url in urls:
                    thread = _task_manager.add_task(asyncio.create_task(worker(url, results)), name="service:crawl")
                    threads.append(thread)
                for thread in threads:
                    await thread
                return results


            if __name__ == "__main__":
                print(sorted(asyncio.run(crawl()).items()))
            """,
        )


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


class TestThreadTasksAreRegisteredOnlyWhereTheyMayBe(FindingCodemodTest):
    TRANSFORM = RunToAwait

    def test_a_module_manager_of_its_own_leaves_the_chain_with_the_reason(self):
        """The daemon thread's task would go to the module's own `_task_manager`, not known to
        take add_task(task, name=...): nothing in the module is rewritten, and each finding of
        the chain says why (the codemod asks registration_problem before register_task)."""
        before = """
            import asyncio
            import threading

            _task_manager = set()


            async def job(n):
                return n


            def worker(n, results):
                results.append(asyncio.run(job(n)))


            async def gather(results):
                threading.Thread(target=worker, args=(2, results), daemon=True).start()
            """
        notes = self.assertCodemod(before, before)
        why = (
            "service.py:11 worker(): in service.py: a thread's task cannot be registered: "
            "_task_manager is the code's own manager (line 4), "
            "not known to take add_task(task, name=...): register the task with it by hand"
        )
        self.assertEqual({(note.code, note.reason) for note in notes}, {("LG102", why), ("LG401", why)})
