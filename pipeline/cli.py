"""The `homeclerk` command."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .commands import command_for
from .permissions import apply_private_umask
from .settings import (
    CONFIG_ENV,
    Settings,
    SettingsError,
    load_settings,
    not_configured,
    warn_exposed_secrets,
)


def main(argv: Sequence[str] | None = None) -> int:
    apply_private_umask()  # what any command (and each process it starts) writes is private
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


def _global_options(suppress: bool) -> argparse.ArgumentParser:
    """The options every command takes, before or after its name (`homeclerk doctor --config x`).

    On the subcommands the default is SUPPRESS, so a value given before the subcommand is not
    overwritten by the subparser's default.
    """
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS if suppress else None,
        help=f"homeclerk.toml to use (default: ${CONFIG_ENV} or ./homeclerk.toml)",
    )
    return options


class _SubParsers(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subparsers that all accept the global options too."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("parents", [_global_options(suppress=True)])
        return super().add_parser(name, **kwargs)


class _Parser(argparse.ArgumentParser):
    """Subcommands at every level (`broker status`) get the global options: argparse makes
    them with the parent's class, so registering here reaches them all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _SubParsers)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="homeclerk",
        description="The clerk of a home server: bank SMS, broker, battery → feeds and books.",
        parents=[_global_options(suppress=False)],
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
    ui.add_argument("--port", type=_port, help="default: [service] ui_port (3000)")
    ui.set_defaults(handler=_ui)

    serve = sub.add_parser(
        "serve",
        help="the always-on service: code server, daemon, UI, Fava and feeds, supervised",
    )
    serve.set_defaults(handler=_serve)

    doctor = sub.add_parser("doctor", help="check every reason the pipeline could be quietly wrong")
    doctor.add_argument("--json", action="store_true", help="the findings as a JSON list")
    doctor.set_defaults(handler=_doctor)
    _service_parsers(sub)

    mat = sub.add_parser(
        "materialize",
        help="materialize assets from a shell, waiting for the warehouse instead of failing",
    )
    mat.add_argument("selection", help="asset selection: sms_messages+, *expenses_feed, key:books")
    mat.add_argument("--partition", help="partition key (e.g. a week's start date)")
    mat.add_argument(
        "--verbose", action="store_true", help="also print a failed step's stack trace"
    )
    mat.set_defaults(handler=_materialize)

    review = sub.add_parser("review", help="write (or backfill) weekly reviews, one run")
    which = review.add_mutually_exclusive_group(required=True)
    which.add_argument("--week", help="one ISO week, e.g. 2026-W45")
    which.add_argument("--from", dest="first", help="first ISO week of a range (with --to)")
    review.add_argument("--to", dest="last", help="last ISO week of the range")
    review.set_defaults(handler=_review)
    _backup_parsers(sub)

    fava = sub.add_parser("fava", help="serve the books in Fava on 127.0.0.1")
    fava.add_argument("--port", type=_port, help="default: [service] fava_port (5000)")
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
    unrecognized = sms.add_parser(
        "unrecognized", help="bank SMS the parser could not read, grouped by shape (masked)"
    )
    unrecognized.add_argument("--json", action="store_true", help="the shapes as one JSON object")
    unrecognized.add_argument("--limit", type=_count, default=20, help="shapes to show (20)")
    unrecognized.set_defaults(handler=_sms_unrecognized)
    suggest = sms.add_parser(
        "suggest", help="propose an [[sms.formats]] entry for one shape, checked on its messages"
    )
    suggest.add_argument("shape_id", nargs="?", help="a shape id from `homeclerk sms unrecognized`")
    suggest.add_argument("--guid", help="the shape of this stored message")
    suggest.add_argument("--body", help="a message's text (with --sender) instead of a stored one")
    suggest.add_argument("--sender", help="the sender of --body, e.g. VM-XYZBNK-S")
    suggest.add_argument(
        "--direction", choices=("debit", "credit"), help="when the wording does not say"
    )
    suggest.set_defaults(handler=_sms_suggest)
    confirm = sms.add_parser("confirm", help="count an amount held as implausible (it is real)")
    confirm.add_argument("guid", help="the message GUID the amounts_plausible check names")
    confirm.set_defaults(handler=_sms_confirm)

    power = sub.add_parser("power", help="power and battery").add_subparsers(title="power commands")
    power.add_parser("sample", help="the current power state as one JSON line").set_defaults(
        handler=_power_sample
    )
    return parser


