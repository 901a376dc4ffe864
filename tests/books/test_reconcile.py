"""Statement lines stored, matched with the SMS transactions, and in the books (issue 22 §3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from dagster import AssetSelection, AssetSpec, DagsterInstance, materialize

from assets.books.accounts import parse_account_mapping
from assets.books.checks import load_books
from assets.books.definitions import statements_reconciled
from assets.books.gaps import StatementFill, read_gaps
from assets.books.generate import write_bank_books
from assets.books.reconcile import reconcile, stored_reconciliation
from assets.books.resources import BooksResource
from assets.books.statement_entries import describer
from assets.books.statement_import import StatementImportError, import_statement
from assets.books.statement_store import Period, read_lines, stored_lines
from assets.books.statements.layouts import HDFC, SBI
from assets.books.statements.model import StatementLine
from assets.books.statements.writer import write_statement
from assets.common.resources import Warehouse
from assets.common.warehouse import connect, has_table
from assets.transactions.categories import rules_from_config

from .helpers import SAVINGS, TZ, alert, mapping, store_alerts, write_main

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
D = [dt.date(2026, 11, day) for day in range(1, 31)]  # D[0] is 1 Nov
ACCOUNT_NUMBER = "50100012341276"


def line(
    day: dt.date, amount: str, balance: str | None, row: int = 0, *, text: str = "UPI-SWIGGY"
) -> StatementLine:
    return StatementLine(
        bank="HDFC",
        account_tail="1276",
        date=day,
        value_date=day,
        description=text,
        reference=None,
        amount=Decimal(amount),
        balance=None if balance is None else Decimal(balance),
        position=row,
        layout="hdfc",
    )


def _write(path: Path, lines: list[StatementLine]) -> Path:
    return write_statement(path, HDFC, lines, account_number=ACCOUNT_NUMBER)


def _import(tmp_path: Path, path: Path):
    return import_statement(path, tmp_path / "w.duckdb", mapping(), TZ, now=NOW)


def _stored(tmp_path: Path) -> list:
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        return read_lines(con)


# --- storage -------------------------------------------------------------------------------


NOVEMBER = [
    line(D[1], "-100.00", "9900.00"),
    line(D[4], "-2340.00", "7560.00", text="ATM-NWD-CASH"),
    line(D[9], "-60.00", "7500.00"),
    line(D[14], "5000.00", "12500.00", text="NEFT-SALARY"),
    line(D[19], "-40.00", "12460.00"),
]


def test_importing_the_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path / "nov.csv", NOVEMBER)
    first = _import(tmp_path, path)
    again = _import(tmp_path, path)
    assert [(a.added, a.already) for a in first.accounts] == [(5, 0)]
    assert [(a.added, a.already) for a in again.accounts] == [(0, 5)]
    stored = _stored(tmp_path)
    assert len(stored) == 5
    assert {s.account for s in stored} == {SAVINGS}
    assert sorted(s.amount for s in stored) == sorted(x.amount for x in NOVEMBER)


def test_two_overlapping_statements_store_each_line_once(tmp_path: Path) -> None:
    early = _write(tmp_path / "early.csv", NOVEMBER[:3])  # 2 to 10 Nov
    late = _write(tmp_path / "late.csv", NOVEMBER[1:])  # 5 to 20 Nov: two lines shared
    _import(tmp_path, early)
    outcome = _import(tmp_path, late)
    [account] = outcome.accounts
    assert (account.added, account.already) == (2, 2)
    assert len(_stored(tmp_path)) == 5


def test_two_identical_payments_on_one_day_stay_two_lines(tmp_path: Path) -> None:
    # No running balance to tell them apart: their place among the identical lines does.
    twins = [line(D[2], "-50.00", None, 1), line(D[2], "-50.00", None, 2)]
    ids = [s.line_id for s in stored_lines(SAVINGS, twins, "a.csv")]
    assert len(set(ids)) == 2
    path = _write(tmp_path / "twins.csv", twins)
    assert [a.added for a in _import(tmp_path, path).accounts] == [2]
    assert [a.added for a in _import(tmp_path, path).accounts] == [0]
    assert len(_stored(tmp_path)) == 2


def test_an_unknown_file_stores_nothing_and_names_what_was_looked_for(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("When,What,How much\n01/11/2026,tea,-10\n")
    with pytest.raises(StatementImportError) as caught:
        _import(tmp_path, odd)
    assert "no known statement layout" in str(caught.value)
    assert "HDFC's" in str(caught.value)
    with connect(tmp_path / "w.duckdb") as con:
        assert not has_table(con, "statement_lines")


def test_an_unmapped_account_stores_nothing_and_its_fix_pastes(tmp_path: Path) -> None:
    path = write_statement(
        tmp_path / "sbi.csv", SBI, [line(D[2], "-50.00", "950.00")], account_number="3012345555"
    )
    with pytest.raises(StatementImportError) as caught:
        _import(tmp_path, path)
    assert caught.value.fix is not None
    assert "SBI XX5555 is not in [books] account_mapping" in str(caught.value)
    assert not (tmp_path / "w.duckdb").exists()  # nothing was stored, not even a table
    # The printed TOML, appended to the settings, maps the account: the import then works.
    import tomllib

    entry = tomllib.loads(caught.value.fix)["books"]["accounts"][0]
    fixed = parse_account_mapping([*mapping().as_config(), entry])
    outcome = import_statement(path, tmp_path / "w.duckdb", fixed, TZ, now=NOW)
    assert [a.added for a in outcome.accounts] == [1]


# --- matching ------------------------------------------------------------------------------


def _stored_line(day: dt.date, amount: str, ref: str | None = None, row: int = 1):
    [one] = stored_lines(SAVINGS, [line(day, amount, None, row)._replace(reference=ref)], "s.csv")
    return one._replace(line_id=f"L{row}")


def test_a_line_and_an_alert_within_three_days_are_one_transaction() -> None:
    lines = [_stored_line(D[10], "-100.00", row=1), _stored_line(D[20], "-100.00", row=2)]
    alerts = [alert(1, D[7], "100.00"), alert(2, D[24], "100.00")]  # 3 and 4 days away
    result = reconcile(lines, alerts, mapping().lookup, TZ)
    assert {g: ln.line_id for g, ln in result.matched.items()} == {"GUID-0001": "L1"}
    assert [ln.line_id for ln in result.new] == ["L2"]


def test_the_same_amount_the_other_way_or_on_another_account_is_no_match() -> None:
    lines = [_stored_line(D[10], "-100.00")]
    alerts = [
        alert(1, D[10], "100.00", direction="credit"),
        alert(2, D[10], "100.00", tail="0042", bank="ICICI"),
    ]
    result = reconcile(lines, alerts, mapping().lookup, TZ)
    assert result.matched == {}
    assert len(result.new) == 1


def test_the_reference_decides_between_two_candidates() -> None:
    lines = [
        _stored_line(D[10], "-100.00", ref="111", row=1),
        _stored_line(D[10], "-100.00", ref="222", row=2),
    ]
    alerts = [alert(1, D[10], "100.00", reference="222"), alert(2, D[11], "100.00")]
    result = reconcile(lines, alerts, mapping().lookup, TZ)
    assert result.matched["GUID-0001"].line_id == "L2"
    assert result.matched["GUID-0002"].line_id == "L1"


def test_the_nearer_date_wins_so_no_line_is_left_for_the_wrong_alert() -> None:
    lines = [_stored_line(D[10], "-100.00", row=1), _stored_line(D[12], "-100.00", row=2)]
    alerts = [alert(1, D[12], "100.00")]  # its own line is on 13 Nov; 11 Nov's SMS was lost
    result = reconcile(lines, alerts, mapping().lookup, TZ)
    assert result.matched["GUID-0001"].line_id == "L2"
    assert [ln.line_id for ln in result.new] == ["L1"]


def test_an_alert_inside_a_statements_period_with_no_line_is_flagged() -> None:
    lines = [_stored_line(D[10], "-100.00")]
    alerts = [
        alert(1, D[10], "100.00"),
        alert(2, D[15], "999.00"),  # inside 1..30 Nov, no line: flagged
        alert(3, dt.date(2026, 12, 2), "999.00"),  # after the period: not flagged
    ]
    period = Period(SAVINGS, D[0], D[29], "s.csv")
    result = reconcile(lines, alerts, mapping().lookup, TZ, [period])
    assert [a.message_guid for a in result.not_on_statement] == ["GUID-0002"]


# --- the books -------------------------------------------------------------------------------


def _history() -> list:
    # Alerts for November, but the 5 Nov cash withdrawal's SMS never came, and the 20 Nov SMS
    # (a double alert) has no line.
    return [
        alert(1, D[1], "100.00", balance="9900.00", hour=14),
        alert(3, D[9], "60.00", balance="7500.00", hour=9),
        alert(4, D[14], "5000.00", "credit", balance="12500.00", counterparty="ACME SALARY"),
        alert(5, D[19], "40.00", balance="12460.00"),
        alert(6, D[21], "75.00", balance="12385.00"),
    ]


def test_an_import_confirms_alerts_adds_the_lost_one_flags_the_extra_and_closes_the_gap(
    tmp_path: Path,
) -> None:
    store_alerts(tmp_path / "w.duckdb", _history())
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        assert len(read_gaps(con, mapping(), TZ).open) == 1  # the lost 2,340
    lines = [*NOVEMBER, line(D[24], "-30.00", "12430.00")]  # ends 25 Nov: 22 Nov is inside
    outcome = _import(tmp_path, _write(tmp_path / "nov.csv", lines))
    [account] = outcome.accounts
    assert (account.matched, account.new) == (4, 2)
    assert len(account.flagged) == 1 and "GUID-0006" in account.flagged[0]

    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        report = read_gaps(con, mapping(), TZ)
    assert report.open == ()
    [closed] = report.closed
    assert isinstance(closed.entry, StatementFill)
    assert [ln.amount for ln in closed.entry.lines] == [Decimal("-2340.00")]

    main = write_main(tmp_path / "books")
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        statement = stored_reconciliation(con, mapping().lookup, TZ)
    rules = rules_from_config([{"pattern": "(?i)atm", "category": "Cash"}])
    built = write_bank_books(
        tmp_path / "books",
        _history(),
        mapping(),
        tz=TZ,
        today=dt.date(2026, 12, 1),
        statement=statement,
        describe=describer(rules),
    )
    text = (tmp_path / "books/generated/bank/2026-11.beancount").read_text()
    assert text.count('source: "statement"') == 2
    assert "Expenses:Cash" in text  # the owner's rule filed the line no SMS showed
    assert text.count("confirmed_by_statement") == 4
    assert not built.owner_errors
    loaded = load_books(main)
    assert not loaded.errors, [e.message for e in loaded.errors]
    # Regenerating from the same alerts and lines gives the same bytes.
    write_bank_books(
        tmp_path / "books",
        _history(),
        mapping(),
        tz=TZ,
        today=dt.date(2026, 12, 1),
        statement=statement,
        describe=describer(rules),
    )
    assert (tmp_path / "books/generated/bank/2026-11.beancount").read_text() == text


def test_the_check_warns_with_the_alert_the_statement_lacks(tmp_path: Path) -> None:
    store_alerts(tmp_path / "w.duckdb", _history())
    _import(tmp_path, _write(tmp_path / "nov.csv", [*NOVEMBER, line(D[24], "-30.00", None)]))
    result = materialize(
        [AssetSpec("transactions"), statements_reconciled],
        resources={
            "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
            "books_config": BooksResource(
                books_dir=str(tmp_path / "books"),
                account_mapping=mapping().as_config(),
                timezone="Asia/Kolkata",
            ),
        },
        selection=AssetSelection.checks(statements_reconciled),
        instance=DagsterInstance.ephemeral(),
    )
    [evaluation] = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert not evaluation.passed
    assert evaluation.metadata["not_on_statement"].value == 1
    assert "GUID-0006" in (evaluation.description or "")
    assert evaluation.metadata["confirmed_by_statement"].value == 4


def test_the_review_names_the_alert_the_statement_lacks_and_the_gap_it_closed(
    tmp_path: Path,
) -> None:
    from assets.review.compose import gaps_section
    from assets.review.reader import gaps_in_week
    from assets.review.render import _section_md
    from assets.review.week import week_containing

    store_alerts(tmp_path / "w.duckdb", _history())
    _import(tmp_path, _write(tmp_path / "nov.csv", [*NOVEMBER, line(D[24], "-30.00", None)]))
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        statement = stored_reconciliation(con, mapping().lookup, TZ)
        report = read_gaps(con, mapping(), TZ, statement=statement)
    week = week_containing(D[9])  # the gap's closing alert (10 Nov) is in it
    section = gaps_section(gaps_in_week(report, week, TZ), TZ, statement.not_on_statement)
    [gap] = section["gaps"]
    assert gap["explained_by"] == "statement"
    [flagged] = section["not_on_statement"]
    assert flagged["id"] == "GUID-0006"
    text = "\n".join(_section_md("gaps", section))
    assert "with no alert (explained by the bank statement's line of 2026-11-05)" in text
    assert "₹75 debit on 2026-11-22" in text and "is not on the bank's statement" in text
