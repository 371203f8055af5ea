"""Run the trading desktop fixture under qasync (Qt offscreen), drive its slots, print what happened as JSON.

    QT_QPA_PLATFORM=offscreen python drive_trading_desktop.py APP_ROOT DATA_DIR [--wait S] [--deadline S]

APP_ROOT is a copy of ``fixtures/trading_desktop/migrated`` (or of ``repo``, to see the checks
fail). The script plays the part of the application's entry point: one ``QApplication``, one
qasync loop (``qasync.run``), the real container of ``run_desktop_ui._build_container`` and the
real ``MainWindow``, with the network replaced by ``fake_upbit.FakeUpbit``. It then drives the
slots a user drives (coin list load and refresh, the log viewer, the API key check and the
account refresh, two orderbook symbol changes, a timeframe change), shuts down through the
scaffolded ``loop_runtime.shutdown()``, and prints one JSON object on stdout. A step that does
not complete within --wait seconds is recorded as failed, and the run goes on; a run that hangs
(a private loop nested in the qasync one) is stopped after --deadline seconds, exit code 1.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import faulthandler
import importlib
import json
import logging
import os
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List

import fake_upbit
import offline_aiohttp

LOG_LINES = 50  # the log viewer flushes its buffer at 50 entries (FLUSH_THRESHOLD)
SINGLETON_RESERVE = 1_000_000  # see keep_singletons_alive(): far more Qt-to-Python calls than a run makes


@dataclass
class LogEntryCreated:
    level: str
    logger_name: str
    message: str
    event_type: str = "LogEntryCreated"


class Recorder:
    """Everything the process does that the checks are about: threads, executor jobs, sleeps, errors."""

    def __init__(self) -> None:
        self.threads_started: List[str] = []
        self.executor_jobs: List[str] = []
        self.blocking_sleeps = 0
        self.errors: List[str] = []

    def install(self) -> None:
        recorder = self
        thread_start = threading.Thread.start
        sleep = time.sleep
        excepthook = sys.excepthook
        showwarning = warnings.showwarning

        def counting_start(thread: threading.Thread) -> None:
            recorder.threads_started.append(thread.name)
            thread_start(thread)

        def counting_sleep(seconds: float) -> None:
            recorder.blocking_sleeps += 1
            sleep(seconds)

        def record_exception(kind, value, traceback) -> None:
            # qasync hands an exception escaping an @asyncSlot coroutine to sys.excepthook.
            recorder.errors.append(f"unhandled {kind.__name__}: {value}")
            excepthook(kind, value, traceback)

        def record_warning(message, category, filename, lineno, file=None, line=None) -> None:
            # "coroutine ... was never awaited" is a RuntimeWarning; other warnings are not about the app.
            if issubclass(category, RuntimeWarning):
                recorder.errors.append(f"{category.__name__}: {message} ({Path(filename).name}:{lineno})")
            showwarning(message, category, filename, lineno, file, line)

        threading.Thread.start = counting_start
        time.sleep = counting_sleep
        sys.excepthook = record_exception
        warnings.simplefilter("always", RuntimeWarning)
        warnings.showwarning = record_warning
        logging.getLogger().addHandler(_ErrorRecorder(self.errors))

    def count_executor_jobs(self, loop_class: type) -> None:
        recorder = self
        run_in_executor = loop_class.run_in_executor

        def counting_run_in_executor(loop, executor, callback, *args):
            recorder.executor_jobs.append(getattr(callback, "__qualname__", repr(callback)))
            return run_in_executor(loop, executor, callback, *args)

        loop_class.run_in_executor = counting_run_in_executor

    def loop_exception(self, _loop: asyncio.AbstractEventLoop, context: Dict[str, Any]) -> None:
        self.errors.append(f"loop: {context.get('message')} {context.get('exception')!r}")


class _ErrorRecorder(logging.Handler):
    """Keeps every ERROR logged anywhere: the app logs its failures (and TaskManager its failed tasks)."""

    def __init__(self, errors: List[str]) -> None:
        super().__init__(level=logging.ERROR)
        self._errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        self._errors.append(f"{record.name}: {record.getMessage()}")


def keep_singletons_alive() -> None:
    """Work around PySide6 6.12.0 on Python < 3.12: calls between Qt and Python lose references.

    Each Python slot a signal calls drops one reference to the value it returns (``None`` for
    almost every slot), each ``QObject.killTimer()`` drops one to ``None`` (qasync kills a timer
    for every callback it schedules), and the booleans lose references too. Where these objects
    are not immortal (before Python 3.12) their count reaches zero after a few thousand calls
    and the interpreter aborts ("none_dealloc", "bool_dealloc"), mid-run or at exit. A reserve
    of references that is never released keeps them alive; it changes nothing the checks see.
    """
    if sys.version_info >= (3, 12):
        return
    reserve = ([None] * SINGLETON_RESERVE, [False] * SINGLETON_RESERVE, [True] * SINGLETON_RESERVE)
    # One reference that is never given back: the reserve outlives the interpreter's own clean-up.
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(reserve))


async def until(condition: Callable[[], bool], what: str, wait: float) -> None:
    deadline = time.monotonic() + wait
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await asyncio.sleep(0.01)


def list_texts(list_widget) -> List[str]:
    return [list_widget.item(row).text() for row in range(list_widget.count())]


def describe(task: asyncio.Task) -> Dict[str, Any]:
    return {"name": task.get_name(), "coro": task.get_coro().__qualname__}


async def scenario(recorder: Recorder, data_dir: Path, wait: float) -> Dict[str, Any]:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction

    loop = asyncio.get_running_loop()
    loop.set_exception_handler(recorder.loop_exception)
    seen: Dict[str, Any] = {"main_loop": id(loop), "main_thread": threading.get_ident(), "steps": {}}

    run_desktop_ui = importlib.import_module("run_desktop_ui")
    main_window = importlib.import_module("upbit_auto_trading.ui.desktop.main_window")
    try:
        runtime = importlib.import_module("loop_runtime")
    except ImportError:
        runtime = None

    container = run_desktop_ui._build_container(data_dir)
    container.api_key_service.save_keys("access-key", "secret-key")
    if runtime is not None:
        # What the application's entry point does once: declare the main loop, hand over the closers.
        runtime.LoopGuard().set_main()
        runtime.register_closer(container.event_bus.stop)
        runtime.register_closer(container.websocket_manager.stop)
        runtime.register_closer(container.public_client.close)

    window = main_window.MainWindow(container)
    status_messages: List[str] = []
    window.statusBar().messageChanged.connect(status_messages.append)
    window.show()
    chart = window.chart_view
    coin_list = chart.coin_list
    log_viewer = window.log_viewer

    async def step(name: str, action) -> None:
        try:
            await action()
            seen["steps"][name] = "ok"
        except Exception as error:  # a failed step is an observation; the run goes on to shutdown
            seen["steps"][name] = f"{type(error).__name__}: {error}"

    async def coin_list_load():
        await until(lambda: coin_list.list_widget.count() == len(fake_upbit.MARKETS), "the coin list", wait)
        seen["coin_list_loaded"] = list_texts(coin_list.list_widget)

    async def coin_list_refresh():
        coin_list.refresh_button.click()
        await until(lambda: "KRW-XRP  3,125" in list_texts(coin_list.list_widget), "the refreshed prices", wait)
        seen["coin_list_refreshed"] = list_texts(coin_list.list_widget)

    async def log_viewer_start():
        subscribers = container.event_bus._subscribers
        await until(
            lambda: container.event_bus.is_running and subscribers.get("LogEntryCreated"),
            "the log viewer's subscription",
            wait,
        )
        for number in range(LOG_LINES):
            await container.event_bus.publish(LogEntryCreated("INFO", "upbit.test", f"entry {number}"))
        await until(lambda: log_viewer.log_view.blockCount() == LOG_LINES, f"{LOG_LINES} log lines", wait)
        seen["log_lines"] = log_viewer.log_view.toPlainText().splitlines()
        log_viewer.clear_button.click()
        await until(lambda: log_viewer.log_view.toPlainText() == "", "the cleared log view", wait)

    async def api_key_check():
        seen["api_key_check"] = list(await container.api_key_service.verify_saved_keys())

    async def account_refresh():
        action = next(action for action in window.findChildren(QAction) if action.text() == "계좌 새로고침")
        action.trigger()
        await until(
            lambda: any(message.startswith("KRW 잔고") for message in status_messages), "the KRW balance", wait
        )
        seen["account_status"] = next(message for message in status_messages if message.startswith("KRW 잔고"))

    async def orderbook_symbol_change():
        seen["orderbook"] = {}
        for symbol in ("KRW-ETH", "KRW-XRP"):
            rows = [coin_list.list_widget.item(row) for row in range(coin_list.list_widget.count())]
            item = next(row for row in rows if row.data(Qt.ItemDataRole.UserRole) == symbol)
            coin_list.list_widget.itemClicked.emit(item)
            expected = "\n".join(
                f"{unit['ask_price']:,.0f} / {unit['bid_price']:,.0f}" for unit in fake_upbit.ORDERBOOK_UNITS[symbol]
            )
            await until(lambda shown=expected: chart.orderbook_label.text() == shown, f"the {symbol} orderbook", wait)
            seen["orderbook"][symbol] = chart.orderbook_label.text()

    async def timeframe_change():
        chart.timeframe_combo.setCurrentText("5분")
        await until(lambda: "캔들" in chart.chart_label.text(), "the candles", wait)
        seen["chart_label"] = chart.chart_label.text()

    await step("coin list load", coin_list_load)
    await step("coin list refresh", coin_list_refresh)
    await step("log viewer start", log_viewer_start)
    await step("api key check", api_key_check)
    await step("account refresh", account_refresh)
    await step("orderbook symbol change", orderbook_symbol_change)
    await step("timeframe change", timeframe_change)

    current = asyncio.current_task()
    live = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    seen["live_tasks_before_shutdown"] = sorted((describe(task) for task in live), key=json.dumps)
    seen["threads_alive_before_shutdown"] = threading.active_count()

    if runtime is not None:
        await runtime.shutdown(stop_accepting=window.close)
        seen["shutdown"] = "loop_runtime.shutdown"
    else:
        window.close()
        seen["shutdown"] = "no loop_runtime module"

    seen["pending_after_shutdown"] = sorted(
        (describe(task) for task in asyncio.all_tasks() if task is not current and not task.done()), key=json.dumps
    )
    seen["cancelled_by_shutdown"] = sorted((describe(task) for task in live if task.cancelled()), key=json.dumps)
    seen["event_bus_running_after_shutdown"] = container.event_bus.is_running
    return seen


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app_root", type=Path)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--wait", type=float, default=10.0, help="seconds a step may take (default: 10)")
    parser.add_argument(
        "--deadline", type=float, default=120.0, help="seconds after which a hung run is stopped (default: 120)"
    )
    args = parser.parse_args(argv)
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        print("drive_trading_desktop.py: set QT_QPA_PLATFORM=offscreen", file=sys.stderr)
        return 2

    # A private loop nested in the qasync one can hang the whole process: stop it with its traceback.
    faulthandler.dump_traceback_later(args.deadline, exit=True)
    keep_singletons_alive()
    recorder = Recorder()
    recorder.install()
    threads_at_start = threading.active_count()
    sys.modules["aiohttp"] = offline_aiohttp
    sys.path.insert(0, str(args.app_root.resolve()))

    import qasync
    from PySide6.QtWidgets import QApplication

    recorder.count_executor_jobs(qasync.QEventLoop)
    fake = fake_upbit.FakeUpbit()
    fake.install()
    app = QApplication([])
    # The scenario, not the last window, decides when the application ends: closing the window
    # is the first step of its shutdown, and the loop must keep running to finish the sequence.
    app.setQuitOnLastWindowClosed(False)
    seen = qasync.run(scenario(recorder, args.data_dir, args.wait))
    app.processEvents()

    seen.update(
        threads_at_start=threads_at_start,
        threads_at_end=threading.active_count(),
        threads_started=recorder.threads_started,
        executor_jobs=recorder.executor_jobs,
        blocking_sleeps=recorder.blocking_sleeps,
        errors=recorder.errors,
        service_calls=fake.calls,
    )
    faulthandler.cancel_dump_traceback_later()
    print(json.dumps(seen, ensure_ascii=False, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
