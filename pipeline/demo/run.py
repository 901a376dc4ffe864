"""`homeclerk demo`: build the demo data set and materialize every asset into it."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from dagster import AssetCheckSeverity, DagsterEvent, DagsterInstance

from assets.books.writer import ensure_generated
from assets.common import clock
from assets.common.atomic import write_text_atomic
from pipeline.definitions import build_definitions
from pipeline.demo.books import demo_holdings, demo_main_beancount
from pipeline.demo.broker import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_RESPONSES,
    serve_broker,
    write_demo_session,
)
from pipeline.demo.build import (
    prepare_demo_folder,
    write_android_backup,
    write_chat_db,
    write_demo_config,
)
from pipeline.demo.messages import IST, demo_opening_balances, generate_demo_messages
from pipeline.demo.power import write_demo_power
from pipeline.demo.reviews import DEMO_WEEKS, latest_review, materialize_demo_reviews
from pipeline.demo.statements import LOST_PER_ACCOUNT, write_demo_statements
from pipeline.service.instance import use_instance
from pipeline.settings import CONFIG_ENV, load_env_file, load_settings


class DemoReport(NamedTuple):
    """What a demo run made: its folder, messages, outputs, failed steps and warnings."""

    folder: Path
    config: Path
    messages: int
    bank_alerts: int
    outputs: list[Path]
    failed_steps: list[str]  # "step/check name: its own explanation"
    as_of: dt.datetime  # the instant the run's clock was pinned to
    warnings: list[str]  # warning-severity checks that did not pass, explained
    latest_review: Path | None = None  # the newest weekly review (HTML)
    statements: tuple[Path, ...] = ()  # the demo's bank statements (imported by the demo)
    inbox: Path | None = None  # the `[statements] inbox` a statement may be dropped into

    @property
    def success(self) -> bool:
        """True when no step or check failed (warnings do not count)."""
        return not self.failed_steps


def demo_instant(end: dt.date, now: dt.datetime) -> dt.datetime:
    """The moment the demo's data is judged at: the end of the end date (IST), or `now` when
    the end date is today or later, so a demo of any past date sees its data as fresh."""
    if end >= now.astimezone(IST).date():
        return now
    return dt.datetime.combine(end, dt.time(23, 59, 59), IST)


def run_demo(
    folder: Path,
    seed: int = 7,
    end: dt.date | None = None,
    out: TextIO = sys.stderr,
    now: dt.datetime | None = None,
    source: str = "messages",
) -> DemoReport:
    """Build the demo folder and materialize every asset with the clock pinned at
    `demo_instant(end, now)`; `now` defaults to the real time. `source = "android"` writes the
    same messages as an Android backup in the demo's inbox instead of a chat.db."""
    folder = folder.expanduser().resolve()
    now = (now or clock.now_utc()).astimezone(IST)
    end = end or now.date()
    as_of = demo_instant(end, now)

    def step(text: str) -> None:
        print(f"[demo] {text}", file=out, flush=True)

    step(f"preparing {folder}")
    prepare_demo_folder(folder)
    messages = generate_demo_messages(end, seed=seed, until=now if end >= now.date() else None)
    alerts = sum(m.is_bank_transaction for m in messages)
    if source == "android":
        count = write_android_backup(folder, messages, end)
        step(f"wrote an Android backup: {count} messages, {alerts} bank transaction alerts")
    else:
        count = write_chat_db(folder / "chat.db", messages, seed)
        step(f"wrote chat.db: {count} messages, {alerts} bank transaction alerts")
    every = generate_demo_messages(
        end, seed=seed, until=now if end >= now.date() else None, lose=False
    )
    statements = write_demo_statements(folder / "statements", every, end)
    step(
        f"wrote {len(statements)} bank statement(s) in {folder / 'statements'}: each holds "
        f"{LOST_PER_ACCOUNT} lines whose SMS the phone lost, and lacks one SMS it has"
    )

    # The broker is the recorded one, served on 127.0.0.1 for the length of the demo and
    # reached through the same Kite adapter as the real API.
    with serve_broker(DEMO_RESPONSES) as broker_url:
        config = write_demo_config(folder, broker_base_url=broker_url, source=source)
        write_text_atomic(
            folder / ".env",
            f"KITE_API_KEY={DEMO_API_KEY}\nKITE_API_SECRET={DEMO_API_SECRET}\n",
            mode=0o600,
        )
        os.environ[CONFIG_ENV] = str(config)
        settings = load_settings(config)
        load_env_file(settings)
        write_demo_session(settings.broker.token_file)
        start = messages[0].sent_at.astimezone(IST).date()
        _write_demo_books(settings.books_dir, start)
        step(f"broker: recorded responses at {broker_url}; books: {settings.books_dir}")
        samples = write_demo_power(settings.data_dir / "power", as_of)
        step(f"power: {samples} samples over 30 days, with a gap and two outages")

        home = use_instance(settings)
        step(f"Dagster instance: {home}")
        defs = build_definitions(settings)
        graph = defs.resolve_asset_graph()
        step(
            f"materializing {len(graph.get_all_asset_keys())} assets with their checks, "
            f"as of {as_of.isoformat(timespec='seconds')}"
        )
        run_config = {
            # INFO: each asset's own summary lines, without Dagster's engine chatter.
            "loggers": {"console": {"config": {"log_level": "INFO"}}},
            # Every asset and check judges the demo's data as of the demo's own end.
            "resources": {"clock": {"config": {"frozen_at": as_of.isoformat()}}},
        }
        first = defs.resolve_job_def("bank_sms_job").execute_in_process(
            run_config=run_config,
            instance=DagsterInstance.get(),
            raise_on_error=False,
            tags={"homeclerk/demo": "true"},
        )
        _say_gaps(settings.feeds_dir / "expenses.json", step)
        step("import: the demo's bank statements, as `homeclerk import FILE…` does")
        for line in _import_statements(settings, statements, as_of):
            step(line)
        result = defs.resolve_job_def("everything_job").execute_in_process(
            run_config=run_config,
            instance=DagsterInstance.get(),
            raise_on_error=False,
            tags={"homeclerk/demo": "true"},
        )
        _say_gaps(settings.feeds_dir / "expenses.json", step)
        step(f"weekly reviews: the last {DEMO_WEEKS} weeks, one run")
        # Loaded again now that data is stored: the weekly partitions start at its first week.
        defs = build_definitions(settings)
        review_events, last_week = materialize_demo_reviews(
            defs, DagsterInstance.get(), run_config, as_of
        )
        # Last, as the nightly schedule does: a snapshot taken mid-run would hold half of it.
        step("backup: a verified snapshot of the warehouse, instance, books and feeds")
        backup = defs.resolve_job_def("backup_job").execute_in_process(
            run_config=run_config,
            instance=DagsterInstance.get(),
            raise_on_error=False,
            tags={"homeclerk/demo": "true"},
        )
    # The first run's warnings (the gaps before the import) were said above; its failures count.
    failed, _before_import = judge_events(first.all_events)
    failed_after, warnings = judge_events([*result.all_events, *review_events, *backup.all_events])
    failed += failed_after
    review = latest_review(settings.data_dir / "reviews", last_week)
    outputs = [*sorted(settings.feeds_dir.glob("*.json")), settings.books_dir / "main.beancount"]
    return DemoReport(
        folder,
        config,
        count,
        alerts,
        outputs,
        failed,
        as_of,
        warnings,
        review if review.exists() else None,
        tuple(statements),
        settings.section("books").statements_inbox,
    )


