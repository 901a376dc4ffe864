"""The Dagster UI as `homeclerk serve` runs it: dagster-webserver's own app behind the Host check.

`dagster-webserver` answers any `Host` (its GraphQL API can launch runs), which DNS rebinding lets
any web page reach. It is a Starlette app served by uvicorn: this module builds the app the way
`dagster_webserver/cli.py` does and serves it wrapped in `HostCheckASGI`.

With `--with-daemon` the same process also runs the Dagster daemon (sensors, schedules, the run
queue, run retries: `dagster-daemon run`'s controller, on a thread): a process of its own costs
~140 MB resident, most of it the Dagster import both processes hold. If the daemon stops (one of
its threads died, or its workspace went stale), the whole process exits with code 3 so that the
service restarts both.

`homeclerk ui` serves the same way, with `--start-code-servers`: its workspace names the
definitions module, whose code server this process starts once for the UI and the daemon (as
`dagster dev` does), so `ui` has the Host and cross-site checks too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.service.hostcheck import HostCheckASGI, allowed_hosts

DAEMON_FAILED_EXIT = 3
WORKSPACE_RELOAD_SECONDS = 150
# The run retry consumer (Dagster's EventLogConsumerDaemon) reads the event log for failed runs
# and writes its cursors every 5 s: the largest single share of the idle daemon's CPU. A run
# whose worker died is retried up to this much later instead; nothing waits on that retry.
RUN_RETRY_POLL_SECONDS = 30


class DaemonThread:
    """`dagster-daemon run`'s controller loop on a thread, stoppable with an event.

    `check_daemon_loop` itself loops until a KeyboardInterrupt, which only the main thread
    gets; this is the same loop (thread health, workspace refresh, heartbeats) with a stop event.
    """

    def __init__(self, workspace: Path, on_failure: Callable[[], None]) -> None:
        self.workspace, self.on_failure = workspace, on_failure
        self.stop = threading.Event()
        self.error: str | None = None
        self.daemons: list[Any] = []  # the running daemons, once started (what the tests read)
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, name="dagster-daemon", daemon=True)

    def __enter__(self) -> DaemonThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=40)  # the controller joins each daemon thread (≤ 30 s)

    def _run(self) -> None:
        from dagster import DagsterInstance
        from dagster._core.workspace.load_target import WorkspaceFileTarget
        from dagster._daemon import controller as daemon_controller
        from dagster._daemon.controller import (
            DEFAULT_DAEMON_HEARTBEAT_TOLERANCE_SECONDS,
            daemon_controller_from_instance,
        )

        from pipeline.service.runs import declare_pools

        # The controller reloads the whole workspace (a full repository snapshot, serialized by
        # the code server) every 60 s; that was the code server's largest idle cost. Every
        # 150 s keeps one retry inside Dagster's 300 s freshness tolerance. A restarted code
        # server is still seen at once by the gRPC watch.
        daemon_controller.RELOAD_WORKSPACE_INTERVAL = WORKSPACE_RELOAD_SECONDS
        tolerance = os.environ.get("DAGSTER_DAEMON_HEARTBEAT_TOLERANCE")
        try:
            with DagsterInstance.get() as instance:
                declare_pools(instance)  # before the run queue's first pass
                with daemon_controller_from_instance(
                    instance,
                    workspace_load_target=WorkspaceFileTarget(paths=[str(self.workspace)]),
                    gen_daemons=daemons_for,
                    heartbeat_tolerance_seconds=(
                        int(tolerance) if tolerance else DEFAULT_DAEMON_HEARTBEAT_TOLERANCE_SECONDS
                    ),
                ) as controller:
                    self.daemons = list(controller.daemons)
                    self.started.set()
                    self._loop(controller)
        except Exception:
            if not self.stop.is_set():
                self.error = traceback.format_exc()
                print(f"the daemon stopped:\n{self.error}", file=sys.stderr, flush=True)
                self.on_failure()

    def _loop(self, controller: object) -> None:
        from dagster._daemon.controller import HEARTBEAT_CHECK_INTERVAL, THREAD_CHECK_INTERVAL

        start = last_heartbeat_check = last_workspace_update = time.time()
        heartbeat_interval = controller._heartbeat_interval_seconds  # type: ignore[attr-defined]
        while not self.stop.wait(THREAD_CHECK_INTERVAL):
            controller.check_daemon_threads()  # type: ignore[attr-defined]
            last_workspace_update = controller.check_workspace_freshness(  # type: ignore[attr-defined]
                last_workspace_update
            )
            if controller._instance.daemon_skip_heartbeats_without_errors:  # type: ignore[attr-defined]
                continue
            now = time.time()
            if now - start < 2 * heartbeat_interval or now - last_heartbeat_check < (
                HEARTBEAT_CHECK_INTERVAL
            ):
                continue
            controller.check_daemon_heartbeats()  # type: ignore[attr-defined]
            last_heartbeat_check = time.time()


def daemons_for(instance: Any) -> list[Any]:
    """The daemons `dagster-daemon run` would start for `instance`, the run retry consumer
    polling every RUN_RETRY_POLL_SECONDS instead of Dagster's 5 s."""
    from dagster._daemon.auto_run_reexecution.event_log_consumer import EventLogConsumerDaemon
    from dagster._daemon.controller import create_daemons_from_instance

    return [
        EventLogConsumerDaemon(interval_seconds=RUN_RETRY_POLL_SECONDS)
        if isinstance(daemon, EventLogConsumerDaemon)
        else daemon
        for daemon in create_daemons_from_instance(instance)
    ]


# The UI asks the code server for its id every second to notice a restart; that poll was a
# fifth of the idle service's CPU. Every 5 s still shows a restarted code server promptly.
CODE_SERVER_WATCH_SECONDS = 5


