"""Categories: first matching rule, exactly "Uncategorized" otherwise, clear config errors."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from assets.transactions.categories import (
    DEFAULT_RULES,
    UNCATEGORIZED,
    CategoryConfigError,
    categorize,
    is_transfer,
    rules_from_config,
)
from assets.transactions.model import Transaction
from assets.transactions.parsing import parse_message
from tests.transactions.sms_corpus import CORPORA, load


def txn(
    counterparty: str | None, direction: str = "debit", channel: str = "upi", **kw
) -> Transaction:
    fields = {
        "amount": Decimal("100"),
        "direction": direction,
        "counterparty": counterparty,
        "account_tail": "1234",
        "balance": None,
        "reference": None,
        "channel": channel,
        "date": dt.date(2026, 1, 1),
        "bank": "HDFC",
        "instrument": "account",
    }
    fields.update(kw)
    return Transaction(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("counterparty", "category"),
    [
        ("SWIGGY", "Food:Delivery"),
        ("zomato ltd", "Food:Delivery"),
        ("BHARAT PETROLEUM", "Transport:Fuel"),
        ("TATA 1MG", "Health:Pharmacy"),
        ("NATURE BASKET", "Food:Groceries"),
        ("AMAZON PAY INDIA", "Shopping"),
        ("INOX LEISURE", "Entertainment"),
        ("Spotify India", "Subscriptions"),
        ("MSEDCL", "Bills:Electricity"),
        ("CLEARTRIP", "Travel"),
        ("KREDITBEE", "Loans:EMI"),
        ("JOSEPH THOMAS", UNCATEGORIZED),
    ],
)
def test_default_merchants(counterparty: str, category: str) -> None:
    assert categorize(txn(counterparty), DEFAULT_RULES) == category


def test_kinds_that_need_no_counterparty() -> None:
    assert categorize(txn(None, channel="atm"), DEFAULT_RULES) == "Cash"
    payment = txn(None, direction="credit", channel="other", instrument="credit_card")
    assert categorize(payment, DEFAULT_RULES) == "Transfers:CreditCardPayment"
    assert categorize(txn("CLEARTRIP", "credit", "card"), DEFAULT_RULES) == "Refunds"
    # An employer's NEFT credit does not say it is salary: no guess.
    assert categorize(txn("BLUEPEAK CONSULTING", "credit", "neft"), DEFAULT_RULES) == UNCATEGORIZED
    assert categorize(txn(None, "credit", "imps"), DEFAULT_RULES) == UNCATEGORIZED
    # A merchant rule is for spends: money from SWIGGY is not food spending.
    assert categorize(txn("SWIGGY", "credit", "upi"), DEFAULT_RULES) == UNCATEGORIZED


def test_user_rules_come_first_and_are_validated() -> None:
    rules = rules_from_config([{"pattern": "joseph", "category": "Family:Transfers"}])
    assert categorize(txn("JOSEPH THOMAS"), rules) == "Family:Transfers"
    assert categorize(txn("SWIGGY"), rules) == "Food:Delivery"
    swiggy = rules_from_config([{"pattern": "swiggy", "category": "Food:Groceries"}])
    assert categorize(txn("SWIGGY"), swiggy) == "Food:Groceries"


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ({"pattern": "(unclosed", "category": "Food"}, "not a valid regular expression"),
        ({"pattern": "x", "category": "food delivery"}, "capital letter"),
        ({"pattern": "x", "category": "Food", "direction": "out"}, '"direction"'),
        ({"pattern": "x", "category": "Food", "colour": "red"}, "unknown key"),
    ],
)
def test_bad_rules_name_the_entry_and_show_an_example(entry: dict, needle: str) -> None:
    with pytest.raises(CategoryConfigError) as error:
        rules_from_config([{"pattern": "ok", "category": "Ok"}, entry])
    assert "category rule 2" in str(error.value) and needle in str(error.value)
    assert 'category = "Food:Delivery"' in str(error.value)


def test_every_category_is_a_beancount_account_tail_and_every_corpus_txn_gets_one() -> None:
    tail = re.compile(r"[A-Z][A-Za-z0-9-]*(?::[A-Z][A-Za-z0-9-]*)*")
    assert all(tail.fullmatch(rule.category) for rule in DEFAULT_RULES)
    for name in CORPORA:
        for line in load(name):
            parsed = parse_message(line["sender"], line["body"]).transaction
            if parsed is not None:
                category = categorize(parsed, DEFAULT_RULES)
                assert category == UNCATEGORIZED or tail.fullmatch(category)


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("Transfers", True),
        ("Transfers:CreditCardPayment", True),
        ("Transfer", True),
        ("Transfer:Self", True),  # the singular root: a clearing transfer in the ledger too
        ("TransfersOut", False),
        ("Food:Transfers", False),
        ("Uncategorized", False),
        (None, False),
        ("", False),
    ],
)
def test_is_transfer_reads_the_first_component(category: str | None, expected: bool) -> None:
    assert is_transfer(category) is expected


def test_feed_and_books_share_the_transfer_rule() -> None:
    from assets.books.accounts import TRANSFER_ACCOUNT, counter_account

    for direction in ("debit", "credit"):
        assert counter_account(direction, "Transfer:Self") == TRANSFER_ACCOUNT
        assert counter_account(direction, "Transfers:OwnAccounts") == TRANSFER_ACCOUNT
    assert counter_account("debit", "TransfersOut") == "Expenses:TransfersOut"


def test_a_refund_from_a_known_merchant_gets_the_merchants_category() -> None:
    from decimal import Decimal

    from assets.transactions.categories import categorize_as_purchase_if_refund
    from assets.transactions.model import Transaction

    refund = Transaction(
        Decimal("99"), "credit", "SWIGGY", "6628", None, None, "card", None, "HDFC",
        "credit_card", kind="refund",
    )  # fmt: skip
    assert categorize_as_purchase_if_refund(refund) == "Food:Delivery"
    # An unknown payee keeps the rules' credit category; a non-refund credit is untouched.
    assert categorize_as_purchase_if_refund(refund._replace(counterparty="RAMESH")) == "Refunds"
    assert categorize_as_purchase_if_refund(refund._replace(kind="transfer")) == "Refunds"
