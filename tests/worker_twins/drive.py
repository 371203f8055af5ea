"""Run one worker twin under qasync with Qt offscreen and print what it did, as JSON.

    QT_QPA_PLATFORM=offscreen python drive.py APP_DIR MODULE

MODULE (in APP_DIR, dotted when it is in a package) defines ``Window(service, report)`` with
``refresh()``, ``stop()`` and ``running()``, and ``EXPECTED``, the number of reports ``refresh()``
brings. The driver counts every thread started (``threading.Thread.start``, ``QThread.start``,
``QThreadPool.start``), clicks refresh, waits for the reports, then ends the way the program does:
a migrated program (the ``loop_runtime`` beside MODULE importable) through
``loop_runtime.shutdown()`` while its workers still run, the original by stopping its workers and
waiting for their threads.
"""

import asyncio
import importlib
import json
import sys
import threading
from pathlib import Path
from typing import Any, List

DEADLINE = 20.0  # seconds for each phase; a twin that needs more has failed


def count_thread_starts(started: List[str]) -> None:
    from PySide6.QtCore import QThread, QThreadPool

    thread_start, qthread_start, pool_start = threading.Thread.start, QThread.start, QThreadPool.start

    def counting_thread_start(thread: threading.Thread) -> None:
        started.append(f"Thread {thread.name}")
        thread_start(thread)

    def counting_qthread_start(thread: Any, *args: Any) -> None:
        started.append(f"QThread {type(thread).__name__}")
        qthread_start(thread, *args)

    def counting_pool_start(pool: Any, runnable: Any, *args: Any) -> None:
        started.append(f"QThreadPool {type(runnable).__name__}")
        pool_start(pool, runnable, *args)

    threading.Thread.start = counting_thread_start  # type: ignore[method-assign]
    QThread.start = counting_qthread_start  # type: ignore[method-assign]
    QThreadPool.start = counting_pool_start  # type: ignore[method-assign]


def main() -> None:
    app_dir, module_name = sys.argv[1], sys.argv[2]
    sys.path[:0] = [app_dir, str(Path(__file__).resolve().parent)]
    import qasync
    from PySide6.QtWidgets import QApplication

    import fake_service

    started: List[str] = []
    count_thread_starts(started)
    module = importlib.import_module(module_name)
    # The runtime is scaffolded beside the module: inside its package (`desk.loop_runtime`), if any.
    package = module_name.rpartition(".")[0]
    try:
        runtime = importlib.import_module(f"{package}.loop_runtime" if package else "loop_runtime")
    except ImportError:
        runtime = None

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    reports: List[List[Any]] = []
    window = module.Window(fake_service.FakeQuotes(), lambda name, value: reports.append([name, value]))
    seen: dict = {}

    async def wait_until(condition) -> bool:
        deadline = loop.time() + DEADLINE
        while not condition():
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    async def scenario() -> None:
        window.refresh()
        seen["all_reports_arrived"] = await wait_until(lambda: len(reports) >= module.EXPECTED)
        seen["reports"] = sorted(reports, key=json.dumps)
        current = asyncio.current_task()
        if runtime is not None:
            seen["live_tasks_before_shutdown"] = sorted(
                task.get_name() for task in asyncio.all_tasks() if task is not current
            )
            await runtime.shutdown()
            seen["pending_after_shutdown"] = sorted(
                task.get_name() for task in asyncio.all_tasks() if task is not current and not task.done()
            )
        else:
            window.stop()
            seen["workers_ended"] = await wait_until(lambda: not window.running())

    with loop:
        loop.run_until_complete(scenario())
    main_thread = threading.main_thread().ident
    seen["threads_started"] = started
    seen["service_calls"] = [call["call"] for call in fake_service.CALLS]
    seen["calls_off_the_main_thread"] = sum(call["thread"] != main_thread for call in fake_service.CALLS)
    seen["calls_off_the_main_loop"] = sum(call["loop"] != id(loop) for call in fake_service.CALLS)
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
