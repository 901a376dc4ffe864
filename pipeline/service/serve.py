"""What `homeclerk serve` runs: the children, their workspace file, the lock and the run reaper."""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from assets.common.atomic import write_text_atomic
from assets.notify.restarts import RestartWatch
from pipeline.service.fava_server import MAIN_FILE, missing_books
from pipeline.service.feed_server import FeedServer
from pipeline.service.hostcheck import allowed_hosts
from pipeline.service.launch import LOCATION_NAME
from pipeline.service.processes import owner_argv, owner_mark
from pipeline.service.sms_watch import make_sms_watcher
from pipeline.service.stop_runs import RunsInFlight
from pipeline.service.store_watch import RunStorageGuard, disk_full_line
from pipeline.service.supervisor import ChildSpec, Supervisor, ThreadSpec, port_open
from pipeline.service.webhook_server import (
    TOKEN_ENV,
    MissingTokenError,
    WebhookServer,
    missing_token_line,
    webhook_token,
)
from pipeline.settings import CONFIG_ENV, Settings, SettingsError, load_settings

# Set for the children: the code server's bank-SMS sensor then only backs the watcher up.
SMS_WATCH_ENV = "HOMECLERK_SMS_WATCH"

WORKSPACE_FILE = "serve-workspace.yaml"
UI_WORKSPACE_FILE = "ui-workspace.yaml"


def log_dir(settings: Settings) -> Path:
    """Where the service log and each child's log are written (rotated by size)."""
    return settings.data_dir / "logs"


def free_loopback_port() -> int:
    """A TCP port nothing listens on right now (for the code server, which only we talk to)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_workspace(home: Path, grpc_port: int) -> Path:
    """The workspace file the daemon and the UI share: one standalone code server."""
    text = (
        "# Written by `homeclerk serve` at each start; the code server's port changes.\n"
        "load_from:\n"
        "  - grpc_server:\n"
        "      host: 127.0.0.1\n"
        f"      port: {grpc_port}\n"
        f"      location_name: {LOCATION_NAME}\n"
    )
    path = home / WORKSPACE_FILE
    write_text_atomic(path, text)
    return path


def settings_files(settings: Settings) -> tuple[Path, ...]:
    """The files the settings are read from: homeclerk.toml and the `.env` beside it."""
    files = [settings.base_dir / ".env"]
    if settings.config_file is not None:
        files.insert(0, settings.config_file)
    return tuple(files)


def settings_error(config_file: Path | None) -> str | None:
    """The settings' error message (what the code server would fail on), or None."""
    try:
        load_settings(config_file)
    except SettingsError as exc:
        return f"configuration error: {exc}"
    except OSError as exc:  # the file went away or is unreadable
        return f"configuration error: {exc}"
    return None


def write_ui_workspace(home: Path, working_dir: Path) -> Path:
    """The workspace file of `homeclerk ui`: the definitions module, as a location named as
    `serve` names its code server's."""
    text = (
        "# Written by `homeclerk ui` at each start.\n"
        "load_from:\n"
        "  - python_module:\n"
        "      module_name: pipeline.definitions\n"
        f"      working_directory: {json.dumps(str(working_dir))}\n"
        f"      location_name: {LOCATION_NAME}\n"
    )
    path = home / UI_WORKSPACE_FILE
    write_text_atomic(path, text)
    return path


def store_fault_line(
    guard: RunStorageGuard,
    data_dir: Path,
    usage: Callable[[Path], tuple[int, int, int]] = shutil.disk_usage,
) -> str | None:
    """The broken store every feed is served stale for right now: the run storage the service
    holds the Dagster children for, or a full disk (where no feed file can say it)."""
    return guard.current() or disk_full_line(data_dir, usage)


def feed_server(
    feeds_dir: Path,
    port: int,
    extra_hosts: Sequence[str],
    fault: Callable[[], str | None] = lambda: None,
    reviews_dir: Path | None = None,
    cors_origins: Sequence[str] = (),
) -> FeedServer:
    """The feed server bound to 127.0.0.1:`port` (the supervisor serves it on a thread); `fault`
    is the broken store every feed is served stale for, if any; `reviews_dir` the weekly
    reviews it serves under /reviews/; `cors_origins` the web origins it lets read it."""
    return FeedServer(
        feeds_dir,
        port,
        allowed_hosts(port, extra_hosts),
        fault=fault,
        reviews_dir=reviews_dir,
        cors_origins=frozenset(cors_origins),
    )


