"""The expenses feed, the weekly review and the ledger count a payment with two alerts once:
their figures from a warehouse with the copies equal those from one without them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data

from assets.books.accounts import TRANSFER_ACCOUNT, parse_account_mapping
from assets.books.entries import build_ledger
from assets.books.reader import read_alerts
from assets.common.warehouse import connect
from assets.expenses.feed import build_expenses_feed
from assets.expenses.reader import read_feed_inputs
from assets.review.compose import spending_section, transfers_section
from assets.review.reader import read_transactions_for
from assets.review.week import parse_iso_week
from tests.transactions.link_shapes import T0, TZ, linked_warehouse

SAVINGS = "Assets:Bank:HDFC:Savings"
CARD = "Liabilities:CreditCard:HDFC"
MAPPING = parse_account_mapping(
    [
        {"bank": "HDFC", "tail": "1276", "account": SAVINGS},
        {"bank": "HDFC", "tail": "1691", "account": CARD},
        {"bank": "HDFC", "tail": "9541", "account": CARD},
        {"bank": "FEDERAL", "tail": "6142", "account": "Assets:Bank:Federal"},
        {"bank": "SBI", "tail": "2298", "account": "Assets:Bank:SBI"},
        {"bank": "ICICI", "tail": "114", "account": "Assets:Bank:ICICI"},
        # The apps' own alerts, mapped as an owner would map a wallet: still never posted.
        {"bank": "CRED", "instrument": "account", "account": "Assets:Wallet:CRED"},
        {"bank": "AMAZONPAY", "instrument": "account", "account": "Assets:Wallet:AmazonPay"},
    ]
)


def _warehouses(tmp_path: Path, window: float = 10) -> tuple[Path, Path]:
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    return (
        linked_warehouse(tmp_path / "with", with_copies=True, window=window),
        linked_warehouse(tmp_path / "without", with_copies=False, window=window),
    )


def _feed(warehouse: Path) -> dict[str, Any]:
    with connect(warehouse, read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        inputs = read_feed_inputs(con, dt.date(2026, 3, 1))
    return build_expenses_feed(
        inputs.transactions,
        inputs.balances,
        now=T0 + dt.timedelta(days=1),
        tz=TZ,
        newest_message_at=inputs.newest_message_at,
        total_transactions=inputs.total_transactions,
    )


def _figures(feed: dict[str, Any]) -> tuple[Any, ...]:
    return (feed["periods"], feed["categories_30d"], feed["balances"], feed["card_limits"])


def test_the_feed_counts_a_payment_with_two_alerts_once(tmp_path: Path) -> None:
    linked, single = _warehouses(tmp_path)
    feed = _feed(linked)
    assert _figures(feed) == _figures(_feed(single))
    month = feed["periods"]["this_month"]
    # 649 (SBI) + 4133.06 (ICICI) + 2900 (Federal) + 649 (HDFC card); the card bill: a transfer.
    assert (month["spend"], month["transfers"]["debit"]) == (8331.06, 36437.91)
    assert feed["periods"]["this_month"]["count"] == 4


def test_without_links_the_copies_would_be_counted_twice(tmp_path: Path) -> None:
    # The same messages with linking off (window 0): the copies count, so the figures differ.
    linked, single = _warehouses(tmp_path, window=0)
    # CRED's confirmation would even count the card bill as spending.
    copies = 36437.91 + 2900 + 649 + 4133.06
    assert _feed(linked)["periods"]["this_month"]["spend"] == round(8331.06 + copies, 2)
    assert _feed(single)["periods"]["this_month"]["spend"] == 8331.06


def _review(warehouse: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    week = parse_iso_week("2026-W12")  # 16–22 March 2026
    with connect(warehouse, read_only=True) as con:
        txns = read_transactions_for(con, [week])
    in_week = [t for t in txns if week.start <= t.local_date(TZ) <= week.end]
    return spending_section(in_week, txns, week, TZ, None), transfers_section(in_week, None)


def test_the_review_counts_a_payment_with_two_alerts_once(tmp_path: Path) -> None:
    linked, single = _warehouses(tmp_path)
    spending, transfers = _review(linked)
    assert (spending, transfers) == _review(single)
    assert (spending["total"], spending["count"]) == (8331.06, 4)


def _sums(entries: tuple[data.Transaction, ...]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for txn in entries:
        for posting in txn.postings:
            sums[posting.account] += posting.units.number
    return dict(sums)


def test_the_ledger_posts_a_payment_with_two_alerts_once(tmp_path: Path) -> None:
    linked, single = _warehouses(tmp_path)
    today = (T0 + dt.timedelta(days=2)).date()
    build = build_ledger(read_alerts(linked), MAPPING, tz=TZ, today=today)
    alone = build_ledger(read_alerts(single), MAPPING, tz=TZ, today=today)
    assert _sums(build.transactions) == _sums(alone.transactions)
    assert build.unmapped == alone.unmapped == ()
    assert len(build.transactions) == len(alone.transactions) == 6
    # The kept entry names the other alerts of its payment.
    also = {t.meta["sms_guid"]: t.meta.get("also_alerted_by") for t in build.transactions}
    assert also == {
        "GUID-000001": "GUID-000003",  # HDFC's debit; CRED's confirmation
        "GUID-000002": None,  # the card's "payment received": the transfer's other leg
        "GUID-000004": "GUID-000005",  # Federal's debit; "Arun Pillai has received"
        "GUID-000006": "GUID-000007",  # the debit card spend; its e-mandate notice
        "GUID-000008": "GUID-000009",  # ICICI's debit; Amazon Pay's confirmation
        "GUID-000010": None,
    }


@pytest.mark.parametrize("with_copies", [True, False])
def test_a_card_bill_paid_from_the_bank_balances_both_accounts(
    tmp_path: Path, with_copies: bool
) -> None:
    warehouse = linked_warehouse(tmp_path, with_copies=with_copies)
    today = (T0 + dt.timedelta(days=2)).date()
    sums = _sums(build_ledger(read_alerts(warehouse), MAPPING, tz=TZ, today=today).transactions)
    # Two legs, one transfer: the bank account pays, the card owes that much less, and the
    # clearing account both legs pass through nets to zero.
    assert sums[SAVINGS] == Decimal("-36437.91")
    assert sums[CARD] == Decimal("36437.91") - Decimal("649")
    assert sums[TRANSFER_ACCOUNT] == 0
    assert "Assets:Wallet:CRED" not in sums
