"""`homeclerk ui`, `serve` and `fava`: the servers, in the foreground."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import urllib.parse
from collections.abc import Iterator
from typing import Any

from pipeline.cli.common import (
    port,
    say_what_is_not_configured,
    server_port,
    settings_for,
)
from pipeline.settings import CONFIG_ENV, Settings


def add_ui_and_serve(sub: Any) -> None:
    """`homeclerk ui` and `homeclerk serve`."""
    ui = sub.add_parser("ui", help="open the Dagster UI (and daemon) on 127.0.0.1")
    ui.add_argument("--port", type=port, help="default: [service] ui_port (3000)")
    ui.set_defaults(handler=_ui)

    serve = sub.add_parser(
        "serve",
        help="the always-on service: code server, daemon, UI, Fava and feeds, supervised",
    )
    serve.set_defaults(handler=_serve)


def add_fava(sub: Any) -> None:
    """`homeclerk fava`."""
    fava = sub.add_parser("fava", help="serve the books in Fava on 127.0.0.1")
    fava.add_argument("--port", type=port, help="default: [service] fava_port (5000)")
    fava.set_defaults(handler=_fava)


def _ui(args: argparse.Namespace) -> int:
    from dagster import DagsterInstance

    from pipeline.demo.broker import BrokerPortBusyError
    from pipeline.service.instance import use_instance
    from pipeline.service.processes import run_until_stopped
    from pipeline.service.runs import RunReaper
    from pipeline.service.single_instance import (
        AlreadyRunningError,
        PortBusyError,
        ensure_port_free,
        single_instance,
    )

    settings = settings_for(args)
    port, busy_fix = server_port(args, settings, "ui_port")
    say_what_is_not_configured(settings)
    home = use_instance(settings)
    if settings.config_file:
        os.environ[CONFIG_ENV] = str(settings.config_file)
    from pipeline.service.serve import write_ui_workspace

    # The UI and the daemon in one process, as `serve` runs them: behind the Host and
    # cross-site checks (a page the owner visits must not launch runs), with the definitions'
    # code server started once for both, as `dagster dev` would.
    cmd = [
        sys.executable,
        "-m",
        "pipeline.service.webserver",
        # The location named as `serve` names it: switching keeps every schedule's state.
        "-w",
        str(write_ui_workspace(home, settings.base_dir)),
        "--host",
        "127.0.0.1",
        "-p",
        str(port),
        "--with-daemon",
        "--start-code-servers",
        *(a for host in settings.service.allowed_hosts for a in ("--allow-host", host)),
    ]
    try:
        # One UI (and so one daemon) per instance: two daemons would both run every sensor.
        with single_instance(home / "homeclerk-ui.lock", port):
            ensure_port_free(port, "the Dagster UI", fix=busy_fix)
            print(f"DAGSTER_HOME={home}", file=sys.stderr)
            with (
                _demo_broker(settings),
                DagsterInstance.from_config(str(home)) as instance,
                RunReaper(instance),  # fails runs whose worker died (a killed earlier session)
            ):
                # Dagster reads .env from its working directory.
                return run_until_stopped(cmd, cwd=settings.base_dir)
    except AlreadyRunningError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2
    except (PortBusyError, BrokerPortBusyError) as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2


def _serve(args: argparse.Namespace) -> int:
    from pipeline.demo.broker import BrokerPortBusyError
    from pipeline.service.instance import use_instance
    from pipeline.service.serve import run_service
    from pipeline.service.single_instance import AlreadyRunningError, PortBusyError

    settings = settings_for(args)
    say_what_is_not_configured(settings)
    home = use_instance(settings)
    try:
        return run_service(settings, home, alongside=lambda: _demo_broker(settings))
    except (AlreadyRunningError, PortBusyError, BrokerPortBusyError) as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2


def _fava(args: argparse.Namespace) -> int:
    from assets.books.writer import ensure_generated
    from pipeline.service.fava_server import missing_books, serve
    from pipeline.service.single_instance import (
        AlreadyRunningError,
        PortBusyError,
        ensure_port_free,
        single_instance,
    )

    settings = settings_for(args)
    port, busy_fix = server_port(args, settings, "fava_port")
    main_file = settings.books_dir / "main.beancount"
    missing = missing_books(settings.books_dir)
    if missing:
        print(f"homeclerk: {missing}", file=sys.stderr)
        return 2
    try:
        # One Fava per data folder (and so per books folder): its own lock, beside the UI's.
        with single_instance(settings.dagster_home / "homeclerk-fava.lock", port):
            ensure_port_free(port, "Fava", fix=busy_fix)
            ensure_generated(settings.books_dir)  # main.beancount includes generated/index
            serve(main_file, port=port, extra_hosts=settings.service.allowed_hosts)
    except (AlreadyRunningError, PortBusyError) as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2
    return 0


@contextlib.contextmanager
def _demo_broker(settings: Settings) -> Iterator[None]:
    """In a folder `homeclerk demo` made, serve its recorded broker again while the UI runs, so
    the portfolio assets can be materialized from the UI without any account."""
    from pipeline.demo.build import MARKER

    url = urllib.parse.urlsplit(settings.broker.base_url)
    if not (settings.base_dir / MARKER).exists() or url.hostname != "127.0.0.1" or not url.port:
        yield
        return
    from pipeline.demo.broker import FakeKiteServer, write_demo_session

    write_demo_session(settings.broker.token_file)  # the demo session, renewed for today
    with FakeKiteServer(port=url.port):
        print(f"demo broker (recorded responses) on {settings.broker.base_url}", file=sys.stderr)
        yield
