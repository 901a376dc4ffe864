"""The weekly review's budgets: the month of the week's Sunday, spent up to that Sunday."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assets.books.budgets import Budget
from assets.common.warehouse import connect
from assets.review.compose import PipelineHealth, ReviewInputs, build_review
from assets.review.reader import read_transactions_for, read_week
from assets.review.render import render_html, render_markdown
from assets.review.week import parse_iso_week
from tests.review.helpers import IST, build_warehouse

BUDGETS = (
    Budget("Expenses:Food", Decimal("3000.00"), 0),
    Budget("Expenses:Shopping", Decimal("100.00"), 1),
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("review-budgets") / "warehouse.duckdb"
    build_warehouse(path)
    return path


def _review(warehouse: Path, iso: str, budgets: tuple[Budget, ...] = BUDGETS) -> dict:
    week = parse_iso_week(iso)
    with connect(warehouse, read_only=True) as con:
        data = read_week(con, week, IST, read_transactions_for(con, [week]))
    unrecognized = data.pop("unrecognized")
    health = PipelineHealth((), 0, unrecognized)
    return build_review(ReviewInputs(**data, books=None, health=health, budgets=budgets))


def test_budgets_for_the_month_of_the_weeks_sunday(warehouse: Path) -> None:
    # 2025-W45 ends Sun 9 Nov. Food:Delivery is day × 10 each day with SMS (none 5-7 Nov):
    # 1, 2, 3, 4, 8, 9 Nov → 270; the Friday "mystery" debits are Uncategorized, the Monday
    # salary is income and the Wednesday transfer is no spending: none counts under Food.
    section = _review(warehouse, "2025-W45")["budgets"]
    assert section["month"] == "2025-11"
    assert section["budgets"][0] == {
        "account": "Expenses:Food",
        "budget": 3000.0,
        "spent": 270.0,
        "left": 2730.0,
        "projected": 900.0,  # 270 in 9 days, 30 days in November
    }
    assert section["budgets"][1]["spent"] == 0.0
    # W44 ends Sun 2 Nov: its month is November too, so only 1-2 Nov count (October's do not).
    w44 = _review(warehouse, "2025-W44")["budgets"]["budgets"][0]
    assert (w44["spent"], w44["projected"]) == (30.0, 450.0)


def test_the_budgets_render_in_markdown_and_html(warehouse: Path) -> None:
    review = _review(warehouse, "2025-W45")
    markdown = render_markdown(review)
    assert "## Budgets (November 2025, to" in markdown
    # Rupees as the whole review prints them (₹, Indian digit grouping).
    assert "| Expenses:Food | ₹3,000.00 | ₹270.00 | ₹2,730.00 | ₹900.00 |" in markdown
    assert "Expenses:Shopping" in render_html(review)
    # Without budgets the section says how to set one (never an empty table).
    bare = _review(warehouse, "2025-W45", ())["budgets"]
    assert set(bare) == {"title", "note"} and "[[budgets]]" in bare["note"]
