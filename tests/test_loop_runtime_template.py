"""The runtime module that ``loopguard migrate`` scaffolds into a project: TaskManager, LoopGuard, shutdown."""

import asyncio
import importlib.util
import logging
import threading
from pathlib import Path

import pytest

from flake8_loopguard.core.config import Config
from flake8_loopguard.core.engine import check_source
from flake8_loopguard.core.rules import all_rules

TEMPLATE = Path(__file__).resolve().parent.parent / "codemods" / "templates" / "loop_runtime.py"


@pytest.fixture
def runtime():
    """A fresh copy of the template module: its process-wide registry starts empty in every test."""
    spec = importlib.util.spec_from_file_location("loop_runtime_under_test", TEMPLATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def forever():
    await asyncio.Event().wait()


async def fail():
    raise ValueError("boom")


def test_the_template_passes_its_own_linter_with_every_rule_on():
    every_rule = Config(opt_in_codes=tuple(rule.code for rule in all_rules()))
    assert check_source(TEMPLATE.read_text(encoding="utf-8"), "loop_runtime.py", every_rule) == []


def test_add_task_names_registers_and_returns_the_task(runtime):
    async def scenario():
        manager = runtime.TaskManager()
        task = asyncio.create_task(forever())
        returned = manager.add_task(task, name="quotes:CoinList:refresh")
        assert returned is task
        assert task.get_name() == "quotes:CoinList:refresh"
        assert len(manager) == 1
        await manager.cleanup_all()
        assert task.cancelled()
        assert len(manager) == 0

    asyncio.run(scenario())


def test_add_task_without_a_name_keeps_the_task_name(runtime):
    async def scenario():
        task = runtime.TaskManager().add_task(asyncio.create_task(forever(), name="kept"))
        assert task.get_name() == "kept"
        task.cancel()

    asyncio.run(scenario())


def test_a_future_that_is_no_task_is_kept_named_in_the_logs_and_cancelled(runtime, caplog):
    """``ensure_future(gather(...))`` hands back a Future: it cannot take a name, but it is kept."""

    async def scenario():
        manager = runtime.TaskManager()
        failing = manager.add_task(asyncio.gather(fail()), name="feed:Ticker:fan_out")
        pending = manager.add_task(asyncio.get_running_loop().create_future(), name="feed:Ticker:wait")
        assert len(manager) == 2
        await asyncio.gather(failing, return_exceptions=True)
        await asyncio.sleep(0)
        assert len(manager) == 1
        await manager.cleanup_all()
        assert pending.cancelled() and len(manager) == 0

    with caplog.at_level(logging.DEBUG, logger=runtime.__name__):
        asyncio.run(scenario())
    assert [record.getMessage() for record in caplog.records if "feed:" in record.getMessage()] == [
        "task failed: feed:Ticker:fan_out",
        "task cancelled: feed:Ticker:wait",
    ]


def test_create_makes_a_named_registered_task_on_the_running_loop(runtime):
    async def scenario():
        manager = runtime.TaskManager()
        task = manager.create(asyncio.sleep(0, result=42), name="feed:Ticker:poll")
        assert task.get_name() == "feed:Ticker:poll"
        assert task.get_loop() is asyncio.get_running_loop()
        assert await task == 42
        await asyncio.sleep(0)  # the done-callback runs on the next loop iteration
        assert len(manager) == 0

    asyncio.run(scenario())


def test_failures_are_logged_with_the_task_name_and_traceback(runtime, caplog):
    async def scenario():
        task = runtime.TaskManager().create(fail(), name="orders:Book:sync")
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)

    with caplog.at_level(logging.DEBUG, logger=runtime.__name__):
        asyncio.run(scenario())
    [failure] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert failure.getMessage() == "task failed: orders:Book:sync"
    assert isinstance(failure.exc_info[1], ValueError)


def test_one_cleanup_all_cancels_the_tasks_of_every_manager_instance(runtime):
    """However classes got their manager (their own instance, a module-level one), one call reaches all."""

    async def scenario():
        first, second, module_level = runtime.TaskManager(), runtime.TaskManager(), runtime.TaskManager()
        tasks = [
            first.create(forever(), name="a:A:run"),
            second.add_task(asyncio.create_task(forever()), name="b:B:run"),
            module_level.create(forever(), name="c::run"),
        ]
        await asyncio.sleep(0)
        await runtime.TaskManager().cleanup_all()
        assert [task.cancelled() for task in tasks] == [True, True, True]
        assert len(first) == len(second) == 0

    asyncio.run(scenario())


