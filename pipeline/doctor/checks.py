"""`homeclerk doctor`: every reason the pipeline could be quietly wrong, checked, with the fix."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from assets.common.warehouse import (
    WarehouseBrokenError,
    WarehouseLockedError,
    connect,
    has_table,
)
from assets.sms.chatdb import ChatDbUnreadableError, newest_bank_rowid
from pipeline.doctor.findings import CHECK_PREFIX, Finding, ago, homeclerk_command
from pipeline.settings import BROKER_KEYS, Settings, exposed_secret_files

if TYPE_CHECKING:
    from dagster import DagsterInstance

# Older than this, a feed is stale: the sensor refreshes expenses on news, portfolio every 15
# minutes in market hours, and everything at least daily.
FEED_MAX_AGE = dt.timedelta(hours=26)


def run_checks(settings: Settings, now: dt.datetime | None = None) -> list[Finding]:
    """Every finding for these settings; a check that crashes is one finding, not the end."""
    now = now or dt.datetime.now(dt.UTC)
    checks: list[Callable[[], Iterator[Finding]]] = [
        lambda: _config(settings),
        lambda: _secrets(settings),
        lambda: _private_files(settings),
        lambda: _chat_db(settings),
        lambda: _warehouse(settings),
        lambda: _books(settings),
        lambda: _feeds(settings, now),
        lambda: _runs(settings, now),
        lambda: _asset_checks(settings),
        lambda: _backup(settings, now),
        lambda: _service(settings, now),
    ]
    findings: list[Finding] = []
    for check in checks:
        try:
            for finding in check():
                findings.append(finding)
        except Exception as exc:  # one broken store must not hide the other findings
            findings.append(_crashed(settings, exc))
    return findings


def _crashed(settings: Settings, exc: Exception) -> Finding:
    """A check that could not finish: a damaged Dagster instance says which and how to restore
    it; anything else is named as it is."""
    from pipeline.recovery import restore_fix

    text = f"{exc.__class__.__name__}: {exc}".split("\n", 1)[0][:300]
    if any(sign in str(exc) for sign in ("malformed", "not a database", "file is encrypted")):
        storage = settings.dagster_home / "storage"
        return Finding(
            "dagster instance",
            False,
            f"the run storage under {storage} is damaged ({text}); the UI and the daemon cannot "
            "start on it",
            "stop the service, then: " + restore_fix(settings, storage),
        )
    return Finding("doctor", False, f"a check could not finish: {text}", None)


def _config(settings: Settings) -> Iterator[Finding]:
    source = settings.config_file or "(no homeclerk.toml: defaults)"
    yield Finding("settings", True, f"{source}; data in {settings.data_dir}")


def _secrets(settings: Settings) -> Iterator[Finding]:
    yield from _op_secrets(settings)
    path = settings.env_file
    if path is None:
        from_op = settings.secrets.provider == "op" and set(BROKER_KEYS) <= set(
            settings.secrets.op_refs
        )
        needed = settings.broker.adapter == "kite" and not from_op
        yield Finding(
            ".env",
            not needed,
            "no .env file" + (" (the kite adapter needs KITE_API_KEY/SECRET)" if needed else ""),
            f"create {settings.base_dir / '.env'} (mode 0600) with KITE_API_KEY and "
            'KITE_API_SECRET, or set [broker] adapter = "csv"'
            if needed
            else None,
        )
        return
    exposed = dict(exposed_secret_files(settings))
    for name, file in ((".env", path), ("broker token", settings.broker.token_file)):
        if file in exposed:
            detail = f"{file} mode {exposed[file]:04o}: readable by others"
            yield Finding(name, False, detail, f"chmod 600 {file}")
        elif file is path:
            yield Finding(name, True, f"{file}: readable by you alone")


def _op_secrets(settings: Settings) -> Iterator[Finding]:
    """Whether each `[[secrets.op]]` reference can be read now, with provider "op".

    The value is read and dropped, never shown."""
    from pipeline.secret_source import SecretSourceError, read_op

    secrets = settings.secrets
    if secrets.provider != "op":
        return
    unread: list[SecretSourceError] = []
    for name, reference in secrets.op_refs.items():
        if name in os.environ:
            continue  # set in the environment or .env: that value wins, 1Password is not asked
        try:
            read_op(name, reference, secrets.op_path)
        except SecretSourceError as exc:
            unread.append(exc)
    if not unread:
        yield Finding("1Password", True, f"{len(secrets.op_refs)} secret(s) readable with op")
        return
    for exc in unread:
        yield Finding("1Password", False, f"{exc.name}: {exc.problem}", exc.fix)


def _private_files(settings: Settings) -> Iterator[Finding]:
    """Files and folders under the data folder that others may read (made under an older umask,
    copied in, or changed by hand): bank SMS, amounts and payees are the owner's alone."""
    from pipeline.permissions import fix_command, loose_paths

    data, feeds, mode = settings.data_dir, settings.feeds_dir, settings.feeds_mode
    loose = list(loose_paths(data, feeds, mode))
    if not loose:
        yield Finding("private files", True, f"{data}: yours alone (feeds mode {mode:04o})")
        return
    shown = ", ".join(f"{path} ({bits:04o})" for path, bits in loose[:3])
    more = f" and {len(loose) - 3} more" if len(loose) > 3 else ""
    yield Finding(
        "private files",
        False,
        f"{len(loose)} under {data} readable by others: {shown}{more}",
        fix_command([path for path, _bits in loose], data, feeds, mode),
    )


