"""The ``@asyncSlot()`` coroutines ``thread_loop_to_async_slot`` writes run under qasync the way
the original functions ran: called by signals with arguments and directly by code. Each program
runs offscreen in a fresh process before and after the migration, and prints the same."""

from __future__ import annotations

import textwrap

from textwrap import dedent

from loopguard_codemods.pipeline import migrate_source
from loopguard_codemods.thread_loop.slot import CLOSE_EVENT_LEFT
from loopguard_codemods.thread_loop_to_async_slot import ThreadLoopToAsyncSlot

from .helpers import FindingCodemodTest
from .qt_programs import run_offscreen
from .test_thread_loop_to_async_slot import QT

SLOTS = textwrap.dedent("""\
    import asyncio
    import threading

    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QPushButton

    done = []  # what the work finished, for the driver to wait on


    class Service:
        async def load(self, what):
            await asyncio.sleep(0)
            return what


    class Bus(QObject):
        requested = Signal(object)


    class Panel(QPushButton):
        def __init__(self, service):
            super().__init__("load")
            self._service = service
            self.clicked.connect(self.refresh)

        def refresh(self):
            def worker():
                loop = asyncio.new_event_loop()
                try:
                    rows = loop.run_until_complete(self._service.load("rows"))
                    done.append(f"refreshed {rows}")
                finally:
                    loop.close()

            threading.Thread(target=worker, daemon=True).start()


    def ping(service):
        def worker():
            done.append("pinged " + asyncio.run(service.load("pong")))

        threading.Thread(target=worker, daemon=True).start()


    def reset():
        def worker():
            done.append("reset " + asyncio.run(Service().load("done")))

        threading.Thread(target=worker, daemon=True).start()
    """)

SCENARIO = """
    from PySide6.QtWidgets import QPushButton

    panel = app.Panel(app.Service())
    panel.click()  # clicked(bool): a signal with an argument
    panel.refresh()  # called directly
    bus = app.Bus()
    bus.requested.connect(app.ping)
    bus.requested.emit(app.Service())
    app.ping(app.Service())
    button = QPushButton()
    button.clicked.connect(app.reset)
    button.click()
    app.reset()
    await until(lambda: len(app.done) == 6, "the six jobs")
    for line in sorted(app.done):
        print(line)
    """

EXPECTED = "pinged pong\npinged pong\nrefreshed rows\nrefreshed rows\nreset done\nreset done\n"


def test_slots_are_called_as_the_functions_were(tmp_path):
    migrated = migrate_source(SLOTS, "app.py")
    assert "    @asyncSlot()\n    async def refresh(self):" in migrated.source_after
    assert "@asyncSlot()\nasync def ping(service):" in migrated.source_after
    assert "\ndef reset():\n    def worker():" in migrated.source_after
    [reset_note] = [note for note in migrated.left_for_human if note.code == "LG401"]
    assert reset_note.reason == (
        "reset() takes no positional argument: qasync's @asyncSlot wrapper cannot call it with none "
        "(TypeError), as code and signals would"
    )
    assert run_offscreen(SLOTS, SCENARIO, tmp_path / "before") == EXPECTED
    assert run_offscreen(migrated.source_after, SCENARIO, tmp_path / "after") == EXPECTED


def test_a_call_without_positional_arguments_keeps_the_function(tmp_path):
    """``ping(service=...)`` is called by keyword here: the wrapper would get no positional argument."""
    source = SLOTS + '\n\ndef ping_by_keyword():\n    ping(service=Service())\n'
    migrated = migrate_source(source, "app.py")
    reasons = {note.reason for note in migrated.left_for_human if note.code == "LG401"}
    # (a note's lines are those of the migrated file, where `refresh` became shorter)
    call_line = migrated.source_after.splitlines().index("    ping(service=Service())") + 1
    assert (
        f"ping() is called without a positional argument (line {call_line}): qasync's @asyncSlot wrapper "
        "cannot call it so (TypeError)"
    ) in reasons
    assert "\ndef ping(service):\n    def worker():" in migrated.source_after


