"""thread_loop_to_async_slot: the workers it leaves for a human, each with its reason."""

from __future__ import annotations

from textwrap import dedent

from loopguard_codemods.base import SCRATCH_NOTES
from loopguard_codemods.thread_loop_to_async_slot import ThreadLoopToAsyncSlot
from tests.codemods.helpers import FindingCodemodTest

from .test_thread_loop_to_async_slot import NO_QT, QT


class TestLeftForHuman(FindingCodemodTest):
    """Shapes the codemod does not fully understand: unchanged, each listed with its reason."""

    TRANSFORM = ThreadLoopToAsyncSlot

    def assertLeft(self, source: str, reason: str) -> None:  # noqa: N802 (unittest naming)
        notes = self.assertCodemod(source, source)
        self.assertTrue(notes, "nothing was listed for a human")
        self.assertEqual({note.reason for note in notes}, {reason})
        self.assertIn("LG401", {note.code for note in notes})

    def test_long_lived_loop_thread(self):
        """A loop thread that other code feeds with run_coroutine_threadsafe()."""
        self.assertLeft(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Bridge(QWidget):
                def start(self):
                    self._loop = asyncio.new_event_loop()
                    threading.Thread(target=self._loop.run_forever, daemon=True).start()

                def submit(self, coro):
                    return asyncio.run_coroutine_threadsafe(coro, self._loop)
            """),
            "the thread runs a long-lived event loop that other code feeds",
        )

    def test_qthread_subclass_is_left_to_the_worker_class_codemod(self):
        """QThread.run with a private loop is worker_class_to_task's: this codemod neither rewrites
        run() as a starter nor lists its findings."""
        source = (
            "import asyncio\n\n"
            + QT
            + "from PySide6.QtCore import QThread\n"
            + dedent("""
            class Loader(QThread):
                def run(self):
                    loop = asyncio.new_event_loop()
                    loop.run_until_complete(self.load())
            """)
        )
        output, context = self.run_codemod(source)
        self.assertEqual(output, source)
        self.assertEqual(context.scratch.get(SCRATCH_NOTES, []), [])

    def test_starter_joins_the_thread(self):
        """The starter waits for the worker and reads what it wrote: shared state."""
        self.assertLeft(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Dialog(QWidget):
                def check(self, key):
                    result = {}

                    def run_test():
                        loop = asyncio.new_event_loop()
                        result["ok"] = loop.run_until_complete(self.api.ping(key))
                        loop.close()

                    worker = threading.Thread(target=run_test)
                    worker.start()
                    worker.join(timeout=15)
                    self._ok = result.get("ok", False)
            """),
            "the starter joins or inspects the thread 'worker' after start(): it waits for the worker",
        )

    def test_method_returning_a_value(self):
        """@asyncSlot would turn the returned value into a task."""
        self.assertLeft(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def status(self):
                    def work():
                        asyncio.run(self.api.ping())

                    threading.Thread(target=work).start()
                    return "started"
            """),
            "status() returns a value that callers may use",
        )

    def test_caller_uses_the_value(self):
        """A caller in the file uses the method's value."""
        self.assertLeft(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def check(self):
                    def work():
                        asyncio.run(self.api.ping())

                    threading.Thread(target=work).start()

                def on_click(self):
                    if self.check() is None:
                        self.label.setText("checking")
            """),
            "the value of check() is used at line 15",
        )

    def test_module_without_qt(self):
        """No Qt binding or qasync imported: @asyncSlot has no qasync loop to run on."""
        self.assertLeft(
            """
            import asyncio
            import threading

            def refresh(service):
                def work():
                    asyncio.run(service.refresh())

                threading.Thread(target=work).start()
            """,
            NO_QT,
        )

    def test_code_after_start(self):
        """Code after start() runs while the worker runs: its order is a human decision."""
        self.assertLeft(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def load(self):
                    def work():
                        self._data = asyncio.run(self.api.load())

                    threading.Thread(target=work).start()
                    self.label.setText("loading...")
            """),
            "code after the thread's start() runs while the worker runs: order it around the awaits by hand",
        )

    def test_blocking_worker_would_introduce_lg403(self):
        """A worker that also blocks (time.sleep) would freeze the GUI as a coroutine."""
        self.assertLeft(
            "import asyncio\nimport threading\nimport time\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def retry(self):
                    def work():
                        time.sleep(1)
                        asyncio.run(self.api.ping())

                    threading.Thread(target=work).start()
            """),
            "as a coroutine the worker would be flagged LG403"
            " (blocking time.sleep() in a coroutine stalls the event loop; use await asyncio.sleep())",
        )

    def test_unknown_decorator(self):
        """A decorator the codemod does not know may not accept a coroutine function."""
        self.assertLeft(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                @log_calls
                def load(self):
                    def work():
                        asyncio.run(self.api.load())

                    threading.Thread(target=work).start()
            """),
            "load() is decorated with @log_calls: it may not accept a coroutine function",
        )

    def test_executor(self):
        """A worker handed to an executor is not a thread the codemod removes."""
        self.assertLeft(
            "import asyncio\nfrom concurrent.futures import ThreadPoolExecutor\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def load(self):
                    def work():
                        asyncio.run(self.api.load())

                    self._pool.submit(work)
            """),
            "the worker runs in an executor or to_thread(): make it a coroutine and await it by hand",
        )

    def test_worker_method_used_elsewhere(self):
        """The thread's target is another method that other code also calls: it must stay a
        plain function, so both methods are left."""
        source = (
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def _fetch_worker(self):
                    loop = asyncio.new_event_loop()
                    self.data = loop.run_until_complete(self.api.fetch())
                    loop.close()

                def start_fetch(self):
                    threading.Thread(target=self._fetch_worker, daemon=True).start()

                def fetch_now(self):
                    self._fetch_worker()
            """)
        )
        reason = "_fetch_worker() is used elsewhere than as the thread's target, which still needs it"
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            sorted((note.line, note.code, note.reason) for note in notes),
            [(9, "LG101", reason), (10, "LG103", reason), (14, "LG401", reason)],
        )

    def test_blocking_call_that_later_code_relies_on(self):
        """Without a thread the function blocked until its work was done; as a slot it would
        return at once, and the code after its call would run too early."""
        source = (
            "import asyncio\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def __init__(self):
                    super().__init__()
                    self._load()
                    self._render(self.data)

                def _load(self):
                    self.data = asyncio.run(self.api.fetch())
            """)
        )
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.code, note.reason) for note in notes],
            [("LG102", "code after the call of _load() at line 9 may rely on its work being done")],
        )

    def test_unittest_method(self):
        """A test owns its loop on purpose, and its runner needs it finished when it returns."""
        source = (
            "import asyncio\nimport unittest\n\n"
            + QT
            + dedent("""
            class WidgetTest(unittest.TestCase):
                def test_load(self):
                    asyncio.run(self.widget.load())
            """)
        )
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [note.reason for note in notes], ["test_load() is a test: its runner calls it and expects it to finish"]
        )

    def test_noqa_on_the_thread_line(self):
        """`# noqa: LG401` on the Thread(...) line: the function is left as it is; the worker's
        own loop call is still listed, with why."""
        source = (
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def load(self):
                    def work():
                        asyncio.run(self.api.load())

                    threading.Thread(target=work).start()  # noqa: LG401
            """)
        )
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            [(note.code, note.reason) for note in notes],
            [("LG102", "the loop runs in work(), which is not started as a thread here")],
        )
