"""`homeclerk ui` and `homeclerk serve` on one folder name the code location the same, so the
scheduler's state for each schedule (stopped by hand, its ticks) survives a switch: Dagster keys
it by location name + repository + schedule name. Real workspaces: the module `ui` loads and the
gRPC code server `serve` starts, with the scheduler's own iteration over each."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.definitions.run_request import InstigatorType
from dagster._core.scheduler.instigation import InstigatorStatus
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._daemon.daemon import SchedulerDaemon  # noqa: F401  (imports the scheduler in order)
from dagster._scheduler.scheduler import launch_scheduled_runs

from pipeline.service.instance import prepare_instance
from pipeline.service.serve import child_specs, write_ui_workspace, write_workspace
from pipeline.service.supervisor import port_open
from tests.pipeline.service_support import service_settings
from tests.support import free_port, wait_for

SCHEDULE = "books_nightly"  # on by default: the owner stops it by hand


class _Said(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def _workspace(instance: DagsterInstance, path: Path) -> Iterator[WorkspaceProcessContext]:
    with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(path)])) as context:
        yield context


def _schedule(context: WorkspaceProcessContext):  # type: ignore[no-untyped-def]
    request = context.create_request_context()
    [entry] = request.get_code_location_entries().values()
    assert entry.code_location is not None, entry.load_error
    [repo] = entry.code_location.get_repositories().values()
    return repo.get_schedule(SCHEDULE)


def _one_scheduler_iteration(context: WorkspaceProcessContext) -> list[str]:
    said = _Said()
    logger = logging.getLogger(f"scheduler-test-{id(said)}")
    logger.addHandler(said)
    logger.setLevel(logging.INFO)
    now = dt.datetime.now(dt.UTC)
    list(launch_scheduled_runs(context, logger, now, iteration_times={}))
    return said.lines


def _state(instance: DagsterInstance, schedule) -> InstigatorStatus | None:  # type: ignore[no-untyped-def]
    states = instance.all_instigator_state(instigator_type=InstigatorType.SCHEDULE)
    found = [s for s in states if s.selector_id == schedule.selector_id]
    return found[0].status if found else None


@contextmanager
def _code_server(settings, home: Path) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """The code server exactly as `serve` starts it."""
    port = free_port()
    spec = child_specs(settings, home, port)[0]
    assert spec.name == "code-server"
    env = {**(spec.env or {}), "DAGSTER_HOME": str(home)}
    env.pop("HOMECLERK_SMS_WATCH", None)
    proc = subprocess.Popen(
        spec.argv, cwd=spec.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: port_open(port) or proc.poll() is not None, 120, "the code server")
        assert proc.poll() is None, "the code server exited"
        yield port
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_switching_between_ui_and_serve_keeps_a_schedule_stopped_by_hand(
    tmp_path: Path,
) -> None:
    settings = service_settings(tmp_path)
    home = prepare_instance(settings)
    os.environ.pop("HOMECLERK_CONFIG", None)
    with DagsterInstance.from_config(str(home)) as instance:
        # Under `homeclerk ui`: the owner stops the nightly books by hand.
        with _workspace(instance, write_ui_workspace(home, settings.base_dir)) as ui:
            schedule = _schedule(ui)
            instance.stop_schedule(schedule.get_remote_origin_id(), schedule.selector_id, schedule)
            assert not any("Removing state" in x for x in _one_scheduler_iteration(ui))
            ui_selector = schedule.selector_id

        # Then `homeclerk serve`: its code server's schedule is the same one, still stopped.
        with (
            _code_server(settings, home) as port,
            _workspace(instance, write_workspace(home, port)) as serve,
        ):
            served = _schedule(serve)
            said = _one_scheduler_iteration(serve)
            assert not any("Removing state" in line for line in said), said
            assert served.selector_id == ui_selector
            assert _state(instance, served) == InstigatorStatus.STOPPED
            state = instance.get_instigator_state(served.get_remote_origin_id(), served.selector_id)
            assert not served.get_current_instigator_state(state).is_running

        # And back to `ui`: nothing was removed on the way.
        with _workspace(instance, write_ui_workspace(home, settings.base_dir)) as ui:
            said = _one_scheduler_iteration(ui)
            assert not any("Removing state" in line for line in said), said
            assert _state(instance, _schedule(ui)) == InstigatorStatus.STOPPED
