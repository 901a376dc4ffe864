"""`homeclerk import FILE…` and `homeclerk reconcile`, run as the owner runs them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from assets.books.generate import write_bank_books
from assets.books.reconcile import stored_reconciliation
from assets.books.statements.layouts import SBI
from assets.books.statements.writer import write_statement
from assets.common.warehouse import connect
from tests.books.helpers import SAVINGS, TZ, alert, mapping, store_alerts, write_main
from tests.books.test_reconcile import NOVEMBER, D, _history, _write, line
from tests.pipeline.test_cli import homeclerk
from tests.pipeline.test_cli_sms_teach import _paste


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "homeclerk.toml"
    config.write_text(
        'timezone = "Asia/Kolkata"\n\n[paths]\ndata_dir = "data"\nbooks_dir = "ledger"\n\n'
        "[books]\naccount_mapping = [\n"
        f'  {{ bank = "HDFC", tail = "1276", account = "{SAVINGS}" }},\n]\n'
    )
    return config


def test_import_says_per_account_what_matched_what_is_new_and_what_is_flagged(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    store_alerts(tmp_path / "data" / "warehouse.duckdb", _history())
    statement = _write(tmp_path / "nov.csv", [*NOVEMBER, line(D[24], "-30.00", "12430.00")])
    first = homeclerk("--config", str(config), "import", str(statement))
    assert first.returncode == 0, first.stderr
    assert f"{SAVINGS} 2026-11-02..2026-11-25: 6 line(s) (6 stored now" in first.stdout
    assert "matched an SMS transaction: 4" in first.stdout
    assert "new from the statement (no SMS): 2" in first.stdout
    assert "SMS not on the statement: 1" in first.stdout and "GUID-0006" in first.stdout
    again = homeclerk("--config", str(config), "import", str(statement))
    assert "(0 stored now, 6 imported before)" in again.stdout

    rows = homeclerk("--config", str(config), "reconcile", "--month", "2026-11", "--json")
    assert rows.returncode == 0, rows.stderr
    [row] = json.loads(rows.stdout)
    assert {
        k: row[k]
        for k in (
            "account",
            "month",
            "sms",
            "statement_lines",
            "matched",
            "new_from_statement",
            "not_on_statement",
            "gaps_open",
            "gaps_closed",
        )
    } == {
        "account": SAVINGS,
        "month": "2026-11",
        "sms": 5,
        "statement_lines": 6,
        "matched": 4,
        "new_from_statement": 2,
        "not_on_statement": 1,
        "gaps_open": 0,
        "gaps_closed": 1,
    }
    assert row["statement_opening"] == 10000.0 and row["statement_closing"] == 12430.0
    assert row["books_opening"] is None  # no books written yet

    # With the books written (the statement's lines in them), the books' month closes ₹75
    # below the statement: the SMS it lacks.
    write_main(tmp_path / "ledger")
    with connect(tmp_path / "data" / "warehouse.duckdb", read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        statement = stored_reconciliation(con, mapping().lookup, TZ)
    write_bank_books(
        tmp_path / "ledger",
        _history(),
        mapping(),
        tz=TZ,
        today=dt.date(2026, 12, 1),
        statement=statement,
    )
    rows = homeclerk("--config", str(config), "reconcile", "--month", "2026-11", "--json")
    [row] = json.loads(rows.stdout)
    assert row["books_opening"] == 10000.0
    assert round(row["books_closing"] - row["statement_closing"], 2) == -75.0
    text = homeclerk("--config", str(config), "reconcile", "--account", "Savings")
    assert f"{SAVINGS} 2026-11: 5 SMS, 6 statement line(s)" in text.stdout


def test_an_unknown_file_is_refused_and_the_next_file_still_imports(tmp_path: Path) -> None:
    config = _config(tmp_path)
    store_alerts(tmp_path / "data" / "warehouse.duckdb", [alert(1, D[1], "100.00")])
    odd = tmp_path / "odd.csv"
    odd.write_text("When,What,How much\n01/11/2026,tea,-10\n")
    good = _write(tmp_path / "nov.csv", NOVEMBER)
    result = homeclerk("--config", str(config), "import", str(odd), str(good))
    assert result.returncode == 1
    assert f"homeclerk: {odd}: no known statement layout" in result.stderr
    assert "5 stored now" in result.stdout


def test_the_fix_for_an_unmapped_account_pastes_and_the_printed_command_then_imports(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    store_alerts(tmp_path / "data" / "warehouse.duckdb", [alert(1, D[1], "100.00")])
    sbi = write_statement(
        tmp_path / "sbi.csv", SBI, [line(D[2], "-50.00", "950.00")], account_number="3012345555"
    )
    refused = homeclerk("--config", str(config), "import", str(sbi))
    assert refused.returncode == 1
    assert "SBI XX5555 is not in [books] account_mapping" in refused.stderr
    toml = refused.stderr.split("homeclerk.toml, then import the file again:\n", 1)[1]
    toml, _, then = toml.partition("  then: ")
    with config.open("a") as out:
        out.write("\n" + toml)
    assert "--config" in then and "import" in then
    done = _paste(then.strip(), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 stored now" in done.stdout
