"""Stored rows follow the category rules: a changed rule re-files what it decides, nothing else."""

from __future__ import annotations

from pathlib import Path

from assets.common.warehouse import connect
from assets.transactions.categories import DEFAULT_RULES, CategoryRule
from assets.transactions.category_refresh import refresh_categories
from tests.sms.helpers import UPI_DEBIT, ChatDb
from tests.transactions.test_derive_kind_payee import CARD_SPEND, REVERSAL, _derive, rows

JOSEPH = CategoryRule("^(?:Joseph Thomas|JOSEPH THOMAS)$", "Family:Support", "debit")
RAMESH = CategoryRule("^RAMESH STORES$", "Gifts", "debit")


def _categories(warehouse: Path) -> list[tuple]:
    return rows(
        warehouse,
        "SELECT payee, direction, category FROM transactions WHERE status = 'transaction'"
        " ORDER BY message_rowid",
    )


def _stored(chat_db: ChatDb) -> None:
    chat_db.add(
        [
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="500.00")),
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="1250.00")),
            chat_db.message(
                "VM-HDFCBK",
                CARD_SPEND.format(amount="300.00", merchant="SWIGGY", date="2026-10-01"),
            ),
        ]
    )


def test_a_new_rule_refiles_the_stored_rows_it_decides_and_removing_it_undoes_that(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    _stored(chat_db)
    _derive(chat_db, warehouse)
    before = [
        ("Joseph Thomas", "debit", "Uncategorized"),
        ("Joseph Thomas", "debit", "Uncategorized"),
        ("Swiggy", "debit", "Food:Delivery"),
    ]
    assert _categories(warehouse) == before
    owner = (JOSEPH, *DEFAULT_RULES)
    stats = _derive(chat_db, warehouse, rules=owner)
    assert (stats.considered, stats.refiled) == (0, 2)  # nothing new: stored rows re-filed
    assert _categories(warehouse) == [
        ("Joseph Thomas", "debit", "Family:Support"),
        ("Joseph Thomas", "debit", "Family:Support"),
        ("Swiggy", "debit", "Food:Delivery"),
    ]
    with connect(warehouse) as con:
        assert refresh_categories(con, owner) == 0  # the same rules: nothing to do
    _derive(chat_db, warehouse)
    assert _categories(warehouse) == before


def test_a_category_the_rules_did_not_give_is_left_alone(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _stored(chat_db)
    _derive(chat_db, warehouse)
    with connect(warehouse) as con:  # filed apart from the rules (an older homeclerk)
        con.execute("UPDATE transactions SET category = 'Gifts:Party' WHERE amount = 500")
    swiggy = CategoryRule("swiggy", "Food:Treats", "debit")
    _derive(chat_db, warehouse, rules=(JOSEPH, swiggy, *DEFAULT_RULES))
    assert _categories(warehouse) == [
        ("Joseph Thomas", "debit", "Gifts:Party"),
        ("Joseph Thomas", "debit", "Family:Support"),
        ("Swiggy", "debit", "Food:Treats"),
    ]


def test_a_warehouse_that_kept_no_rules_refiles_only_the_uncategorized(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    _stored(chat_db)
    _derive(chat_db, warehouse)
    with connect(warehouse) as con:  # as an earlier homeclerk left it
        con.execute("DELETE FROM derive_state WHERE key = 'category_rules'")
        con.execute("UPDATE transactions SET category = 'Shopping' WHERE payee = 'Swiggy'")
    _derive(chat_db, warehouse, rules=(JOSEPH, *DEFAULT_RULES))
    assert [c for _, _, c in _categories(warehouse)] == [
        "Family:Support",
        "Family:Support",
        "Shopping",
    ]


def test_a_refund_follows_its_refiled_purchase(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    chat_db.add(
        [
            chat_db.message(
                "VM-HDFCBK",
                CARD_SPEND.format(amount="2500.00", merchant="RAMESH STORES", date="2026-10-02"),
            ),
            chat_db.message(
                "VM-HDFCBK",
                REVERSAL.format(amount="1000.00", merchant="RAMESH STORES", date="2026-10-10"),
            ),
            chat_db.message(
                "VM-HDFCBK",
                REVERSAL.format(amount="99.00", merchant="SWIGGY", date="2026-10-11"),
            ),
        ]
    )
    _derive(chat_db, warehouse)
    assert _categories(warehouse) == [
        ("Ramesh Stores", "debit", "Uncategorized"),
        ("Ramesh Stores", "credit", "Uncategorized"),
        ("Swiggy", "credit", "Food:Delivery"),
    ]
    _derive(chat_db, warehouse, rules=(RAMESH, *DEFAULT_RULES))
    assert _categories(warehouse) == [
        ("Ramesh Stores", "debit", "Gifts"),
        ("Ramesh Stores", "credit", "Gifts"),
        ("Swiggy", "credit", "Food:Delivery"),
    ]
