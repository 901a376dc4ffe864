"""The portfolio refresh as plain steps: fetch → guard → store → publish, stale on any failure.

The Dagster assets call `ingest` (broker_holdings) and `publish` (portfolio_feed); the demo and
tests can call `refresh_portfolio`, which is the two in a row.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, NamedTuple

from assets.common.atomic import DEFAULT_FEED_MODE
from assets.portfolio.adapter import BrokerAdapter
from assets.portfolio.errors import BrokerError, EmptyHoldingsError, NoSnapshotError
from assets.portfolio.feed import STATUS_OK, build_feed, ok_message, write_feed, write_marker
from assets.portfolio.history import append_snapshot, latest_holdings
from assets.portfolio.model import HoldingsSnapshot


class IngestResult(NamedTuple):
    """The snapshot fetched, and how many history rows it added."""

    snapshot: HoldingsSnapshot
    rows_added: int


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fetch_snapshot(
    adapter: BrokerAdapter, warehouse_path: Path, accept_empty: bool = False
) -> HoldingsSnapshot:
    """The adapter's snapshot, refusing an empty one that follows a non-empty one."""
    snapshot = adapter.fetch_holdings()
    if not snapshot.holdings and not accept_empty:
        previous = latest_holdings(warehouse_path)
        if previous is not None and previous.holdings:
            raise EmptyHoldingsError(
                f"the broker ({snapshot.source}) returned no holdings, but the previous snapshot "
                f"had {len(previous.holdings)}; this is usually a broker-side glitch, so the last "
                "good portfolio is kept. If you really sold everything, set "
                "accept_empty_holdings = true for the broker and run again"
            )
    return snapshot


def ingest(
    adapter: BrokerAdapter,
    feeds_dir: Path,
    warehouse_path: Path,
    now: dt.datetime | None = None,
    accept_empty: bool = False,
    mode: int = DEFAULT_FEED_MODE,
) -> IngestResult:
    """Fetch and store one snapshot. On failure the marker records why, then the error is
    re-raised; the feed file is not touched."""
    try:
        snapshot = fetch_snapshot(adapter, warehouse_path, accept_empty=accept_empty)
    except BrokerError as error:
        write_marker(feeds_dir, error.status, str(error), now or _utc_now(), mode)
        raise
    except Exception as error:
        # A bug or an environment problem is still a failed fetch: record it, keep the feed. Its
        # text is not copied into the marker (we do not control what it says).
        message = (
            f"fetching holdings failed unexpectedly ({type(error).__name__}); the last good "
            "portfolio is kept; see the run's log for details"
        )
        write_marker(feeds_dir, "source_error", message, now or _utc_now(), mode)
        raise
    return IngestResult(snapshot, append_snapshot(warehouse_path, snapshot))


def publish(
    feeds_dir: Path,
    warehouse_path: Path,
    now: dt.datetime | None = None,
    mode: int = DEFAULT_FEED_MODE,
) -> dict[str, Any]:
    """Write the feed from the newest stored snapshot and set the marker to ok."""
    now = now or _utc_now()
    snapshot = latest_holdings(warehouse_path)
    if snapshot is None:
        raise NoSnapshotError(
            "no holdings have been fetched yet, so there is no portfolio to publish; "
            "materialize `broker_holdings` first"
        )
    feed = build_feed(snapshot, now)
    write_feed(feeds_dir, feed, mode)
    write_marker(feeds_dir, STATUS_OK, ok_message(snapshot), now, mode)
    return feed


def refresh_portfolio(
    adapter: BrokerAdapter,
    feeds_dir: Path,
    warehouse_path: Path,
    now: dt.datetime | None = None,
    accept_empty: bool = False,
) -> dict[str, Any]:
    """ingest + publish; raises the BrokerError (after writing the marker) on failure."""
    ingest(adapter, feeds_dir, warehouse_path, now=now, accept_empty=accept_empty)
    return publish(feeds_dir, warehouse_path, now=now)
