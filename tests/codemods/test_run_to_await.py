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