def test_a_starter_whose_thread_runs_a_method_is_a_bound_method():
    """``target=self._fetch``: the starter is a method; ``self.load()`` gives the wrapper ``self``."""
    source = textwrap.dedent("""\
        import asyncio
        import threading

        from PySide6.QtWidgets import QWidget


        class Panel(QWidget):
            def load(self):
                threading.Thread(target=self._fetch, daemon=True).start()

            def _fetch(self):
                self.rows = asyncio.run(self._service.rows())

            def showEvent(self, event):
                self.load()
        """)
    migrated = migrate_source(source, "app.py")
    assert "    @asyncSlot()\n    async def load(self):\n        await self._fetch()\n" in migrated.source_after


CLOSING = textwrap.dedent("""\
    import asyncio
    import atexit
    import threading

    from PySide6.QtWidgets import QWidget

    done = []
    atexit.register(lambda: print(sorted(done)))  # once the workers' threads have ended


    class Service:
        async def save(self, what):
            await asyncio.sleep(0.05)  # a write that takes a while: Qt quits meanwhile
            return what


    class Editor(QWidget):
        def __init__(self, service):
            super().__init__()
            self._service = service

        def closeEvent(self, event):
            def worker():
                loop = asyncio.new_event_loop()
                try:
                    done.append("saved " + loop.run_until_complete(self._service.save("draft")))
                finally:
                    loop.close()

            threading.Thread(target=worker).start()


    class Viewer(QWidget):
        def showEvent(self, event):
            def worker():
                done.append("shown " + asyncio.run(Service().save("page")))

            threading.Thread(target=worker).start()
    """)

# The application ends as its last window closes: what closeEvent started must be done by then.
CLOSING_SCENARIO = """
    from PySide6.QtCore import QTimer

    viewer = app.Viewer()
    viewer.show()
    editor = app.Editor(app.Service())
    editor.show()
    await until(lambda: len(app.done) == 1, "the page")
    viewer.close()
    QTimer.singleShot(0, editor.close)  # from Qt's event dispatch, as the user's click on the close button
    """


def test_event_handlers_are_left(tmp_path):
    """Qt calls ``closeEvent`` and goes on when it returns, here to the end of the application: as
    an ``@asyncSlot`` it would return at its first await and the save would never end (the
    unfixed codemod's output printed ``['shown page']``). qasync's ``@asyncClose`` waits by
    spinning ``processEvents()``: entered from a coroutine it fails, and under PySide6 6.12 on
    Python 3.11 it aborts the interpreter once it has spun a few thousand times (each call drops
    a reference to None)."""
    migrated = migrate_source(CLOSING, "app.py")
    assert migrated.source_after == CLOSING
    reasons = {note.reason for note in migrated.left_for_human if note.code == "LG401"}
    assert reasons == {
        CLOSE_EVENT_LEFT,
        "showEvent() is a Qt event handler: Qt reads the event when it returns, and an @asyncSlot returns at "
        "its first await",
    }
    expected = "['saved draft', 'shown page']\n"  # (printed at exit, after the threads)
    assert run_offscreen(CLOSING, CLOSING_SCENARIO, tmp_path / "before", until_last_window_closes=True) == expected


class TestLoopRunUnderALock(FindingCodemodTest):
    TRANSFORM = ThreadLoopToAsyncSlot

    def assertLeft(self, source: str, reason: str) -> None:  # noqa: N802 (unittest naming)
        notes = self.assertCodemod(source, source)
        self.assertTrue(notes, "nothing was listed for a human")
        self.assertEqual({note.reason for note in notes}, {reason})

    def test_loop_run_under_a_threading_lock(self):
        """The worker runs its loop inside `with self._lock:`: as an await on the GUI thread, a
        second click would block that thread on the lock for good."""
        self.assertLeft(
            "import asyncio\nimport threading\n\n"
            + QT
            + dedent("""
            class Widget(QWidget):
                def _load(self):
                    def worker():
                        loop = asyncio.new_event_loop()
                        with self._lock:
                            rows = loop.run_until_complete(self._service.load())
                        loop.close()
                        self.loaded.emit(rows)

                    threading.Thread(target=worker, daemon=True).start()
            """),
            "an await here would sit inside `with self._lock:` (line 11), which holds a threading lock: another "
            "task that takes it would block the loop's thread (deadlock) or, for an RLock, get in too; move the "
            "call out of the block, or use an asyncio.Lock",
        )
