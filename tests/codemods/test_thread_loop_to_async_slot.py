"""thread_loop_to_async_slot: thread-plus-private-loop workers become @asyncSlot coroutines."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from loopguard_codemods.base import SCRATCH_NOTES
from loopguard_codemods.thread_loop_to_async_slot import ThreadLoopToAsyncSlot
from tests.codemods.helpers import FindingCodemodTest

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "trading_desktop" / "repo" / "upbit_auto_trading"

NO_QT = "the module imports no Qt binding or qasync: @asyncSlot needs the qasync loop"
QT = "from PySide6.QtCore import QTimer, Signal, Slot\nfrom PySide6.QtWidgets import QWidget\n"


class TestRewrites(FindingCodemodTest):
    TRANSFORM = ThreadLoopToAsyncSlot

    def test_seed_worker_with_new_loop_in_try_finally(self):
        """The refactoring guide's pattern: local imports, new_event_loop + set_event_loop +
        run_until_complete in try/finally closing the loop, Thread(daemon=True) in a variable."""
        notes = self.assertCodemod(
            QT
            + dedent("""
            class Widget(QWidget):
                data_loaded = Signal(list)

                def _load_data(self):
                    \"\"\"Load the markets.\"\"\"
                    import asyncio
                    import threading

                    def load_isolated():
                        new_loop = asyncio.new_event_loop()
                        asyncio.set_event_loop(new_loop)
                        try:
                            result = new_loop.run_until_complete(self.service.get_data())
                            self.data_loaded.emit(result)
                        finally:
                            new_loop.close()
                            asyncio.set_event_loop(None)

                    thread = threading.Thread(target=load_isolated, daemon=True)
                    thread.start()
            """),
            QT
            + "from qasync import asyncSlot\n"
            + dedent("""
            class Widget(QWidget):
                data_loaded = Signal(list)

                @asyncSlot()
                async def _load_data(self):
                    \"\"\"Load the markets.\"\"\"
                    result = await self.service.get_data()
                    self.data_loaded.emit(result)
            """),
        )
        self.assertEqual(notes, [])

    def test_except_handlers_are_kept_and_the_finally_goes(self):
        """try/except/finally: the handlers stay (emit included), the loop-closing finally goes."""
        self.assertCodemod(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def refresh_data(self):
                    self._logger.info("refresh")

                    def refresh_isolated():
                        loop = asyncio.new_event_loop()
                        asyncio.set_event_loop(loop)
                        try:
                            tickers = loop.run_until_complete(self._service.get_tickers(self._markets))
                            self.data_loaded.emit(tickers)
                        except Exception as e:
                            self._logger.error(f"refresh failed: {e}")
                            self.load_failed.emit(str(e))
                        finally:
                            loop.close()

                    threading.Thread(target=refresh_isolated, name="refresh", daemon=True).start()
            """),
            QT
            + "from qasync import asyncSlot\n"
            + dedent("""
            class Widget(QWidget):
                @asyncSlot()
                async def refresh_data(self):
                    self._logger.info("refresh")

                    try:
                        tickers = await self._service.get_tickers(self._markets)
                        self.data_loaded.emit(tickers)
                    except Exception as e:
                        self._logger.error(f"refresh failed: {e}")
                        self.load_failed.emit(str(e))
            """),
        )

    def test_asyncio_run_worker_started_chained(self):
        """A worker calling asyncio.run(); Thread(target=w).start() chained; threading dropped,
        asyncio kept where the module still uses it."""
        self.assertCodemod(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def save(self):
                    def worker():
                        self._saved = asyncio.run(self.api.save(self.form()))

                    threading.Thread(target=worker).start()

                async def later(self):
                    await asyncio.sleep(1)
            """),
            "import asyncio\n\n"
            + QT
            + "from qasync import asyncSlot\n"
            + dedent("""
            class Widget(QWidget):
                @asyncSlot()
                async def save(self):
                    self._saved = await self.api.save(self.form())

                async def later(self):
                    await asyncio.sleep(1)
            """),
        )

    def test_thread_variable_with_daemon_set_apart_and_several_coroutines(self):
        """`t = Thread(...); t.daemon = True; t.start()`, any loop name, coroutines run in
        sequence, results handed back by QTimer.singleShot(0, ...) (a lambda and a bound method)."""
        self.assertCodemod(
            "import asyncio\nfrom threading import Thread\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                @Slot(str)
                def on_symbol(self, symbol):
                    def work():
                        ev = asyncio.new_event_loop()
                        try:
                            quote = ev.run_until_complete(self.api.quote(symbol))
                            depth = ev.run_until_complete(self.api.depth(symbol))
                            QTimer.singleShot(0, lambda: self._show(quote, depth))
                        except ConnectionError:
                            QTimer.singleShot(0, self._show_offline)
                        finally:
                            ev.close()

                    worker = Thread(target=work)
                    worker.daemon = True
                    worker.start()
            """),
            QT.replace(", Slot", "")  # the only @Slot became @asyncSlot
            + "from qasync import asyncSlot\n"
            + dedent("""
            class Widget(QWidget):
                @asyncSlot(str)
                async def on_symbol(self, symbol):
                    try:
                        quote = await self.api.quote(symbol)
                        depth = await self.api.depth(symbol)
                        self._show(quote, depth)
                    except ConnectionError:
                        self._show_offline()
            """),
        )

    def test_module_level_function_with_callback(self):
        """A module-level function; the result handed back by a callback; a lambda target."""
        self.assertCodemod(
            "import asyncio\nimport threading\n\nimport qasync\n\n"
            + dedent("""
            def fetch_in_background(client, on_done):
                def run():
                    on_done(asyncio.run(client.fetch()))

                threading.Thread(target=run, daemon=True).start()


            def ping_in_background(client):
                threading.Thread(target=lambda: asyncio.run(client.ping())).start()
            """),
            "import qasync\n\n"
            + dedent("""
            @qasync.asyncSlot()
            async def fetch_in_background(client, on_done):
                on_done(await client.fetch())


            @qasync.asyncSlot()
            async def ping_in_background(client):
                await client.ping()
            """),
        )

    def test_private_loop_without_thread(self):
        """The log viewer's shape: a method runs a private loop on the GUI thread (LG101, LG103)."""
        self.assertCodemod(
            "import asyncio\n\n"
            + QT
            + dedent("""
            class LogViewer(QWidget):
                def _initialize_event_system(self):
                    if self._event_bus is None:
                        return
                    try:
                        loop = asyncio.new_event_loop()
                        loop.run_until_complete(self._event_bus.start())
                        self._event_bus.subscribe("LogEntryCreated", self._on_log_event)
                    except Exception as e:
                        self._logger.error(f"init failed: {e}")
            """),
            QT
            + "from qasync import asyncSlot\n"
            + dedent("""
            class LogViewer(QWidget):
                @asyncSlot()
                async def _initialize_event_system(self):
                    if self._event_bus is None:
                        return
                    try:
                        await self._event_bus.start()
                        self._event_bus.subscribe("LogEntryCreated", self._on_log_event)
                    except Exception as e:
                        self._logger.error(f"init failed: {e}")
            """),
        )

    def test_comments_are_kept(self):
        """Comments of the worker and of the removed structure (`def worker():`, `try:`) stay;
        those about the loop (`# a loop of our own`), at the end of a removed line (`# fire it`)
        or left with nothing after them (`# always close it`) go with the plumbing. Awaited
        expressions keep their line breaks and need parentheses where precedence asks for them."""
        self.assertCodemod(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def load(self):
                    # Fetch everything in the background.
                    def worker():
                        \"\"\"Fetch the book.\"\"\"
                        # a loop of our own
                        loop = asyncio.new_event_loop()
                        try:  # the request
                            book = loop.run_until_complete(
                                self.api.book()  # slow
                            )
                            size = loop.run_until_complete(self.api.size()).total
                            self._book = (book, size)
                        finally:
                            # always close it
                            loop.close()

                    threading.Thread(target=worker).start()  # fire it
            """),
            QT
            + "from qasync import asyncSlot\n"
            + dedent("""
            class Widget(QWidget):
                @asyncSlot()
                async def load(self):
                    # Fetch everything in the background.
                    # Fetch the book.
                    # the request
                    book = await (
                        self.api.book()  # slow
                    )
                    size = (await self.api.size()).total
                    self._book = (book, size)
            """),
        )

    def test_connected_slot_stays_connected(self):
        """A method connected to a signal becomes an @asyncSlot: no LG501 appears."""
        self.assertCodemod(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button.clicked.connect(self.reload)
                    self.reload()

                def reload(self):
                    def work():
                        asyncio.run(self.model.reload())

                    threading.Thread(target=work, daemon=True).start()
            """),
            QT
            + "from qasync import asyncSlot\n"
            + dedent("""
            class Widget(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button.clicked.connect(self.reload)
                    self.reload()

                @asyncSlot()
                async def reload(self):
                    await self.model.reload()
            """),
        )

    def test_aliases_one_line_plumbing_and_nested_blocks(self):
        """Imports under other names, plumbing sharing a line, runs in an if test, a with block and
        a comprehension, operator precedence, loop shutdown calls, Thread(None, worker), a Qt
        Slot spelled through its module, a bare return."""
        self.assertCodemod(
            dedent("""
            import asyncio as aio
            from asyncio import new_event_loop, set_event_loop
            import threading

            from PySide6 import QtCore
            from PySide6.QtWidgets import QWidget


            class W(QWidget):
                @QtCore.Slot()
                def load(self):
                    def w():
                        loop = new_event_loop(); set_event_loop(loop)
                        if loop.run_until_complete(self.ready()):
                            with self._batch():
                                self.x = [loop.run_until_complete(c) for c in self.coros()]
                        else:
                            return
                        self.y = loop.run_until_complete(self.a1() or self.a2()) ** 2
                        loop.run_until_complete(aio.gather(self.b1(), self.b2()))
                        loop.run_until_complete(loop.shutdown_asyncgens())
                        loop.close()
                    threading.Thread(None, w).start()
            """),
            dedent("""
            import asyncio as aio
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class W(QWidget):
                @asyncSlot()
                async def load(self):
                    if await self.ready():
                        with self._batch():
                            self.x = [await c for c in self.coros()]
                    else:
                        return
                    self.y = (await (self.a1() or self.a2())) ** 2
                    await aio.gather(self.b1(), self.b2())
            """),
        )

    def test_static_method_and_thread_setters(self):
        """@staticmethod stays outermost; t.setDaemon(True) goes with the thread; the file's
        first imports dropped leave no blank opening line."""
        self.assertCodemod(
            dedent("""
            import asyncio
            import threading

            from PySide6.QtWidgets import QWidget


            class W(QWidget):
                @staticmethod
                def ping(api):
                    t = threading.Thread(target=lambda: asyncio.run(api.ping()))
                    t.setDaemon(True)
                    t.start()
            """),
            dedent("""
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class W(QWidget):
                @staticmethod
                @asyncSlot()
                async def ping(api):
                    await api.ping()
            """),
        )

    def test_asyncio_run_on_the_gui_thread(self):
        """A slot that blocks the GUI thread in asyncio.run() awaits on the qasync loop instead."""
        self.assertCodemod(
            "import asyncio\n\n"
            + QT
            + dedent("""
            class W(QWidget):
                def on_click(self):
                    data = asyncio.run(self.api.load())
                    self.show(data)
            """),
            QT
            + "from qasync import asyncSlot\n"
            + dedent("""
            class W(QWidget):
                @asyncSlot()
                async def on_click(self):
                    data = await self.api.load()
                    self.show(data)
            """),
        )

    def test_worker_method_of_the_class(self):
        """target=self._fetch_worker, a method of the same class used only there: the starter
        awaits it, and it becomes a plain coroutine (no slot: it is awaited, not connected)."""
        self.assertCodemod(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def start_fetch(self):
                    self._logger.info("fetching")
                    threading.Thread(target=self._fetch_worker, daemon=True).start()

                def _fetch_worker(self):
                    loop = asyncio.new_event_loop()
                    asyncio.set_event_loop(loop)
                    try:
                        self.data = loop.run_until_complete(self.api.fetch())
                        QTimer.singleShot(0, self._show_data)
                    finally:
                        loop.close()
            """),
            QT
            + "from qasync import asyncSlot\n"
            + dedent("""
            class Widget(QWidget):
                @asyncSlot()
                async def start_fetch(self):
                    self._logger.info("fetching")
                    await self._fetch_worker()

                async def _fetch_worker(self):
                    self.data = await self.api.fetch()
                    self._show_data()
            """),
        )


class TestTradingDesktopFixture(FindingCodemodTest):
    """The fixture's real files, migrated the way the refactoring guide shows."""

    TRANSFORM = ThreadLoopToAsyncSlot

    def migrate(self, relative: str):
        source = (FIXTURE / relative).read_text(encoding="utf-8")
        output, context = self.run_codemod(source, relative)
        return source, output, context

    def test_coin_list_widget(self):
        """Both isolated-loop workers become @asyncSlot coroutines; threading and asyncio go."""
        _, output, _ = self.migrate("ui/desktop/screens/chart_view/widgets/coin_list_widget.py")
        self.assertIn("    @asyncSlot()\n    async def _load_data(self):\n", output)
        self.assertIn("    @asyncSlot()\n    async def refresh_data(self):\n", output)
        self.assertIn("markets = await self._service.get_krw_markets()\n", output)
        self.assertIn("tickers = await self._service.get_tickers(self._markets)\n", output)
        for gone in ("import threading", "import asyncio", "new_event_loop", "Thread("):
            self.assertNotIn(gone, output)
        self.assertIn("from qasync import asyncSlot\n", output)

    def test_log_viewer(self):
        """The private loop that starts the event bus becomes an await on the qasync loop."""
        _, output, _ = self.migrate("ui/widgets/logging/event_driven_log_viewer_widget.py")
        self.assertIn("    @asyncSlot()\n    async def _initialize_event_system(self):\n", output)
        self.assertIn("            await self._event_bus.start()\n", output)
        self.assertNotIn("new_event_loop", output)

    def test_api_key_service_is_left_for_a_human(self):
        """No Qt in the service, a caller that needs the result, a join: listed, untouched."""
        source, output, context = self.migrate("infrastructure/services/api_key_service.py")
        self.assertEqual(source, output)
        self.assertEqual(
            [(note.line, note.code, note.reason) for note in context.scratch[SCRATCH_NOTES]],
            [
                (39, "LG101", NO_QT),
                (41, "LG103", NO_QT),
                (47, "LG401", NO_QT),
                (54, "LG102", NO_QT),
            ],
        )
