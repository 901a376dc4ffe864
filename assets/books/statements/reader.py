"""Read a statement file into plain lines: find its layout by its header row, then read each
row on its own, so a bad row is reported (file, row, what is wrong) and the rest still read."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from .layouts import ACCOUNT_NUMBER, BUILTIN_LAYOUTS, Layout, norm_header
from .model import StatementError, StatementLine
from .spreadsheet import ISO_DATE, SpreadsheetProblem, is_xls, xls_rows
from .values import ValueProblem, is_blank_amount, parse_amount, parse_date

# How far into a file its header row may be (banks print a preamble: name, address, period).
HEADER_SEARCH_ROWS = 60
# A row that ends the table: what follows is the bank's summary, not transactions.
# (Only these: a marker that can also open a table, such as "Opening Balance", or a page footer
# would drop the lines after it unseen.)
_END_OF_TABLE = re.compile(r"^(?:statement summary|end of statement|\*+\s*end of|message details)")
# A card number on a row of its own ("4315XXXXXXXX8008", "5123 XXXX XXXX 7788").
_CARD_NUMBER = re.compile(r"^[\dXx* ]{8,20}?(\d{4})$")
# A row without a date that is not a transaction but belongs in a statement: carried balances,
# totals, page numbers.
_SUMMARY = re.compile(
    r"\b(?:opening balance|closing balance|balance (?:b/f|c/f|brought|carried)|b/f|c/f"
    r"|(?:grand )?totals?\b|page \d+|brought forward|carried forward"
    r"|this is a computer[- ]generated)",
)
_DEBIT_WORDS = frozenset({"dr", "debit", "d", "withdrawal", "dr."})
_CREDIT_WORDS = frozenset({"cr", "credit", "c", "deposit", "cr."})
_NO_REFERENCE = frozenset({"", "-", "--", "na", "n/a", "0"})


class Table(NamedTuple):
    """A file's rows with the layout that fits them and where its header row is."""

    layout: Layout
    rows: list[list[str]]
    header_index: int
    columns: dict[str, int]  # header name as the layout spells it → column index
    date_formats: tuple[str, ...]  # the layout's, and ISO for a workbook's date cells


def read_text(path: Path) -> str | None:
    """The file as text, or None for a binary file (an XLS, a PDF, an XLSX)."""
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] or raw[:4] in (b"%PDF", b"PK\x03\x04"):
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Netbanking downloads from older portals are Windows-1252.
        return raw.decode("cp1252", errors="replace")


