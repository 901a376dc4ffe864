"""The UI process that also runs the Dagster daemon (`pipeline.service.webserver --with-daemon`)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipeline.service.supervisor import port_open
from pipeline.service.webserver import (
    DAEMON_FAILED_EXIT,
    RUN_RETRY_POLL_SECONDS,
    DaemonThread,
    daemons_for,
)
from tests.support import free_port, homeclerk_instance

ROOT = Path(__file__).resolve().parents[2]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    return {**env, "DAGSTER_HOME": str(home), "PYTHONPATH": str(ROOT), **extra}


def test_a_daemon_that_cannot_start_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    failed = threading.Event()
    missing = tmp_path / "no-workspace.yaml"
    with DaemonThread(missing, failed.set) as daemon:
        assert failed.wait(60), "the failure was not reported"
    assert daemon.error is not None and str(missing) in daemon.error
    assert not daemon.thread.is_alive()


def test_the_ui_process_exits_when_its_daemon_stops(tmp_path: Path) -> None:
    # A code server nobody runs: the UI starts anyway (the location shows an error).
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {free_port()}\n"
        "      location_name: nowhere\n"
    )
    port = free_port()
    # A setting the daemon reads and the UI does not: the daemon fails, the UI comes up.
    env = _env(tmp_path, DAGSTER_DAEMON_HEARTBEAT_TOLERANCE="not-a-number")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.service.webserver", "-w", str(workspace), "-p", str(port),
         "--with-daemon"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = out.decode(errors="replace")
    assert proc.returncode == DAEMON_FAILED_EXIT, text
    assert "the daemon stopped" in text and "not-a-number" in text
    assert not port_open(port), "the UI's port was left open"


def test_the_idle_knobs_turned_still_exist_and_take(monkeypatch: pytest.MonkeyPatch) -> None:
    """The UI process slows three loops by setting what Dagster and uvicorn read at run time;
    a renamed knob after an upgrade would silently bring the idle cost back."""
    import asyncio

    import uvicorn
    from dagster._daemon import controller
    from dagster._grpc import server_watcher

    from pipeline.service import webserver

    assert isinstance(server_watcher.WATCH_INTERVAL, (int, float))
    assert isinstance(controller.RELOAD_WORKSPACE_INTERVAL, (int, float))
    # One reload between two must stay inside Dagster's own freshness tolerance.
    assert (
        2 * webserver.WORKSPACE_RELOAD_SECONDS <= controller.DEFAULT_WORKSPACE_FRESHNESS_TOLERANCE
    )
    # Restored after the test: other tests in this process keep Dagster's default.
    monkeypatch.setattr(server_watcher, "WATCH_INTERVAL", server_watcher.WATCH_INTERVAL)
    webserver._slow_code_server_watch()
    assert server_watcher.WATCH_INTERVAL == webserver.CODE_SERVER_WATCH_SECONDS

    server_class = webserver._server_ticking_each_second(uvicorn)
    server = server_class(uvicorn.Config(app=None))
    ticks: list[int] = []

    async def on_tick(counter: int) -> bool:
        ticks.append(counter)
        return len(ticks) == 2  # stop on the second tick

    server.on_tick = on_tick  # type: ignore[method-assign]
    asyncio.run(server.main_loop())
    # The Date header is refreshed on every (now once a second) tick: uvicorn does that when
    # the counter is a multiple of ten.
    assert ticks == [0, 0]


def test_the_run_retry_consumer_polls_slowly_and_every_other_daemon_is_dagsters(
    tmp_path: Path,
) -> None:
    """The retry consumer (every 5 s by default) was the idle daemon's largest share; the
    instance's other daemons are the ones `dagster-daemon run` would start, untouched."""
    from dagster._daemon.auto_run_reexecution.event_log_consumer import EventLogConsumerDaemon
    from dagster._daemon.controller import create_daemons_from_instance

    with homeclerk_instance(tmp_path / "dagster") as instance:
        ours = {d.daemon_type(): d for d in daemons_for(instance)}
        stock = {d.daemon_type(): d for d in create_daemons_from_instance(instance)}
    # dagster.yaml enables run retries: the consumer is there, at our pace.
    consumer = ours[EventLogConsumerDaemon.daemon_type()]
    assert isinstance(consumer, EventLogConsumerDaemon)
    assert consumer.interval_seconds == RUN_RETRY_POLL_SECONDS
    assert stock[EventLogConsumerDaemon.daemon_type()].interval_seconds < RUN_RETRY_POLL_SECONDS
    assert ours.keys() == stock.keys()
    for kind, daemon in ours.items():
        assert type(daemon) is type(stock[kind]), kind


def test_the_daemon_thread_runs_the_slow_retry_consumer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster._daemon.auto_run_reexecution.event_log_consumer import EventLogConsumerDaemon

    from pipeline.service.instance import render_dagster_yaml

    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text(render_dagster_yaml(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text("load_from: []\n")
    failed = threading.Event()
    with DaemonThread(workspace, failed.set) as daemon:
        assert daemon.started.wait(60), daemon.error
    assert not failed.is_set(), daemon.error
    [consumer] = [d for d in daemon.daemons if isinstance(d, EventLogConsumerDaemon)]
    assert consumer.interval_seconds == RUN_RETRY_POLL_SECONDS
