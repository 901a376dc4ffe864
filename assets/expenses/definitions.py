"""Dagster wrapper for the expenses feed: read the warehouse, write `feeds/expenses.json`."""

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetSelection,
    Definitions,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
    define_asset_job,
)

from assets.books.gaps import owner_entries, read_gaps
from assets.books.reconcile import stored_reconciliation
from assets.books.resources import BooksResource
from assets.common import warehouse as wh
from assets.common.atomic import write_json_atomic
from assets.common.feed_status import status_as_of
from assets.common.resources import Clock, Feeds, Warehouse
from assets.sms.health import quiet_verdict, read_receive_times
from assets.sms.sensors import (
    build_android_sms_sensor,
    build_bank_sms_sensor,
    build_webhook_sms_sensor,
    sms_watch_on,
)

from .feed import build_expenses_feed, window_start
from .reader import read_feed_inputs

FEED_NAME = "expenses.json"
# The sensor refreshes the feed within seconds of news; a day without a refresh means the
# pipeline, not the owner, went quiet.
FRESHNESS_LIMIT = dt.timedelta(hours=26)


@asset(
    deps=["transactions"],
    pool=wh.WAREHOUSE_POOL,
    group_name="expenses",
    description=(
        "feeds/expenses.json: totals, 30-day categories, balances, recent transactions and the "
        "gaps in the balance chains."
    ),
)
def expenses_feed(
    context: AssetExecutionContext,
    warehouse: Warehouse,
    feeds: Feeds,
    books_config: BooksResource,
    clock: Clock,
) -> MaterializeResult:
    now = clock.now()
    hand = owner_entries(books_config.folder)
    with wh.connect(warehouse.path, read_only=True) as con:
        inputs = read_feed_inputs(con, window_start(now, feeds.tz))
        mapping = books_config.mapping()
        statement = stored_reconciliation(con, mapping.lookup, feeds.tz)
        gaps = read_gaps(con, mapping, feeds.tz, hand, statement=statement).open
    # Transactions exist only where bank SMS were stored, so the SMS table is there to read.
    times = read_receive_times(warehouse.path) if inputs.total_transactions else []
    feed = build_expenses_feed(
        inputs.transactions,
        inputs.balances,
        now=now,
        tz=feeds.tz,
        newest_message_at=inputs.newest_message_at,
        total_transactions=inputs.total_transactions,
        account_names={
            (a["bank"], a.get("tail", "")): a["account"] for a in books_config.account_mapping
        },
        quiet=quiet_verdict(times, now),
        gaps=gaps,
        not_on_statement=statement.not_on_statement,
        budgets=books_config.budget_list(),
    )
    path = feeds.path(FEED_NAME)
    write_json_atomic(path, feed, mode=feeds.file_mode)
    if feed["status"] != "ok":
        context.log.warning(f"expenses feed status {feed['status']}: {feed['message']}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(path)),
            "status": feed["status"],
            "month_debit": feed["periods"]["this_month"]["debit"],
            "month_credit": feed["periods"]["this_month"]["credit"],
            "transactions_in_window": len(inputs.transactions),
            "accounts_with_balance": len(feed["balances"]),
            "balance_gaps": len(gaps),
            "not_on_statement": len(statement.not_on_statement),
        }
    )


@asset_check(asset=expenses_feed, description="The feed file exists, parses and is recent.")
def expenses_feed_fresh(feeds: Feeds, clock: Clock) -> AssetCheckResult:
    path = feeds.path(FEED_NAME)
    try:
        feed = json.loads(path.read_text("utf-8"))
        generated = dt.datetime.fromisoformat(feed["generated_at"])
    except FileNotFoundError:
        return AssetCheckResult(
            passed=False, description=f"{path} does not exist: materialize expenses_feed"
        )
    except (ValueError, KeyError) as exc:
        return AssetCheckResult(passed=False, description=f"{path} is unreadable: {exc}")
    return feed_freshness(feed, generated, clock.now())


def feed_freshness(
    feed: dict[str, object], generated: dt.datetime, now: dt.datetime
) -> AssetCheckResult:
    """The check's verdict on a parsed feed: written within FRESHNESS_LIMIT of `now`, status ok
    as of `now` (the rule a dashboard applies: assets/common/feed_status.py)."""
    age = now - generated
    status, message = status_as_of(feed, now)
    problems = []
    if age > FRESHNESS_LIMIT:
        problems.append(f"feed is {age} old: is the daemon running? (`homeclerk doctor`)")
    if status != "ok":
        problems.append(f"feed status {status}: {message}")
    return AssetCheckResult(
        passed=not problems,
        severity=AssetCheckSeverity.WARN,
        metadata={"age_hours": round(age.total_seconds() / 3600, 2), "status": str(status)},
        description="; ".join(problems) if problems else f"written {age} ago, status ok",
    )


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The expenses slice: the feed, its check, and the bank-SMS path that ends in it.

    `bank_sms_job` is everything upstream of the feed (sms_messages → transactions →
    expenses_feed); the SMS source's sensor starts it on news, so a new alert reaches
    `expenses.json` in seconds. It lives here because this feed is what the path is for.
    """
    bank_sms_job = define_asset_job(
        "bank_sms_job",
        selection=AssetSelection.assets(expenses_feed).upstream(),
        description="New bank SMS → warehouse → transactions → feeds/expenses.json.",
    )
    return Definitions(
        assets=[expenses_feed],
        asset_checks=[expenses_feed_fresh],
        jobs=[bank_sms_job],
        # Read here, where the code server builds the definitions: `homeclerk serve` sets it.
        sensors=[
            build_bank_sms_sensor(
                bank_sms_job, resources["messages"], resources["warehouse"], watched=sms_watch_on()
            ),
            build_android_sms_sensor(bank_sms_job, resources["messages"], resources["warehouse"]),
            build_webhook_sms_sensor(bank_sms_job, resources["messages"]),
        ],
    )
