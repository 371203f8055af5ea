"""The parts of the ``loop_thread_to_main_loop`` codemod (not ``thread_loop``, which is
``thread_loop_to_async_slot``'s).

- :mod:`.shape`: a long-lived loop thread of the module (``X = asyncio.new_event_loop()`` then
  ``Thread(target=X.run_forever, daemon=True).start()``), every use of its loop, and what each
  becomes on the one loop, or why the thread is left as it is;
- :mod:`.runners`: the function or method a loop thread runs instead of ``run_forever`` itself;
- :mod:`.nodes`: what that plan asks of single nodes and the ancestors around them.

The codemod itself, ``loopguard_codemods.loop_thread_to_main_loop``, rewrites what the shape
planned and records the outcome.
"""