def _port(text: str) -> int:
    """A TCP port for argparse: 1-65535, or a usage error naming the option."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (a whole number 1-65535)")
    return port


def _count(text: str) -> int:
    """A whole number ≥ 1 for argparse."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def _settings(args: argparse.Namespace) -> Settings:
    config = getattr(args, "config", None)
    if not config:
        settings = load_settings()
        warn_exposed_secrets(settings)
        return settings
    path = config.expanduser().resolve()
    if not path.is_file():
        # Name the option the owner typed, not the environment variable it is passed on as.
        raise SettingsError(
            "command line",
            "--config",
            f"is {config}, which is not a file",
            "homeclerk --config ~/homeclerk/homeclerk.toml doctor",
        )
    settings = load_settings(path)
    warn_exposed_secrets(settings)
    # Child processes (the Dagster code location) find the same file through the environment.
    os.environ[CONFIG_ENV] = str(path)
    return settings


def _say_what_is_not_configured(settings: Settings) -> None:
    for note in not_configured(settings):
        print(f"not configured: {note}", file=sys.stderr)


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
    if any("parse_coverage" in line for line in report.warnings):
        teach = command_for(report.config, "sms", "unrecognized")
        print(f"  teach it: {teach}  (then `sms suggest SHAPE_ID`)")
    print(f"  folder:   {report.folder}")
    print(f"  chat.db:  {report.messages} messages, {report.bank_alerts} bank transaction alerts")
    for path in report.outputs:
        print(f"  output:   {path}")
    if report.latest_review:
        print(f"  review:   {report.latest_review} (and its .md; earlier weeks beside it)")
    print(f"  config:   {report.config}")
    command = command_for(report.config)
    print("Open the Dagster UI on this demo:")
    print(f"  {command} ui    # then http://127.0.0.1:3000")
    print("Read the books in Fava:")
    print(f"  {command} fava  # then http://127.0.0.1:5000")
    print("Or run everything as the always-on service (UI, Fava, feeds on 127.0.0.1:5080):")
    print(f"  {command} serve")
    return 0 if report.success else 1