def _rows(text: str, delimiter: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def _column_index(header: list[str], name: str) -> int | None:
    # "Dr / Cr#2" is the second column headed "Dr / Cr".
    wanted, _, nth = name.partition("#")
    occurrence = int(nth) if nth else 1
    seen = 0
    for index, cell in enumerate(header):
        if cell == norm_header(wanted):
            seen += 1
            if seen == occurrence:
                return index
    return None


def _match(layout: Layout, rows: list[list[str]], workbook: bool = False) -> Table | None:
    last = min(len(rows), layout.skip_rows + HEADER_SEARCH_ROWS)
    for index in range(layout.skip_rows, last):
        header = [norm_header(cell) for cell in rows[index]]
        if not set(layout.required()) <= set(header):
            continue
        columns: dict[str, int] = {}
        named = (
            layout.date,
            layout.description,
            layout.debit,
            layout.credit,
            layout.amount,
            layout.direction,
            layout.balance,
            layout.balance_direction,
            layout.value_date,
            layout.reference,
        )
        for name in named:
            if name is None:
                continue
            where = _column_index(header, name)
            if where is not None:
                columns[name] = where
        formats = (*layout.date_formats, ISO_DATE) if workbook else layout.date_formats
        return Table(layout, rows, index, columns, formats)
    return None


def find_table(path: Path, layouts: Sequence[Layout]) -> Table | None:
    """The first of `layouts` whose header row is in the file, with the file's rows. A
    damaged `.xls` raises SpreadsheetProblem."""
    if is_xls(path):
        rows = xls_rows(path)
        for layout in layouts:
            table = _match(layout, rows, workbook=True)
            if table is not None:
                return table
        return None
    text = read_text(path)
    if text is None:
        return None
    parsed: dict[str, list[list[str]]] = {}
    for layout in layouts:
        for delimiter in layout.delimiters:
            if delimiter not in parsed:
                parsed[delimiter] = _rows(text, delimiter)
            table = _match(layout, parsed[delimiter])
            if table is not None:
                return table
    return None


def all_layouts(own: Sequence[Layout] = ()) -> tuple[Layout, ...]:
    """The owner's own layouts first (an explicit setting wins), then the built-in ones."""
    return (*own, *BUILTIN_LAYOUTS)


def identify(path: str | Path, layouts: Sequence[Layout] | None = None) -> Layout | None:
    """The layout of the statement at `path`, told by its content; None when none fits (or the
    file cannot be read: `read_statement` says why)."""
    try:
        table = find_table(Path(path), all_layouts() if layouts is None else layouts)
    except (OSError, SpreadsheetProblem):
        return None
    return table.layout if table else None


def unknown_layout_problem(path: Path, layouts: Sequence[Layout]) -> str:
    """What an unknown file is told: every header looked for, and how to add another bank."""
    binary = not is_xls(path) and read_text(path) is None
    what = (
        "not a statement homeclerk reads (a PDF or XLSX? download CSV, delimited text or XLS)"
        if binary
        else "no known statement layout"
    )
    looked = "; ".join(layout.describe() for layout in layouts)
    return (
        f"{what}: looked for {looked}; configure [[books.statement_formats]] in homeclerk.toml "
        "for another bank (see docs/statements.md)"
    )


def read_statement(
    path: str | Path, layouts: Sequence[Layout] | None = None
) -> tuple[list[StatementLine], list[StatementError]]:
    """The statement's lines and the problems found, beancount style: an unknown file is one
    error; a bad row is one error and the other rows are still read."""
    path = Path(path)
    chosen = all_layouts() if layouts is None else tuple(layouts)
    try:
        table = find_table(path, chosen)
    except OSError as exc:
        return [], [StatementError(str(path), 0, f"cannot be read: {exc.strerror or exc}")]
    except SpreadsheetProblem as exc:
        return [], [StatementError(str(path), 0, str(exc))]
    if table is None:
        return [], [StatementError(str(path), 0, unknown_layout_problem(path, chosen))]
    return read_table(path, table)


def _account_tail(table: Table) -> str | None:
    if table.layout.account_tail:
        return table.layout.account_tail
    for row in table.rows[: table.header_index]:
        match = ACCOUNT_NUMBER.search(" ".join(row))
        if match:
            digits = re.sub(r"\D", "", match["number"])
            if len(digits) >= 4:
                return digits[-4:]  # masked: the last 4 digits are all anyone needs
    return None


def read_table(path: Path, table: Table) -> tuple[list[StatementLine], list[StatementError]]:
    """Every transaction row below the header; blank rows, repeated headers, carried balances
    and the bank's closing summary are not transactions and are passed over."""
    tail = _account_tail(table)
    required = set(table.layout.required())
    width = len(table.rows[table.header_index])
    lines: list[StatementLine] = []
    errors: list[StatementError] = []
    for index in range(table.header_index + 1, len(table.rows)):
        row = table.rows[index]
        filled = [cell for cell in row if cell]
        if not filled:
            continue
        first = norm_header(filled[0])
        if _END_OF_TABLE.match(first) or any(
            norm_header(c) in ("dr count", "cr count") for c in filled
        ):
            break
        if required <= {norm_header(c) for c in row}:
            continue  # the header again, on the next page of a printed statement
        card_number = _CARD_NUMBER.match(filled[0]) if table.layout.card else None
        if card_number and len(filled) == 1:
            tail = card_number[1]  # the lines below are this card's (an add-on has its own)
            continue
        if any(row[width:]):
            errors.append(
                StatementError(
                    str(path),
                    index + 1,
                    f"has {len(row)} cells where the header has {width} "
                    "(an amount with unquoted commas?)",
                )
            )
            continue
        try:
            line = _line(table, row, index + 1, tail)
        except ValueProblem as exc:
            not_a_transaction = len(filled) <= 1 or any(
                _SUMMARY.search(norm_header(c)) for c in filled
            )
            if not_a_transaction and not _date_cell(table, row):
                continue
            errors.append(StatementError(str(path), index + 1, str(exc)))
            continue
        lines.append(line)
    return lines, errors


def _cell(table: Table, row: list[str], name: str | None) -> str:
    if name is None or name not in table.columns:
        return ""
    where = table.columns[name]
    return row[where] if where < len(row) else ""


def _date_cell(table: Table, row: list[str]) -> bool:
    try:
        parse_date(_cell(table, row, table.layout.date), table.date_formats)
    except ValueProblem:
        return False
    return True


def _amount(table: Table, row: list[str]) -> Decimal:
    layout = table.layout
    if layout.debit and layout.credit:
        debit, credit = _cell(table, row, layout.debit), _cell(table, row, layout.credit)
        out, into = not is_blank_amount(debit), not is_blank_amount(credit)
        if out and into:
            raise ValueProblem(f"both {layout.debit!r} and {layout.credit!r} hold an amount")
        if not out and not into:
            raise ValueProblem(f"no amount in {layout.debit!r} or {layout.credit!r}")
        if out:
            return -abs(_amount_in(layout.debit, debit))
        return abs(_amount_in(layout.credit, credit))
    assert layout.amount is not None  # a Layout is built with two columns or one
    text = _cell(table, row, layout.amount)
    if is_blank_amount(text):
        raise ValueProblem(f"no amount in {layout.amount!r}")
    value = _amount_in(layout.amount, text)
    if layout.direction is None:
        return value  # signed: negative is money out
    mark = norm_header(_cell(table, row, layout.direction))
    if mark in _DEBIT_WORDS or (layout.card and not mark):
        return -abs(value)
    if mark in _CREDIT_WORDS:
        return abs(value)
    if layout.card:
        try:
            return -parse_amount(mark)  # the signed amount again: positive is a charge
        except ValueProblem:
            pass
    raise ValueProblem(f"{layout.direction!r} is {mark!r}, not DR or CR")


def _amount_in(column: str | None, text: str) -> Decimal:
    try:
        return parse_amount(text)
    except ValueProblem as exc:
        raise ValueProblem(f"{column}: {exc}") from None


def _line(table: Table, row: list[str], position: int, tail: str | None) -> StatementLine:
    layout = table.layout
    try:
        date = parse_date(_cell(table, row, layout.date), table.date_formats)
    except ValueProblem as exc:
        raise ValueProblem(f"{layout.date}: {exc}") from None
    value_date = None
    value_text = _cell(table, row, layout.value_date)
    if value_text:
        try:
            value_date = parse_date(value_text, table.date_formats)
        except ValueProblem as exc:
            raise ValueProblem(f"{layout.value_date}: {exc}") from None
    amount = _amount(table, row)
    balance = None
    balance_text = _cell(table, row, layout.balance)
    if balance_text:
        balance = _amount_in(layout.balance, balance_text)
        if norm_header(_cell(table, row, layout.balance_direction)) in _DEBIT_WORDS:
            balance = -abs(balance)
    reference = _cell(table, row, layout.reference)
    return StatementLine(
        bank=layout.bank,
        account_tail=tail,
        date=date,
        value_date=value_date,
        description=" ".join(_cell(table, row, layout.description).split()),
        reference=None if reference.lower() in _NO_REFERENCE else reference,
        amount=amount,
        balance=balance,
        position=position,
        layout=layout.name,
    )
