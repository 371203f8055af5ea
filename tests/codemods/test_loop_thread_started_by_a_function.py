"""loop_thread_to_main_loop where the loop thread is started by a function: a module-level loop
name declared ``global`` there (``_loop = None`` at import until the function runs), or ``self.X``
made in a method other than ``__init__``. The function stays, without the loop and its thread (a
``pass`` where nothing is left), so its callers keep working. The program that must print the same
before and after: ``loop_thread_programs/started_relay``."""

from loopguard_codemods.loop_thread_to_main_loop import LoopThreadToMainLoop

from .helpers import FindingCodemodTest

RELAY = """
            import asyncio
            import threading

            _loop = None


            def start_background():
                global _loop
                _loop = asyncio.new_event_loop()
                threading.Thread(target=_loop.run_forever, daemon=True).start()


            async def fetch(n):
                return n
"""
MAIN = """

            async def main():
                start_background()
                print(await handle(1))


            if __name__ == "__main__":
                asyncio.run(main())
"""


class TestLoopThreadStartedByAFunction(FindingCodemodTest):
    TRANSFORM = LoopThreadToMainLoop

    def assertLeft(self, source, reason):  # noqa: N802 (unittest naming)
        notes = self.assertCodemod(source, source)
        self.assertTrue(notes, "nothing was listed for a human")
        self.assertEqual({note.reason for note in notes}, {reason})

    def test_module_global_made_and_started_in_a_function(self):
        """`_loop = None`, the `global` line, the loop and its thread go; the function stays."""
        notes = self.assertCodemod(
            RELAY
            + """

            async def handle(n):
                return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()
            """
            + MAIN,
            """
            import asyncio


            def start_background():
                pass


            async def fetch(n):
                return n


            async def handle(n):
                return await fetch(n)


            async def main():
                start_background()
                print(await handle(1))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        )
        self.assertEqual(notes, [])

    def test_annotated_global_beside_other_work_of_the_starter(self):
        """`_loop: Optional[...] = None`; the starter keeps its other lines and its other globals."""
        self.assertCodemod(
            """
            import asyncio
            import threading
            from typing import Optional

            _loop: Optional[asyncio.AbstractEventLoop] = None
            _started = False


            def start_background():
                global _loop, _started
                _loop = asyncio.new_event_loop()
                threading.Thread(target=_loop.run_forever, daemon=True).start()
                _started = True


            async def fetch(n):
                return n


            async def handle(n):
                return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()
            """
            + MAIN,
            """
            import asyncio
            from typing import Optional

            _started = False


            def start_background():
                global _loop, _started
                _started = True


            async def fetch(n):
                return n


            async def handle(n):
                return await fetch(n)
            """
            + MAIN,
        )

    def test_instance_loop_made_in_a_start_method(self):
        self.assertCodemod(
            """
            import asyncio
            import threading


            class Client:
                def start(self):
                    self._loop = asyncio.new_event_loop()
                    threading.Thread(target=self._loop.run_forever, daemon=True).start()

                async def _fetch(self, n):
                    return n

                async def get(self, n):
                    return asyncio.run_coroutine_threadsafe(self._fetch(n), self._loop).result()


            async def main():
                client = Client()
                client.start()
                print(await client.get(1))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
            """
            import asyncio


            class Client:
                def start(self):
                    pass

                async def _fetch(self, n):
                    return n

                async def get(self, n):
                    return await self._fetch(n)


            async def main():
                client = Client()
                client.start()
                print(await client.get(1))


            if __name__ == "__main__":
                asyncio.run(main())
            """,
        )

    def test_loop_checked_before_starting(self):
        """`if _loop is None:` reads the loop: on the one loop it has no meaning."""
        self.assertLeft(
            RELAY
            + """

            async def handle(n):
                if _loop is None:
                    start_background()
                return asyncio.run_coroutine_threadsafe(fetch(n), _loop).result()
            """
            + MAIN,
            "line 18 uses the loop otherwise (`_loop is None`): it has no one-loop meaning this codemod can write",
        )

    def test_fed_from_a_thread(self):
        """A thread's submissions would need the loop captured when main() starts, which the
        starter would then rebind."""
        self.assertLeft(
            RELAY
            + """

            def feed(n):
                asyncio.run_coroutine_threadsafe(fetch(n), _loop)


            async def handle(n):
                await asyncio.to_thread(feed, n)
            """
            + MAIN,
            "line 18 submits from another thread to `_loop`, which only a loop made at import can keep for it",
        )
