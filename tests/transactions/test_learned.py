"""Learned categories: the model on an owner-labelled history, and filing in a real warehouse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assets.books.entries import transaction_for
from assets.common.warehouse import connect
from assets.expenses.feed import build_expenses_feed
from assets.sms.ingest import ingest_new_messages
from assets.transactions.categories import DEFAULT_RULES, UNCATEGORIZED, CategoryRule, categorize
from assets.transactions.derive import derive_transactions
from assets.transactions.learned import Example, train
from assets.transactions.learned_apply import LEARNED, learn_from_warehouse
from assets.transactions.model import Transaction
from assets.transactions.payees import PayeeResolver, shipped_aliases
from assets.transactions.stored import read_stored_transactions
from assets.transactions.uncategorized import load_uncategorized
from tests.sms.helpers import ChatDb
from tests.transactions.learned_history import (
    LATE_PAYEES,
    MONTHS,
    PAYEES,
    history,
    store_history,
)
from tests.transactions.test_derive_kind_payee import CARD_SPEND, HEADERS, rows

TZ = ZoneInfo("Asia/Kolkata")
GROCER = CategoryRule("^KAVERI STORES$", "Food:Groceries", "debit")
TAILOR = CategoryRule("^NEHA TAILORS$", "Shopping:Clothing", "debit")
OWNER = (GROCER, TAILOR, *DEFAULT_RULES)


def test_the_evaluation_history_owes_nothing_to_homeclerks_rules_or_payee_table() -> None:
    shipped = {alias.name for alias in shipped_aliases()}
    resolve = PayeeResolver(())
    rows_ = history(3)
    assert len({r.category for r in rows_}) >= 15
    for row in rows_:
        x = row.example
        assert resolve(x.counterparty) not in shipped, x.counterparty
        txn = Transaction(
            Decimal(str(x.amount)),
            "debit",
            x.counterparty,
            None,
            None,
            None,
            x.channel,
            None,
            "HDFC",
            "account",
            kind=x.kind,  # type: ignore[arg-type]
        )
        assert categorize(txn, DEFAULT_RULES) == UNCATEGORIZED, x.counterparty
    assert {p.name for p in PAYEES + LATE_PAYEES} == {r.name for r in rows_}


def test_the_model_files_the_held_out_month_as_the_owner_did() -> None:
    rows_ = history(1)
    model = train([(r.example, r.category) for r in rows_ if r.month < MONTHS - 1])
    held_out = [r for r in rows_ if r.month == MONTHS - 1]
    suggestions = [(model.suggest(r.example), r.category) for r in held_out]
    right = sum(1 for s, truth in suggestions if s is not None and s.category == truth)
    assert right / len(held_out) >= 0.9
    sure = [(s, truth) for s, truth in suggestions if s is not None and s.confidence >= 0.95]
    assert len(sure) >= 0.8 * len(held_out)
    assert sum(s.category == truth for s, truth in sure) >= 0.95 * len(sure)


def test_learning_from_a_warehouse_counts_what_learning_row_by_row_counts(
    tmp_path: Path,
) -> None:
    rows_ = history(2)
    store_history(tmp_path / "w.duckdb", rows_)
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        from_warehouse = learn_from_warehouse(con, TZ).models
    by_row = train([(r.example, r.category) for r in rows_])
    assert list(from_warehouse) == ["debit"]
    model = from_warehouse["debit"]
    assert model.class_counts == by_row.class_counts
    assert model.feature_totals == by_row.feature_totals
    assert {f: dict(c) for f, c in model.counts.items()} == {
        f: dict(c) for f, c in by_row.counts.items()
    }
    for row in rows_[-50:]:
        ours, theirs = model.suggest(row.example), by_row.suggest(row.example)
        assert ours is not None and theirs is not None
        assert ours.category == theirs.category
        assert ours.confidence == pytest.approx(theirs.confidence)  # summed in another order


def _x(counterparty: str, amount: float = 400.0, hour: int = 10) -> Example:
    when = dt.datetime(2026, 3, 2, hour, tzinfo=TZ)
    return Example(counterparty.title(), counterparty, "debit", "card", "purchase", amount, when)


def test_nothing_is_suggested_from_one_category_or_without_anything_naming_the_payee() -> None:
    one = train([(_x("KAVERI STORES"), "Food:Groceries")] * 3)
    assert one.suggest(_x("KAVERI STORES")) is None
    two = train([(_x("KAVERI STORES"), "Food:Groceries"), (_x("NEHA TAILORS"), "Shopping")])
    assert two.suggest(_x("QWERTY ZXCVB")) is None  # only amount and hour known
    best = two.suggest(_x("KAVERI STORES HSR"))
    assert best is not None and best.category == "Food:Groceries" and best.confidence > 0.9


def _card(chat_db: ChatDb, merchant: str, amount: str, day: int) -> object:
    return chat_db.message(
        "VM-HDFCBK",
        CARD_SPEND.format(amount=amount, merchant=merchant, date=f"2026-10-{day:02d}"),
    )


# The same two rules as homeclerk.toml has them.
OWNER_RULES_TOML = (
    '[[categories.rules]]\npattern = "^KAVERI STORES$"\ncategory = "Food:Groceries"\n'
    'direction = "debit"\n\n[[categories.rules]]\npattern = "^NEHA TAILORS$"\n'
    'category = "Shopping:Clothing"\ndirection = "debit"\n'
)


def learnable_spending(chat_db: ChatDb) -> None:
    """Spending the owner's two rules file (a grocer, a tailor) and two payees they do not: a
    new spelling of the grocer and a stranger."""
    messages = [_card(chat_db, "KAVERI STORES", f"{300 + 40 * i}.00", 1 + i) for i in range(6)]
    messages += [_card(chat_db, "NEHA TAILORS", f"{1500 + 90 * i}.00", 2 + i) for i in range(4)]
    messages += [_card(chat_db, "KAVERI STORES HSR", "420.00", 20)]
    messages += [_card(chat_db, "ZORBA XYLO", "777.00", 21)]
    chat_db.add(messages)  # type: ignore[arg-type]


@pytest.fixture
def warehouse(chat_db: ChatDb, tmp_path: Path) -> Path:
    learnable_spending(chat_db)
    return tmp_path / "w.duckdb"


def _derive(chat_db: ChatDb, warehouse: Path, confidence: float | None, rules=OWNER):  # type: ignore[no-untyped-def]
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    return derive_transactions(warehouse, rules, TZ, learned_confidence=confidence)


def _filed(warehouse: Path) -> dict[str, tuple[str, str | None]]:
    return {
        party: (category, source)
        for party, category, source in rows(
            warehouse,
            "SELECT counterparty, category, category_source FROM transactions"
            " WHERE counterparty IN ('KAVERI STORES HSR', 'ZORBA XYLO', 'KAVERI STORES')",
        )
    }


def test_with_the_setting_off_nothing_is_filed_and_turning_it_off_gives_filed_rows_back(
    chat_db: ChatDb, warehouse: Path
) -> None:
    stats = _derive(chat_db, warehouse, None)
    assert stats.learned == 0
    assert _filed(warehouse)["KAVERI STORES HSR"] == (UNCATEGORIZED, None)
    assert _derive(chat_db, warehouse, 0.9).learned == 1
    assert _filed(warehouse)["KAVERI STORES HSR"] == ("Food:Groceries", LEARNED)
    assert _derive(chat_db, warehouse, None).learned == 1
    assert _filed(warehouse)["KAVERI STORES HSR"] == (UNCATEGORIZED, None)


def test_above_the_threshold_a_suggestion_is_filed_and_marked_learned_everywhere(
    chat_db: ChatDb, warehouse: Path
) -> None:
    stats = _derive(chat_db, warehouse, 0.9)
    assert stats.learned == 1
    assert _filed(warehouse) == {
        "KAVERI STORES": ("Food:Groceries", None),
        "KAVERI STORES HSR": ("Food:Groceries", LEARNED),
        "ZORBA XYLO": (UNCATEGORIZED, None),  # nothing names it: no guess
    }
    assert _derive(chat_db, warehouse, 0.9).learned == 0  # nothing changed: nothing re-filed
    with connect(warehouse, read_only=True) as con:
        stored = {t.counterparty: t for t in read_stored_transactions(con)}
    learned = stored["KAVERI STORES HSR"]
    assert learned.category_source == LEARNED
    entry = transaction_for(learned, "Liabilities:HDFC:Card", dt.date(2026, 10, 20))
    assert entry.meta["category_source"] == LEARNED
    assert entry.postings[1].account == "Expenses:Food:Groceries"
    assert (
        "category_source"
        not in transaction_for(
            stored["KAVERI STORES"], "Liabilities:HDFC:Card", dt.date(2026, 10, 1)
        ).meta
    )
    feed = build_expenses_feed(
        stored.values(),
        [],
        now=dt.datetime(2026, 10, 22, 12, tzinfo=TZ),
        tz=TZ,
        newest_message_at=None,
        total_transactions=len(stored),
    )
    sources = {t["counterparty"]: t["category_source"] for t in feed["recent"]}
    assert sources["KAVERI STORES HSR"] == LEARNED
    assert sources["ZORBA XYLO"] is None


def test_a_changed_setting_refiles_what_it_decides(chat_db: ChatDb, warehouse: Path) -> None:
    assert _derive(chat_db, warehouse, 0.5).learned == 1
    # No suggestion is this sure: the learned row goes back, though nothing else changed.
    assert _derive(chat_db, warehouse, 1.0).learned == 1
    assert _filed(warehouse)["KAVERI STORES HSR"] == (UNCATEGORIZED, None)


def test_a_refund_follows_its_purchase_never_the_model(chat_db: ChatDb, warehouse: Path) -> None:
    _derive(chat_db, warehouse, None)
    with connect(warehouse) as con:  # money back from the new spelling, its purchase unknown
        con.execute("UPDATE transactions SET kind = 'refund' WHERE amount = 420")
    assert _derive(chat_db, warehouse, 0.5).learned == 0
    assert _filed(warehouse)["KAVERI STORES HSR"] == (UNCATEGORIZED, None)


def test_a_rule_always_wins_over_a_learned_category(chat_db: ChatDb, warehouse: Path) -> None:
    _derive(chat_db, warehouse, 0.5)
    assert _filed(warehouse)["KAVERI STORES HSR"] == ("Food:Groceries", LEARNED)
    treats = CategoryRule("^KAVERI STORES HSR$", "Food:Treats", "debit")
    stats = _derive(chat_db, warehouse, 0.5, rules=(treats, *OWNER))
    assert stats.refiled == 1
    assert _filed(warehouse)["KAVERI STORES HSR"] == ("Food:Treats", None)
    # The rule's category is now history the model learns from, never something it re-files.
    assert _derive(chat_db, warehouse, 0.5, rules=(treats, *OWNER)).learned == 0
    assert _filed(warehouse)["KAVERI STORES HSR"] == ("Food:Treats", None)


def test_categorize_lists_the_learned_suggestion_beside_the_payee(
    chat_db: ChatDb, warehouse: Path
) -> None:
    _derive(chat_db, warehouse, None)
    groups = {g.payee: g for g in load_uncategorized(warehouse, OWNER, TZ)}
    hsr = groups["Kaveri Stores HSR"].summary()
    assert (hsr["suggested"], hsr["suggested_by"]) == ("Expenses:Food:Groceries", "learned")
    assert 0.9 < hsr["confidence"] <= 1.0
    stranger = groups["Zorba Xylo"].summary()
    assert (stranger["suggested"], stranger["confidence"]) == (None, None)