def _say_gaps(feed: Path, step: Callable[[str], None]) -> None:
    """The feed's open balance-chain gaps and flagged SMS, in one line each."""
    import json

    data = json.loads(feed.read_text(encoding="utf-8"))
    gaps = data.get("gaps", [])
    step(f"feed: {len(gaps)} open gap(s) in the balance chains")
    for gap in gaps:
        step(
            f"  {gap['amount']} {gap['direction']} {gap['bank']} {gap['account']} between "
            f"{gap['from']['at']} and {gap['to']['at']}"
        )
    flagged = data.get("not_on_statement", [])
    if flagged:
        step(f"feed: {len(flagged)} SMS transaction(s) not on the bank's statement")


def _import_statements(settings: Any, statements: list[Path], as_of: dt.datetime) -> list[str]:
    """Import the demo's statements; one line per account: matched, new, flagged."""
    from assets.books.statement_import import import_statements

    books = settings.section("books")
    lines = []
    results = import_statements(statements, settings.warehouse, books.accounts, IST, now=as_of)
    for path, (outcome, problem) in zip(statements, results, strict=True):
        if outcome is None:
            lines.append(f"  {path.name}: not imported: {problem}")
            continue
        for account in outcome.accounts:
            lines.append(
                f"  {path.name}: {account.account} {account.first}..{account.last}: "
                f"{account.matched} matched an SMS, {account.new} new from the statement, "
                f"{len(account.flagged)} SMS not on it"
            )
    return lines


def judge_events(events: Iterable[DagsterEvent]) -> tuple[list[str], list[str]]:
    """(failures, warnings) of a run, each with the step's or check's own explanation: failed
    steps and failed error-severity checks fail the demo; failed warning-severity checks warn."""
    failed: list[str] = []
    warnings: list[str] = []
    for event in events:
        if event.is_step_failure:
            data = event.step_failure_data
            why = data.user_failure_data.description if data.user_failure_data else None
            if not why and data.error is not None:
                why = data.error.message.strip()
            failed.append(f"step {event.step_key or '?'}: {why or 'failed without a message'}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            check = event.asset_check_evaluation_data
            if check.passed:
                continue
            text = (
                f"check {check.asset_check_key.to_user_string()}: "
                f"{check.description or 'failed without a description'}"
            )
            if check.severity == AssetCheckSeverity.WARN:
                warnings.append(text)
            else:
                failed.append(text)
    return failed, warnings


def _write_demo_books(books_dir: Path, start: dt.date) -> None:
    """The owner's hand-kept main.beancount: opening balances and the broker positions."""
    opening = demo_opening_balances(start - dt.timedelta(days=1))
    text = demo_main_beancount(
        opening_balances=opening,
        accounts=sorted(opening),
        holdings=demo_holdings(DEMO_RESPONSES),
        holdings_date=start - dt.timedelta(days=1),
        open_date=start - dt.timedelta(days=2),
    )
    write_text_atomic(books_dir / "main.beancount", text)
    ensure_generated(books_dir)
