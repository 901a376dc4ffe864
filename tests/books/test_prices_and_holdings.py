"""Broker prices into the books, and the ledger/broker cross-check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from assets.books.accounts import commodity_name
from assets.books.checks import (
    compare_holdings,
    diff_table,
    latest_prices,
    ledger_units,
    load_books,
)
from assets.books.generate import write_price_books
from assets.books.prices import build_prices
from pipeline.demo.books import demo_holdings, demo_main_beancount
from pipeline.demo.broker import DEMO_RESPONSES

from .helpers import HOLDINGS, TZ, build_demo_books, holding, snapshot

TODAY = dt.date(2025, 4, 10)


def test_commodity_names_are_valid_and_deterministic() -> None:
    assert commodity_name("M&M", "NSE") == "M-AND-M"
    assert commodity_name("BAJAJ-AUTO", "NSE") == "BAJAJ-AUTO"
    assert commodity_name("mcdowell-n", "NSE") == "MCDOWELL-N"
    assert commodity_name("360ONE", "NSE") == "X360ONE"
    assert commodity_name("INF179K01BB8", "MF", "INF179K01BB8") == "INF179K01BB8"
    long = commodity_name("A" * 30 + "&B", "NSE")
    assert len(long) <= 24 and long == commodity_name("A" * 30 + "&B", "NSE")
    assert long != commodity_name("A" * 30 + "&C", "NSE")


def test_prices_are_daily_last_snapshot_and_never_zero() -> None:
    day = dt.date(2025, 4, 7)
    morning = dt.datetime.combine(day, dt.time(9, 30), TZ)
    close = dt.datetime.combine(day, dt.time(15, 35), TZ)
    zero = holding("TCS", "3", "3500", "0")._replace(close_price=Decimal("3601.10"))
    nothing = holding("YESBANK", "100", "20", "0")
    built = build_prices(
        [
            snapshot(close, holding("INFY", "10", "1450", "1510.00"), zero, nothing),
            snapshot(morning, holding("INFY", "10", "1450", "1490.00")),
        ],
        TZ,
    )
    assert [(p.date, p.currency, p.amount.number) for p in built.prices] == [
        (day, "INFY", Decimal("1510.00")),
        (day, "TCS", Decimal("3601.10")),  # no last price: previous close, never zero
    ]
    assert built.missing == ("2025-04-07 YESBANK",)
    assert all(p.amount.number > 0 for p in built.prices)


def test_demo_books_load_clean_and_match_the_broker(tmp_path: Path) -> None:
    build_demo_books(tmp_path, TODAY)
    books = load_books(tmp_path / "main.beancount")
    assert books.errors == ()
    units = ledger_units(books.entries)
    assert units["M-AND-M"] == Decimal("4") and units["INF179K01BB8"] == Decimal("123.456")
    assert compare_holdings(units, latest_prices(books.entries), HOLDINGS, 0.005) == ()
    assert any(isinstance(e, data.Balance) for e in books.entries)


def test_units_mismatch_and_value_mismatch_are_reported(tmp_path: Path) -> None:
    build_demo_books(tmp_path, TODAY)
    books = load_books(tmp_path / "main.beancount")
    units, prices = ledger_units(books.entries), latest_prices(books.entries)
    broker = [
        h._replace(quantity=Decimal("12")) if h.symbol == "INFY" else h
        for h in HOLDINGS
        if h.symbol != "BAJAJ-AUTO"
    ]
    broker = [h._replace(last_price=h.last_price * 2) if h.symbol == "M&M" else h for h in broker]
    diffs = {d.commodity: d for d in compare_holdings(units, prices, broker, 0.005)}
    assert diffs["INFY"].problem == "units differ"
    assert (diffs["INFY"].ledger_units, diffs["INFY"].broker_units) == (10, 12)
    assert diffs["BAJAJ-AUTO"].broker_units == 0
    assert diffs["M-AND-M"].problem.startswith("value differs")
    assert "INF179K01BB8" not in diffs
    table = diff_table(list(diffs.values()))
    assert "| INFY | 10 | 12 |" in table and "| M-AND-M |" in table


def test_demo_broker_holdings_become_matching_books(tmp_path: Path) -> None:
    responses = DEMO_RESPONSES
    holdings = demo_holdings(responses)
    assert holdings, "the demo broker ships holdings"
    day = dt.date(2025, 4, 1)
    (tmp_path / "main.beancount").write_text(
        demo_main_beancount(
            opening_balances={}, accounts=[], holdings=holdings, holdings_date=day, open_date=day
        )
    )
    write_price_books(
        tmp_path, [snapshot(dt.datetime.combine(day, dt.time(16), TZ), *holdings)], tz=TZ
    )
    books = load_books(tmp_path / "main.beancount")
    assert books.errors == ()
    assert (
        compare_holdings(ledger_units(books.entries), latest_prices(books.entries), holdings, 0.005)
        == ()
    )