def _chat_db(settings: Settings) -> Iterator[Finding]:
    inbox = settings.android_inbox
    if inbox is not None:
        yield _android_inbox(settings, inbox)
    if settings.webhook_port is not None:
        yield _webhook(settings)
    if (inbox is not None or settings.webhook_port is not None) and not os.path.lexists(
        settings.chat_db
    ):
        return  # an Android-only machine: no Messages database is expected
    if not os.path.lexists(settings.chat_db):
        yield Finding(
            "chat.db",
            False,
            f"{settings.chat_db} does not exist (the bank SMS sensor skips until it does)",
            "set `[messages] chat_db` in homeclerk.toml (on a Mac ~/Library/Messages/chat.db)",
        )
        return
    try:
        newest = newest_bank_rowid(settings.chat_db, settings.bank_senders)
    except ChatDbUnreadableError as exc:
        # "<what is wrong>. <the fix>": each said once.
        detail, _, fix = str(exc).partition(". ")
        yield Finding("chat.db", False, detail, fix or None)
        return
    yield Finding(
        "chat.db",
        newest > 0,
        f"{settings.chat_db}: newest bank SMS ROWID {newest}",
        None if newest else "no message from a configured bank sender: check [messages] senders",
    )


def _android_inbox(settings: Settings, inbox: Path) -> Finding:
    """The Android backup inbox: there, and its backups read (no DuckDB: the sensor's list)."""
    from assets.sms.android_ingest import inbox_listing, read_seen

    if not inbox.is_dir():
        return Finding(
            "android backups",
            False,
            f"{inbox} ([sources.android] inbox) is not a folder",
            f"mkdir -p {inbox} and point SMS Backup & Restore's backup folder (or its sync) there",
        )
    listing, seen = inbox_listing(inbox), read_seen(settings.warehouse)
    waiting = [name for name, stamp in listing.items() if seen.get(name) != stamp]
    detail = f"{inbox}: {len(listing)} backup(s), {len(listing) - len(waiting)} read"
    if waiting:
        detail += f"; {len(waiting)} new or changed, read at the next run ({waiting[0]} …)"
    return Finding("android backups", True, detail)


