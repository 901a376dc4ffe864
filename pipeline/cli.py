"""The `homeclerk` command."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shlex
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path

from .settings import CONFIG_ENV, Settings, SettingsError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except SettingsError as exc:
        print(f"homeclerk: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="homeclerk",
        description="The clerk of a home server: bank SMS, broker, battery → feeds and books.",
    )
    parser.add_argument(
        "--config", type=Path, help=f"homeclerk.toml to use (default: ${CONFIG_ENV} or ./)"
    )
    sub = parser.add_subparsers(title="commands")

    demo = sub.add_parser("demo", help="build a demo data set and materialize every asset")
    demo.add_argument("--dir", type=Path, default=Path("demo"), help="demo folder (./demo)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    demo.add_argument(
        "--end-date", type=dt.date.fromisoformat, help="last day of the demo (default: today)"
    )
    demo.set_defaults(handler=_demo)

    ui = sub.add_parser("ui", help="open the Dagster UI (and daemon) on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=_ui)

    doctor = sub.add_parser("doctor", help="check every reason the pipeline could be quietly wrong")
    doctor.set_defaults(handler=_doctor)

    fava = sub.add_parser("fava", help="serve the books in Fava on 127.0.0.1")
    fava.add_argument("--port", type=int, default=5000)
    fava.set_defaults(handler=_fava)

    broker = sub.add_parser("broker", help="broker session").add_subparsers(title="broker commands")
    login = broker.add_parser("login", help="sign in to Kite and cache today's session token")
    login.add_argument("--no-browser", action="store_true", help="only print the link")
    login.add_argument("--wait", type=float, default=300, help="seconds to wait for the sign-in")
    login.set_defaults(handler=_broker_login)
    status = broker.add_parser("status", help="is the cached broker session still valid?")
    status.set_defaults(handler=_broker_status)

    sms = sub.add_parser("sms", help="bank SMS tools").add_subparsers(title="sms commands")
    parse = sms.add_parser("parse", help='JSON lines {"id","sender","body"} on stdin → parsed')
    parse.set_defaults(handler=_sms_parse)
    dump = sms.add_parser("dump", help="the bank messages a chat.db holds, as JSON lines")
    dump.add_argument("--chat-db", type=Path, required=True)
    dump.add_argument("--since-rowid", type=int, default=0)
    dump.set_defaults(handler=_sms_dump)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    if args.config:
        os.environ[CONFIG_ENV] = str(args.config.expanduser().resolve())
    return load_settings()


def _demo(args: argparse.Namespace) -> int:
    from .demo.build import DemoFolderError
    from .demo.run import run_demo

    try:
        report = run_demo(args.dir, seed=args.seed, end=args.end_date)
    except DemoFolderError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2
    print()
    as_of = report.as_of.isoformat(timespec="seconds")
    if not report.success:
        print(f"homeclerk demo FAILED (data as of {as_of}):")
        for line in report.failed_steps:
            print(f"  failed:   {line}")
    elif report.warnings:
        print(f"homeclerk demo finished: every asset materialized (data as of {as_of}); warnings:")
    else:
        print(
            "homeclerk demo finished: every asset materialized, every check passed "
            f"(data as of {as_of})"
        )
    for line in report.warnings:
        print(f"  warning:  {line}")
    print(f"  folder:   {report.folder}")
    print(f"  chat.db:  {report.messages} messages, {report.bank_alerts} bank transaction alerts")
    for path in report.outputs:
        print(f"  output:   {path}")
    print(f"  config:   {report.config}")
    command = f"{own_command()} --config {shlex.quote(str(report.config))}"
    print("Open the Dagster UI on this demo:")
    print(f"  {command} ui    # then http://127.0.0.1:3000")
    print("Read the books in Fava:")
    print(f"  {command} fava  # then http://127.0.0.1:5000")
    return 0 if report.success else 1


def own_command(argv0: str | None = None, python: str | None = None) -> str:
    """How to run this homeclerk again from any shell: the absolute path of the `homeclerk`
    script that is running, else this Python with `-m pipeline.cli` (homeclerk may not be on
    PATH, e.g. in a virtualenv that is not activated)."""
    script = Path(argv0 if argv0 is not None else sys.argv[0])
    if script.name == "homeclerk" and script.is_file():
        return shlex.quote(str(script.absolute()))
    return f"{shlex.quote(python or sys.executable)} -m pipeline.cli"


def _ui(args: argparse.Namespace) -> int:
    from .instance import use_instance

    settings = _settings(args)
    home = use_instance(settings)
    if settings.config_file:
        os.environ[CONFIG_ENV] = str(settings.config_file)
    cmd = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "pipeline.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(args.port),
    ]
    print(f"DAGSTER_HOME={home}", file=sys.stderr)
    with _demo_broker(settings):
        # Dagster reads .env from its working directory.
        dev = subprocess.Popen(cmd, cwd=settings.base_dir)
        try:
            return dev.wait()
        except KeyboardInterrupt:
            # Ctrl-C reached `dagster dev` too: let it shut its daemon and webserver down.
            return dev.wait()


@contextlib.contextmanager
def _demo_broker(settings: Settings) -> Iterator[None]:
    """In a folder `homeclerk demo` made, serve its recorded broker again while the UI runs, so
    the portfolio assets can be materialized from the UI without any account."""
    from .demo.build import MARKER

    url = urllib.parse.urlsplit(settings.broker.base_url)
    if not (settings.base_dir / MARKER).exists() or url.hostname != "127.0.0.1" or not url.port:
        yield
        return
    from assets.portfolio.demo_server import FakeKiteServer, write_demo_session

    write_demo_session(settings.broker.token_file)  # the demo session, renewed for today
    with FakeKiteServer(port=url.port):
        print(f"demo broker (recorded responses) on {settings.broker.base_url}", file=sys.stderr)
        yield


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import doctor_exit_code, render, run_checks

    findings = run_checks(_settings(args))
    print(render(findings))
    return doctor_exit_code(findings)


def _fava(args: argparse.Namespace) -> int:
    from assets.books.writer import ensure_generated

    from .fava_server import serve

    settings = _settings(args)
    main_file = settings.books_dir / "main.beancount"
    if not main_file.is_file():
        print(
            f"homeclerk: {main_file} does not exist: copy the starter ledger/main.beancount "
            "there, or set [paths] books_dir in homeclerk.toml",
            file=sys.stderr,
        )
        return 2
    ensure_generated(settings.books_dir)  # main.beancount includes generated/index.beancount
    serve(main_file, port=args.port)
    return 0


def _broker_login(args: argparse.Namespace) -> int:
    from assets.portfolio.errors import BrokerError, LoginError

    from .broker_login import run_login
    from .settings import load_env_file

    settings = _settings(args)
    load_env_file(settings)
    try:
        run_login(
            os.environ.get("KITE_API_KEY", ""),
            os.environ.get("KITE_API_SECRET", ""),
            settings.broker.token_file,
            base_url=settings.broker.base_url,
            login_url=settings.broker.login_url,
            open_browser=not args.no_browser,
            port=settings.broker.callback_port,
            wait_seconds=args.wait,
        )
    except (BrokerError, LoginError) as exc:
        print(f"homeclerk: broker login failed: {exc}", file=sys.stderr)
        return 1
    return 0


def _broker_status(args: argparse.Namespace) -> int:
    from assets.portfolio.token_check import check_token

    from .settings import load_env_file

    settings = _settings(args)
    load_env_file(settings)
    result = check_token(
        os.environ.get("KITE_API_KEY", ""),
        settings.broker.token_file,
        settings.broker.base_url,
        settings.broker.timeout_seconds,
    )
    print(f"{result.status}: {result.message}")
    return 0 if result.status == "ok" else 1


def _sms_parse(args: argparse.Namespace) -> int:
    from assets.transactions.parsing import formats_from_config
    from assets.transactions.parsing.jsonl import parse_jsonl

    # The owner's own [[sms.formats]] apply here too, so a new format can be tried on samples.
    formats = formats_from_config(_settings(args).sms_formats)
    for line in parse_jsonl(sys.stdin, formats=formats):
        sys.stdout.write(line + "\n")
    return 0


def _sms_dump(args: argparse.Namespace) -> int:
    from assets.sms.chatdb import ChatDbUnreadableError
    from assets.sms.dump import dump_jsonl

    settings = _settings(args)
    try:
        for line in dump_jsonl(args.chat_db, settings.bank_senders, args.since_rowid):
            sys.stdout.write(line + "\n")
    except ChatDbUnreadableError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
