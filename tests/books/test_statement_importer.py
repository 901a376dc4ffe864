"""The statement importers through beangulp's interface, and the generic CSV layout the owner
describes in homeclerk.toml (read by the settings loader, as `homeclerk` reads it)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from beancount.core.amount import Amount

from assets.books.statement_importer import (
    StatementImporter,
    UnmappedStatementError,
    statement_importers,
)
from assets.books.statements import BUILTIN_LAYOUTS, read_statement
from pipeline.settings import SettingsError, load_settings

from .helpers import SAVINGS
from .test_statements import AXIS_CLASSIC, HDFC_CSV, HDFC_DELIMITED, ICICI_CARD, KOTAK, SBI_TABS

MAPPING = [{"bank": "HDFC", "tail": "1276", "account": SAVINGS}]

YES_FORMAT = """
[[books.statement_formats]]
name = "yesbank"
bank = "YES"
date = "Txn Date"
description = "Remarks"
amount = "Amount"
balance = "Running Balance"
reference = "Ref"
date_format = "%Y-%m-%d"
skip_rows = 2
delimiter = ";"
tail = "4321"

[[books.accounts]]
bank = "YES"
tail = "4321"
account = "Assets:Bank:YES:Savings"
"""

# A legend row naming every column and the period, then the real header; amounts carry Dr/Cr.
YES_FILE = (
    "Txn Date;Remarks;Ref;Amount;Running Balance\n"
    "Period;from 2025-03-01;to 2025-03-31;;\n"
    "Txn Date;Remarks;Ref;Amount;Running Balance\n"
    "2025-03-01;UPI/GROCER;UPI-1;1,234.00 Dr;10\n"
    "2025-03-02;SALARY;;1,00,000.00 Cr;1,00,010.00\n"
    "2025-03-03;REVERSAL;;-15.00;99,995.00\n"
    "\n"
    "Total;;;;\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "homeclerk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_file_is_claimed_by_exactly_one_importer(tmp_path: Path) -> None:
    importers = statement_importers(MAPPING)
    assert [i.name for i in importers] == [
        f"homeclerk.statement.{layout.name}" for layout in BUILTIN_LAYOUTS
    ]
    files = {
        "hdfc_delimited": HDFC_DELIMITED,
        "hdfc": HDFC_CSV,
        "sbi": SBI_TABS,
        "axis": AXIS_CLASSIC,
        "kotak": KOTAK,
    }
    for name, text in files.items():
        path = str(_write(tmp_path, f"{name}.csv", text))
        claimed = [i.name for i in importers if i.identify(path)]
        assert claimed == [f"homeclerk.statement.{name}"]
    other = str(_write(tmp_path, "notes.csv", "a,b\n1,2\n"))
    assert not any(i.identify(other) for i in importers)
    assert not any(i.identify(str(tmp_path / "missing.csv")) for i in importers)


def test_extract_gives_transactions_on_the_mapped_account_with_the_lines_metadata(
    tmp_path: Path,
) -> None:
    path = str(_write(tmp_path, "hdfc.txt", HDFC_DELIMITED))
    importer = StatementImporter(BUILTIN_LAYOUTS[1], MAPPING)
    assert importer.account(path) == SAVINGS
    assert importer.date(path) == dt.date(2025, 2, 5)
    entries = importer.extract(path, [])
    assert all(isinstance(e, data.Transaction) for e in entries)
    debit, credit = entries
    assert debit.date == dt.date(2025, 2, 3)
    assert debit.narration == "UPI-SWIGGY-SWIGGY.ORDER@ICICI-603412345678"
    assert [(p.account, p.units) for p in debit.postings] == [
        (SAVINGS, Amount(Decimal("-450.00"), "INR")),
        ("Expenses:Uncategorized", Amount(Decimal("450.00"), "INR")),
    ]
    assert credit.postings[1].account == "Income:Uncategorized"
    assert debit.meta["filename"] == path and debit.meta["lineno"] == 5
    assert debit.meta["statement_file"] == "hdfc.txt" and debit.meta["statement_line"] == 5
    assert isinstance(debit.meta["statement_line"], Decimal)  # what Beancount prints and reads
    assert debit.meta["reference"] == "0000603412345678"
    assert debit.meta["statement_balance"] == Amount(Decimal("123456.78"), "INR")
    assert "value_date" not in debit.meta  # same day as the date
    assert credit.meta["value_date"] == dt.date(2025, 2, 6)


def test_extract_logs_each_bad_row_and_keeps_the_good_ones(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bad = HDFC_DELIMITED.replace(" 05/02/25 ,NEFT", " 35/02/25 ,NEFT", 1)
    path = str(_write(tmp_path, "hdfc.txt", bad))
    with caplog.at_level(logging.WARNING):
        entries = StatementImporter(BUILTIN_LAYOUTS[1], MAPPING).extract(path, [])
    assert [e.meta["statement_line"] for e in entries] == [5]
    assert f"{path}, row 6: Date: '35/02/25' is not a date" in caplog.text


def test_an_unmapped_account_prints_a_fix_that_pastes_and_clears_it(tmp_path: Path) -> None:
    statement = str(_write(tmp_path, "sbi.txt", SBI_TABS))
    config = _config(tmp_path, "[books]\naccount_mapping = []\n")
    settings = load_settings(config)
    [sbi] = [i for i in statement_importers(settings.accounts) if i.identify(statement)]
    with pytest.raises(UnmappedStatementError) as caught:
        sbi.extract(statement, [])
    fix = caught.value.fix
    assert fix is not None and "SBI XX7890 is not in [books] account_mapping" in str(caught.value)
    config.write_text(config.read_text() + "\n" + fix + "\n")
    settings = load_settings(config)
    [sbi] = [i for i in statement_importers(settings.accounts) if i.identify(statement)]
    entries = sbi.extract(statement, [])
    assert [e.postings[0].account for e in entries] == ["Assets:Bank:Sbi:Savings"] * 2


def test_a_card_statement_posts_charges_to_the_cards_liability(tmp_path: Path) -> None:
    statement = str(_write(tmp_path, "CreditCardStatement.CSV", ICICI_CARD))
    config = _config(tmp_path, "[books]\naccount_mapping = []\n")
    [card] = [i for i in statement_importers([]) if i.identify(statement)]
    with pytest.raises(UnmappedStatementError) as caught:
        card.extract(statement, [])
    fix = caught.value.fix
    assert fix is not None and 'tail = "8008"' in fix
    config.write_text(config.read_text() + "\n" + fix + "\n")
    [card] = [
        i for i in statement_importers(load_settings(config).accounts) if i.identify(statement)
    ]
    payment, charge = card.extract(statement, [])
    liability = "Liabilities:CreditCard:Icici"
    assert [(p.account, p.units.number) for p in charge.postings] == [
        (liability, Decimal("-1499.00")),
        ("Expenses:Uncategorized", Decimal("1499.00")),
    ]
    assert payment.postings[0].units.number == Decimal("29999.00")


def test_a_statement_without_an_account_number_is_not_guessed(tmp_path: Path) -> None:
    path = str(_write(tmp_path, "hdfc.csv", HDFC_CSV))
    importer = StatementImporter(BUILTIN_LAYOUTS[0], MAPPING)
    with pytest.raises(UnmappedStatementError, match="names no account number") as caught:
        importer.extract(path, [])
    assert caught.value.fix is None


def test_the_generic_csv_layout_from_homeclerk_toml(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, YES_FORMAT))
    [yes] = settings.statement_formats
    assert (yes.name, yes.bank, yes.delimiters, yes.skip_rows) == ("yesbank", "YES", (";",), 2)
    path = _write(tmp_path, "yes.csv", YES_FILE)
    lines, errors = read_statement(path, settings.statement_formats)
    assert errors == []
    assert [(x.date, x.amount, x.balance, x.reference, x.position) for x in lines] == [
        (dt.date(2025, 3, 1), Decimal("-1234.00"), Decimal("10"), "UPI-1", 4),
        (dt.date(2025, 3, 2), Decimal("100000.00"), Decimal("100010.00"), None, 5),
        (dt.date(2025, 3, 3), Decimal("-15.00"), Decimal("99995.00"), None, 6),
    ]
    importers = statement_importers(settings.accounts, settings.statement_formats)
    claimed = [i for i in importers if i.identify(str(path))]
    assert [i.name for i in claimed] == ["homeclerk.statement.yesbank"]
    entries = claimed[0].extract(str(path), [])
    assert {e.postings[0].account for e in entries} == {"Assets:Bank:YES:Savings"}


def test_skip_rows_is_where_the_header_search_starts(tmp_path: Path) -> None:
    # The legend row holds every column name: read from the top, it is taken for the header
    # and the period row is a bad row; past the real header, nothing fits.
    path = _write(tmp_path, "yes.csv", YES_FILE)
    for skip, found in ((0, 1), (3, 0)):
        config = _config(tmp_path, YES_FORMAT.replace("skip_rows = 2", f"skip_rows = {skip}"))
        lines, errors = read_statement(path, load_settings(config).statement_formats)
        if found:
            assert [e.row for e in errors] == [2] and len(lines) == 3
        else:
            assert lines == [] and "no known statement layout" in errors[0].problem


@pytest.mark.parametrize(
    ("change", "key", "says"),
    [
        ('date_format = "%Y-%m-%d"', "date_format", "not a date form in strftime codes"),
        ('amount = "Amount"', "amount", "is missing: give `debit` and `credit` columns"),
        ('delimiter = ";"', "delimiter", "not one character"),
        ('tail = "4321"\n\n[[books.accounts]]', "tail", "not 1-4 digits"),
        ('name = "yesbank"', "name", "already the name of another format"),
        ("skip_rows = 2", "skip_rows", "not a whole number 0 or more"),
        ('description = "Remarks"', "descripton", 'did you mean "description"?'),
    ],
)
def test_a_bad_statement_format_names_its_key_and_a_right_value(
    tmp_path: Path, change: str, key: str, says: str
) -> None:
    broken = {
        "date_format": 'date_format = "every day"',
        "amount": "",
        "delimiter": 'delimiter = ";;"',
        "tail": 'tail = "12345"\n\n[[books.accounts]]',
        "name": 'name = "sbi"',
        "skip_rows": "skip_rows = -1",
        "descripton": 'descripton = "Remarks"',
    }[key]
    config = _config(tmp_path, YES_FORMAT.replace(change, broken, 1))
    with pytest.raises(SettingsError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert f"`books.statement_formats[0].{key}`" in message and says in message
    assert "Example of a right value" in message


def test_beangulps_own_cli_extracts_entries_that_load_in_beancount(tmp_path: Path) -> None:
    # The import.py docs/statements.md shows, run as the owner runs it: the printed entries
    # (metadata included) must load as a ledger with no error.
    script = _write(
        tmp_path,
        "import.py",
        "from assets.books.statement_importer import statement_importers\n"
        "from beangulp import Ingest\n"
        f"importers = statement_importers(account_mapping={MAPPING!r})\n"
        'if __name__ == "__main__":\n'
        "    Ingest(importers)()\n",
    )
    statement = _write(tmp_path, "hdfc.txt", HDFC_DELIMITED)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    run = subprocess.run(
        [sys.executable, str(script), "extract", str(statement)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    opens = "".join(
        f"2025-01-01 open {a}\n"
        for a in (SAVINGS, "Expenses:Uncategorized", "Income:Uncategorized")
    )
    entries, errors, _ = loader.load_string(opens + run.stdout)
    assert errors == []
    loaded = [e for e in entries if isinstance(e, data.Transaction)]
    assert [(e.meta["statement_line"], e.meta["reference"]) for e in loaded] == [
        (Decimal(5), "0000603412345678"),
        (Decimal(6), "0000000000511950"),
    ]
    assert loaded[1].meta["value_date"] == dt.date(2025, 2, 6)