def _webhook(settings: Settings) -> Finding:
    """The SMS webhook: its token is there (never shown), and what waits in its spool."""
    from assets.sms.webhook_spool import spool_size
    from pipeline.service.webhook_server import TOKEN_ENV, token_command, webhook_token

    env_file = settings.env_file or settings.base_dir / ".env"
    secrets = settings.secrets
    from_op = secrets.provider == "op" and TOKEN_ENV in secrets.op_refs  # checked with op above
    if not from_op and not webhook_token(env_file):
        return Finding(
            "sms webhook",
            False,
            f"{TOKEN_ENV} is not in {env_file}: the webhook does not start",
            f"{token_command(env_file)}, give the token to the forwarder app, then restart "
            "`homeclerk serve`",
        )
    waiting = spool_size(settings.webhook_spool) if settings.webhook_spool else 0
    return Finding(
        "sms webhook",
        True,
        f"POST http://{settings.webhook_bind}:{settings.webhook_port}/sms; "
        + (f"{waiting} bytes spooled, stored at the next run" if waiting else "spool empty"),
    )


def _warehouse(settings: Settings) -> Iterator[Finding]:
    from assets.transactions.dismissed import not_dismissed

    path = settings.warehouse
    if not path.exists():
        yield Finding("warehouse", False, f"{path} does not exist yet", "materialize sms_messages")
        return
    try:
        with connect(path, read_only=True) as con:
            if not has_table(con, "transactions"):
                yield Finding(
                    "warehouse", False, "no transactions table", "materialize transactions"
                )
                return
            # What the owner set aside (`sms dismiss`) is not counted, as in parse_coverage.
            aside = not_dismissed(con)
            total, unrecognized = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE status = 'unrecognized'"
                + aside
                + ") FROM transactions"
            ).fetchone()
    except WarehouseLockedError as exc:
        yield Finding("warehouse", True, f"busy: a run is writing it ({exc.__class__.__name__})")
        return
    except WarehouseBrokenError as exc:
        from pipeline.recovery import restore_fix

        yield Finding(
            "warehouse", False, str(exc).split(": restore", 1)[0], restore_fix(settings, path)
        )
        return
    yield Finding("warehouse", True, f"{path}: {total} bank messages derived")
    # A warning, as the parse_coverage check is (which this reads live, so says it for both).
    yield Finding(
        "parse coverage",
        unrecognized == 0,
        f"{unrecognized} bank messages of a shape the parser does not know",
        None
        if unrecognized == 0
        else f"see them by shape: `{homeclerk_command(settings, 'sms', 'unrecognized')}`, then "
        "teach the parser one with `sms suggest SHAPE_ID`, or set one you have read aside with "
        "`sms dismiss SHAPE_ID` (docs/parser.md)",
        warning=True,
    )
    yield from _balance_gaps(settings)


# The doctor names this many gaps, most recent first; the check's metadata lists more.
DOCTOR_GAPS = 5


def _balance_gaps(settings: Settings) -> Iterator[Finding]:
    """The open gaps in the balance chains (the `balances_chain_whole` check, read live): one
    warning each, most recent first, with the entry that explains it when kept by hand."""
    from zoneinfo import ZoneInfo

    from assets.books.gaps import balance_gaps, gap_entry, gap_line

    tz = ZoneInfo(settings.timezone)
    mapping = settings.section("books").accounts
    main = settings.books_dir / "main.beancount"
    gaps = balance_gaps(settings.warehouse, settings.books_dir, mapping, tz).open
    if not gaps:
        yield Finding("balance chain", True, "every balance an alert states agrees with the alerts")
        return
    for gap in gaps[:DOCTOR_GAPS]:
        entry = gap_entry(gap, tz)
        yield Finding(
            "balance gap",
            False,
            gap_line(gap, tz),
            f"if you know what it was, add this entry to {main} (change its counter-account "
            f"if you like) and the gap closes; or import the bank's statement of those days "
            f"(`homeclerk import FILE`, see docs/statements.md) and its lines close it:\n{entry}"
            if entry
            else "map the account in homeclerk.toml (the books' `unmapped_accounts` check "
            "prints the lines to paste), then keep an entry for it in your ledger files",
            warning=True,
        )
    if len(gaps) > DOCTOR_GAPS:
        yield Finding(
            "balance gap",
            False,
            f"and {len(gaps) - DOCTOR_GAPS} older gap(s)",
            "the `balances_chain_whole` check on `transactions` lists them (Dagster UI)",
            warning=True,
        )


