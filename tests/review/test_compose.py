"""The weekly review from a real warehouse: each kind of week, read and composed with no Dagster."""

from __future__ import annotations

import datetime as dt
import re
import time
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from assets.common.warehouse import connect
from assets.portfolio.history import append_snapshot
from assets.review.compose import (
    PipelineHealth,
    PortfolioHistory,
    ReviewInputs,
    build_review,
    suggest_rule,
)
from assets.review.reader import read_transactions_for, read_week
from assets.review.render import render_html, render_markdown
from assets.review.week import (
    Week,
    parse_iso_week,
    week_containing,
    week_of_key,
    weeks_between,
)
from assets.sms.tables import ensure_tables
from assets.transactions.categories import categorize, rules_from_config
from assets.transactions.model import Transaction
from assets.transactions.tables import ensure_transactions_table
from tests.review.helpers import (
    BROKER_FIRST,
    FIRST_DAY,
    IST,
    build_warehouse,
    day_transactions,
    sms_days,
    snapshot_on,
    store_alert,
    value_on,
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("review") / "warehouse.duckdb"
    build_warehouse(path)
    return path


def review_of(warehouse: Path, iso: str) -> dict:
    week = parse_iso_week(iso)
    with connect(warehouse, read_only=True) as con:
        data = read_week(con, week, IST, read_transactions_for(con, [week]))
    unrecognized = data.pop("unrecognized")
    return build_review(
        ReviewInputs(**data, books=None, health=PipelineHealth((), 0, unrecognized))
    )


def expected_spending(week: Week) -> Decimal:
    """Debits that are not transfers, from the helper's own plan of the history."""
    stored = set(sms_days())
    return sum(
        (
            amount
            for day in week.days()
            if day in stored
            for _, amount, direction, _, category in day_transactions(day)
            if direction == "debit" and category != "Transfer"
        ),
        Decimal(0),
    )


def test_iso_weeks_map_to_monday_keys_and_bad_input_names_the_fix() -> None:
    assert parse_iso_week("2026-W47").key == "2026-11-16"
    assert parse_iso_week("2026-W01").key == "2025-12-29"  # ISO year ≠ the Monday's year
    assert parse_iso_week("2026-W01").iso == "2026-W01"
    assert len(weeks_between(parse_iso_week("2025-W01"), parse_iso_week("2025-W52"))) == 52
    with pytest.raises(ValueError, match="YYYY-Www"):
        parse_iso_week("2026-47")
    with pytest.raises(ValueError, match="has 52 ISO weeks"):
        parse_iso_week("2025-W53")
    with pytest.raises(ValueError, match="swap"):
        weeks_between(parse_iso_week("2025-W05"), parse_iso_week("2025-W01"))


def test_partition_keys_and_days_map_to_their_weeks() -> None:
    monday = parse_iso_week("2025-W46")
    assert week_of_key("2025-11-10") == monday and monday.key == "2025-11-10"
    with pytest.raises(ValueError, match=r"partition key '2025-11-11' is not a Monday"):
        week_of_key("2025-11-11")
    assert week_containing(dt.date(2025, 11, 10)) == monday  # its Monday
    assert week_containing(dt.date(2025, 11, 16)) == monday  # its Sunday
    assert week_containing(dt.date(2025, 11, 17)) == monday.shifted(1)
    assert weeks_between(monday, monday) == [monday]  # one week is a range too


def test_a_week_with_data_spanning_a_month_end(warehouse: Path) -> None:
    review = review_of(warehouse, "2025-W44")  # Mon 27 Oct – Sun 2 Nov
    week = parse_iso_week("2025-W44")
    spending = review["spending"]
    assert review["coverage"]["note"] is None and review["coverage"]["quiet"] == []
    assert spending["total"] == float(expected_spending(week))
    assert [d["date"] for d in spending["daily"]][3:6] == ["2025-10-30", "2025-10-31", "2025-11-01"]
    assert spending["daily"][4]["amount"] == 310.0 + 123.0  # Fri 31 Oct: food + the mystery shop
    food = next(c for c in spending["categories"] if c["category"] == "Food:Delivery")
    # The 4 weeks before hold W42 and W43 only: their food, over 4.
    earlier = sum(d.day * 10 for w in ("2025-W42", "2025-W43") for d in parse_iso_week(w).days())
    assert food["average"] == round(earlier / 4, 2)
    assert review["income"]["total"] == 1000.0
    assert review["transfers"] == {"title": "Transfers", "out": 500.0, "in": 0.0, "count": 1}
    assert all(c["category"] != "Transfer" for c in spending["categories"])
    assert spending["largest"][0]["amount"] == 310.0
    # Both spellings of "no category": the parser's "Uncategorized" and an older NULL.
    loose = review["uncategorized"]["transactions"]
    assert [(t["counterparty"], t["date"]) for t in loose] == [
        ("MYSTERY SHOP.IN", "2025-10-31"),
        ("OLD ROW", "2025-11-01"),
    ]
    assert r'pattern = "MYSTERY\\ SHOP\\.IN"' in loose[0]["rule"]  # TOML-escaped regex
    (balance,) = review["balances"]["accounts"]
    assert balance["as_of"] == "2025-11-02"
    portfolio = review["portfolio"]
    assert portfolio["start_value"] == float(value_on(dt.date(2025, 10, 26)))
    assert portfolio["end_value"] == float(value_on(dt.date(2025, 11, 2)))
    assert portfolio["pnl"] == portfolio["end_value"] - portfolio["start_value"]
    assert [m["symbol"] for m in portfolio["movers"]] == ["INFY", "TCS"]


def test_a_week_with_no_data_says_why_and_shows_no_zeros(warehouse: Path) -> None:
    review = review_of(warehouse, "2025-W47")  # after the last SMS: the source went quiet
    why = "no bank SMS from 17 to 23 Nov: the source was quiet"
    assert review["coverage"]["note"] == why
    for key in ("spending", "income", "transfers", "uncategorized"):
        assert review[key] == {"title": review[key]["title"], "note": why}
    markdown = render_markdown(review)
    spending_part = markdown.split("## Spending")[1].split("## Income")[0]
    assert why in spending_part and "0.00" not in spending_part


def test_a_partly_missed_week_names_the_quiet_days(warehouse: Path) -> None:
    review = review_of(warehouse, "2025-W45")  # no SMS Wed 5 – Fri 7 Nov
    assert review["coverage"]["quiet"] == [
        {"from": "2025-11-05", "to": "2025-11-07", "text": "5 to 7 Nov"}
    ]
    assert review["spending"]["total"] == float(expected_spending(parse_iso_week("2025-W45")))
    assert "no bank SMS from 5 to 7 Nov: the source was quiet" in render_markdown(review)
    assert "no bank SMS from 5 to 7 Nov" in render_html(review)


def test_the_week_history_began_and_the_week_before_it(warehouse: Path) -> None:
    first = review_of(warehouse, "2025-W42")
    assert parse_iso_week("2025-W42").start == FIRST_DAY
    assert first["spending"]["average_note"].startswith("no spending stored in the 4 weeks")
    assert first["portfolio"]["note"] == (
        f"before the stored broker history: it begins on {BROKER_FIRST.day} Oct 2025"
    )
    before = review_of(warehouse, "2025-W41")
    assert before["coverage"]["note"] == "before the stored history: bank SMS begin on 13 Oct 2025"
    assert "note" in before["spending"] and "total" not in before["spending"]
    assert before["balances"]["note"].startswith("no alert stated a balance")
    broker_began = review_of(warehouse, "2025-W43")["portfolio"]
    assert "inside this week" in broker_began["note"] and "start_value" not in broker_began


def test_power_is_not_configured_until_its_domain_exists(warehouse: Path) -> None:
    review = review_of(warehouse, "2025-W44")
    assert review["power"] == {"title": "Power", "note": "power: not configured"}
    assert "power: not configured" in render_markdown(review)


@pytest.mark.parametrize("counterparty", ["MYSTERY SHOP.IN", 'A+B (C) "D" \\ E', None])
def test_the_suggested_rule_categorizes_the_transaction(counterparty: str | None) -> None:
    from assets.transactions.stored import StoredTransaction

    txn = StoredTransaction(
        "G",
        dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        Decimal(5),
        "debit",
        counterparty,
        "1",
        None,
        None,
        "upi",
        None,
        "HDFC",
        "account",
        None,
    )
    rule = tomllib.loads(suggest_rule(txn))["categories"]["rules"][0]
    assert rule["category"] == "Category:Name"
    rules = rules_from_config([{**rule, "category": "Shopping"}])
    parsed = Transaction(
        amount=Decimal(5),
        direction="debit",
        counterparty=counterparty,
        account_tail="1",
        balance=None,
        reference=None,
        channel="upi",
        date=None,
        bank="HDFC",
        instrument="account",
    )
    assert categorize(parsed, rules) == "Shopping"


def test_the_html_is_self_contained(warehouse: Path) -> None:
    html = render_html(review_of(warehouse, "2025-W44"))
    assert "<script" not in html and not re.search(r"""(src|href)=["']?https?:""", html)
    assert html.count("<svg") == 2


# Alerts around local midnight where two weeks meet: 00:00-05:30 IST is still the day before in
# UTC, so a week bounded in UTC instead of the owner's zone moves them into the wrong week.
# (day, hh:mm IST, counterparty, amount, balance after; None: an alert no rule read)
MIDNIGHT_ALERTS = [
    (dt.date(2025, 11, 3), (0, 30), "W45 FIRST HOUR", 333, 9667),  # Mon: W45 begins
    (dt.date(2025, 11, 9), (23, 30), "LATE SUNDAY", 111, 9556),  # Sun: W45's last hour
    (dt.date(2025, 11, 10), (0, 15), None, None, None),  # Mon 00:15: W46, unrecognized
    (dt.date(2025, 11, 10), (0, 30), "EARLY MONDAY", 222, 9334),  # Mon: W46's first hour
    (dt.date(2025, 11, 16), (23, 30), "W46 LAST HOUR", 444, 8890),
]


@pytest.fixture(scope="module")
def midnight_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("midnight") / "warehouse.duckdb"
    with connect(path) as con:
        ensure_tables(con)
        ensure_transactions_table(con)
        for rowid, (day, (hour, minute), counterparty, amount, balance) in enumerate(
            MIDNIGHT_ALERTS, start=1
        ):
            at = dt.datetime.combine(day, dt.time(hour, minute), IST)
            store_alert(
                con,
                rowid,
                f"G-{rowid}",
                at,
                None if amount is None else Decimal(amount),
                None if amount is None else "debit",
                counterparty,
                "Shopping" if amount else None,
                None if balance is None else Decimal(balance),
                day,  # no date in the body: derive stored the local day it arrived
                status="transaction" if amount else "unrecognized",
                date_from_body=False,
            )
    # The broker history begins with the first SMS, in the first half hour of Monday 3 Nov.
    first_at = dt.datetime.combine(dt.date(2025, 11, 3), dt.time(0, 30), IST)
    append_snapshot(path, snapshot_on(dt.date(2025, 11, 3))._replace(fetched_at=first_at))
    return path


def test_alerts_around_local_midnight_land_in_the_owner_s_week(midnight_warehouse: Path) -> None:
    w45, w46 = parse_iso_week("2025-W45"), parse_iso_week("2025-W46")
    with connect(midnight_warehouse, read_only=True) as con:
        read = {w.iso: read_week(con, w, IST, read_transactions_for(con, [w])) for w in (w45, w46)}
    assert read["2025-W45"]["sms_days"] == {dt.date(2025, 11, 3), dt.date(2025, 11, 9)}
    assert read["2025-W46"]["sms_days"] == {dt.date(2025, 11, 10), dt.date(2025, 11, 16)}
    assert (read["2025-W45"]["unrecognized"], read["2025-W46"]["unrecognized"]) == (0, 1)
    [w45_balance] = read["2025-W45"]["balances"]
    assert w45_balance.balance == Decimal(9556)  # Sunday 23:30's, not Monday 00:30's

    first = review_of(midnight_warehouse, "2025-W45")
    assert first["spending"]["total"] == 333.0 + 111.0
    assert [(t["counterparty"], t["date"]) for t in first["spending"]["largest"]] == [
        ("W45 FIRST HOUR", "2025-11-03"),
        ("LATE SUNDAY", "2025-11-09"),
    ]
    [account] = first["balances"]["accounts"]
    assert account == {
        "account": "HDFC XX1276",
        "ledger_account": None,
        "instrument": "account",
        "balance": 9556.0,
        "as_of": "2025-11-09",
        "link": None,  # no Fava address given
    }
    second = review_of(midnight_warehouse, "2025-W46")
    assert second["spending"]["total"] == 222.0 + 444.0
    assert [d["amount"] for d in second["spending"]["daily"]] == [222.0, 0, 0, 0, 0, 0, 444.0]
    assert second["health"]["unrecognized_messages"] == 1
    assert second["balances"]["accounts"][0]["balance"] == 8890.0


def test_history_begins_on_the_owner_s_day_whatever_the_machine_s_zone(
    midnight_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first SMS came at 00:30 IST on Monday 3 Nov: still Sunday in Los Angeles.
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        week = parse_iso_week("2025-W45")
        with connect(midnight_warehouse, read_only=True) as con:
            data = read_week(con, week, IST, read_transactions_for(con, [week]))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert data["history_began"] == dt.date(2025, 11, 3)
    assert data["portfolio"].began == dt.date(2025, 11, 3)


def test_a_warehouse_with_no_transactions_table_or_no_sms_yet(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    # A broker history whose snapshots were all removed: its tables exist, empty.
    append_snapshot(path, snapshot_on(dt.date(2025, 11, 3)))
    with connect(path) as con:
        ensure_tables(con)  # sms_messages exists, empty; no transactions table yet
        con.execute("DELETE FROM broker_holdings_history")
        con.execute("DELETE FROM broker_snapshots")
    week = parse_iso_week("2025-W45")
    with connect(path, read_only=True) as con:
        data = read_week(con, week, IST, read_transactions_for(con, [week]))
    assert (data["sms_days"], data["history_began"]) == (frozenset(), None)
    assert (data["balances"], data["unrecognized"], data["transactions"]) == ([], 0, [])
    assert data["portfolio"] == PortfolioHistory(None, None, None)