def webhook_server(settings: Settings) -> WebhookServer:
    """The SMS webhook on `[sources.webhook] bind:port` (the supervisor serves it on a thread).
    Its token is read at each start: without one it does not start and says what to add."""
    from zoneinfo import ZoneInfo

    token = webhook_token(settings.env_file or settings.base_dir / ".env")
    secrets = settings.secrets
    if not token and secrets.provider == "op" and TOKEN_ENV in secrets.op_refs:
        from pipeline.secret_source import SecretSourceError, read_op

        # Read when the webhook starts, into this server only: never written, never logged.
        try:
            token = read_op(TOKEN_ENV, secrets.op_refs[TOKEN_ENV], secrets.op_path).strip()
        except SecretSourceError as exc:
            raise MissingTokenError(str(exc)) from None
    if not token:
        raise MissingTokenError(missing_token_line(settings.env_file or settings.base_dir / ".env"))
    return WebhookServer(
        settings.webhook_spool,
        settings.webhook_port,
        token,
        settings.service.allowed_hosts,
        ZoneInfo(settings.timezone),
        host=settings.webhook_bind,
        rate=settings.webhook_rate,
        burst=settings.webhook_burst,
    )


def child_specs(
    settings: Settings,
    home: Path,
    grpc_port: int,
    *,
    python: str = sys.executable,
    platform: str = sys.platform,
) -> list[ChildSpec | ThreadSpec]:
    """Every child of the service, in start order (the code server first: the others use it)."""
    service = settings.service
    workspace = home / WORKSPACE_FILE
    env = dict(os.environ)
    env["DAGSTER_HOME"] = str(home)
    # glibc gives each thread that allocates an arena of its own (up to 8 per core), each
    # keeping freed memory; the Dagster processes run a dozen threads that are idle nearly
    # always. Two arenas cost no measurable speed here and keep the resident size down.
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env[SMS_WATCH_ENV] = "1"
    if settings.config_file:
        env[CONFIG_ENV] = str(settings.config_file)
    # Dagster reads .env from its working directory: the folder of homeclerk.toml.
    cwd = settings.base_dir
    allow = [a for host in service.allowed_hosts for a in ("--allow-host", host)]
    # The service's mark in each Python child's command line: a later `serve` kills a leftover
    # only if it is this folder's (`ps` on macOS shows no environment).
    py = (python, *owner_argv(owner_mark(log_dir(settings))))
    # A damaged run storage holds the two Dagster children (not a crash loop); the rest runs.
    guard = RunStorageGuard(settings, home)
    specs = [
        ChildSpec(
            "code-server",
            (*py, "-m", "pipeline.service.code_server", "-m", "pipeline.definitions",
             "-h", "127.0.0.1", "-p", str(grpc_port), "--location-name", LOCATION_NAME,
             # A settings error then shows in the UI instead of a crash loop.
             "--lazy-load-user-code"),
            cwd, env, port=grpc_port, stop_signal=signal.SIGINT,
            # `dagster api grpc` cannot reload its code: an edited homeclerk.toml or .env is
            # read by a new code server (the UI then shows it Loaded, or Failed with the
            # settings message), once no run worker (a spawned child) would be killed.
            restart_on_change=settings_files(settings), busy_marker="spawn_main", guard=guard,
            # On a stop, its run workers finish first (or are marked interrupted by the stop).
            work=RunsInFlight(home),
        ),
        # The UI and the daemon in one process: each alone holds the whole Dagster import
        # (~140 MB resident); together ~40 MB more than the UI. If the daemon stops, the
        # process exits and both are restarted.
        ChildSpec(
            "ui-daemon",
            (*py, "-m", "pipeline.service.webserver", "-w", str(workspace),
             "-p", str(service.ui_port), "--with-daemon", *allow),
            cwd, env, port=service.ui_port, stop_signal=signal.SIGINT, guard=guard,
        ),
        # Without the books' main file Fava exits at once: it is not started (run_service
        # says why), rather than restarted forever.
        *([] if missing_books(settings.books_dir) else [ChildSpec(
            "fava",
            (*py, "-m", "pipeline.service.fava_server", str(settings.books_dir / MAIN_FILE),
             "--port", str(service.fava_port), *allow),
            cwd, env,
        )]),
        # A thread of the service itself: a process of its own cost ~20 MB for static files.
        ThreadSpec("feeds", partial(feed_server, settings.feeds_dir, service.feeds_port,
                                    service.allowed_hosts, partial(store_fault_line, guard,
                                                                   settings.data_dir),
                                    settings.data_dir / "reviews", service.cors_origins)),
        # `[sources.webhook]`: forwarder apps POST SMS here; a thread like the feeds.
        *([ThreadSpec("sms-webhook", partial(webhook_server, settings))]
          if settings.webhook_port else []),
        # chat.db → a bank_sms_job run within ~1 s, through the UI's GraphQL API (so last).
        ThreadSpec("sms-watch", partial(make_sms_watcher, settings.chat_db,
                                        tuple(settings.bank_senders), service.ui_port,
                                        LOCATION_NAME, log_dir(settings) / "sms-watch.log",
                                        settings.warehouse, settings_files(settings),
                                        partial(settings_error, settings.config_file))),
    ]  # fmt: skip
    if service.keep_awake and platform == "darwin":
        # -i: no idle sleep while the service runs; tracked here, not a stray terminal. -w: it
        # ends with the service, even one killed outright (its command line has no mark).
        specs.append(
            ChildSpec("caffeinate", ("/usr/bin/caffeinate", "-i", "-w", str(os.getpid())), cwd, env)
        )
    return specs