def _slow_code_server_watch() -> None:
    """Set Dagster's gRPC watch interval (a module default it reads when a watch starts)."""
    from dagster._grpc import server_watcher

    server_watcher.WATCH_INTERVAL = CODE_SERVER_WATCH_SECONDS


def _server_ticking_each_second(uvicorn: Any) -> type:
    """uvicorn.Server whose main loop wakes once a second instead of ten times.

    The loop only refreshes the `Date` header (once a second anyway) and looks for a stop
    request; its ten wake-ups a second were the largest share of the idle UI's CPU. A stop
    now takes up to a second longer, well inside the service's 15 s budget.
    """
    import asyncio

    class Server(uvicorn.Server):  # type: ignore[misc,name-defined]
        async def main_loop(self) -> None:
            while not await self.on_tick(0):  # counter 0: the Date header every tick
                await asyncio.sleep(1.0)

    return Server


@contextlib.contextmanager
def code_servers(workspace: Path) -> Iterator[Path]:
    """Start a code server for each location of `workspace` (a `python_module` one) and yield a
    workspace file naming them, for the UI and the daemon alike: what `dagster dev` does, so
    they share one code server and the UI's Reload restarts it. They stop on leaving."""
    from dagster import DagsterInstance
    from dagster._cli.proxy_server_manager import ProxyServerManager
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    with (
        DagsterInstance.get() as instance,
        ProxyServerManager(
            instance, WorkspaceFileTarget(paths=[str(workspace)]), code_server_log_level="warning"
        ) as manager,
        tempfile.TemporaryDirectory(prefix="homeclerk-ui-") as folder,
    ):
        path = Path(folder) / "workspace.yaml"
        # JSON is YAML: the servers' specs as `dagster dev` writes them.
        path.write_text(json.dumps({"load_from": list(manager.get_code_server_specs())}))
        yield path


def serve(
    workspace: Path,
    host: str,
    port: int,
    extra_hosts: tuple[str, ...] = (),
    with_daemon: bool = False,
    start_code_servers: bool = False,
) -> int:
    """Serve the Dagster UI for `workspace` on host:port until SIGTERM/SIGINT (uvicorn's own).

    `start_code_servers`: the workspace's code servers are started here (`code_servers`).
    Returns the exit code: 0, or DAEMON_FAILED_EXIT when the daemon run `with_daemon` stopped.
    """
    from pipeline.service.single_instance import ensure_port_free

    _slow_code_server_watch()

    ensure_port_free(port, "the Dagster UI", host)
    with contextlib.ExitStack() as stack:
        if start_code_servers:
            workspace = stack.enter_context(code_servers(workspace))
        return _serve_app(workspace, host, port, extra_hosts, with_daemon)


def _serve_app(
    workspace: Path, host: str, port: int, extra_hosts: tuple[str, ...], with_daemon: bool
) -> int:
    import uvicorn
    from dagster import DagsterInstance
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget
    from dagster_webserver.app import create_app_from_workspace_process_context
    from dagster_webserver.cli import (
        DEFAULT_DB_STATEMENT_TIMEOUT,
        DEFAULT_POOL_MAX_OVERFLOW,
        DEFAULT_POOL_RECYCLE,
        _lifespan,
    )
    from dagster_webserver.version import __version__

    daemon_failed = threading.Event()
    with DagsterInstance.get() as instance:
        instance.optimize_for_webserver(
            DEFAULT_DB_STATEMENT_TIMEOUT, DEFAULT_POOL_RECYCLE, DEFAULT_POOL_MAX_OVERFLOW
        )
        with WorkspaceProcessContext(
            instance,
            version=__version__,
            read_only=False,
            workspace_load_target=WorkspaceFileTarget(paths=[str(workspace)]),
        ) as context:
            app = create_app_from_workspace_process_context(context, "", lifespan=_lifespan)
            server = _server_ticking_each_second(uvicorn)(
                uvicorn.Config(
                    HostCheckASGI(app, allowed_hosts(port, extra_hosts)),
                    host=host,
                    port=port,
                    log_level="warning",
                )
            )

            def daemon_stopped() -> None:
                daemon_failed.set()
                server.should_exit = True  # uvicorn's own graceful stop, from any thread

            daemon: contextlib.AbstractContextManager[object] = (
                DaemonThread(workspace, daemon_stopped) if with_daemon else contextlib.nullcontext()
            )
            print(
                f"Dagster UI on http://{host}:{port}" + (" with the daemon" if with_daemon else ""),
                flush=True,
            )
            with daemon:
                server.run()
    return DAEMON_FAILED_EXIT if daemon_failed.is_set() else 0


def main(argv: list[str] | None = None) -> None:
    """`python -m pipeline.service.webserver -w WORKSPACE -p PORT [--with-daemon]`: the UI."""
    parser = argparse.ArgumentParser(description="The Dagster UI with a Host header check.")
    parser.add_argument("-w", "--workspace", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=3000)
    parser.add_argument("--allow-host", action="append", default=[])
    parser.add_argument(
        "--with-daemon", action="store_true", help="also run the Dagster daemon in this process"
    )
    parser.add_argument(
        "--start-code-servers",
        action="store_true",
        help="start the workspace's code servers here, for the UI and the daemon",
    )
    args = parser.parse_args(argv)
    try:
        code = serve(
            args.workspace,
            args.host,
            args.port,
            tuple(args.allow_host),
            args.with_daemon,
            args.start_code_servers,
        )
    except KeyboardInterrupt:
        # uvicorn raises the SIGINT it stopped on again once it has stopped: a stop, no error.
        code = 128 + signal.SIGINT
    sys.exit(code)


if __name__ == "__main__":
    main()
