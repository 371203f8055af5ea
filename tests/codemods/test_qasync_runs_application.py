import textwrap

from loopguard_codemods.qasync_runs_application import QasyncRunsApplication

from .helpers import FindingCodemodTest, run_libcst_tool


class TestQasyncRunsApplication(FindingCodemodTest):
    TRANSFORM = QasyncRunsApplication
    FILENAME = "main.py"  # an entry point: the loop is run here

    def test_exit_code_of_exec_becomes_the_loop_s(self):
        """qasync's run_forever() returns what exec() returned: the exit code is kept; nothing runs
        after sys.exit(), so the loop is closed by `with loop:`."""
        notes = self.assertCodemod(
            """
            import asyncio
            import sys

            from PySide6.QtWidgets import QApplication
            from qasync import QEventLoop


            def main():
                app = QApplication(sys.argv)
                loop = QEventLoop(app)
                asyncio.set_event_loop(loop)
                window = make_window()
                window.show()
                # hand over to Qt
                sys.exit(app.exec())  # the app's exit code


            if __name__ == "__main__":
                main()
            """,
            """
            import asyncio
            import sys

            from PySide6.QtWidgets import QApplication
            from qasync import QEventLoop


            def main():
                app = QApplication(sys.argv)
                loop = QEventLoop(app)
                asyncio.set_event_loop(loop)
                window = make_window()
                window.show()
                # hand over to Qt
                with loop:
                    sys.exit(loop.run_forever())  # the app's exit code


            if __name__ == "__main__":
                main()
            """,
        )
        self.assertEqual(notes, [])

    def test_inside_with_loop_only_the_call_changes(self):
        """The loop an enclosing `with` names is the one: two loops made, the second one runs."""
        self.assertCodemod(
            """
            import asyncio
            import sys
            import qasync
            from PySide6.QtWidgets import QApplication


            def main() -> int:
                app = QApplication(sys.argv)
                loop = qasync.QEventLoop(app)
                asyncio.set_event_loop(loop)
                loop.run_until_complete(warm_up())
                event_loop = qasync.QEventLoop(app)
                asyncio.set_event_loop(event_loop)
                with event_loop:
                    exit_code = app.exec()
                return exit_code


            if __name__ == "__main__":
                sys.exit(main())
            """,
            """
            import asyncio
            import sys
            import qasync
            from PySide6.QtWidgets import QApplication


            def main() -> int:
                app = QApplication(sys.argv)
                loop = qasync.QEventLoop(app)
                asyncio.set_event_loop(loop)
                loop.run_until_complete(warm_up())
                event_loop = qasync.QEventLoop(app)
                asyncio.set_event_loop(event_loop)
                with event_loop:
                    exit_code = event_loop.run_forever()
                return exit_code


            if __name__ == "__main__":
                sys.exit(main())
            """,
        )

    def test_code_after_exec_keeps_the_loop_open(self):
        """The loop is used after the application ends: no `with`, which would close it."""
        self.assertCodemod(
            """
            import asyncio, sys
            from PyQt5.QtWidgets import QApplication
            from qasync import QEventLoop

            if __name__ == "__main__":
                app = QApplication(sys.argv)
                loop = QEventLoop(app)
                asyncio.set_event_loop(loop)
                app.exec_()
                loop.run_until_complete(shutdown())
            """,
            """
            import asyncio, sys
            from PyQt5.QtWidgets import QApplication
            from qasync import QEventLoop

            if __name__ == "__main__":
                app = QApplication(sys.argv)
                loop = QEventLoop(app)
                asyncio.set_event_loop(loop)
                loop.run_forever()
                loop.run_until_complete(shutdown())
            """,
        )

    def test_static_exec_and_a_loop_imported_in_the_main_block(self):
        self.assertCodemod(
            """
            import asyncio
            import sys
            from PySide6.QtWidgets import QApplication

            if __name__ == "__main__":
                from qasync import QEventLoop as Loop

                app = QApplication(sys.argv)
                loop = Loop(app)
                asyncio.set_event_loop(loop)
                sys.exit(QApplication.exec())
            """,
            """
            import asyncio
            import sys
            from PySide6.QtWidgets import QApplication

            if __name__ == "__main__":
                from qasync import QEventLoop as Loop

                app = QApplication(sys.argv)
                loop = Loop(app)
                asyncio.set_event_loop(loop)
                with loop:
                    sys.exit(loop.run_forever())
            """,
        )

    # ----- left for a human --------------------------------------------------------------------

    def assertLeft(self, source, reason, filename=None):
        notes = self.assertCodemod(source, source, filename=filename)
        self.assertEqual([(note.code, note.reason) for note in notes], [("LG503", reason)])

    def test_no_loop_made_is_left(self):
        self.assertLeft(
            """
            import sys
            import qasync
            from PySide6.QtWidgets import QApplication


            def main():
                app = QApplication(sys.argv)
                return app.exec()
            """,
            "no qasync QEventLoop is made before this exec() in main(): make the start-up a coroutine run by"
            " qasync.run(main()), or make the loop (loop = qasync.QEventLoop(app)) and run it",
        )

    def test_a_parameter_named_like_the_modules_loop_is_not_that_loop(self):
        """Whether ``loop`` in main() is the module's loop is a question of scope: a parameter of
        that name is main()'s own, whatever the caller hands it."""
        self.assertLeft(
            """
            import sys
            import qasync
            from PySide6.QtWidgets import QApplication

            app = QApplication(sys.argv)
            loop = qasync.QEventLoop(app)


            def main(loop):
                return app.exec()
            """,
            "no qasync QEventLoop is made before this exec() in main(): make the start-up a coroutine run by"
            " qasync.run(main()), or make the loop (loop = qasync.QEventLoop(app)) and run it",
        )

    def test_two_loops_are_left(self):
        self.assertLeft(
            """
            import sys
            import qasync
            from PySide6.QtWidgets import QApplication

            if __name__ == "__main__":
                app = QApplication(sys.argv)
                first = qasync.QEventLoop(app)
                second = qasync.QEventLoop(app)
                sys.exit(app.exec())
            """,
            "several QEventLoops are made in module-level code (first, second): which one drives the application is"
            " for a human",
        )

    def test_a_loop_closed_before_exec_is_left(self):
        """Real code runs the loop in `with loop:` and then calls exec() again: the loop is closed by then."""
        self.assertLeft(
            """
            import asyncio
            import sys
            import qasync

            if __name__ == "__main__":
                app = qasync.QApplication(sys.argv)
                loop = qasync.QEventLoop(app)
                asyncio.set_event_loop(loop)
                with loop:
                    loop.run_forever()
                sys.exit(app.exec_())
            """,
            "loop is closed at line 9, before this exec() runs",
        )

    def test_outside_the_entry_point_is_left(self):
        """`run_forever()` in a module that is not an entry point would be LG103."""
        self.assertLeft(
            """
            import asyncio
            import sys
            import qasync
            from PySide6.QtWidgets import QApplication


            def run_app(window_class):
                app = QApplication(sys.argv)
                loop = qasync.QEventLoop(app)
                asyncio.set_event_loop(loop)
                window_class().show()
                return app.exec()
            """,
            "loop.run_forever() here would be LG103 (run_forever() drives an event loop outside the entry point;"
            " await the coroutine instead): drive the application from the entry point",
            filename="gui.py",
        )

    def test_exec_in_a_coroutine_is_left(self):
        self.assertLeft(
            """
            import qasync
            from PySide6.QtWidgets import QApplication


            async def main():
                app = QApplication.instance()
                loop = qasync.QEventLoop(app)
                app.exec()
            """,
            "exec() is called in a coroutine: a loop already runs there; end the coroutine instead",
        )

    def test_noqa_is_honoured(self):
        source = """
            import asyncio, sys
            from qasync import QEventLoop
            from PySide6.QtWidgets import QApplication

            if __name__ == "__main__":
                app = QApplication(sys.argv)
                loop = QEventLoop(app)
                sys.exit(app.exec())  # noqa: LG503
            """
        self.assertEqual(self.assertCodemod(source, source), [])



def test_runs_alone_through_libcst_tool(tmp_path):
    """`python -m libcst.tool codemod` runs it with the repository's .libcst.codemod.yaml, comments kept."""
    target = tmp_path / "main.py"
    target.write_text(textwrap.dedent(
        """\
        import sys
        from PySide6.QtWidgets import QApplication
        from qasync import QEventLoop

        app = QApplication(sys.argv)
        loop = QEventLoop(app)
        sys.exit(app.exec())  # keep
        """
    ))
    completed = run_libcst_tool("qasync_runs_application.QasyncRunsApplication", tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert target.read_text() == textwrap.dedent(
        """\
        import sys
        from PySide6.QtWidgets import QApplication
        from qasync import QEventLoop

        app = QApplication(sys.argv)
        loop = QEventLoop(app)
        with loop:
            sys.exit(loop.run_forever())  # keep
        """
    )
    assert "Transformed 1 files successfully." in completed.stderr