def _books(settings: Settings) -> Iterator[Finding]:
    from pipeline.service.fava_server import missing_books

    missing = missing_books(settings.books_dir)
    if missing:
        what, _, fix = missing.partition(". Start from the starter file: ")
        yield Finding("ledger file", False, f"{what} (`serve` does not start Fava)", fix)


def _feeds(settings: Settings, now: dt.datetime) -> Iterator[Finding]:
    for name in ("expenses.json", "portfolio.json"):
        path = settings.feeds_dir / name
        try:
            feed = json.loads(path.read_text("utf-8"))
            generated = dt.datetime.fromisoformat(feed["generated_at"])
        except FileNotFoundError:
            yield Finding(name, False, f"{path} does not exist", "materialize its asset")
            continue
        except (ValueError, KeyError) as exc:
            yield Finding(name, False, f"{path} is unreadable ({exc})", "materialize its asset")
            continue
        age = now - generated
        fresh = age <= FEED_MAX_AGE
        status = feed.get("status")
        # A broken store's mark says the file, the fault and the fix (store_fault.py).
        fault = feed.get("store_fault")
        yield Finding(
            name,
            fresh and status == "ok",
            f"status {status}, written {ago(age)}"
            + (f": {feed.get('message')}" if isinstance(fault, dict) else ""),
            None if fresh else "is the daemon running? (`homeclerk ui`, or the service)",
        )
    marker = settings.feeds_dir / "portfolio.status.json"
    if marker.exists():
        data = json.loads(marker.read_text("utf-8"))
        ok = data.get("status") == "ok"
        yield Finding(
            "broker", ok, f"{data.get('status')} since {data.get('since')}", data.get("message")
        )


def _runs(settings: Settings, now: dt.datetime) -> Iterator[Finding]:
    home = settings.dagster_home
    if not (home / "dagster.yaml").exists():
        yield Finding("dagster", False, f"no instance in {home}", "run `homeclerk ui` once")
        return
    from dagster import AssetKey, DagsterInstance, DagsterRunStatus, RunsFilter

    from pipeline.definitions import asset_names, build_definitions
    from pipeline.service.stop_runs import interrupted_by_stop

    with DagsterInstance.from_config(str(home)) as instance:
        for name in asset_names(build_definitions(settings)):
            event = instance.get_latest_materialization_event(AssetKey(name))
            if event is None:
                yield Finding(name, False, "never materialized", "materialize it in the UI")
                continue
            when = dt.datetime.fromtimestamp(event.timestamp, dt.UTC)
            yield Finding(name, True, f"last materialized {ago(now - when)}")
        failed = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.FAILURE]), limit=20)
        ended = [
            r
            for r in failed
            if (stats := instance.get_run_stats(r.run_id)).end_time
            and now - dt.datetime.fromtimestamp(stats.end_time, dt.UTC) < dt.timedelta(days=1)
        ]
        # A run a stop of the service interrupted is retried at the next start: no failure.
        recent = [r for r in ended if not interrupted_by_stop(r)][:5]
        stopped = [r for r in ended if interrupted_by_stop(r)]
        detail = ", ".join(f"{r.job_name} {r.run_id[:8]}" for r in recent) or "none"
        if stopped:
            detail += "; interrupted by a stop of the service (retried): " + ", ".join(
                f"{r.job_name} {r.run_id[:8]}" for r in stopped
            )
        yield Finding(
            "failed runs (24 h)",
            not recent,
            detail,
            "open the run in the Dagster UI for the step that failed and its message"
            if recent
            else None,
        )
        yield from _unfinished_runs(instance, now)


# A run in progress this long is stuck even with a live worker (runs here take seconds); a run
# queued this long means no daemon is dequeuing, or the pool is held.
RUN_STUCK_AFTER = dt.timedelta(minutes=30)
RUN_QUEUED_TOO_LONG = dt.timedelta(minutes=5)
# A worker records its PID within seconds; starting for a minute with none, it has no worker.
RUN_STARTING_TOO_LONG = dt.timedelta(minutes=1)