def _ui(args: argparse.Namespace) -> int:
    from dagster import DagsterInstance

    from .demo.broker import BrokerPortBusyError
    from .instance import use_instance
    from .processes import run_until_stopped
    from .runs import RunReaper
    from .single_instance import (
        AlreadyRunningError,
        PortBusyError,
        ensure_port_free,
        single_instance,
    )

    settings = _settings(args)
    port, busy_fix = _server_port(args, settings, "ui_port")
    _say_what_is_not_configured(settings)
    home = use_instance(settings)
    if settings.config_file:
        os.environ[CONFIG_ENV] = str(settings.config_file)
    from .serve import write_ui_workspace

    # The UI and the daemon in one process, as `serve` runs them: behind the Host and
    # cross-site checks (a page the owner visits must not launch runs), with the definitions'
    # code server started once for both, as `dagster dev` would.
    cmd = [
        sys.executable,
        "-m",
        "pipeline.webserver",
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


def _server_port(args: argparse.Namespace, settings: Settings, key: str) -> tuple[int, Any]:
    """The port `--port` gives, else the `[service]` setting, and how to choose another when it
    is busy (another --port, or the setting as lines that paste)."""
    from .single_instance import port_setting_fix

    if args.port is not None:
        return args.port, None
    return getattr(settings.service, key), port_setting_fix(settings, key)


def _serve(args: argparse.Namespace) -> int:
    from .demo.broker import BrokerPortBusyError
    from .instance import use_instance
    from .serve import run_service
    from .single_instance import AlreadyRunningError, PortBusyError

    settings = _settings(args)
    _say_what_is_not_configured(settings)
    home = use_instance(settings)
    try:
        return run_service(settings, home, alongside=lambda: _demo_broker(settings))
    except (AlreadyRunningError, PortBusyError, BrokerPortBusyError) as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2


@contextlib.contextmanager
def _demo_broker(settings: Settings) -> Iterator[None]:
    """In a folder `homeclerk demo` made, serve its recorded broker again while the UI runs, so
    the portfolio assets can be materialized from the UI without any account."""
    from .demo.build import MARKER

    url = urllib.parse.urlsplit(settings.broker.base_url)
    if not (settings.base_dir / MARKER).exists() or url.hostname != "127.0.0.1" or not url.port:
        yield
        return
    from .demo.broker import FakeKiteServer, write_demo_session

    write_demo_session(settings.broker.token_file)  # the demo session, renewed for today
    with FakeKiteServer(port=url.port):
        print(f"demo broker (recorded responses) on {settings.broker.base_url}", file=sys.stderr)
        yield


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import doctor_exit_code, render, render_json, run_checks

    findings = run_checks(_settings(args))
    print(render_json(findings) if getattr(args, "json", False) else render(findings))
    return doctor_exit_code(findings)


def _service_parsers(sub: Any) -> None:
    """`homeclerk launchd …` and `homeclerk systemd …`: the always-on service's job."""
    launchd = sub.add_parser("launchd", help="the macOS LaunchAgent that runs `homeclerk serve`")
    verbs = launchd.add_subparsers(title="launchd commands")
    for name, text in (
        ("render", "print the plist (any OS)"),
        ("install", "write the plist, bootout, bootstrap, kickstart"),
    ):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument(
            "--launcher", type=Path, help="program launchd starts (default: the built launcher)"
        )
        verb.set_defaults(handler=_launchd, verb=name)
    for name, text in (
        ("status", "is the job installed, loaded, running; its runs and last exit code"),
        ("uninstall", "bootout and remove the plist"),
    ):
        verbs.add_parser(name, help=text).set_defaults(handler=_launchd, verb=name)
    lint = verbs.add_parser("lint", help="check any launchd plist for the quiet failures")
    lint.add_argument("plists", nargs="+", type=Path)
    lint.set_defaults(handler=_launchd_lint)
    build = verbs.add_parser("build-launcher", help="compile the Full Disk Access launcher")
    build.add_argument("--out", type=Path, help="default: <data_dir>/bin/homeclerk-launcher")
    build.add_argument("--target", type=Path, help="default: this homeclerk script")
    build.set_defaults(handler=_launchd_build)

    systemd = sub.add_parser("systemd", help="the Linux user unit that runs `homeclerk serve`")
    verbs = systemd.add_subparsers(title="systemd commands")
    for name, text in (
        ("render", "print the unit (any OS)"),
        ("install", "write the unit, daemon-reload, enable --now"),
        ("status", "ActiveState, SubState, MainPID, restarts, last exit status"),
        ("uninstall", "disable --now and remove the unit"),
    ):
        verbs.add_parser(name, help=text).set_defaults(handler=_systemd, verb=name)


def _launchd(args: argparse.Namespace) -> int:
    from . import launchd
    from .service_spec import default_launcher, service_spec

    settings = _settings(args)
    try:
        if args.verb in ("render", "install"):
            spec = service_spec(settings, launcher=args.launcher or default_launcher(settings))
            if args.verb == "render":
                sys.stdout.write(launchd.plist_bytes(spec).decode("utf-8"))
                return 0
            done = launchd.install(spec, settings.service.launch_agents_dir, launchd.current_uid())
        elif args.verb == "status":
            job = launchd.status(
                settings.service.launch_agents_dir, settings.service.label, launchd.current_uid()
            )
            print("\n".join(job.lines()))
            return 0 if job.running else 1
        else:
            done = launchd.uninstall(
                settings.service.launch_agents_dir, settings.service.label, launchd.current_uid()
            )
    except launchd.LaunchdError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    print("\n".join(done))
    return 0


def _launchd_lint(args: argparse.Namespace) -> int:
    from .plist_lint import lint_plist

    bad = 0
    for path in args.plists:
        findings = lint_plist(path)
        bad += len(findings)
        if not findings:
            print(f"{path}: ok")
        for f in findings:
            print(f"{path}: {f.key}: {f.problem}\n    fix: {f.fix}")
    return 1 if bad else 0


def _launchd_build(args: argparse.Namespace) -> int:
    from .launchd import LaunchdError, build_launcher
    from .service_spec import default_launcher, homeclerk_script

    settings = _settings(args)
    target = (args.target or homeclerk_script()).absolute()
    out = (args.out or default_launcher(settings)).absolute()
    try:
        build_launcher(target, out)
    except LaunchdError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    print(f"built {out} → {target}")
    print("grant it Full Disk Access once (launchd/README.md), then `homeclerk launchd install`")
    return 0


def _systemd(args: argparse.Namespace) -> int:
    from . import systemd
    from .service_spec import service_spec

    settings = _settings(args)
    try:
        if args.verb == "render":
            sys.stdout.write(systemd.render_unit(service_spec(settings)))
            return 0
        if args.verb == "install":
            done = systemd.install(service_spec(settings), settings.service.systemd_user_dir)
        elif args.verb == "status":
            unit = systemd.status(settings.service.systemd_user_dir)
            print("\n".join(unit.lines()))
            return 0 if unit.running else 1
        else:
            done = systemd.uninstall(settings.service.systemd_user_dir)
    except systemd.SystemdError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    print("\n".join(done))
    return 0


def _materialize(args: argparse.Namespace) -> int:
    from .instance import use_instance
    from .materialize import SelectionError, materialize
    from .settings import load_env_file

    settings = _settings(args)
    load_env_file(settings)
    use_instance(settings)
    try:
        return materialize(
            settings,
            args.selection,
            args.partition,
            out=lambda line: print(line, flush=True),
            verbose=args.verbose,
        )
    except SelectionError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2


def _backup_parsers(sub: Any) -> None:
    """`homeclerk backup [--to DIR]` and `homeclerk restore SNAPSHOT --to DIR`."""
    backup = sub.add_parser("backup", help="take a snapshot now (warehouse, instance, books …)")
    backup.add_argument("--to", type=Path, help="backup folder (default: [backup] dir)")
    backup.add_argument(
        "--prune",
        action="store_true",
        help="let retention delete snapshots taken by hand too (never one younger than a day)",
    )
    backup.set_defaults(handler=_backup)
    restore = sub.add_parser("restore", help="rebuild a data + books folder from a snapshot")
    restore.add_argument("snapshot", type=Path, help="a snapshot folder (…/20260101T033000Z)")
    restore.add_argument("--to", type=Path, required=True, help="a new or empty folder")
    restore.set_defaults(handler=_restore)


def _backup(args: argparse.Namespace) -> int:
    """A snapshot now, as a run of the `backup` asset: it waits for the warehouse pool like
    `materialize` (a run the daemon launched in that moment would otherwise find the warehouse
    locked), and the daemon keeps new warehouse runs queued while it copies."""
    from .materialize import materialize

    settings = _settings(args)
    request = {
        "trigger": "manual",
        "to": str(args.to.expanduser().resolve()) if args.to else "",
        "prune": bool(args.prune),
    }
    report: dict[str, Any] = {}

    def keep_report(result: Any) -> None:
        for materialization in result.asset_materializations_for_node("backup"):
            report.update({k: v.value for k, v in materialization.metadata.items()})

    code = materialize(
        settings,
        "backup",
        out=lambda line: print(line, file=sys.stderr),
        op_config={"backup": request},
        on_success=keep_report,
    )
    if code != 0:
        return code
    print(report.get("report", ""))
    if "remote" in report:
        ok = bool(report.get("remote_ok"))
        print(
            report["remote"] if ok else f"homeclerk: warning: {report['remote']}",
            file=sys.stdout if ok else sys.stderr,
        )
    return 0


def _restore(args: argparse.Namespace) -> int:
    from assets.backup.restore import restore_snapshot
    from assets.backup.snapshot import BackupError

    try:
        result = restore_snapshot(args.snapshot, args.to)
    except BackupError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    closed = _close_restored_runs(result.data_dir / "dagster")
    print(f"restored {result.files} files into {result.folder}")
    if closed:
        print(f"  runs in progress in the snapshot (the backup's own included): {closed} canceled")
    print(f"  data:   {result.data_dir}")
    print(f"  books:  {result.books_dir}")
    print(f"  config: {result.config}")
    for path in result.foreign_paths:
        print(
            f"homeclerk: warning: {result.data_dir / 'dagster' / 'dagster.yaml'} names {path}, "
            "outside the restored folder: point it inside or delete the file (homeclerk "
            "writes it again)",
            file=sys.stderr,
        )
    print(f"Use it: {command_for(result.config, 'doctor')}")
    return 0


def _close_restored_runs(home: Path) -> int:
    """Cancel the runs the snapshot caught in flight (see `runs.close_restored_runs`)."""
    if not (home / "dagster.yaml").is_file():
        return 0
    from dagster import DagsterInstance

    from .runs import close_restored_runs

    try:
        with DagsterInstance.from_config(str(home)) as instance:
            return len(close_restored_runs(instance))
    except Exception as exc:  # a restore is whole without this; say so and go on
        print(f"homeclerk: warning: runs in the snapshot not checked ({exc})", file=sys.stderr)
        return 0


def _review(args: argparse.Namespace) -> int:
    from assets.common.clock import now_utc
    from assets.review.definitions import FIRST_WEEK
    from assets.review.week import outside_partitions, parse_iso_week, week_of_key, weeks_between

    from .instance import use_instance
    from .materialize import materialize
    from .settings import load_env_file

    try:
        if args.week:
            if args.last:
                raise ValueError("--to goes with --from, not with --week")
            weeks = [parse_iso_week(args.week)]
        else:
            if not args.last:
                raise ValueError("--from needs --to (the last week of the range)")
            weeks = weeks_between(parse_iso_week(args.first), parse_iso_week(args.last))
    except ValueError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 2
    settings = _settings(args)
    # Dagster's weekly partitions end at the week in progress by the wall clock, as here.
    outside = outside_partitions(weeks, week_of_key(FIRST_WEEK), now_utc(), settings.tz)
    if outside:
        print(f"homeclerk: {outside}", file=sys.stderr)
        return 2
    load_env_file(settings)
    use_instance(settings)
    say = lambda line: print(line, flush=True)  # noqa: E731
    if len(weeks) == 1:
        return materialize(settings, "weekly_review", weeks[0].key, out=say)
    return materialize(
        settings, "weekly_review", out=say, partition_range=(weeks[0].key, weeks[-1].key)
    )


def _fava(args: argparse.Namespace) -> int:
    from assets.books.writer import ensure_generated

    from .fava_server import missing_books, serve
    from .single_instance import (
        AlreadyRunningError,
        PortBusyError,
        ensure_port_free,
        single_instance,
    )

    settings = _settings(args)
    port, busy_fix = _server_port(args, settings, "fava_port")
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


def _broker_login(args: argparse.Namespace) -> int:
    from assets.portfolio.errors import BrokerError, LoginError
    from assets.portfolio.login import run_login

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
    if not settings.broker.token_file.exists():
        print(
            "not logged in: run `homeclerk broker login` "
            f"(no session at {settings.broker.token_file})"
        )
        return 1
    result = check_token(
        os.environ.get("KITE_API_KEY", ""),
        settings.broker.token_file,
        settings.broker.base_url,
        settings.broker.timeout_seconds,
    )
    print(f"{result.status}: {result.message}")
    return 0 if result.status == "ok" else 1


def _sms_parse(args: argparse.Namespace) -> int:
    from assets.transactions.categories import rules_from_config
    from assets.transactions.parsing import formats_from_config
    from assets.transactions.parsing.jsonl import parse_jsonl
    from assets.transactions.payees import PayeeResolver, aliases_from_config, payee_adder

    # The owner's own [[sms.formats]] and category rules apply here too, so a new format or
    # rule can be tried on samples.
    settings = _settings(args)
    formats = formats_from_config(settings.sms_formats)
    rules = rules_from_config(settings.category_rules)
    # The readable payee beside the raw counterparty, the owner's [[payees]] first.
    with_payee = payee_adder(PayeeResolver(aliases_from_config(settings.payees)))
    for line in parse_jsonl(sys.stdin, formats=formats, rules=rules):
        sys.stdout.write(with_payee(line) + "\n")
    return 0


def _sms_dump(args: argparse.Namespace) -> int:
    from assets.sms.chatdb import ChatDbUnreadableError
    from assets.sms.dump import dump_jsonl

    settings = _settings(args)
    chat_db = args.chat_db.expanduser()
    if not chat_db.exists():
        print(
            f"homeclerk: --chat-db {chat_db} does not exist: give the path of a Messages "
            "database (on a Mac ~/Library/Messages/chat.db)",
            file=sys.stderr,
        )
        return 1
    try:
        for line in dump_jsonl(chat_db, settings.bank_senders, args.since_rowid):
            sys.stdout.write(line + "\n")
    except ChatDbUnreadableError as exc:
        # The reader's text points at homeclerk.toml; here the path came from the flag.
        text = str(exc).replace("`[messages] chat_db` in homeclerk.toml", "--chat-db")
        print(f"homeclerk: {text}", file=sys.stderr)
        return 1
    return 0


def _sms_unrecognized(args: argparse.Namespace) -> int:
    import json

    from assets.transactions.unrecognized import group_by_shape

    settings = _settings(args)
    loaded = _load_unrecognized(settings, args)
    if loaded is None:
        return 2
    messages, unreadable = loaded
    groups = group_by_shape(messages)
    shown = [group.summary(settings.tz) for group in groups[: args.limit]]
    if args.json:
        document = {
            "unrecognized": len(messages) + unreadable,
            "shapes": len(groups),
            "without_body": unreadable,
            "groups": shown,
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    if not groups:
        print("no unrecognized bank SMS with a readable body in the warehouse")
    else:
        print(
            f"{len(messages)} unrecognized bank SMS in {len(groups)} shape(s), most frequent "
            f"first (masked: account tails, references and codes as #):"
        )
    for item in shown:
        first, last = str(item["first_seen"])[:10], str(item["last_seen"])[:10]
        print(
            f"\n{item['shape_id']}  {item['sender']}  {item['count']} message(s), {first} → {last}"
        )
        print("  example: " + str(item["example"]).replace("\n", "\n           "))
    if len(groups) > len(shown):
        print(f"\n… and {len(groups) - len(shown)} more shape(s): --limit {len(groups)} shows all")
    if unreadable:
        print(f"\n{unreadable} unrecognized message(s) have no readable body (see `doctor`)")
    if shown:
        print(f"\nTeach the parser a shape: {_again(args, 'sms', 'suggest', shown[0]['shape_id'])}")
    return 0


def _sms_confirm(args: argparse.Namespace) -> int:
    import time

    from assets.common.clock import now_utc
    from assets.common.warehouse import WarehouseLockedError, connect
    from assets.transactions.plausible import ConfirmError, confirm

    settings = _settings(args)
    path = settings.warehouse
    if not path.exists():
        print(f"homeclerk: no warehouse at {path}: nothing is held", file=sys.stderr)
        return 1
    deadline = time.monotonic() + 30.0  # a run holds the warehouse for seconds at a time
    while True:
        try:
            with connect(path) as con:
                held = confirm(con, args.guid, now_utc())
            break
        except (ConfirmError, FileNotFoundError) as exc:
            print(f"homeclerk: {exc}", file=sys.stderr)
            return 1
        except WarehouseLockedError:
            if time.monotonic() >= deadline:
                print(f"homeclerk: the warehouse {path} is busy: try again", file=sys.stderr)
                return 2
            time.sleep(0.5)
    again = command_for(settings.config_file)
    print(
        f"confirmed {held.message_guid}: {held.amount:,} {held.currency} counts in the expenses "
        f"feed and the books from the next run (the next bank SMS, or now: {again} materialize "
        "'transactions+')"
    )
    return 0


def _again(args: argparse.Namespace, *words: str) -> str:
    """A homeclerk command to paste, with the `--config` the owner gave (see `commands`)."""
    return command_for(getattr(args, "config", None), *words)


def _load_unrecognized(settings: Settings, args: argparse.Namespace) -> Any:
    """(messages, unreadable) from the warehouse, or None after saying in one line why not."""
    import time

    from assets.common.warehouse import WarehouseLockedError
    from assets.transactions.unrecognized import NoTransactionsError, load_unrecognized

    path = settings.warehouse
    if not path.exists():
        print(
            f"homeclerk: no warehouse at {path} yet: run `{_again(args, 'serve')}` (or "
            f"`{_again(args, 'materialize', 'sms_messages+')}`) once to read your messages into it",
            file=sys.stderr,
        )
        return None
    # A run holds the warehouse for a moment at a time: try for a few seconds before giving up.
    deadline = time.monotonic() + 5.0
    while True:
        try:
            return load_unrecognized(path)
        except NoTransactionsError as exc:
            print(f"homeclerk: {exc}", file=sys.stderr)
            return None
        except WarehouseLockedError:
            if time.monotonic() >= deadline:
                print(
                    f"homeclerk: the warehouse {path} is busy (a run is writing to it, or a "
                    "program keeps it open): try again in a minute, or stop that program",
                    file=sys.stderr,
                )
                return None
            time.sleep(0.2)  # waiting on another process, not synchronising a test


def _sms_suggest(args: argparse.Namespace) -> int:
    from assets.transactions.unrecognized import StoredMessage, messages_of_shape, shape_of

    settings = _settings(args)
    if args.body is not None or args.sender is not None:
        if not (args.body and args.sender):
            print("homeclerk: --body and --sender go together", file=sys.stderr)
            return 2
        given = StoredMessage("(given)", args.sender, args.body, dt.datetime.min)
        shape = shape_of(given.sender, given.body)
        found = [given]
        if settings.warehouse.exists():
            # Stored messages of the same shape are checked too, when the warehouse can be read.
            loaded = _load_unrecognized(settings, args)
            stored = messages_of_shape(loaded[0], shape.shape_id) if loaded else None
            found += stored[1] if stored else []
    elif bool(args.shape_id) == bool(args.guid):
        print(
            "homeclerk: give a shape id (from `homeclerk sms unrecognized`), or --guid G, or "
            "--body TEXT --sender S",
            file=sys.stderr,
        )
        return 2
    else:
        loaded = _load_unrecognized(settings, args)
        if loaded is None:
            return 2
        messages = loaded[0]
        shape_id = args.shape_id
        if args.guid:
            match = [m for m in messages if m.guid == args.guid]
            if not match:
                print(
                    f"homeclerk: no unrecognized message has GUID {args.guid}: see "
                    f"`{_again(args, 'sms', 'unrecognized')}`",
                    file=sys.stderr,
                )
                return 1
            shape_id = shape_of(match[0].sender, match[0].body).shape_id
        of_shape = messages_of_shape(messages, shape_id)
        if of_shape is None:
            print(
                f"homeclerk: no unrecognized message has shape {shape_id}: "
                f"`{_again(args, 'sms', 'unrecognized')}` lists the shapes there are",
                file=sys.stderr,
            )
            return 1
        shape, found = of_shape
    return _print_suggestion(shape, found, args.direction, settings)


def _print_suggestion(shape: Any, found: list[Any], direction: str | None, settings: Any) -> int:
    import json

    from assets.common.warehouse import WarehouseLockedError
    from assets.transactions.parsing import FormatConfigError
    from assets.transactions.suggest import (
        changed_readings,
        check,
        masked_fields,
        propose,
        reading_ok,
        to_toml,
    )
    from assets.transactions.unrecognized import load_read_messages

    newest = found[-1] if found[0].guid != "(given)" else found[0]
    print(f"shape {shape.shape_id} from {shape.header}, {len(found)} message(s):")
    suggestion = propose(shape, newest.body, newest.sender, direction)
    for note in suggestion.notes:
        print(f"note: {note}")
    if suggestion.entry is None:
        for problem in suggestion.problems:
            print(f"no safe format can be proposed: {problem}")
        return 1
    try:
        readings = check(suggestion.entry, [(m.guid, m.sender, m.body) for m in found])
    except FormatConfigError as exc:  # pragma: no cover - propose builds valid entries
        print(f"homeclerk: the proposal is not a valid format: {exc}", file=sys.stderr)
        return 1
    good = sum(reading_ok(r) for r in readings)
    print(f"\nWhat the proposed format reads (masked): {good} of {len(readings)} message(s)")
    for reading in readings:
        mark = "ok " if reading_ok(reading) else "NO "
        print(f"{mark} {reading.example}".replace("\n", " / "))
        print(f"    → {json.dumps(masked_fields(reading), ensure_ascii=False)}")
    if settings.warehouse.exists():
        # Owner formats run first for their sender: one that would change a message the parser
        # reads today must be seen before it is pasted.
        try:
            read = load_read_messages(settings.warehouse, shape.header)
        except WarehouseLockedError:
            print("\n(the warehouse became busy: messages read today were not compared)")
        else:
            changed = changed_readings(suggestion.entry, read)
            print(
                f"\nOf the {len(read)} message(s) from {shape.header} the parser reads today, "
                f"{changed} would be read differently with this format"
                + (": narrow the pattern before pasting" if changed else ".")
            )
    existing = list(settings.sms_formats)
    print(
        "\nPaste into homeclerk.toml"
        + (f" (after your {len(existing)} other [[sms.formats]])" if existing else "")
        + "; the next run reads these messages again:\n"
    )
    print(to_toml(suggestion.entry))
    if good < len(readings):
        print(
            f"Not every message was read ({len(readings) - good} not): check the lines marked "
            "NO before pasting."
        )
        return 1
    return 0


def _power_sample(args: argparse.Namespace) -> int:
    import json

    from assets.common.clock import now_utc
    from assets.power.readers import PowerReadError
    from assets.power.source import read_sample

    power = _settings(args).power
    try:
        sample = read_sample(
            power.source,
            at=now_utc(),
            sysfs_root=power.sysfs_root,
            pmset_command=power.pmset_command,
        )
    except PowerReadError as exc:
        print(f"homeclerk: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(sample.to_json(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
