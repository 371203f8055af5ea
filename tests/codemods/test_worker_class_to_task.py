"""worker_class_to_task: Thread/QThread/QRunnable subclasses with a private loop become tasks of the one loop.

Each rewrite keeps the class, its signals and what its callers use; the runnable twins in
``tests/test_worker_twins.py`` show the programs doing the same before and after.
"""

from __future__ import annotations

from textwrap import dedent

from loopguard_codemods.worker_class_to_task import WorkerClassToTask
from tests.codemods.helpers import FindingCodemodTest


def code(text: str) -> str:
    return dedent(text).lstrip("\n")


class TestQThreadSubclasses(FindingCodemodTest):
    TRANSFORM = WorkerClassToTask

    def test_signals_on_the_worker_and_try_except_finally_around_the_loop(self):
        """The seed's loop plumbing in run(): the handlers stay, the loop-closing finally goes,
        the base becomes the runtime's QThreadTask and the unused QThread/asyncio imports go."""
        notes = self.assertCodemod(
            code("""
            import asyncio

            from PySide6.QtCore import QThread, Signal


            class Loader(QThread):
                loaded = Signal(list)
                failed = Signal(str)

                def __init__(self, service, parent=None):
                    super().__init__(parent)
                    self.service = service

                def run(self):
                    loop = asyncio.new_event_loop()
                    asyncio.set_event_loop(loop)
                    try:
                        rows = loop.run_until_complete(self.service.load())
                        self.loaded.emit(rows)
                    except Exception as error:
                        self.failed.emit(str(error))
                    finally:
                        loop.close()
            """),
            code("""
            from PySide6.QtCore import Signal

            from loop_runtime import QThreadTask


            class Loader(QThreadTask):
                loaded = Signal(list)
                failed = Signal(str)

                def __init__(self, service, parent=None):
                    super().__init__(parent)
                    self.service = service

                async def run(self):
                    try:
                        rows = await self.service.load()
                        self.loaded.emit(rows)
                    except Exception as error:
                        self.failed.emit(str(error))
            """),
        )
        self.assertEqual(notes, [])

    def test_a_worker_that_redeclares_finished_and_makes_its_loop_inside_try(self):
        """Shape of DaisyJewelryCo/Sapphire-Exchange, utils/async_worker.py (public code): PyQt5,
        `finished = pyqtSignal(object)` overriding QThread's own, the loop made inside the try."""
        self.assertCodemod(
            code("""
            import asyncio
            from PyQt5.QtCore import QThread, pyqtSignal


            class AsyncWorker(QThread):
                \"\"\"Worker thread for async operations.\"\"\"
                finished = pyqtSignal(object)
                error = pyqtSignal(str)

                def __init__(self, coro):
                    super().__init__()
                    self.coro = coro

                def run(self):
                    try:
                        loop = asyncio.new_event_loop()
                        asyncio.set_event_loop(loop)
                        result = loop.run_until_complete(self.coro)
                        self.finished.emit(result)
                    except Exception as e:
                        self.error.emit(str(e))
                    finally:
                        loop.close()
            """),
            code("""
            from PyQt5.QtCore import pyqtSignal

            from loop_runtime import QThreadTask


            class AsyncWorker(QThreadTask):
                # loopguard: the docstring says "Worker thread"; this now runs as a task on the one loop
                \"\"\"Worker thread for async operations.\"\"\"
                finished = pyqtSignal(object)
                error = pyqtSignal(str)

                def __init__(self, coro):
                    super().__init__()
                    self.coro = coro

                async def run(self):
                    try:
                        result = await self.coro
                        self.finished.emit(result)
                    except Exception as e:
                        self.error.emit(str(e))
            """),
        )

    def test_generic_async_worker_running_a_coroutine_function_with_its_arguments(self):
        """`AsyncWorker(coro_func, *args, **kwargs)` with asyncio.run(): the most common wrapper."""
        self.assertCodemod(
            code("""
            import asyncio

            from PySide6.QtCore import QThread, Signal


            class AsyncWorker(QThread):
                result = Signal(object)
                error = Signal(str)

                def __init__(self, coro_func, *args, **kwargs):
                    super().__init__()
                    self.setTerminationEnabled(True)
                    self.coro_func = coro_func
                    self.args = args
                    self.kwargs = kwargs

                def run(self):
                    try:
                        self.result.emit(asyncio.run(self.coro_func(*self.args, **self.kwargs)))
                    except Exception as error:
                        self.error.emit(str(error))


            class Window:
                def load(self):
                    self.worker = AsyncWorker(self.api.load, 1)
                    self.worker.result.connect(self.show)
                    self.worker.start()

                def stop(self):
                    if self.worker.isRunning():
                        self.worker.quit()
            """),
            code("""
            from PySide6.QtCore import Signal

            from loop_runtime import QThreadTask


            class AsyncWorker(QThreadTask):
                result = Signal(object)
                error = Signal(str)

                def __init__(self, coro_func, *args, **kwargs):
                    super().__init__()
                    self.setTerminationEnabled(True)
                    self.coro_func = coro_func
                    self.args = args
                    self.kwargs = kwargs

                async def run(self):
                    try:
                        self.result.emit(await self.coro_func(*self.args, **self.kwargs))
                    except Exception as error:
                        self.error.emit(str(error))


            class Window:
                def load(self):
                    self.worker = AsyncWorker(self.api.load, 1)
                    self.worker.result.connect(self.show)
                    self.worker.start()

                def stop(self):
                    if self.worker.isRunning():
                        self.worker.quit()
            """),
        )

    def test_interruption_loop_with_msleep_and_a_stop_that_stops_the_loop_from_the_gui(self):
        """`while not self.isInterruptionRequested()` polls on; `self.msleep(500)` becomes an
        awaited asyncio.sleep; the loop kept in self.loop (None in __init__) goes, and stop()'s
        `call_soon_threadsafe(self.loop.stop)` under its guard cancels the task instead."""
        self.assertCodemod(
            code("""
            import asyncio

            from PyQt6.QtCore import QThread, pyqtSignal


            class TickerStream(QThread):
                tick = pyqtSignal(dict)

                def __init__(self, client):
                    super().__init__()
                    self.client = client
                    self.loop = None

                def run(self):
                    self.loop = asyncio.new_event_loop()
                    asyncio.set_event_loop(self.loop)
                    while not self.isInterruptionRequested():
                        self.tick.emit(self.loop.run_until_complete(self.client.ticker()))
                        self.msleep(500)
                    self.loop.close()

                def stop(self):
                    # stop the stream
                    if self.loop and self.loop.is_running():
                        self.loop.call_soon_threadsafe(self.loop.stop)
                    self.requestInterruption()
            """),
            code("""
            import asyncio

            from PyQt6.QtCore import pyqtSignal

            from loop_runtime import QThreadTask


            class TickerStream(QThreadTask):
                tick = pyqtSignal(dict)

                def __init__(self, client):
                    super().__init__()
                    self.client = client

                async def run(self):
                    while not self.isInterruptionRequested():
                        self.tick.emit(await self.client.ticker())
                        await asyncio.sleep(0.5)

                def stop(self):
                    # stop the stream
                    self.cancel_task()
                    self.requestInterruption()
            """),
        )

    def test_a_loop_made_in_init_and_an_explicit_base_init(self):
        """`QThread.__init__(self)` calls the runtime base's; the loop made in __init__ for run() goes."""
        self.assertCodemod(
            code("""
            import asyncio
            from PySide6 import QtCore


            class Poller(QtCore.QThread):
                polled = QtCore.Signal(int)

                def __init__(self, api):
                    QtCore.QThread.__init__(self)
                    self.api = api
                    self.loop = asyncio.new_event_loop()

                def run(self):
                    asyncio.set_event_loop(self.loop)
                    count = self.loop.run_until_complete(self.api.count())
                    self.polled.emit(count)
            """),
            code("""
            from PySide6 import QtCore

            from loop_runtime import QThreadTask


            class Poller(QThreadTask):
                polled = QtCore.Signal(int)

                def __init__(self, api):
                    QThreadTask.__init__(self)
                    self.api = api

                async def run(self):
                    count = await self.api.count()
                    self.polled.emit(count)
            """),
        )


