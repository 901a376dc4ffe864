"""Dagster wrapper for the expenses feed: read the warehouse, write `feeds/expenses.json`."""

import datetime as dt
import json

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from assets.books.resources import BooksResource
from assets.common import warehouse as wh
from assets.common.atomic import write_json_atomic
from assets.common.resources import Feeds, Warehouse

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
    description="feeds/expenses.json: totals, 30-day categories, balances, recent transactions.",
)
def expenses_feed(
    context: AssetExecutionContext,
    warehouse: Warehouse,
    feeds: Feeds,
    books_config: BooksResource,
) -> MaterializeResult:
    now = dt.datetime.now(dt.UTC)
    with wh.connect(warehouse.path, read_only=True) as con:
        inputs = read_feed_inputs(con, window_start(now, feeds.tz))
    feed = build_expenses_feed(
        inputs.transactions,
        inputs.balances,
        now=now,
        tz=feeds.tz,
        newest_message_at=inputs.newest_message_at,
        total_transactions=inputs.total_transactions,
        account_names={(a["bank"], a["tail"]): a["account"] for a in books_config.account_mapping},
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
        }
    )


@asset_check(asset=expenses_feed, description="The feed file exists, parses and is recent.")
def expenses_feed_fresh(feeds: Feeds) -> AssetCheckResult:
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
    age = dt.datetime.now(dt.UTC) - generated
    return AssetCheckResult(
        passed=age <= FRESHNESS_LIMIT and feed.get("status") == "ok",
        severity=AssetCheckSeverity.WARN,
        metadata={"age_hours": round(age.total_seconds() / 3600, 2), "status": feed.get("status")},
        description=None
        if age <= FRESHNESS_LIMIT
        else f"feed is {age} old: is the daemon running? (`homeclerk doctor`)",
    )
