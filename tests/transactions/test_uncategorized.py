"""The groups `homeclerk categorize` lists, read from a real warehouse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.transactions.categories import DEFAULT_RULES, CategoryRule
from assets.transactions.uncategorized import load_uncategorized
from tests.sms.helpers import UPI_DEBIT, ChatDb
from tests.transactions.test_derive_kind_payee import CARD_SPEND, _derive

TZ = ZoneInfo("Asia/Kolkata")


def test_groups_by_payee_most_spent_first_without_held_amounts(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    chat_db.add(
        [
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="500.00")),
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="1,250.00")),
            # Far above any plausible amount: held until confirmed, so not listed.
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="9,99,99,999.00")),
            chat_db.message(
                "VM-HDFCBK",
                CARD_SPEND.format(amount="2000.00", merchant="KAVERI STORES", date="2026-10-01"),
            ),
            chat_db.message(
                "VM-HDFCBK",
                CARD_SPEND.format(amount="300.00", merchant="SWIGGY", date="2026-10-02"),
            ),
        ]
    )
    stats = _derive(chat_db, warehouse)
    assert len(stats.held) == 1
    groups = load_uncategorized(warehouse, DEFAULT_RULES, TZ)
    assert [(g.payee, g.count, g.total) for g in groups] == [
        ("Kaveri Stores", 1, Decimal("2000.00")),
        ("Joseph Thomas", 2, Decimal("1750.00")),
    ]
    joseph = groups[1]
    assert joseph.last_seen == dt.date(2025, 8, 24)
    assert joseph.counterparties == ("JOSEPH THOMAS",)
    assert "458167896224" not in joseph.example and "To JOSEPH THOMAS" in joseph.example
    assert (joseph.suggested, joseph.confidence) == (None, None)

    # A rule written since the last run: the group says what the rules now file it as.
    rule = CategoryRule("^(?:Joseph Thomas|JOSEPH THOMAS)$", "Family", "debit")
    now = {g.payee: g for g in load_uncategorized(warehouse, (rule, *DEFAULT_RULES), TZ)}
    assert (now["Joseph Thomas"].suggested, now["Joseph Thomas"].confidence) == (
        "Expenses:Family",
        1.0,
    )
    assert now["Kaveri Stores"].suggested is None

    # A reader that shows only the first group asks for its example alone; the rest is the same.
    first = load_uncategorized(warehouse, DEFAULT_RULES, examples=1)
    assert first[0] == groups[0] and "KAVERI STORES" in first[0].example
    assert first[1] == joseph._replace(example="")