def _unfinished_runs(instance: DagsterInstance, now: dt.datetime) -> Iterator[Finding]:
    from pipeline.service.runs import unfinished_runs

    states = unfinished_runs(instance)
    stuck = [
        s
        for s in states
        if s.status in ("STARTING", "STARTED", "CANCELING")
        and (
            s.worker_alive is False
            or (s.since and now - s.since > RUN_STUCK_AFTER)
            or (s.status == "STARTING" and s.since and now - s.since > RUN_STARTING_TOO_LONG)
        )
    ]
    yield Finding(
        "stuck runs",
        not stuck,
        ", ".join(
            f"{s.job_name} {s.run_id[:8]} {s.status.lower()} "
            + (f"(worker pid {s.pid} is gone)" if s.worker_alive is False else "")
            + (f"since {ago(now - s.since)}" if s.worker_alive is not False and s.since else "")
            + (" with no worker yet" if s.status == "STARTING" and s.pid is None else "")
            for s in stuck
        )
        or "none",
        "start `homeclerk ui` (or the service): it fails runs whose worker is gone within a "
        "minute, which frees the warehouse pool; a run with a live worker: terminate it in the "
        "Dagster UI (Runs → the run → Terminate)"
        if stuck
        else None,
    )
    queued = [
        s
        for s in states
        if s.status in ("QUEUED", "NOT_STARTED") and s.since and now - s.since > RUN_QUEUED_TOO_LONG
    ]
    yield Finding(
        "queued runs",
        not queued,
        ", ".join(f"{s.job_name} {s.run_id[:8]} queued {ago(now - s.since)}" for s in queued)
        if queued
        else "none waiting long",
        "is the daemon running? start `homeclerk ui` (or the service); a run waiting for the "
        'warehouse pool waits for the run that holds it (see "stuck runs")'
        if queued
        else None,
    )


# Asset checks whose fact the warehouse finding reads live (with the command that shows it).
SAID_BY_THE_WAREHOUSE = frozenset({"parse_coverage", "balances_chain_whole"})


def _asset_checks(settings: Settings) -> Iterator[Finding]:
    """The latest evaluation of every asset check that did not pass, failing or warning.

    The checks know things the files do not (a source quiet for days, a feed older than the
    market calendar allows): a doctor that ignores them says "all good" beside a red badge.
    """
    home = settings.dagster_home
    if not (home / "dagster.yaml").exists():
        return  # _runs already says there is no instance
    from dagster import AssetCheckSeverity, DagsterInstance

    from pipeline.definitions import build_definitions

    keys = sorted(
        build_definitions(settings).resolve_asset_graph().asset_check_keys,
        key=lambda k: (k.asset_key.to_user_string(), k.name),
    )
    with DagsterInstance.from_config(str(home)) as instance:
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    for key in keys:
        if key.name in SAID_BY_THE_WAREHOUSE:
            continue
        record = latest.get(key)
        event = record.event if record else None
        evaluation = (
            event.dagster_event.event_specific_data if event and event.dagster_event else None
        )
        if evaluation is None or not hasattr(evaluation, "passed") or evaluation.passed:
            continue  # never evaluated (the asset's own finding says so), planned, or passed
        warning = evaluation.severity == AssetCheckSeverity.WARN
        yield Finding(
            f"{CHECK_PREFIX}{key.name}",
            False,
            f"{key.asset_key.to_user_string()}: {'warning' if warning else 'failed'}",
            evaluation.description or "open the asset's Checks tab in the Dagster UI",
            warning=warning,
        )


def _backup(settings: Settings, now: dt.datetime) -> Iterator[Finding]:
    """The `backup_fresh` rule read from the backup folder itself (the check may never have run)."""
    from assets.backup.freshness import freshness

    ok, detail = freshness(settings.backup.dir, now)
    yield Finding(
        "backup snapshot", ok, detail, None if ok else "run `homeclerk backup`", warning=True
    )


def _service(settings: Settings, now: dt.datetime) -> Iterator[Finding]:
    # Its own module: the service job, ports, keep-awake, disk, instance size, ticks.
    from pipeline.doctor.service_checks import service_findings

    yield from service_findings(settings, now)
