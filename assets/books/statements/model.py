"""Plain statement data: one line of a bank's statement, and a problem found reading one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple


class StatementLine(NamedTuple):
    """One transaction line of a bank statement, as the bank printed it.

    `amount` is signed from the account's side: negative is money out (a withdrawal, a debit),
    positive is money in. `balance` is the running balance after the line when the file shows
    one. `position` is the line's 1-based row number in the file, so a problem or an entry
    points back at the exact row.
    """

    bank: str
    account_tail: str | None  # last 4 digits of the account, when the file shows the number
    date: dt.date
    value_date: dt.date | None
    description: str
    reference: str | None  # cheque / reference / UPI number, when the row has one
    amount: Decimal
    balance: Decimal | None
    position: int
    layout: str  # the name of the layout the line was read with

    @property
    def direction(self) -> str:
        """The side of the line in the words alerts use: "debit" is money out, else "credit"."""
        return "debit" if self.amount < 0 else "credit"


class StatementError(NamedTuple):
    """A problem reading a statement: the file, the row (0 for the whole file) and what is
    wrong. Problems are data, as in Beancount: one bad row never stops the others."""

    file: str
    row: int
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        return f"{where}: {self.problem}"
