"""The banks' `.xls` downloads (binary Excel, as HDFC and ICICI netbanking give them) as rows of
text cells, so the same header-row reader serves them: a date cell becomes an ISO date, a whole
number (a cheque or reference number) loses the `.0` Excel stores it with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ISO_DATE = "%Y-%m-%d"  # how a date cell is written out (what the reader then also accepts)


class SpreadsheetProblem(ValueError):
    """An `.xls` file that cannot be opened (corrupt, encrypted, not really Excel)."""


def is_xls(path: Path) -> bool:
    """Whether the file is an OLE2 compound file (what an `.xls` workbook is)."""
    with path.open("rb") as handle:
        return handle.read(len(OLE2_MAGIC)) == OLE2_MAGIC


def xls_rows(path: Path) -> list[list[str]]:
    """The first sheet's rows as stripped text cells."""
    import xlrd  # only a workbook needs it
    from xlrd.compdoc import CompDocError

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
        sheet = book.sheet_by_index(0)
        rows = [
            [_text(cell, book.datemode) for cell in sheet.row(index)]
            for index in range(sheet.nrows)
        ]
    except (xlrd.XLRDError, CompDocError, ValueError, IndexError, AssertionError, KeyError) as exc:
        # xlrd reports a damaged workbook with any of these.
        raise SpreadsheetProblem(f"cannot be read as an .xls workbook ({exc})") from None
    book.release_resources()
    return rows


def _text(cell: Any, datemode: int) -> str:
    import xlrd

    kind, value = cell.ctype, cell.value
    if kind == xlrd.XL_CELL_DATE:
        moment = xlrd.xldate_as_datetime(value, datemode)
        return dt.date(moment.year, moment.month, moment.day).strftime(ISO_DATE)
    if kind == xlrd.XL_CELL_NUMBER:
        if float(value).is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))  # repr: the shortest text that is this float
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return str(value).strip()
