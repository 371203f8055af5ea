from loopguard_codemods.get_event_loop_to_running_loop import GetEventLoopToRunningLoop

from .helpers import FindingCodemodTest


class TestGetEventLoopToRunningLoop(FindingCodemodTest):
    TRANSFORM = GetEventLoopToRunningLoop

    def test_inside_a_coroutine(self):
        """The running loop is the only loop a coroutine may use."""
        notes = self.assertCodemod(
            """
            import asyncio

            async def tail(handle):
                loop = asyncio.get_event_loop()  # the reader's loop
                return await loop.run_in_executor(None, handle.readline)
            """,
            """
            import asyncio

            async def tail(handle):
                loop = asyncio.get_running_loop()  # the reader's loop
                return await loop.run_in_executor(None, handle.readline)
            """,
        )
        self.assertEqual(notes, [])

    def test_module_alias_is_kept(self):
        """`import asyncio as aio` code keeps writing `aio.`."""
        self.assertCodemod(
            """
            import asyncio as aio

            async def f():
                return aio.get_event_loop().time()
            """,
            """
            import asyncio as aio

            async def f():
                return aio.get_running_loop().time()
            """,
        )

    def test_imported_function_is_replaced_and_its_import_dropped(self):
        """`from asyncio import get_event_loop` becomes an import of get_running_loop."""
        self.assertCodemod(
            """
            from asyncio import get_event_loop

            async def f():
                return get_event_loop()
            """,
            """
            from asyncio import get_running_loop

            async def f():
                return get_running_loop()
            """,
        )

    def test_imported_alias_is_replaced(self):
        """An alias of get_event_loop is resolved by the linter; the rewrite uses the real name."""
        self.assertCodemod(
            """
            from asyncio import get_event_loop as current_loop

            async def f():
                return current_loop()
            """,
            """
            from asyncio import get_running_loop

            async def f():
                return get_running_loop()
            """,
        )

    def test_import_still_used_by_synchronous_code_is_kept(self):
        """The old import stays while a call the codemod cannot fix still needs it."""
        notes = self.assertCodemod(
            """
            from asyncio import get_event_loop

            def sync():
                return get_event_loop()

            async def f():
                return get_event_loop()
            """,
            """
            from asyncio import get_event_loop, get_running_loop

            def sync():
                return get_event_loop()

            async def f():
                return get_running_loop()
            """,
        )
        self.assertEqual([(note.line, note.code) for note in notes], [(4, "LG105")])

    def test_synchronous_code_is_left_for_a_human(self):
        """Outside a coroutine there may be no running loop: a human decides."""
        source = """
            import asyncio

            def f():
                loop = asyncio.get_event_loop()
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual(len(notes), 1)
        self.assertEqual(
            (notes[0].line, notes[0].code, notes[0].codemod), (4, "LG105", "get_event_loop_to_running_loop")
        )
        self.assertIn("synchronous code", notes[0].reason)

    def test_nested_function_and_lambda_in_a_coroutine_stay(self):
        """A def or lambda inside a coroutine runs later, maybe with no loop running."""
        source = """
            import asyncio

            async def f():
                def later():
                    return asyncio.get_event_loop()
                callback = lambda: asyncio.get_event_loop()
                return later, callback
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual([note.line for note in notes], [5, 6])

    def test_default_value_of_a_coroutine_is_not_in_the_coroutine(self):
        """A default value is evaluated where the `async def` runs, not inside it."""
        source = """
            import asyncio

            async def f(loop=asyncio.get_event_loop()):
                return loop
            """
        self.assertCodemod(source, source)

    def test_multi_line_call_and_chained_receiver(self):
        """A call spanning lines, and one that starts an attribute chain, are both found."""
        self.assertCodemod(
            """
            import asyncio

            async def f():
                loop = (
                    asyncio
                    .get_event_loop
                    ()
                )
                asyncio.get_event_loop().call_soon(print)
            """,
            """
            import asyncio

            async def f():
                loop = (
                    asyncio
                    .get_running_loop
                    ()
                )
                asyncio.get_running_loop().call_soon(print)
            """,
        )

    def test_non_ascii_text_before_the_call(self):
        """ast counts UTF-8 bytes, libcst characters: Korean text before the call must not shift it."""
        self.assertCodemod(
            """
            import asyncio

            async def f():
                label = "루프"; loop = asyncio.get_event_loop()
            """,
            """
            import asyncio

            async def f():
                label = "루프"; loop = asyncio.get_running_loop()
            """,
        )

    def test_noqa_for_the_rule_is_honoured(self):
        """`# noqa: LG105` (or a bare `# noqa`) keeps the line; a noqa for another code does not."""
        self.assertCodemod(
            """
            import asyncio

            async def f():
                a = asyncio.get_event_loop()  # noqa: LG105
                b = asyncio.get_event_loop()  # noqa
                c = asyncio.get_event_loop()  # noqa: LG1
                d = asyncio.get_event_loop()  # noqa: E501
            """,
            """
            import asyncio

            async def f():
                a = asyncio.get_event_loop()  # noqa: LG105
                b = asyncio.get_event_loop()  # noqa
                c = asyncio.get_event_loop()  # noqa: LG1
                d = asyncio.get_running_loop()  # noqa: E501
            """,
        )

    def test_look_alike_is_not_touched(self):
        """A method of the user's own class named get_event_loop is not asyncio's."""
        source = """
            class Bus:
                async def publish(self):
                    return self.get_event_loop()
            """
        self.assertCodemod(source, source)

    def test_import_fallback_binding_get_running_loop_to_get_event_loop(self):
        """`except ImportError: from asyncio import get_event_loop as get_running_loop` (graphql-core):
        the call already reads right; only the fallback is wrong, and that is a human's edit."""
        source = """
            try:
                from asyncio import get_running_loop
            except ImportError:
                from asyncio import get_event_loop as get_running_loop

            async def pull():
                return get_running_loop().create_future()
            """
        notes = self.assertCodemod(source, source)
        self.assertEqual([(note.line, note.reason) for note in notes], [(7, GetEventLoopToRunningLoop.FALLBACK)])
