"""The demo's outputs against the demo's own truth: balances and a month that has transactions.

The demo is built for a fixed past end date, so nothing here depends on today's date: the
balances do not, and the month is counted from the demo's own end, not from the wall clock.
The run may report failed checks (freshness is judged against the real now); these tests
assert on the outputs, not on the run's success.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from assets.expenses.feed import build_expenses_feed, window_start
from assets.expenses.reader import read_feed_inputs
from pipeline.demo.messages import (
    HDFC_DEBIT_CARD_TAIL,
    HDFC_SAVINGS,
    ICICI_SAVINGS,
    IST,
    DemoMessage,
    demo_account_mapping,
    generate_demo_messages,
)
from pipeline.demo.run import run_demo
from pipeline.settings import CONFIG_ENV

END = dt.date(2025, 12, 20)  # in the past on every date the suite runs on
SEED = 5
# The savings accounts as their alerts name them (the HDFC debit card moves the same money).
ACCOUNTS = {
    "XX1276": (
        "HDFC",
        HDFC_SAVINGS.opening,
        re.compile(rf"(?:XX|\*\*?|x)(?:{HDFC_SAVINGS.tail}|{HDFC_DEBIT_CARD_TAIL})\b"),
    ),
    "XX703": ("ICICI", ICICI_SAVINGS.opening, re.compile(rf"XX{ICICI_SAVINGS.tail}\b")),
}
STATES_BALANCE = re.compile(r"\bAv[lb] Bal|\bBal\b", re.IGNORECASE)


# The same demo from each SMS source (chat.db, an Android backup): the same truth holds for both.
@pytest.fixture(scope="module", params=["messages", "android"])
def demo(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    folder = tmp_path_factory.mktemp("truth") / "demo"
    with pytest.MonkeyPatch.context() as mp:
        # The demo sets these for its own run; they must not leak into other tests.
        for name in (CONFIG_ENV, "DAGSTER_HOME", "KITE_API_KEY", "KITE_API_SECRET"):
            mp.delenv(name, raising=False)
        mp.setenv("HOME", str(folder.parent))
        report = run_demo(folder, seed=SEED, end=END, out=io.StringIO(), source=request.param)
    assert report.messages > 0
    with duckdb.connect(str(folder / "data" / "warehouse.duckdb"), read_only=True) as con:
        sources = {s for (s,) in con.execute("SELECT DISTINCT source FROM sms_messages").fetchall()}
    assert sources == {request.param}
    assert (folder / "chat.db").exists() == (request.param == "messages")
    return folder


def _truth() -> list[DemoMessage]:
    return [m for m in generate_demo_messages(END, seed=SEED) if m.is_bank_transaction]


def _expected_balance(name: str) -> tuple[Decimal, dt.datetime]:
    """The running balance after the newest alert of the account that states a balance (the
    alerts the phone lost moved money too: every alert counts, a kept one states it)."""
    bank, balance, names_account = ACCOUNTS[name]
    kept = set(_truth())
    stated: tuple[Decimal, dt.datetime] | None = None
    for m in generate_demo_messages(END, seed=SEED, lose=False):
        if not m.is_bank_transaction or bank not in m.sender or not names_account.search(m.body):
            continue
        balance += m.amount if m.direction == "credit" else -m.amount
        if STATES_BALANCE.search(m.body) and m in kept:
            stated = (balance, m.sent_at)
    assert stated is not None, f"no alert of {name} states a balance"
    return stated


def test_feed_balances_are_the_demo_accounts_newest_balances(demo: Path) -> None:
    feed = json.loads((demo / "data" / "feeds" / "expenses.json").read_text())
    got = {b["account"]: b for b in feed["balances"]}
    assert set(got) == set(ACCOUNTS)
    for name in ACCOUNTS:
        amount, as_of = _expected_balance(name)
        assert Decimal(str(got[name]["amount"])) == amount, name
        assert dt.datetime.fromisoformat(got[name]["as_of"]) == as_of.replace(microsecond=0)
    # Early balances differ from the newest, so the test tells newest from oldest apart.
    first = next(m for m in _truth() if STATES_BALANCE.search(m.body))
    assert dt.datetime.fromisoformat(got["XX1276"]["as_of"]) > first.sent_at


def test_the_demo_months_totals_match_its_alerts(demo: Path) -> None:
    # "Now" is the morning after the demo's last day, so the feed's month is December 2025.
    now = dt.datetime.combine(END + dt.timedelta(days=1), dt.time(8, 0), tzinfo=IST)
    with duckdb.connect(str(demo / "data" / "warehouse.duckdb"), read_only=True) as con:
        inputs = read_feed_inputs(con, window_start(now, IST))
    feed = build_expenses_feed(
        inputs.transactions,
        inputs.balances,
        now=now,
        tz=IST,
        newest_message_at=inputs.newest_message_at,
        total_transactions=inputs.total_transactions,
        account_names={(a["bank"], a["tail"]): a["account"] for a in demo_account_mapping()},
    )
    month = feed["periods"]["this_month"]
    assert (month["from"], month["to"]) == ("2025-12-01", "2025-12-21")
    in_month = [m for m in _truth() if m.sent_at.astimezone(IST).date() >= dt.date(2025, 12, 1)]
    debits = [m.amount for m in in_month if m.direction == "debit"]
    credits = [m.amount for m in in_month if m.direction == "credit"]
    assert len(debits) >= 10 and credits, "the month must really have transactions"
    assert month["count"] + month["transfers"]["count"] == len(in_month)
    spent = Decimal(str(month["debit"])) + Decimal(str(month["transfers"]["debit"]))
    received = Decimal(str(month["credit"])) + Decimal(str(month["transfers"]["credit"]))
    assert spent == sum(debits, Decimal(0))
    assert received == sum(credits, Decimal(0))
    assert inputs.total_transactions == len(_truth())


def test_the_demos_e_mandate_notices_are_linked_to_their_card_alerts(demo: Path) -> None:
    copies = {m.body: m for m in generate_demo_messages(END, seed=SEED) if m.also_alert}
    assert len(copies) >= 6, "the demo must show a few payments with two alerts"
    with duckdb.connect(str(demo / "data" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT s.body, t.status, k.status, k.amount, k.instrument FROM sms_messages s"
            " JOIN transactions t ON t.message_guid = s.guid"
            " LEFT JOIN payment_links l ON l.message_guid = s.guid"
            " LEFT JOIN transactions k ON k.message_guid = l.kept_guid"
            " WHERE s.body LIKE '%e-mandate%'"
        ).fetchall()
    assert {r[0] for r in rows} == set(copies)
    for body, status, kept_status, kept_amount, instrument in rows:
        # Each notice is linked to the card's own alert of its payment, which is counted.
        assert (status, kept_status) == ("linked", "transaction"), body
        assert kept_amount == copies[body].amount and instrument.endswith("_card")
