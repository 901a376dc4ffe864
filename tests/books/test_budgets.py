"""`[[budgets]]`: Fava's own `custom "budget"` entries in the books, read by Fava itself; a budget
for an account the ledger does not open is named by its key, and the printed fix clears it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from dagster import materialize

from assets.books.budgets import budgets_from_config
from assets.books.definitions import ledger_entries
from assets.books.resources import BooksResource
from assets.common.resources import Clock, Warehouse
from assets.transactions.resources import ParsingConfig
from pipeline.settings import SettingsError, load_settings

from .helpers import SAVINGS, TZ, alert, store_alerts

TODAY = dt.date(2026, 11, 19)
CLOCK = Clock(frozen_at=dt.datetime.combine(TODAY, dt.time(12), TZ).isoformat())
MAIN = (
    'option "operating_currency" "INR"\ninclude "generated/index.beancount"\n'
    f"2020-01-01 open {SAVINGS} INR\n"
)


def _run(tmp_path: Path, budgets: list[dict[str, object]]) -> tuple[Path, dict[str, object]]:
    books_dir, wh_path = tmp_path / "books", tmp_path / "warehouse.duckdb"
    if not wh_path.exists():
        store_alerts(
            wh_path,
            [
                alert(1, dt.date(2026, 10, 20), "400.00"),  # Food:Delivery, opened 2026-10-20
                alert(2, TODAY - dt.timedelta(days=1), "250.00"),
            ],
        )
        books_dir.mkdir()
        (books_dir / "main.beancount").write_text(MAIN)
    books = BooksResource(
        books_dir=str(books_dir),
        account_mapping=[{"bank": "HDFC", "tail": "1276", "account": SAVINGS}],
        timezone="Asia/Kolkata",
        budgets=[{"account": b["account"], "monthly": str(b["monthly"])} for b in budgets],
        config_source="/home/me/homeclerk.toml",
    )
    result = materialize(
        [ledger_entries],
        resources={
            "clock": CLOCK,
            "warehouse": Warehouse(path=str(wh_path)),
            "books_config": books,
            "parsing": ParsingConfig(timezone="Asia/Kolkata"),
        },
        raise_on_error=False,
    )
    checks = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    return books_dir, checks


def _fava_budget(books_dir: Path, account: str, month: dt.date) -> Decimal | None:
    """What Fava's own budget module makes of the books for `account` over one month."""
    from fava.core import FavaLedger

    ledger = FavaLedger(str(books_dir / "main.beancount"))
    assert not ledger.budgets.errors
    end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    amount = ledger.budgets.calculate(account, month, end).get("INR")
    # Fava prorates by the day and sums the days: cents are what it shows.
    return None if amount is None else amount.quantize(Decimal("0.01"))


def test_fava_reads_the_budget_for_an_opened_account(tmp_path: Path) -> None:
    budgets = [{"account": "Expenses:Food", "monthly": 5000}]
    budgets.append({"account": "Expenses:Food:Delivery", "monthly": 1500.5})
    books_dir, checks = _run(tmp_path, budgets)
    text = (books_dir / "generated" / "fava.beancount").read_text()
    # Dated the first of the month the account opens (the generated open: its first alert).
    assert '2026-10-01 custom "budget" Expenses:Food:Delivery "monthly" 1500.50 INR' in text
    assert 'include "fava.beancount"' in (books_dir / "generated" / "index.beancount").read_text()
    assert _fava_budget(books_dir, "Expenses:Food:Delivery", TODAY.replace(day=1)) == Decimal(
        "1500.50"
    )
    # `Expenses:Food` is opened by nothing: left out of the books, named by its key with a fix.
    assert "Expenses:Food " not in text.replace("Expenses:Food:", "")
    check = checks["budget_accounts_open"]
    assert not check.passed
    assert check.description.startswith(
        "/home/me/homeclerk.toml: `budgets[0].account` is 'Expenses:Food', an account the ledger "
        "does not open"
    )
    # Pasted into main.beancount as printed, the line opens it; the next run carries the budget.
    line = check.description.split("by adding this line: ")[1]
    assert line == "2026-11-01 open Expenses:Food INR"
    (books_dir / "main.beancount").write_text(MAIN + line + "\n")
    books_dir, checks = _run(tmp_path, budgets)
    assert checks["budget_accounts_open"].passed
    assert _fava_budget(books_dir, "Expenses:Food", TODAY.replace(day=1)) == Decimal("5000.00")
    assert checks["budget_accounts_open"].metadata["budgets_in_books"].value == 2


def test_a_misspelt_budget_account_names_the_nearest_open_one(tmp_path: Path) -> None:
    _books_dir, checks = _run(tmp_path, [{"account": "Expenses:Food:Delivry", "monthly": 900}])
    check = checks["budget_accounts_open"]
    assert not check.passed
    assert 'set account = "Expenses:Food:Delivery" (did you mean it?)' in check.description
    # Without budgets the check passes and the file Fava reads holds none.
    books_dir, checks = _run(tmp_path, [])
    assert checks["budget_accounts_open"].passed
    text = (books_dir / "generated" / "fava.beancount").read_text()
    assert 'custom "budget"' not in text
    assert '2000-01-01 custom "fava-extension" "pipeline.fava_ext"' in text


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ('account = "Food"\nmonthly = 5000', "budgets[0].account"),
        ('account = "Expenses:Food"\nmonthly = 0', "budgets[0].monthly"),
        ('account = "Expenses:Food"\nmonthly = "5000"', "budgets[0].monthly"),
        ('account = "Expenses:Food"\nmonthly = 5\nmonthy = 5', "budgets[0].monthy"),
    ],
)
def test_a_malformed_budget_is_a_settings_error_naming_its_key(
    tmp_path: Path, entry: str, key: str
) -> None:
    path = tmp_path / "homeclerk.toml"
    path.write_text(f"[[budgets]]\n{entry}\n")
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    assert info.value.key == key and "Example of a right value" in str(info.value)


def test_one_budget_per_account() -> None:
    entries = [
        {"account": "Expenses:Food", "monthly": 1},
        {"account": "Expenses:Food", "monthly": 2},
    ]
    with pytest.raises(ValueError, match=r"`budgets\[1\]\.account` is 'Expenses:Food' again"):
        budgets_from_config(entries)


def test_the_settings_reach_the_books_resource(tmp_path: Path) -> None:
    from pipeline.resources import build_resources

    path = tmp_path / "homeclerk.toml"
    path.write_text('[[budgets]]\naccount = "Expenses:Food"\nmonthly = 4999.5\n')
    settings = load_settings(path)
    books = build_resources(settings)["books_config"]
    assert books.budget_list() == settings.budgets
    assert settings.budgets[0].monthly == Decimal("4999.50")
    assert books.config_source == str(path.resolve())
