"""`feeds/portfolio.json` and its status marker `feeds/portfolio.status.json`.

The feed is only ever replaced by a complete, good one; a failed fetch touches the marker alone, so
a dashboard keeps showing real (if stale) numbers and can say why they are stale. On success the
marker is rewritten with status "ok" rather than removed: a reader always finds one file that says
when the broker was last checked and whether it worked.

Money is computed in Decimal at full precision and rounded (half up) to 2 places only on output;
totals are sums of the unrounded values.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from assets.common.atomic import DEFAULT_FEED_MODE, write_json_atomic
from assets.portfolio.model import Holding, HoldingsSnapshot
from assets.portfolio.trading_days import EXCHANGE_TIMEZONE, feed_stale_after

SCHEMA = "homeclerk.portfolio/1"
FEED_FILE = "portfolio.json"
MARKER_FILE = "portfolio.status.json"
STATUS_OK = "ok"

_EXCHANGE_TZ = ZoneInfo(EXCHANGE_TIMEZONE)
_CENTS = Decimal("0.01")
_UNITS = Decimal("0.0001")


def feed_path(feeds_dir: Path) -> Path:
    """Where the portfolio feed is written in `feeds_dir`."""
    return Path(feeds_dir) / FEED_FILE


def marker_path(feeds_dir: Path) -> Path:
    """Where the status marker of the last broker check is written in `feeds_dir`."""
    return Path(feeds_dir) / MARKER_FILE


def build_feed(snapshot: HoldingsSnapshot, generated_at: dt.datetime) -> dict[str, Any]:
    """The portfolio feed: each holding's value and P&L, and the totals.

    `stale_after` is the next expected fetch + 45 min by the NSE schedule
    (`trading_days.feed_stale_after`), read by assets/common/feed_status.py.
    """
    stale_after = feed_stale_after(snapshot.fetched_at)
    fetched = snapshot.fetched_at.astimezone(_EXCHANGE_TZ)
    rows = []
    invested_total = value_total = day_change_total = Decimal(0)
    for holding in snapshot.holdings:
        invested = holding.quantity * holding.average_price
        value = holding.quantity * holding.last_price
        day_change = _day_change(holding)
        invested_total += invested
        value_total += value
        day_change_total += day_change or 0
        rows.append(
            {
                "symbol": holding.symbol,
                "exchange": holding.exchange,
                "isin": holding.isin,
                "quantity": _quantity(holding.quantity),
                "average_price": _money(holding.average_price),
                "last_price": _money(holding.last_price),
                "value": _money(value),
                "invested": _money(invested),
                "pnl": _money(value - invested),
                "pnl_pct": _pct(value - invested, invested),
                "day_change": None if day_change is None else _money(day_change),
            }
        )
    pnl_total = value_total - invested_total
    return {
        "schema": SCHEMA,
        "generated_at": _iso(generated_at),
        "as_of": _iso(snapshot.fetched_at),
        "status": STATUS_OK,
        "message": None,
        "stale_after": _iso(stale_after),
        "stale_reason": (
            f"no new broker fetch since {fetched:%Y-%m-%d %H:%M} IST (one every 15 min in NSE "
            "hours, else at the next session): see "
            "portfolio.status.json for the last check's error"
        ),
        "source": snapshot.source,
        "totals": {
            "invested": _money(invested_total),
            "value": _money(value_total),
            "pnl": _money(pnl_total),
            "pnl_pct": _pct(pnl_total, invested_total),
            "day_change": _money(day_change_total),
            # Against yesterday's value; holdings without a day change count as unchanged.
            "day_change_pct": _pct(day_change_total, value_total - day_change_total),
        },
        "holdings": rows,
    }


def write_feed(feeds_dir: Path, feed: dict[str, Any], mode: int = DEFAULT_FEED_MODE) -> Path:
    """Write the feed atomically; returns its path."""
    path = feed_path(feeds_dir)
    write_json_atomic(path, feed, mode=mode)
    return path


def read_marker(feeds_dir: Path) -> dict[str, Any] | None:
    """The last status marker, or None when it is missing or unreadable."""
    try:
        marker = json.loads(marker_path(feeds_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def write_marker(
    feeds_dir: Path,
    status: str,
    message: str,
    now: dt.datetime,
    mode: int = DEFAULT_FEED_MODE,
) -> dict[str, Any]:
    """Record the latest check; `since` is kept while the status stays the same."""
    previous = read_marker(feeds_dir)
    since = _iso(now)
    if previous and previous.get("status") == status and previous.get("since"):
        since = str(previous["since"])
    marker = {"status": status, "since": since, "checked_at": _iso(now), "message": message}
    write_json_atomic(marker_path(feeds_dir), marker, mode=mode)
    return marker


def ok_message(snapshot: HoldingsSnapshot) -> str:
    """The marker's text for a successful fetch of `snapshot`."""
    return (
        f"portfolio refreshed: {len(snapshot.holdings)} holdings from {snapshot.source} "
        f"as of {_iso(snapshot.fetched_at)}"
    )


def _day_change(holding: Holding) -> Decimal | None:
    if holding.day_change is not None:
        return holding.quantity * holding.day_change  # Kite's day_change is per unit
    if holding.close_price:
        return holding.quantity * (holding.last_price - holding.close_price)
    return None


def _quantity(value: Decimal) -> int | float:
    # Shares are whole (70, not 70.0); fund units keep their decimals.
    return int(value) if value == value.to_integral_value() else _num(value, _UNITS)


def _money(value: Decimal) -> float:
    return _num(value, _CENTS)


def _num(value: Decimal, places: Decimal) -> float:
    # A 2- or 4-place Decimal survives the float round trip exactly in JSON's shortest repr.
    return float(value.quantize(places, rounding=ROUND_HALF_UP))


def _pct(part: Decimal, whole: Decimal) -> float | None:
    if whole == 0:
        return None
    return _money(part * 100 / whole)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
