import textwrap

from loopguard_codemods.async_slot_on_plain_def import AsyncSlotOnPlainDef

from .helpers import FindingCodemodTest, run_libcst_tool


class TestAsyncSlotOnPlainDef(FindingCodemodTest):
    TRANSFORM = AsyncSlotOnPlainDef
    FILENAME = "screen.py"

    def test_pyside_function_gets_slot_from_the_binding_it_imports(self):
        """The function stays synchronous; `Slot` joins the module's QtCore import."""
        notes = self.assertCodemod(
            """
            from PySide6.QtCore import Qt
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class ChartView(QWidget):
                @asyncSlot(str)
                async def _on_timeframe(self, label):
                    await self.load(label)

                @asyncSlot()  # the refresh button
                def _on_refresh_all(self):
                    self.coin_list.refresh_data()
            """,
            """
            from PySide6.QtCore import Qt, Slot
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class ChartView(QWidget):
                @asyncSlot(str)
                async def _on_timeframe(self, label):
                    await self.load(label)

                @Slot()  # the refresh button
                def _on_refresh_all(self):
                    self.coin_list.refresh_data()
            """,
        )
        self.assertEqual(notes, [])

    def test_pyqt_function_gets_pyqt_slot_keeping_its_types_and_unused_async_slot_goes(self):
        self.assertCodemod(
            """
            from PyQt5.QtWidgets import QWidget
            from qasync import asyncSlot


            class Tab(QWidget):
                @asyncSlot(str)
                def _on_name(self, name):
                    self.name = name
            """,
            """
            from PyQt5.QtCore import pyqtSlot
            from PyQt5.QtWidgets import QWidget


            class Tab(QWidget):
                @pyqtSlot(str)
                def _on_name(self, name):
                    self.name = name
            """,
        )

    def test_module_spelling_of_the_binding_and_of_qasync_is_followed(self):
        """`@qasync.asyncSlot` -> `@QtCore.Slot()`: QtCore is already imported, qasync is still used."""
        self.assertCodemod(
            """
            import qasync
            from PySide2 import QtCore


            class Tab(QtCore.QObject):
                @qasync.asyncSlot
                def _on_save(self):
                    self.save()

                @qasync.asyncSlot()
                async def _on_load(self):
                    await self.load()
            """,
            """
            import qasync
            from PySide2 import QtCore


            class Tab(QtCore.QObject):
                @QtCore.Slot()
                def _on_save(self):
                    self.save()

                @qasync.asyncSlot()
                async def _on_load(self):
                    await self.load()
            """,
        )

    def assertLeft(self, source, reason):
        notes = self.assertCodemod(source, source)
        self.assertEqual([(note.code, note.reason) for note in notes], [("LG502", reason)])

    def test_optional_parameters_are_left(self):
        """A plain slot may get `checked` from `clicked(bool)` where qasync's wrapper got nothing."""
        self.assertLeft(
            """
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Tab(QWidget):
                @asyncSlot()
                def _on_toggle(self, checked=False):
                    self.enabled = checked
            """,
            "_on_toggle() takes optional arguments: as a plain slot Qt may pass it arguments qasync's wrapper did not"
            " (clicked(bool)); choose its decorator by hand",
        )

    def test_function_returning_a_coroutine_is_left(self):
        """qasync schedules what the function returns: returning a coroutine works under @asyncSlot, not under @Slot."""
        self.assertLeft(
            """
            from PyQt6.QtWidgets import QMainWindow
            from qasync import asyncSlot


            class Window(QMainWindow):
                @asyncSlot()
                def on_load_clicked(self):
                    self.status.setText("loading")
                    return self.load_file()

                async def load_file(self):
                    pass
            """,
            "on_load_clicked() returns a value, which qasync's wrapper schedules (a coroutine it returns runs as a"
            " task): make it async def and await that work by hand",
        )

    def test_module_without_a_binding_is_left(self):
        self.assertLeft(
            """
            from qasync import asyncSlot


            class Tab:
                @asyncSlot()
                def _on_save(self):
                    self.save()
            """,
            "the module imports no Qt binding: which plain slot decorator _on_save() takes is for a human",
        )

    def test_module_with_two_bindings_is_left(self):
        self.assertLeft(
            """
            from qasync import asyncSlot
            from qtpy.QtWidgets import QWidget
            from PyQt5.QtGui import QIcon


            class Tab(QWidget):
                @asyncSlot()
                def _on_save(self):
                    self.save()
            """,
            "the module imports several Qt bindings (qtpy, PyQt5): choose _on_save()'s slot decorator by hand",
        )

    def test_a_same_file_wrapper_of_async_slot_is_left(self):
        self.assertLeft(
            """
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            def ui_slot(*types):
                return asyncSlot(*types)


            class Tab(QWidget):
                @ui_slot()
                def _on_save(self):
                    self.save()
            """,
            "@ui_slot is not qasync's asyncSlot: what it does besides is for a human",
        )

    def test_noqa_is_honoured(self):
        source = """
            from PySide6.QtWidgets import QWidget
            from qasync import asyncSlot


            class Tab(QWidget):
                @asyncSlot()  # noqa: LG502
                def _on_save(self):
                    self.save()
            """
        self.assertEqual(self.assertCodemod(source, source), [])



def test_runs_alone_through_libcst_tool(tmp_path):
    """`python -m libcst.tool codemod` runs it with the repository's .libcst.codemod.yaml, comments kept."""
    target = tmp_path / "tab.py"
    target.write_text(textwrap.dedent(
        """\
        from PyQt6.QtWidgets import QWidget
        from qasync import asyncSlot


        class Tab(QWidget):
            @asyncSlot()  # keep
            def _on_save(self):
                self.save()
        """
    ))
    completed = run_libcst_tool("async_slot_on_plain_def.AsyncSlotOnPlainDef", tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert target.read_text() == textwrap.dedent(
        """\
        from PyQt6.QtCore import pyqtSlot
        from PyQt6.QtWidgets import QWidget


        class Tab(QWidget):
            @pyqtSlot()  # keep
            def _on_save(self):
                self.save()
        """
    )
    assert "Transformed 1 files successfully." in completed.stderr
