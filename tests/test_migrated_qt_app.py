"""The migrated trading desktop really runs: under qasync with Qt offscreen, on one loop, with no thread.

``tests/qt_app/drive_trading_desktop.py`` runs in a fresh process (Qt state is process-wide) on a
copy of ``fixtures/trading_desktop/migrated``: the real container and ``MainWindow``, the network
replaced by ``tests/qt_app/fake_upbit.py``. It drives the coin list load and refresh, the log
viewer, the API key check and the account refresh, two orderbook symbol changes and a timeframe
change, shuts down through the scaffolded ``loop_runtime.shutdown()``, and prints what it saw as
JSON. The same driver on the unmigrated ``repo/`` tree must fail these checks.
"""

import json
import os
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from .conftest import REPO

DRIVER = REPO / "tests" / "qt_app" / "drive_trading_desktop.py"
FIXTURE = REPO / "fixtures" / "trading_desktop"
CHART_VIEW = "upbit_auto_trading/ui/desktop/screens/chart_view"
STEPS = (
    "coin list load",
    "coin list refresh",
    "log viewer start",
    "api key check",
    "account refresh",
    "orderbook symbol change",
    "timeframe change",
)
BACKUP_REFRESH = {
    "coro": "OrderbookPresenter._backup_refresh_loop",
    # The second task OrderbookPresenter.start() registers.
    "name": "upbit_auto_trading.ui.desktop.screens.chart_view.presenters.orderbook_presenter"
    ":OrderbookPresenter:start#2",
}


