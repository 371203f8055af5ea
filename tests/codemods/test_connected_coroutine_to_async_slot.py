import textwrap

from loopguard_codemods.connected_coroutine_to_async_slot import ConnectedCoroutineToAsyncSlot

from .helpers import FindingCodemodTest, run_libcst_tool


class TestConnectedCoroutineToAsyncSlot(FindingCodemodTest):
    TRANSFORM = ConnectedCoroutineToAsyncSlot
    FILENAME = "panel.py"

    def test_method_connected_to_clicked_gets_async_slot(self):
        """A method gets `self` from every connection: `@asyncSlot()` calls it whatever the signal passes."""
        notes = self.assertCodemod(
            """
            from PySide6.QtWidgets import QWidget


            class CoinList(QWidget):
                def __init__(self):
                    super().__init__()
                    self.refresh_button.clicked.connect(self._refresh)

                # reloads the list
                async def _refresh(self):
                    await self.service.load()
            """,
            """
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class CoinList(QWidget):
                def __init__(self):
                    super().__init__()
                    self.refresh_button.clicked.connect(self._refresh)

                # reloads the list
                @asyncSlot()
                async def _refresh(self):
                    await self.service.load()
            """,
        )
        self.assertEqual(notes, [])

    def test_plain_slot_decorator_becomes_async_slot_and_its_import_goes(self):
        """`@Slot()` where `@asyncSlot()` was meant: replaced in place, `Slot` no longer imported."""
        self.assertCodemod(
            """
            from PySide6.QtCore import Signal, Slot
            from PySide6.QtWidgets import QWidget
            import qasync


            class Tab(QWidget):
                saved = Signal(str)

                def __init__(self):
                    super().__init__()
                    self.save_button.clicked.connect(self._on_save)

                @Slot()  # the save button
                async def _on_save(self):
                    self.saved.emit(await self.service.save())
            """,
            """
            from PySide6.QtCore import Signal
            from PySide6.QtWidgets import QWidget
            import qasync


            class Tab(QWidget):
                saved = Signal(str)

                def __init__(self):
                    super().__init__()
                    self.save_button.clicked.connect(self._on_save)

                @qasync.asyncSlot()  # the save button
                async def _on_save(self):
                    self.saved.emit(await self.service.save())
            """,
        )

    def test_slot_types_are_kept_and_a_still_used_module_import_stays(self):
        """`@QtCore.Slot(str)` -> `@asyncSlot(str)`; `QtCore` is still used by another slot."""
        self.assertCodemod(
            """
            from PyQt5 import QtCore
            from qasync import asyncSlot


            class Orderbook(QtCore.QObject):
                symbol_changed = QtCore.pyqtSignal(str)

                def __init__(self):
                    super().__init__()
                    self.symbol_changed.connect(self._subscribe)

                @QtCore.pyqtSlot(str)
                async def _subscribe(self, symbol):
                    await self.ws.subscribe(symbol)

                @QtCore.pyqtSlot()
                def stop(self):
                    self.ws.close()
            """,
            """
            from PyQt5 import QtCore
            from qasync import asyncSlot


            class Orderbook(QtCore.QObject):
                symbol_changed = QtCore.pyqtSignal(str)

                def __init__(self):
                    super().__init__()
                    self.symbol_changed.connect(self._subscribe)

                @asyncSlot(str)
                async def _subscribe(self, symbol):
                    await self.ws.subscribe(symbol)

                @QtCore.pyqtSlot()
                def stop(self):
                    self.ws.close()
            """,
        )

    def test_arguments_from_a_signal_of_this_module_are_typed(self):
        """`_select(self, symbol)` needs the signal's argument: the decorator names its types, so that
        PyQt, which calls a decorated slot with the arguments it declares, hands it over."""
        self.assertCodemod(
            """
            from PySide6.QtCore import QObject, Signal


            class Presenter(QObject):
                selected = Signal(str, int)

                def bind(self):
                    self.selected.connect(self._select)

                async def _select(self, symbol, depth):
                    await self.service.load(symbol, depth)
            """,
            """
            from PySide6.QtCore import QObject, Signal
            from qasync import asyncSlot


            class Presenter(QObject):
                selected = Signal(str, int)

                def bind(self):
                    self.selected.connect(self._select)

                @asyncSlot(str, int)
                async def _select(self, symbol, depth):
                    await self.service.load(symbol, depth)
            """,
        )

    def test_arguments_from_a_qt_signal_of_one_signature_are_typed(self):
        """`currentTextChanged(str)` passes a str on every class and binding."""
        self.assertCodemod(
            """
            import functools
            from PySide6.QtWidgets import QWidget


            class Orderbook(QWidget):
                def bind(self, box):
                    box.currentTextChanged.connect(functools.partial(self._select, "KRW"))

                async def _select(self, market, symbol):
                    await self.service.subscribe(market, symbol)
            """,
            """
            import functools
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Orderbook(QWidget):
                def bind(self, box):
                    box.currentTextChanged.connect(functools.partial(self._select, "KRW"))

                @asyncSlot(str)
                async def _select(self, market, symbol):
                    await self.service.subscribe(market, symbol)
            """,
        )

    def test_function_called_by_a_lambda_with_its_arguments(self):
        """A lambda calls the coroutine with its own arguments: a plain function gets one, enough for qasync."""
        self.assertCodemod(
            """
            from PyQt5 import QtWidgets


            async def on_click(name):
                print(name)


            def wire(button):
                button.clicked.connect(lambda: on_click("buy"))
            """,
            """
            from PyQt5 import QtWidgets
            from qasync import asyncSlot


            @asyncSlot()
            async def on_click(name):
                print(name)


            def wire(button):
                button.clicked.connect(lambda: on_click("buy"))
            """,
        )

    def test_an_awaited_call_elsewhere_keeps_working(self):
        """Awaiting the Task an `@asyncSlot` returns waits for the coroutine, as awaiting it did."""
        self.assertCodemod(
            """
            from PySide6.QtWidgets import QWidget


            class Accounts(QWidget):
                def __init__(self):
                    super().__init__()
                    self.refresh_button.clicked.connect(self.refresh)

                async def refresh(self):
                    await self.service.accounts()

                async def start(self):
                    await self.refresh()
            """,
            """
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Accounts(QWidget):
                def __init__(self):
                    super().__init__()
                    self.refresh_button.clicked.connect(self.refresh)

                @asyncSlot()
                async def refresh(self):
                    await self.service.accounts()

                async def start(self):
                    await self.refresh()
            """,
        )

    def test_inherited_method_of_a_same_file_base(self):
        """The slot is found in the base class the linter found it in."""
        self.assertCodemod(
            """
            from PySide6.QtWidgets import QWidget


            class Base(QWidget):
                async def reload(self):
                    await self.service.load()


            class Screen(Base):
                def __init__(self):
                    super().__init__()
                    self.button.clicked.connect(self.reload)
            """,
            """
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Base(QWidget):
                @asyncSlot()
                async def reload(self):
                    await self.service.load()


            class Screen(Base):
                def __init__(self):
                    super().__init__()
                    self.button.clicked.connect(self.reload)
            """,
        )

    def test_close_handler_connected_to_about_to_quit_gets_async_close(self):
        """An event handler is not a slot: qasync's `@asyncClose` runs the close coroutine to its end."""
        self.assertCodemod(
            """
            from PySide6.QtWidgets import QApplication, QMainWindow


            class MainWindow(QMainWindow):
                def __init__(self):
                    super().__init__()
                    QApplication.instance().aboutToQuit.connect(self.closeEvent)

                async def closeEvent(self, event=None):
                    await self.service.close()
            """,
            """
            from PySide6.QtWidgets import QApplication, QMainWindow
            from qasync import asyncClose


            class MainWindow(QMainWindow):
                def __init__(self):
                    super().__init__()
                    QApplication.instance().aboutToQuit.connect(self.closeEvent)

                @asyncClose
                async def closeEvent(self, event=None):
                    await self.service.close()
            """,
        )

    # ----- left for a human --------------------------------------------------------------------

    def assertLeft(self, source, reason, filename=None):
        notes = self.assertCodemod(source, source, filename=filename)
        self.assertEqual([(note.code, note.reason) for note in notes], [("LG501", reason)])

    def test_function_without_parameters_is_left(self):
        """qasync 0.28's wrapper fails when it gets no argument at all: a plain function gets none from `timeout`."""
        self.assertLeft(
            """
            from PySide6.QtCore import QTimer


            async def poll():
                pass


            def start(timer: QTimer):
                timer.timeout.connect(poll)
            """,
            "poll() would be called without arguments, and qasync's asyncSlot then fails"
            " (TypeError: asyncSlot was not callable from Signal)",
        )

    def test_function_without_parameters_connected_to_clicked_is_left(self):
        """Whatever `clicked` passes, qasync drops it and then has no argument left to call `on_click()` with."""
        self.assertLeft(
            """
            from PySide6.QtWidgets import QPushButton


            async def on_click():
                pass


            def wire(button: QPushButton):
                button.clicked.connect(on_click)
            """,
            "on_click() would be called without arguments, and qasync's asyncSlot then fails"
            " (TypeError: asyncSlot was not callable from Signal)",
        )

    def test_argument_an_overloaded_signal_may_not_pass_is_left(self):
        """PySide6 hands a varargs wrapper nothing from a button's `clicked`, even with `@asyncSlot(bool)`."""
        self.assertLeft(
            """
            from PySide6.QtWidgets import QWidget


            class Panel(QWidget):
                def __init__(self):
                    super().__init__()
                    self.check.clicked.connect(self._on_check)

                async def _on_check(self, checked):
                    await self.service.enable(checked)
            """,
            "_on_check() needs arguments from clicked, which does not pass them the same way on every binding"
            " (or is not known here): give them defaults, or connect a lambda that passes them",
        )

    def test_a_signal_passing_too_few_arguments_is_left(self):
        self.assertLeft(
            """
            from PySide6.QtCore import QObject, Signal


            class Presenter(QObject):
                ready = Signal()

                def bind(self):
                    self.ready.connect(self._load)

                async def _load(self, symbol):
                    await self.service.load(symbol)
            """,
            "_load() cannot be called with the 0 argument(s) ready passes",
        )

    def test_other_event_handlers_are_left(self):
        self.assertLeft(
            """
            from PySide6.QtWidgets import QWidget


            class Chart(QWidget):
                def __init__(self):
                    super().__init__()
                    self.zoom_changed.connect(self.resizeEvent)

                async def resizeEvent(self, event=None):
                    await self.redraw()
            """,
            "resizeEvent() is a Qt event handler: Qt reads the event when the handler returns, before a coroutine"
            " has run; make it synchronous and start the async work from it",
        )

    def test_close_handler_that_needs_its_event_is_left(self):
        self.assertLeft(
            """
            from PySide6.QtWidgets import QMainWindow


            class MainWindow(QMainWindow):
                def __init__(self):
                    super().__init__()
                    self.quit_action.triggered.connect(self.closeEvent)

                async def closeEvent(self, event):
                    await self.service.close()
                    event.accept()
            """,
            "closeEvent() is connected to triggered, which may pass it arguments or be emitted from a coroutine,"
            " where qasync's @asyncClose cannot run: connect the signal to close()",
        )

    def test_close_handler_of_a_window_closed_from_a_coroutine_is_left(self):
        """`close()` in a running task would call an `@asyncClose` handler there: qasync aborts the process."""
        self.assertLeft(
            """
            from PySide6.QtWidgets import QApplication, QMainWindow


            class MainWindow(QMainWindow):
                def __init__(self):
                    super().__init__()
                    QApplication.instance().aboutToQuit.connect(self.closeEvent)

                async def closeEvent(self, event=None):
                    await self.service.close()

                async def logout(self):
                    await self.service.logout()
                    self.close()
            """,
            "close() is called in a coroutine at line 14: qasync's @asyncClose cannot run inside a running task",
        )

    def test_coroutine_also_handed_to_create_task_is_left(self):
        """As an `@asyncSlot` the call returns a Task: `create_task()` would refuse it."""
        self.assertLeft(
            """
            import asyncio
            from PySide6.QtWidgets import QWidget


            class Feed(QWidget):
                def __init__(self):
                    super().__init__()
                    self.start_button.clicked.connect(self.listen)

                async def listen(self):
                    await self.ws.listen()

                async def restart(self):
                    self._task = asyncio.create_task(self.listen())
            """,
            "listen() is also used at line 14, not only awaited there: as an @asyncSlot it returns a Task,"
            " not a coroutine",
        )

    def test_another_decorator_is_left(self):
        self.assertLeft(
            """
            from PySide6.QtWidgets import QWidget


            class Feed(QWidget):
                def __init__(self):
                    super().__init__()
                    self.start_button.clicked.connect(self.listen)

                @log_calls
                async def listen(self):
                    await self.ws.listen()
            """,
            "listen() is decorated with @log_calls: it may not hand a coroutine function on",
        )

    def test_module_running_qt_exec_without_qasync_is_left(self):
        """Importing qasync here would make `app.exec()` an LG503 finding: the codemod never introduces one."""
        self.assertLeft(
            """
            import sys
            from PySide6.QtWidgets import QApplication, QWidget


            class Window(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button.clicked.connect(self._load)

                async def _load(self):
                    pass


            def main():
                app = QApplication(sys.argv)
                Window().show()
                return app.exec()
            """,
            "the module runs Qt's own loop at line 17: importing qasync for @asyncSlot would make it LG503; drive"
            " the application with the qasync loop first (qasync_runs_application)",
        )

    def test_noqa_is_honoured(self):
        source = """
            from PySide6.QtWidgets import QWidget


            class Window(QWidget):
                def __init__(self):
                    super().__init__()
                    self.button.clicked.connect(self._load)  # noqa: LG501

                async def _load(self):
                    pass
            """
        self.assertEqual(self.assertCodemod(source, source), [])



def test_runs_alone_through_libcst_tool(tmp_path):
    """`python -m libcst.tool codemod` runs it with the repository's .libcst.codemod.yaml, comments kept."""
    target = tmp_path / "panel.py"
    target.write_text(textwrap.dedent(
        """\
        from PySide6.QtWidgets import QWidget


        class Panel(QWidget):
            def __init__(self):
                super().__init__()
                self.button.clicked.connect(self._load)

            async def _load(self):  # keep
                pass
        """
    ))
    completed = run_libcst_tool("connected_coroutine_to_async_slot.ConnectedCoroutineToAsyncSlot", tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert target.read_text() == textwrap.dedent(
        """\
        from PySide6.QtWidgets import QWidget
        from qasync import asyncSlot


        class Panel(QWidget):
            def __init__(self):
                super().__init__()
                self.button.clicked.connect(self._load)

            @asyncSlot()
            async def _load(self):  # keep
                pass
        """
    )
    assert "Transformed 1 files successfully." in completed.stderr
