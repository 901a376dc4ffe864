"""Feed arithmetic (Decimal, rounded on output) and the warehouse history the ledger reads."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from assets.portfolio.feed import build_feed
from assets.portfolio.history import append_snapshot, daily_closing_prices, latest_holdings
from assets.portfolio.model import Holding, HoldingsSnapshot

D = Decimal
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def _holding(
    symbol: str,
    qty: str,
    avg: str,
    last: str,
    *,
    exchange: str = "NSE",
    isin: str | None = None,
    close_price: Decimal | None = None,
    day_change: Decimal | None = None,
) -> Holding:
    return Holding(symbol, exchange, isin, D(qty), D(avg), D(last), close_price, day_change)


def test_money_rounds_half_up_only_on_output() -> None:
    snapshot = HoldingsSnapshot(
        fetched_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC),
        source="test",
        holdings=(
            # 3 × 0.335 = 1.005 → 1.01 (half up; binary floats would give 1.0)
            _holding("AAA", "3", "0.335", "0.335"),
            # No per-unit day change, but a previous close: change = units × (last − close).
            _holding("BBB", "10", "100", "110", close_price=D("105")),
            _holding("INF000", "1.5", "20", "30", exchange="MF"),
        ),
    )
    feed = build_feed(snapshot, generated_at=dt.datetime(2026, 11, 20, 10, 1, tzinfo=dt.UTC))
    aaa, bbb, fund = feed["holdings"]
    assert aaa["value"] == 1.01 and aaa["pnl"] == 0.0 and aaa["pnl_pct"] == 0.0
    assert bbb["day_change"] == 50.0 and bbb["pnl_pct"] == 10.0
    assert fund["quantity"] == 1.5 and fund["day_change"] is None
    assert feed["totals"] == {
        "invested": 1031.01,  # 1.005 + 1000 + 30
        "value": 1146.01,  # 1.005 + 1100 + 45
        "pnl": 115.0,
        "pnl_pct": 11.15,  # 115 / 1031.005 = 11.154…%
        "day_change": 50.0,
        "day_change_pct": 4.56,  # 50 / (1146.005 − 50) = 4.5620…%
    }
    assert feed["as_of"] == "2026-11-20T10:00:00+00:00"
    assert feed["generated_at"] == "2026-11-20T10:01:00+00:00"


def _snap(at: dt.datetime, prices: dict[str, str]) -> HoldingsSnapshot:
    return HoldingsSnapshot(
        at, "kite", tuple(_holding(s, "2", "100", p, isin=f"IN{s}") for s, p in prices.items())
    )


def test_history_is_idempotent_and_latest_is_newest(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    assert latest_holdings(warehouse) is None
    first = _snap(dt.datetime(2026, 11, 20, 4, 0, tzinfo=dt.UTC), {"INFY": "1500.1234"})
    second = _snap(dt.datetime(2026, 11, 20, 4, 15, tzinfo=dt.UTC), {"INFY": "1501", "TCS": "3"})
    assert append_snapshot(warehouse, second) == 2
    assert append_snapshot(warehouse, first) == 1
    assert append_snapshot(warehouse, second) == 0  # the same fetch again: nothing new
    latest = latest_holdings(warehouse)
    assert latest is not None
    assert latest.fetched_at == second.fetched_at
    assert latest.fetched_at.utcoffset() == dt.timedelta(0)
    assert {h.symbol: h.last_price for h in latest.holdings} == {"INFY": D("1501"), "TCS": D("3")}
    assert latest.holdings[0].isin == "ININFY"


def test_daily_closing_prices_last_usable_per_exchange_day(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    day1_open = dt.datetime(2026, 11, 19, 9, 30, tzinfo=IST)
    day1_close = dt.datetime(2026, 11, 19, 15, 45, tzinfo=IST)
    # 01:00 IST on the 20th is still the 19th in UTC: the day is counted in IST.
    day2_night = dt.datetime(2026, 11, 20, 1, 0, tzinfo=IST)
    day2_close = dt.datetime(2026, 11, 20, 15, 45, tzinfo=IST)
    append_snapshot(warehouse, _snap(day1_open, {"INFY": "1490", "TCS": "3400"}))
    append_snapshot(warehouse, _snap(day1_close, {"INFY": "1500.5", "TCS": "0"}))
    append_snapshot(warehouse, _snap(day2_night, {"INFY": "1500.5"}))
    append_snapshot(warehouse, _snap(day2_close, {"INFY": "1512.25"}))
    assert daily_closing_prices(warehouse) == [
        (dt.date(2026, 11, 19), "INFY", D("1500.5")),
        (dt.date(2026, 11, 19), "TCS", D("3400")),  # the zero price at close is skipped
        (dt.date(2026, 11, 20), "INFY", D("1512.25")),
    ]
    assert daily_closing_prices(tmp_path / "absent.duckdb") == []


@contextlib.contextmanager
def _machine_timezone(name: str) -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_every_holding_field_comes_back_as_stored_and_in_utc(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    fetched = dt.datetime(2026, 11, 20, 10, 0, tzinfo=IST)
    stored = (
        _holding(
            "INFY", "10", "1450.50", "1502.35", exchange="BSE", isin="INE009A01021",
            close_price=D("1490.10"),
        ),
        _holding("M&M", "4", "100", "2950", day_change=D("-12.5")),
        _holding("INF179K01BB8", "123.456", "45.1234", "52.8812", exchange="MF"),
    )  # fmt: skip
    append_snapshot(warehouse, HoldingsSnapshot(fetched, "kite", stored))
    with _machine_timezone("Asia/Kolkata"):  # the result must not follow the machine's zone
        latest = latest_holdings(warehouse)
    assert latest is not None
    assert latest.source == "kite"
    assert latest.fetched_at == fetched and latest.fetched_at.utcoffset() == dt.timedelta(0)
    assert latest.holdings == stored
    # DECIMAL(18,4) padding is dropped without turning 100 into 1E+2.
    assert [str(h.average_price) for h in latest.holdings] == ["1450.5", "100", "45.1234"]


def test_history_can_be_read_while_another_process_reads_the_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    append_snapshot(warehouse, _snap(dt.datetime(2026, 11, 20, 4, 0, tzinfo=dt.UTC), {"X": "2"}))
    # Another reader (the expenses feed, a notebook) holds a read-only connection open.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb\n"
            f"con = duckdb.connect({str(warehouse)!r}, read_only=True)\n"
            "print('ready', flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        latest = latest_holdings(warehouse)
        assert latest is not None and [h.symbol for h in latest.holdings] == ["X"]
        assert daily_closing_prices(warehouse) == [(dt.date(2026, 11, 20), "X", D("2"))]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)


def test_stale_after_is_the_next_expected_fetch_plus_grace() -> None:
    from assets.common.feed_status import status_as_of
    from assets.portfolio.trading_days import feed_due_since, feed_stale_after

    def at(day: int, hour: int, minute: int) -> dt.datetime:
        return dt.datetime(2026, 11, day, hour, minute, tzinfo=IST)

    # In a session: three missed 15-minute ticks.
    assert feed_stale_after(at(20, 15, 20)) == at(20, 16, 5)
    # After Friday's close: Monday's open + 45 min (Sat, Sun closed).
    assert feed_stale_after(at(20, 15, 45)) == at(23, 10, 0)
    # Monday evening: Tuesday 24 Nov is an NSE holiday, so Wednesday.
    assert feed_stale_after(at(23, 18, 0)) == at(25, 10, 0)
    # Before the open on a trading day: that morning's session.
    assert feed_stale_after(at(25, 8, 30)) == at(25, 10, 0)
    # The feed's field agrees with the freshness check's rule until then.
    snapshot = HoldingsSnapshot(at(20, 15, 20), "test", (_holding("AAA", "1", "1", "1"),))
    feed = build_feed(snapshot, generated_at=at(20, 15, 21))
    assert feed["stale_after"] == at(20, 16, 5).astimezone(dt.UTC).isoformat()
    for moment in (at(20, 16, 5), at(20, 16, 6)):
        fresh = snapshot.fetched_at >= feed_due_since(moment, dt.timedelta(minutes=45))
        assert (status_as_of(feed, moment)[0] == "ok") == fresh
    assert "since 2026-11-20 15:20 IST" in status_as_of(feed, at(20, 16, 6))[1]
