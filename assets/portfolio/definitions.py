"""Dagster wrappers for the portfolio: `broker_holdings` → `portfolio_feed`, plus two checks.

A failed fetch makes `broker_holdings` raise a `Failure` whose description is the plain-words
cause and fix, after the status marker is written and with the feed untouched. We chose a red run
over a green one with status metadata because a green materialization would claim fresh data that
does not exist (DESIGN principle 4: a skip or failure must never look like success); the run
failure, its description and the asset's "failed" badge are what the UI shows most prominently.
`portfolio_feed` then does not run, so the last good feed stays byte for byte.
"""

# No `from __future__ import annotations` here: Dagster compares the `context` annotation by
# identity, and a postponed (string) annotation fails that check.

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetSelection,
    Definitions,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
    define_asset_job,
)

from assets.common.resources import Clock, Feeds, Warehouse
from assets.common.warehouse import WAREHOUSE_POOL
from assets.portfolio.errors import BrokerError
from assets.portfolio.feed import STATUS_OK, feed_path, marker_path, read_marker
from assets.portfolio.refresh import ingest, publish
from assets.portfolio.resources import BrokerResource
from assets.portfolio.schedules import portfolio_schedules
from assets.portfolio.trading_days import (
    EXCHANGE_TIMEZONE,
    MARKET_HOURS_TOLERANCE,
    feed_due_since,
)

EXCHANGE_TZ = ZoneInfo(EXCHANGE_TIMEZONE)


@asset(
    pool=WAREHOUSE_POOL,
    group_name="portfolio",
    kinds={"duckdb"},
    description="A snapshot of the broker's holdings, appended to broker_holdings_history.",
)
def broker_holdings(
    context: AssetExecutionContext,
    broker: BrokerResource,
    warehouse: Warehouse,
    feeds: Feeds,
    clock: Clock,
) -> MaterializeResult:
    try:
        result = ingest(
            broker.build_adapter(now=clock.now),
            now=clock.now(),
            feeds_dir=Path(feeds.folder),
            warehouse_path=warehouse.file,
            accept_empty=broker.accept_empty_holdings,
            mode=feeds.file_mode,
        )
    except BrokerError as error:
        # The marker is written; the feed is untouched. Say it once, plainly, where people look.
        description = broker.not_configured() or f"{error.status}: {error}"
        context.log.error(f"portfolio not refreshed: {description}")
        raise Failure(
            description=description,
            metadata={
                "status": error.status,
                "status_marker": MetadataValue.path(str(marker_path(Path(feeds.folder)))),
            },
            allow_retries=False,  # the next schedule tick is the retry; the client already tried
        ) from None
    snapshot = result.snapshot
    return MaterializeResult(
        metadata={
            "source": snapshot.source,
            "fetched_at": snapshot.fetched_at.isoformat(timespec="seconds"),
            "holdings": len(snapshot.holdings),
            "rows_added": result.rows_added,
        }
    )


@asset(
    deps=[broker_holdings],
    pool=WAREHOUSE_POOL,
    group_name="portfolio",
    kinds={"json"},
    description="feeds/portfolio.json: holdings, value, P&L, day change; stale on failure.",
)
def portfolio_feed(warehouse: Warehouse, feeds: Feeds, clock: Clock) -> MaterializeResult:
    feed = publish(Path(feeds.folder), warehouse.file, now=clock.now(), mode=feeds.file_mode)
    totals = feed["totals"]
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(feed_path(Path(feeds.folder)))),
            "as_of": feed["as_of"],
            "holdings": len(feed["holdings"]),
            "value": totals["value"],
            "invested": totals["invested"],
            "pnl": totals["pnl"],
            "day_change": totals["day_change"],
        }
    )


@asset_check(
    asset=portfolio_feed,
    description="The broker's last check worked; if not, why, and the fix (e.g. log in again).",
)
def portfolio_status(feeds: Feeds) -> AssetCheckResult:
    marker = read_marker(Path(feeds.folder))
    if marker is None:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description="the broker has not been checked yet: materialize broker_holdings",
        )
    metadata = {key: str(marker.get(key, "")) for key in ("status", "since", "checked_at")}
    ok = marker.get("status") == STATUS_OK
    return AssetCheckResult(
        passed=ok,
        severity=AssetCheckSeverity.WARN,
        description=str(marker.get("message", "")),
        metadata=metadata,
    )


@asset_check(
    asset=portfolio_feed,
    description="feeds/portfolio.json exists and is as new as the NSE calendar requires.",
)
def portfolio_feed_fresh(feeds: Feeds, clock: Clock) -> AssetCheckResult:
    path = feed_path(Path(feeds.folder))
    try:
        as_of = dt.datetime.fromisoformat(json.loads(path.read_text("utf-8"))["as_of"])
    except FileNotFoundError:
        return AssetCheckResult(
            passed=False, description=f"{path} does not exist: materialize portfolio_feed"
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return AssetCheckResult(
            passed=False, description=f"{path} is unreadable ({type(exc).__name__})"
        )
    now = clock.now().astimezone(EXCHANGE_TZ)
    due = feed_due_since(now, MARKET_HOURS_TOLERANCE)
    fresh = as_of >= due
    marker = read_marker(Path(feeds.folder)) or {}
    why = "" if fresh or marker.get("status") in (None, STATUS_OK) else f": {marker.get('message')}"
    return AssetCheckResult(
        passed=fresh,
        severity=AssetCheckSeverity.WARN,
        description=(
            f"portfolio as of {as_of.astimezone(EXCHANGE_TZ):%Y-%m-%d %H:%M} IST"
            + ("" if fresh else f", older than required ({due:%Y-%m-%d %H:%M} IST){why}")
        ),
        metadata={"as_of": as_of.isoformat(), "due_since": due.isoformat()},
    )


PORTFOLIO_ASSETS = [broker_holdings, portfolio_feed]
PORTFOLIO_CHECKS = [portfolio_status, portfolio_feed_fresh]


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The portfolio slice: its assets, checks, `portfolio_job` and the four schedules.

    The once-a-day schedule runs in the owner's zone, read from the `feeds` resource (the
    market-bound ones keep the exchange's clock).
    """
    portfolio_job = define_asset_job(
        "portfolio_job",
        selection=AssetSelection.assets(*PORTFOLIO_ASSETS),
        description="Broker holdings → warehouse history → feeds/portfolio.json.",
    )
    return Definitions(
        assets=PORTFOLIO_ASSETS,
        asset_checks=PORTFOLIO_CHECKS,
        jobs=[portfolio_job],
        schedules=portfolio_schedules(portfolio_job, timezone=resources["feeds"].timezone),
    )