def run_service(
    settings: Settings,
    home: Path,
    alongside: Callable[[], contextlib.AbstractContextManager[object]] = contextlib.nullcontext,
) -> int:
    """Hold the instance lock, check the ports, then supervise every child until stopped.

    `alongside` (the demo's broker) runs while the children do, entered only once the lock is
    held: a second `serve` must say "already running", not trip over the first one's ports.
    """
    from assets.books.writer import ensure_generated
    from pipeline.service.single_instance import ensure_port_free, port_setting_fix, single_instance

    service = settings.service
    # `serve` and `ui` share one lock: two daemons on one instance would run every sensor twice.
    with single_instance(home / "homeclerk-ui.lock", service.ui_port):
        grpc_port = free_loopback_port()
        # Not $DAGSTER_HOME/logs: Dagster's telemetry uploader collects whatever is there.
        supervisor = Supervisor(
            child_specs(settings, home, grpc_port),
            log_dir(settings),
            restart_watch=restart_watch(settings),
        )
        # First, what a service killed outright left running: it holds our ports.
        if supervisor.stop_leftovers():
            # Their sockets close as the kernel tears the processes down: give it a moment.
            deadline = time.monotonic() + 10
            ports = (service.ui_port, service.fava_port, service.feeds_port)
            while any(port_open(p) for p in ports) and time.monotonic() < deadline:
                time.sleep(0.2)
        ports = (service.ui_port, service.fava_port, service.feeds_port)
        for port, what, key in (
            (service.ui_port, "the Dagster UI ([service] ui_port)", "ui_port"),
            (service.fava_port, "Fava ([service] fava_port)", "fava_port"),
            (service.feeds_port, "the feed server ([service] feeds_port)", "feeds_port"),
        ):
            # `serve` has no --port: the fix is the setting, as lines that paste.
            ensure_port_free(port, what, fix=port_setting_fix(settings, key, ports))
        if settings.webhook_port:
            ensure_port_free(
                settings.webhook_port,
                "the SMS webhook ([sources.webhook] port)",
                host=settings.webhook_bind,
            )
        missing = missing_books(settings.books_dir)
        if missing:
            supervisor.say(
                f"Fava not started: {missing}; then restart the service (the rest runs now)"
            )
        else:
            ensure_generated(settings.books_dir)  # main.beancount includes generated/index
        write_workspace(home, grpc_port)
        supervisor.handle_signals()
        # `kill -USR1 <pid>` prints every thread's stack on stderr: what a stop that hangs is
        # doing, without stopping it.
        faulthandler.register(signal.SIGUSR1, all_threads=True)
        fava = "not started" if missing else f"http://127.0.0.1:{service.fava_port}"
        webhook = (
            f", SMS webhook http://{settings.webhook_bind}:{settings.webhook_port}/sms"
            if settings.webhook_port
            else ""
        )
        supervisor.say(
            f"DAGSTER_HOME={home}; UI http://127.0.0.1:{service.ui_port}, Fava {fava}, feeds "
            f"http://127.0.0.1:{service.feeds_port}/{webhook}"
        )
        # The run reaper (fails runs whose worker died; the daemon retries them once) runs in
        # the code server: this process stays free of Dagster's imports.
        with alongside():
            supervisor.run()
    return 0


def restart_watch(settings: Settings) -> RestartWatch | None:
    """What counts the children's restarts for `[notify]`; None when no channel is set."""
    notify = settings.notify
    if not notify.channels:
        return None
    return RestartWatch(notify.notify_state, notify.restarts_per_hour)
