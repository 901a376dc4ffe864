"""Real `.xls` workbooks (written with xlwt) in the HDFC and ICICI layouts, read through the
same reader: number and date cells, a header that does not start in the first column."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import xlwt
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.books.statement_importer import statement_importers
from assets.books.statements import BUILTIN_LAYOUTS, Layout, identify, read_statement
from assets.books.statements.layouts import HDFC, ICICI
from assets.books.statements.writer import header_cells, row_cells

from .helpers import SAVINGS
from .test_statement_properties import statement

D = Decimal
Cell = str | float | dt.date | None


def write_xls(path: Path, rows: list[list[Cell]]) -> Path:
    """A one-sheet workbook; a date is a real date cell, a float a number cell."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Statement")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YY")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, date_style)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def test_an_icici_workbook_with_its_preamble_and_a_header_in_column_b(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        [None, "DETAILED STATEMENT"],
        [None, "Account Number", "XXXXXXXX4455 ( INR ) - A B"],
        [None, "Transaction Date from", "01/01/2024", "to", "31/01/2024"],
        [],
        [
            None,
            "S No.",
            "Value Date",
            "Transaction Date",
            "Cheque Number",
            "Transaction Remarks",
            "Withdrawal Amount (INR )",
            "Deposit Amount (INR )",
            "Balance (INR )",
        ],
        [None, 1.0, "15/01/2024", "15/01/2024", 123456.0, "CHQ PAID RENT", 25000.0, 0.0, 175000.5],
        [None, 2.0, "17/01/2024", "16/01/2024", "-", "NEFT-SALARY", 0.0, 100000.0, 275000.5],
        [],
        [None, "Legends Used in Account Statement"],
    ]
    path = write_xls(tmp_path / "OpTransactionHistory.xls", rows)
    assert identify(path) == ICICI
    lines, errors = read_statement(path)
    assert errors == []
    assert [(x.date, x.value_date, x.reference, x.amount, x.balance) for x in lines] == [
        (dt.date(2024, 1, 15), dt.date(2024, 1, 15), "123456", D("-25000"), D("175000.5")),
        (dt.date(2024, 1, 16), dt.date(2024, 1, 17), None, D("100000"), D("275000.5")),
    ]
    assert {(x.bank, x.account_tail) for x in lines} == {("ICICI", "4455")}
    assert [x.position for x in lines] == [6, 7]


def test_an_hdfc_workbook_with_date_cells_and_its_summary(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["HDFC BANK Ltd."],
        ["Account No :", "50100012341276"],
        [],
        header_cells(HDFC),
        [
            dt.date(2025, 2, 3),
            dt.date(2025, 2, 3),
            "UPI-GROCER",
            "0000603412345678",
            450.0,
            None,
            12345.67,
        ],
        [
            dt.date(2025, 2, 5),
            dt.date(2025, 2, 6),
            "SALARY",
            None,
            None,
            "1,20,000.00",
            "1,32,345.67",
        ],
        ["", "", "", "", "", "", ""],
        ["STATEMENT SUMMARY :-"],
        ["Opening Balance", "Dr Count", "Cr Count"],
        [12795.67, 1.0, 1.0],
    ]
    path = write_xls(tmp_path / "Acct_Statement.xls", rows)
    lines, errors = read_statement(path)
    assert errors == []
    assert [(x.layout, x.date, x.value_date, x.amount, x.balance) for x in lines] == [
        ("hdfc", dt.date(2025, 2, 3), dt.date(2025, 2, 3), D("-450"), D("12345.67")),
        ("hdfc", dt.date(2025, 2, 5), dt.date(2025, 2, 6), D("120000.00"), D("132345.67")),
    ]
    importers = statement_importers([{"bank": "HDFC", "tail": "1276", "account": SAVINGS}])
    [importer] = [i for i in importers if i.identify(str(path))]
    entries = importer.extract(str(path), [])
    assert [e.postings[0].account for e in entries] == [SAVINGS, SAVINGS]
    assert entries[0].meta["statement_line"] == 5


def test_a_bad_cell_in_a_workbook_names_its_row(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        header_cells(HDFC),
        ["31/02/25", "", "BAD DATE", "", 10.0, None, 90.0],
        ["01/03/25", "", "GOOD", "", 10.0, None, 80.0],
    ]
    path = write_xls(tmp_path / "s.xls", rows)
    lines, errors = read_statement(path)
    assert [x.description for x in lines] == ["GOOD"]
    assert [(e.row, e.problem.split(":")[0]) for e in errors] == [(2, "Date")]


@settings(max_examples=20, deadline=None)
@given(data=st.data(), layout=st.sampled_from(BUILTIN_LAYOUTS))
def test_lines_written_as_a_workbook_read_back_equal(data: st.DataObject, layout: Layout) -> None:
    lines = data.draw(statement(layout))
    rows: list[list[Cell]] = [["Statement"], ["Account No : 50100012341276"], []]
    rows += [list(header_cells(layout)), *(list(row_cells(layout, x)) for x in lines)]
    with tempfile.TemporaryDirectory() as folder:
        got, errors = read_statement(write_xls(Path(folder) / "s.xls", rows))
    assert errors == [] and got == lines