class TestQRunnableSubclasses(FindingCodemodTest):
    TRANSFORM = WorkerClassToTask

    def test_separate_signals_object_and_pool_starters_in_the_module(self):
        """QRunnable with a QObject signals holder: `QThreadPool.globalInstance().start(job)` and
        `self.pool.start(Job(...))` become `job.start()`; workers kept in a list stay there; the
        @Slot() on run() goes with its import."""
        self.assertCodemod(
            code("""
            import asyncio

            from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
            from PySide6.QtWidgets import QWidget


            class JobSignals(QObject):
                result = Signal(object)
                error = Signal(str)


            class Job(QRunnable):
                def __init__(self, service, symbol):
                    super().__init__()
                    self.service = service
                    self.symbol = symbol
                    self.signals = JobSignals()
                    self.setAutoDelete(True)

                @Slot()
                def run(self):
                    loop = asyncio.new_event_loop()
                    try:
                        self.signals.result.emit(loop.run_until_complete(self.service.quote(self.symbol)))
                    except Exception as error:
                        self.signals.error.emit(str(error))
                    finally:
                        loop.close()


            class Board(QWidget):
                def __init__(self, service):
                    super().__init__()
                    self.service = service
                    self.pool = QThreadPool()
                    self.jobs = []

                def refresh(self, symbols):
                    for symbol in symbols:
                        job = Job(self.service, symbol)
                        job.signals.result.connect(self.show_quote)
                        self.jobs.append(job)
                        QThreadPool.globalInstance().start(job)

                def refresh_one(self, symbol):
                    self.pool.start(Job(self.service, symbol))

                def show_quote(self, quote):
                    print(quote)
            """),
            code("""
            from PySide6.QtCore import QObject, QThreadPool, Signal
            from PySide6.QtWidgets import QWidget

            from loop_runtime import QRunnableTask


            class JobSignals(QObject):
                result = Signal(object)
                error = Signal(str)


            class Job(QRunnableTask):
                def __init__(self, service, symbol):
                    super().__init__()
                    self.service = service
                    self.symbol = symbol
                    self.signals = JobSignals()
                    self.setAutoDelete(True)

                async def run(self):
                    try:
                        self.signals.result.emit(await self.service.quote(self.symbol))
                    except Exception as error:
                        self.signals.error.emit(str(error))


            class Board(QWidget):
                def __init__(self, service):
                    super().__init__()
                    self.service = service
                    self.pool = QThreadPool()
                    self.jobs = []

                def refresh(self, symbols):
                    for symbol in symbols:
                        job = Job(self.service, symbol)
                        job.signals.result.connect(self.show_quote)
                        self.jobs.append(job)
                        job.start()

                def refresh_one(self, symbol):
                    Job(self.service, symbol).start()

                def show_quote(self, quote):
                    print(quote)
            """),
        )

    def test_a_runnable_no_pool_of_its_module_starts_is_left(self):
        """Shape of diego9621/Mangareader, desktop/workers/mangadex_discover_worker.py (public code),
        kept in real_code/: the pool that starts it is in another module, which would be handed a
        task that is no QRunnable; starters across modules are not rewritten yet."""
        source = code("""
            import asyncio

            from PySide6.QtCore import QObject, QRunnable, Signal


            class DiscoverSignals(QObject):
                done = Signal(list, str)


            class DiscoverWorker(QRunnable):
                def __init__(self, query, signals):
                    super().__init__()
                    self.query = query
                    self.signals = signals

                def run(self):
                    try:
                        loop = asyncio.new_event_loop()
                        asyncio.set_event_loop(loop)
                        try:
                            self.signals.done.emit(loop.run_until_complete(self.search()), "")
                        finally:
                            loop.close()
                    except Exception as error:
                        self.signals.done.emit([], str(error))

                async def search(self):
                    return [self.query]
            """)
        notes = self.assertCodemod(source, source)
        self.assertEqual(
            {note.reason for note in notes},
            {
                "no pool starts a DiscoverWorker in this module: the QThreadPool.start() of another module "
                "would be handed a task, not a QRunnable (starters across modules are not rewritten yet)"
            },
        )


