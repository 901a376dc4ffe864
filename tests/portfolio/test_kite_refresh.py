"""The Kite adapter end to end against a fake broker on 127.0.0.1: the feed on success, and on
every kind of failure the previous feed kept byte for byte with a marker that says why."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import ROUND_HALF_UP, Decimal

import pytest

from assets.portfolio.errors import (
    BrokerError,
    BrokerTimeoutError,
    BrokerUnavailableError,
    EmptyHoldingsError,
    MalformedResponseError,
    RateLimitedError,
    TokenExpiredError,
)
from assets.portfolio.history import latest_holdings
from assets.portfolio.refresh import refresh_portfolio
from pipeline.demo.broker import DEMO_RESPONSES

from .helpers import ACCESS_TOKEN, API_KEY, Paths, assert_no_secrets, write_session

CENT = Decimal("0.01")


def _expected_totals() -> dict[str, float]:
    """An independent reading of the recorded responses: units = quantity + T1 + collateral."""
    equity = json.loads((DEMO_RESPONSES / "holdings.json").read_text())["data"]
    funds = json.loads((DEMO_RESPONSES / "mf_holdings.json").read_text())["data"]
    invested = value = day = Decimal(0)
    for row in equity:
        units = sum(
            Decimal(str(row[k])) for k in ("quantity", "t1_quantity", "collateral_quantity")
        )
        invested += units * Decimal(str(row["average_price"]))
        value += units * Decimal(str(row["last_price"]))
        day += units * Decimal(str(row["day_change"]))
    for row in funds:
        units = Decimal(str(row["quantity"]))
        invested += units * Decimal(str(row["average_price"]))
        value += units * Decimal(str(row["last_price"]))

    def r(x: Decimal) -> float:
        return float(x.quantize(CENT, rounding=ROUND_HALF_UP))

    return {
        "invested": r(invested),
        "value": r(value),
        "pnl": r(value - invested),
        "pnl_pct": r((value - invested) * 100 / invested),
        "day_change": r(day),
        "day_change_pct": r(day * 100 / (value - day)),
    }


def test_success_writes_feed_marker_and_history(broker, adapter_for, paths: Paths) -> None:
    server = broker("ok")
    feed = refresh_portfolio(adapter_for(server), paths.feeds, paths.warehouse)

    on_disk = json.loads(paths.feed.read_text("utf-8"))
    assert on_disk == feed
    assert feed["schema"] == "homeclerk.portfolio/1"
    assert feed["status"] == "ok"
    assert feed["totals"] == _expected_totals()
    by_symbol = {h["symbol"]: h for h in feed["holdings"]}
    assert len(by_symbol) == 9
    # 60 settled + 10 bought yesterday (T1); 35 + 15 pledged as collateral.
    assert by_symbol["HDFCBANK"]["quantity"] == 70
    assert by_symbol["RELIANCE"]["quantity"] == 50
    assert by_symbol["INF879O01027"]["exchange"] == "MF"
    assert by_symbol["INF879O01027"]["day_change"] is None
    assert by_symbol["INFY"] == {
        "symbol": "INFY",
        "exchange": "NSE",
        "isin": "INE009A01021",
        "quantity": 40,
        "average_price": 1412.35,
        "last_price": 1583.6,
        "value": 63344.0,
        "invested": 56494.0,
        "pnl": 6850.0,
        "pnl_pct": 12.13,
        "day_change": 494.0,
    }
    marker = paths.marker_json()
    assert marker["status"] == "ok"
    assert marker["checked_at"] == feed["generated_at"]
    snapshot = latest_holdings(paths.warehouse)
    assert snapshot is not None and len(snapshot.holdings) == 9
    assert snapshot.fetched_at.replace(microsecond=0) == dt.datetime.fromisoformat(feed["as_of"])

    holdings_calls = [r for r in server.requests if r.path == "/portfolio/holdings"]
    assert holdings_calls and holdings_calls[0].headers["x-kite-version"] == "3"
    assert holdings_calls[0].headers["authorization"] == f"token {API_KEY}:{ACCESS_TOKEN}"
    assert_no_secrets(paths.feed.read_text(), paths.marker.read_text())


def test_rate_limited_once_then_succeeds_on_retry(broker, adapter_for, paths: Paths) -> None:
    server = broker("rate_limited_once")
    feed = refresh_portfolio(adapter_for(server), paths.feeds, paths.warehouse)
    assert feed["totals"] == _expected_totals()
    assert [r.path for r in server.requests][:2] == ["/portfolio/holdings"] * 2
    assert paths.marker_json()["status"] == "ok"


FAILURES = [
    # scenario, error class, marker status, words the message must contain
    ("token_expired", TokenExpiredError, "token_expired", "homeclerk broker login"),
    ("rate_limited", RateLimitedError, "rate_limited", "429"),
    ("server_error", BrokerUnavailableError, "source_error", "HTTP 500"),
    ("bad_gateway", BrokerUnavailableError, "source_error", "HTTP 502"),
    ("slow", BrokerTimeoutError, "timeout", "did not answer"),
    ("malformed", MalformedResponseError, "malformed_response", "not valid JSON"),
    ("truncated", MalformedResponseError, "malformed_response", "not valid JSON"),
    ("cut_connection", MalformedResponseError, "malformed_response", "cut off"),
    ("wrong_shape", MalformedResponseError, "malformed_response", "not a list"),
    ("empty", EmptyHoldingsError, "empty_holdings", "previous snapshot had 9"),
]


@pytest.mark.parametrize(("scenario", "error_class", "status", "words"), FAILURES)
def test_failure_keeps_feed_bytes_and_records_why(
    broker, adapter_for, paths: Paths, scenario, error_class, status, words
) -> None:
    refresh_portfolio(adapter_for(broker("ok")), paths.feeds, paths.warehouse)
    before = paths.feed.read_bytes()

    server = broker(scenario, slow_seconds=30.0)
    started = time.monotonic()
    with pytest.raises(error_class) as caught:
        refresh_portfolio(adapter_for(server, timeout_seconds=0.3), paths.feeds, paths.warehouse)
    elapsed = time.monotonic() - started

    assert paths.feed.read_bytes() == before
    marker = paths.marker_json()
    assert marker["status"] == status
    assert words in marker["message"]
    assert marker["message"] == str(caught.value)
    assert set(marker) == {"status", "since", "checked_at", "message"}
    assert sorted(p.name for p in paths.feeds.iterdir()) == [
        "portfolio.json",
        "portfolio.status.json",
    ]  # atomic writes leave no temp files behind
    assert_no_secrets(str(caught.value), paths.marker.read_text(), paths.feed.read_text())
    if scenario in ("rate_limited", "server_error", "bad_gateway", "slow"):
        # Retried, but boundedly: three tries, then give up.
        assert len([r for r in server.requests if r.path == "/portfolio/holdings"]) == 3
    if scenario == "slow":
        assert elapsed < 3.0  # three 0.3 s timeouts plus short backoffs, not the 30 s answer
    if scenario in ("token_expired", "malformed", "truncated", "wrong_shape"):
        assert len(server.requests) == 1  # never retried


def test_marker_since_survives_repeated_failures_and_resets_on_success(
    broker, adapter_for, paths: Paths
) -> None:
    t1 = dt.datetime(2026, 11, 20, 4, 0, tzinfo=dt.UTC)
    t2 = t1 + dt.timedelta(minutes=15)
    expired = broker("token_expired")
    for now in (t1, t2):
        with pytest.raises(TokenExpiredError):
            refresh_portfolio(adapter_for(expired), paths.feeds, paths.warehouse, now=now)
    marker = paths.marker_json()
    assert (marker["since"], marker["checked_at"]) == (t1.isoformat(), t2.isoformat())
    assert not paths.feed.exists()  # nothing good was ever fetched: no feed rather than a fake one

    t3 = t2 + dt.timedelta(minutes=15)
    refresh_portfolio(adapter_for(broker("ok")), paths.feeds, paths.warehouse, now=t3)
    marker = paths.marker_json()
    assert (marker["status"], marker["since"]) == ("ok", t3.isoformat())


def test_empty_holdings_without_history_is_published(broker, adapter_for, paths: Paths) -> None:
    feed = refresh_portfolio(adapter_for(broker("empty")), paths.feeds, paths.warehouse)
    assert feed["holdings"] == []
    assert feed["totals"]["value"] == 0 and feed["totals"]["pnl_pct"] is None


def test_accepted_empty_holdings_then_stays_empty(broker, adapter_for, paths: Paths) -> None:
    refresh_portfolio(adapter_for(broker("ok")), paths.feeds, paths.warehouse)
    empty = broker("empty")
    refresh_portfolio(adapter_for(empty), paths.feeds, paths.warehouse, accept_empty=True)
    assert json.loads(paths.feed.read_text())["holdings"] == []
    # Once empty is the recorded state, another empty answer is not a surprise.
    feed = refresh_portfolio(adapter_for(empty), paths.feeds, paths.warehouse)
    assert feed["holdings"] == []


def test_expired_cached_session_fails_without_calling_the_broker(
    broker, adapter_for, paths: Paths
) -> None:
    write_session(paths.token_file, login_time=dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC))
    server = broker("ok")
    with pytest.raises(TokenExpiredError, match="homeclerk broker login"):
        refresh_portfolio(adapter_for(server), paths.feeds, paths.warehouse)
    assert server.requests == []
    assert paths.marker_json()["status"] == "token_expired"


def test_missing_token_file_says_log_in(broker, adapter_for, paths: Paths) -> None:
    paths.token_file.unlink()
    with pytest.raises(TokenExpiredError, match=r"no broker session yet.*homeclerk broker login"):
        refresh_portfolio(adapter_for(broker("ok")), paths.feeds, paths.warehouse)


def test_unreachable_broker_is_a_source_error(adapter_for, broker, paths: Paths) -> None:
    server = broker("ok")
    server.stop()  # nothing listens on that port any more
    with pytest.raises(BrokerUnavailableError, match="could not reach the broker"):
        refresh_portfolio(adapter_for(server), paths.feeds, paths.warehouse)
    assert paths.marker_json()["status"] == "source_error"


def test_every_failure_class_is_a_broker_error() -> None:
    for _, error_class, status, _ in FAILURES:
        assert issubclass(error_class, BrokerError)
        assert error_class.status == status


def test_same_fetch_stored_twice_adds_no_rows(broker, adapter_for, paths: Paths) -> None:
    from assets.portfolio.refresh import ingest

    fixed = dt.datetime(2026, 11, 20, 5, 0, tzinfo=dt.UTC)
    server = broker("ok")
    first = ingest(adapter_for(server, now=lambda: fixed), paths.feeds, paths.warehouse)
    again = ingest(adapter_for(server, now=lambda: fixed), paths.feeds, paths.warehouse)
    assert (first.rows_added, again.rows_added) == (9, 0)


def test_client_side_rate_limit_spaces_requests(broker, paths: Paths) -> None:
    from assets.portfolio.kite_client import KiteClient

    server = broker("ok")
    with KiteClient(
        API_KEY, ACCESS_TOKEN, base_url=server.base_url, requests_per_second=20
    ) as client:
        started = time.monotonic()
        for _ in range(6):
            client.get("/user/profile")
        elapsed = time.monotonic() - started
    assert elapsed >= 5 / 20 - 0.01  # five gaps of 50 ms at 20 requests a second