def drive(app_tree, tmp_path, wait, deadline=120):
    app_root = tmp_path / "app"
    shutil.copytree(app_tree, app_root, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "data").mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, str(DRIVER), str(app_root), str(tmp_path / "data")]
    return subprocess.run(
        [*command, "--wait", str(wait), "--deadline", str(deadline)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def violations(result):
    """The invariants a run broke: a crash, a failed step, a thread, a second loop, a task left pending."""
    if result.returncode != 0:
        return [f"the run crashed (exit {result.returncode}): {result.stderr.strip().splitlines()[-1:]}"]
    seen = json.loads(result.stdout)
    found = [f"step {name!r}: {outcome}" for name, outcome in seen["steps"].items() if outcome != "ok"]
    found += [f"thread started: {name}" for name in seen["threads_started"]]
    found += [f"executor job: {job}" for job in seen["executor_jobs"]]
    off_loop = [call["call"] for call in seen["service_calls"] if call["loop"] != seen["main_loop"]]
    found += [f"{name} ran off the main loop" for name in off_loop]
    found += [f"pending after shutdown: {task}" for task in seen["pending_after_shutdown"]]
    found += [f"error: {error}" for error in seen["errors"]]
    if seen["blocking_sleeps"]:
        found.append(f"time.sleep() called {seen['blocking_sleeps']} time(s)")
    return found


@pytest.fixture(scope="module")
def migrated_run(tmp_path_factory):
    result = drive(FIXTURE / "migrated", tmp_path_factory.mktemp("migrated_app"), wait=10)
    assert violations(result) == [], result.stderr
    return json.loads(result.stdout)


def test_every_slot_completes(migrated_run):
    assert migrated_run["steps"] == {name: "ok" for name in STEPS}
    assert migrated_run["errors"] == []


def test_coin_list_loads_and_refreshes_through_the_fake_service(migrated_run):
    assert migrated_run["coin_list_loaded"] == ["KRW-BTC  비트코인", "KRW-ETH  이더리움", "KRW-XRP  리플"]
    assert migrated_run["coin_list_refreshed"] == ["KRW-BTC  143,250,000", "KRW-ETH  5,120,000", "KRW-XRP  3,125"]
    tickers = [call["args"] for call in migrated_run["service_calls"] if call["call"] == "get_tickers"]
    assert tickers == [[["KRW-BTC", "KRW-ETH", "KRW-XRP"]]]


def test_log_viewer_subscribes_and_shows_the_bus_entries(migrated_run):
    assert migrated_run["log_lines"] == [f"[INFO] upbit.test: entry {number}" for number in range(50)]


def test_api_key_check_retries_on_the_loop_without_blocking_it(migrated_run):
    # The first get_accounts() fails: the retry now awaits asyncio.sleep() instead of time.sleep().
    assert migrated_run["api_key_check"] == [True, "✅ 연결 성공 (계좌 2개)"]
    assert migrated_run["blocking_sleeps"] == 0
    assert migrated_run["account_status"] == "KRW 잔고: 1,234,567원"


def test_orderbook_follows_the_selected_symbol(migrated_run):
    assert migrated_run["orderbook"] == {
        "KRW-ETH": "5,121,000 / 5,120,000\n5,122,000 / 5,119,000",
        "KRW-XRP": "3,126 / 3,125",
    }
    subscriptions = [call["args"] for call in migrated_run["service_calls"] if call["call"] == "websocket.subscribe"]
    assert subscriptions == [["orderbook", ["KRW-ETH"]], ["orderbook", ["KRW-XRP"]]]
    assert migrated_run["chart_label"] == "KRW-XRP 5분 캔들 3개"


def test_every_service_call_runs_on_the_one_loop_in_the_main_thread(migrated_run):
    calls = migrated_run["service_calls"]
    assert Counter(call["call"] for call in calls) == {
        "get_krw_markets": 2,  # the coin list, and the main window's market cache warm-up
        "list_triggers": 1,
        "websocket.start": 1,
        "get_tickers": 1,
        "get_accounts": 3,  # the API key check (one failure, one success) and the account refresh
        "private_client.close": 2,
        "websocket.subscribe": 2,
        "get_candles": 1,
        "public_client.close": 1,  # a closer of the shutdown sequence
    }
    assert {call["loop"] for call in calls} == {migrated_run["main_loop"]}
    assert {call["thread"] for call in calls} == {migrated_run["main_thread"]}


def test_no_thread_is_started(migrated_run):
    assert migrated_run["threads_started"] == []
    assert migrated_run["executor_jobs"] == []
    assert (
        migrated_run["threads_at_start"]
        == migrated_run["threads_alive_before_shutdown"]
        == migrated_run["threads_at_end"]
    )


def test_shutdown_cancels_and_gathers_every_task(migrated_run):
    assert migrated_run["shutdown"] == "loop_runtime.shutdown"
    live = migrated_run["live_tasks_before_shutdown"]
    # Both orderbook backup loops (one per symbol) were still running, registered with the TaskManager.
    assert [task for task in live if task == BACKUP_REFRESH] == [BACKUP_REFRESH, BACKUP_REFRESH]
    assert migrated_run["cancelled_by_shutdown"] == live
    assert migrated_run["pending_after_shutdown"] == []
    assert migrated_run["event_bus_running_after_shutdown"] is False


def test_unmigrated_tree_fails_the_same_checks(tmp_path):
    """The checks can fail: the original tree (threads with private loops) does not pass them."""
    result = drive(FIXTURE / "repo", tmp_path, wait=3, deadline=60)
    assert violations(result) != []


@pytest.mark.parametrize(
    ("original_file", "expected_violation"),
    [
        (f"{CHART_VIEW}/widgets/coin_list_widget.py", "thread started"),
        ("upbit_auto_trading/infrastructure/services/api_key_service.py", "time.sleep() called"),
        (f"{CHART_VIEW}/presenters/orderbook_presenter.py", "pending after shutdown"),
    ],
    ids=["coin_list_widget", "api_key_service", "orderbook_presenter"],
)
def test_one_unmigrated_file_is_enough_to_fail(tmp_path, original_file, expected_violation):
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURE / "migrated", tree, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(FIXTURE / "repo" / original_file, tree / original_file)
    run_dir = tmp_path / "run"
    run_dir.mkdir()

    found = violations(drive(tree, run_dir, wait=3, deadline=60))

    assert any(violation.startswith(expected_violation) for violation in found), found