class TestThreadSubclasses(FindingCodemodTest):
    TRANSFORM = WorkerClassToTask

    def test_thread_subclass_with_a_callback_in_a_qt_module(self):
        """threading.Thread with Thread's constructor arguments, a loop made in __init__, a
        callback with the result and a stop() that stops the loop: ThreadTask takes them all."""
        self.assertCodemod(
            code("""
            import asyncio
            import threading

            from PySide6.QtWidgets import QWidget


            class PriceFetcher(threading.Thread):
                def __init__(self, client, on_result):
                    super().__init__(name="prices", daemon=True)
                    self.client = client
                    self.on_result = on_result
                    self.loop = asyncio.new_event_loop()

                def run(self):
                    asyncio.set_event_loop(self.loop)
                    prices = self.loop.run_until_complete(self.client.prices())
                    self.on_result(prices)

                def stop(self):
                    self.loop.call_soon_threadsafe(self.loop.stop)


            class Panel(QWidget):
                def load(self):
                    self.fetcher = PriceFetcher(self.client, self.show)
                    self.fetcher.start()
            """),
            code("""
            from PySide6.QtWidgets import QWidget

            from loop_runtime import ThreadTask


            class PriceFetcher(ThreadTask):
                def __init__(self, client, on_result):
                    super().__init__(name="prices", daemon=True)
                    self.client = client
                    self.on_result = on_result

                async def run(self):
                    prices = await self.client.prices()
                    self.on_result(prices)

                def stop(self):
                    self.cancel_task()


            class Panel(QWidget):
                def load(self):
                    self.fetcher = PriceFetcher(self.client, self.show)
                    self.fetcher.start()
            """),
        )
