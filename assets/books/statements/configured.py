"""The generic CSV importer: a layout the owner describes in `[[books.statement_formats]]`.

[[books.statement_formats]]
name = "yesbank"                 # names the importer
bank = "YES"                     # the issuer id of [books] account_mapping
date = "Transaction Date"        # column headers, as the file spells them
description = "Description"
debit = "Withdrawals"            # two columns, or one `amount` (signed, or with `direction`)
credit = "Deposits"
balance = "Running Balance"      # optional: value_date, reference, balance
date_format = "%d/%m/%Y"         # strftime codes
skip_rows = 0                    # rows before the header search starts
delimiter = ","
tail = "4321"                    # optional: the account's digits when the file lacks them
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from typing import Any

from .layouts import Layout

EXAMPLE = (
    '{ name = "yesbank", bank = "YES", date = "Transaction Date", description = "Description", '
    'debit = "Withdrawals", credit = "Deposits", date_format = "%d/%m/%Y" }'
)
_COLUMNS = ("date", "description", "debit", "credit", "amount", "direction", "balance")
_OPTIONAL_COLUMNS = ("value_date", "reference")
KEYS = frozenset(
    {*_COLUMNS, *_OPTIONAL_COLUMNS, "name", "bank", "date_format", "skip_rows", "delimiter", "tail"}
)


class StatementFormatError(ValueError):
    """A `[[books.statement_formats]]` entry that cannot be read: which key, why, a right value."""

    def __init__(self, index: int, key: str, problem: str, example: str) -> None:
        self.index, self.key, self.problem, self.example = index, key, problem, example
        super().__init__(f"books.statement_formats[{index}].{key} {problem}")


def layout_from_config(index: int, entry: Mapping[str, Any]) -> Layout:
    """One `[[books.statement_formats]]` entry as a Layout; a mistake names its key."""

    def bad(key: str, problem: str, example: str) -> StatementFormatError:
        return StatementFormatError(index, key, problem, example)

    for key in entry:
        if key not in KEYS:
            near = difflib.get_close_matches(key, sorted(KEYS), n=1)
            hint = f'did you mean "{near[0]}"?' if near else "see docs/statements.md"
            raise bad(key, f"is not a statement format key ({hint})", "(remove the line)")

    def text(key: str, example: str, *, needed: bool = False) -> str | None:
        value = entry.get(key)
        if value is None:
            if needed:
                raise bad(key, "is missing", example)
            return None
        if not isinstance(value, str) or not value.strip():
            raise bad(key, f"is {value!r}, not a non-empty string", example)
        return value.strip()

    name = text("name", '"yesbank"', needed=True)
    bank = text("bank", '"YES"', needed=True)
    date = text("date", '"Transaction Date" (the date column\'s header)', needed=True)
    description = text("description", '"Description"', needed=True)
    debit, credit = text("debit", '"Withdrawals"'), text("credit", '"Deposits"')
    amount, direction = text("amount", '"Amount"'), text("direction", '"Dr/Cr"')
    if amount is None and (debit is None or credit is None):
        raise bad(
            "amount",
            "is missing: give `debit` and `credit` columns, or one `amount` column "
            "(signed, or with a `direction` column of DR/CR)",
            '"Amount"',
        )
    if amount is not None and (debit or credit):
        raise bad("amount", "is given with `debit`/`credit`: give one or the other", '"Amount"')
    date_format = text("date_format", '"%d/%m/%Y"', needed=True)
    assert date_format is not None
    if not _is_date_format(date_format):
        raise bad(
            "date_format", f"is {date_format!r}, not a date form in strftime codes", '"%d/%m/%Y"'
        )
    skip = entry.get("skip_rows", 0)
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise bad("skip_rows", f"is {skip!r}, not a whole number 0 or more", "0")
    delimiter = entry.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise bad("delimiter", f"is {delimiter!r}, not one character", '"," or "\\t" or ";"')
    tail = text("tail", '"4321"')
    if tail is not None and not re.fullmatch(r"\d{1,4}", tail):
        raise bad("tail", f"is {tail!r}, not 1-4 digits", '"4321"')
    assert name and bank and date and description
    return Layout(
        name=name,
        bank=bank.upper(),
        date=date,
        description=description,
        date_formats=(date_format,),
        debit=debit if amount is None else None,
        credit=credit if amount is None else None,
        amount=amount,
        direction=direction,
        balance=text("balance", '"Balance"'),
        value_date=text("value_date", '"Value Date"'),
        reference=text("reference", '"Ref No."'),
        delimiters=(delimiter,),
        skip_rows=skip,
        account_tail=tail,
        header_text=", ".join(h for h in (date, description, amount or debit, credit) if h),
    )


def _is_date_format(fmt: str) -> bool:
    # A form that writes a date and reads it back the same names day, month and year.
    sample = dt.date(2024, 11, 23)
    try:
        return dt.datetime.strptime(sample.strftime(fmt), fmt).date() == sample
    except ValueError:
        return False