def test_cleanup_all_gathers_tasks_spawned_while_cancelling(runtime):
    spawned = []

    async def spawns_on_cancel(manager):
        try:
            await forever()
        finally:
            spawned.append(manager.create(forever(), name="late:Spawn:child"))

    async def scenario():
        manager = runtime.TaskManager()
        manager.create(spawns_on_cancel(manager), name="late:Spawn:parent")
        await asyncio.sleep(0)
        await manager.cleanup_all()
        assert len(spawned) == 1 and spawned[0].done()
        assert len(manager) == 0

    asyncio.run(scenario())


def test_cleanup_all_does_not_cancel_the_task_that_calls_it(runtime):
    async def scenario():
        manager = runtime.TaskManager()
        runner = manager.add_task(asyncio.current_task(), name="app:Kernel:shutdown")
        await manager.cleanup_all()
        assert not runner.cancelled()

    asyncio.run(scenario())


def test_loop_guard_accepts_the_main_loop(runtime):
    async def scenario():
        guard = runtime.LoopGuard()
        guard.set_main()
        assert guard.main is asyncio.get_running_loop()
        guard.ensure_main(where="Client.fetch")
        assert runtime.LoopGuard().main is guard.main  # process-wide

    asyncio.run(scenario())


def test_loop_guard_adopts_the_first_loop_it_sees(runtime):
    async def scenario():
        runtime.LoopGuard().ensure_main(where="first")
        assert runtime.LoopGuard().main is asyncio.get_running_loop()

    asyncio.run(scenario())


def test_loop_guard_raises_and_logs_on_a_private_loop(runtime, caplog):
    main_loop = asyncio.new_event_loop()
    runtime.LoopGuard().set_main(main_loop)
    main_loop.close()

    async def on_a_private_loop():
        runtime.LoopGuard().ensure_main(where="Widget._worker")

    with caplog.at_level(logging.ERROR, logger=runtime.__name__):
        with pytest.raises(RuntimeError, match="Widget._worker runs on a loop that is not the main event loop"):
            asyncio.run(on_a_private_loop())
    assert [record.getMessage() for record in caplog.records] == [
        "EventLoop breach at Widget._worker: running on a loop that is not the main one"
    ]


def test_loop_guard_raises_in_a_thread_without_a_loop(runtime):
    errors = []

    def worker():
        try:
            runtime.LoopGuard().ensure_main(where="thread")
        except RuntimeError as error:
            errors.append(str(error))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert errors == ["thread must run on the main event loop; no loop is running"]


def test_shutdown_runs_the_sequence_of_invariant_6_in_order(runtime, monkeypatch):
    steps = []

    class RecordingHandler(logging.Handler):
        def emit(self, record):
            pass

        def flush(self):
            steps.append("flush logs")

    handler = RecordingHandler()
    logging.getLogger().addHandler(handler)

    async def worker():
        try:
            await forever()
        finally:
            steps.append("task cancelled")

    async def close_session():
        steps.append("session closed")

    def close_socket():
        steps.append("socket closed")

    def stop_server():
        steps.append("stopped accepting work")

    async def scenario():
        manager = runtime.TaskManager()
        manager.create(worker(), name="svc:Worker:run")
        runtime.register_closer(close_socket)
        runtime.register_closer(close_session)
        await asyncio.sleep(0)
        await runtime.shutdown(stop_accepting=stop_server)
        late = manager.create(forever(), name="svc:Late:run")
        await asyncio.sleep(0)
        assert late.cancelled()  # refused after shutdown began
        await runtime.shutdown()  # a second call does nothing

    try:
        asyncio.run(scenario())
    finally:
        logging.getLogger().removeHandler(handler)
    assert steps == ["stopped accepting work", "task cancelled", "session closed", "socket closed", "flush logs"]


def test_a_failing_closer_is_logged_and_the_others_still_run(runtime, caplog):
    closed = []

    def broken():
        raise OSError("socket already gone")

    async def scenario():
        runtime.register_closer(lambda: closed.append("first"))
        runtime.register_closer(broken)
        await runtime.shutdown()

    with caplog.at_level(logging.ERROR, logger=runtime.__name__):
        asyncio.run(scenario())
    assert closed == ["first"]
    assert [record.getMessage().split(" failed")[0].startswith("closing") for record in caplog.records] == [True]
