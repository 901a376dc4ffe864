"""Write statement lines in a layout, as the bank would: for the demo's statements, the tests
and the benchmark (one writer, so what is written is what the reader is held to)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from assets.common.atomic import write_text_atomic
from assets.common.money import indian_grouping

from .layouts import HDFC_DELIMITED, Layout
from .model import StatementLine


def header_cells(layout: Layout) -> list[str]:
    """The layout's header row. The reader finds columns by name, so this order (date, value
    date, narration, reference, money, balance) need not be the bank's."""
    names = [
        layout.date,
        layout.value_date,
        layout.description,
        layout.reference,
        layout.debit,
        layout.credit,
        layout.amount,
        layout.direction,
        layout.balance,
        layout.balance_direction,
    ]
    return [n.partition("#")[0] for n in names if n]


def row_cells(layout: Layout, line: StatementLine) -> list[str]:
    """One line as the layout's cells: its date form, Indian grouping, DR/CR marks."""
    fmt = layout.date_formats[0]
    zero = "0.00" if layout is HDFC_DELIMITED else ""
    amount = indian_grouping(line.amount)
    out = [line.date.strftime(fmt)]
    if layout.value_date:
        out.append(line.value_date.strftime(fmt) if line.value_date else "")
    out.append(line.description)
    if layout.reference:
        out.append(line.reference or "")
    if layout.debit and layout.credit:
        out += [amount, zero] if line.amount < 0 else [zero, amount]
    elif layout.direction and layout.card:
        out += [amount, "" if line.amount < 0 else "CR"]
    elif layout.direction:
        out += [amount, "DR" if line.amount < 0 else "CR"]
    else:
        out.append(f"{'-' if line.amount < 0 else ''}{amount}")
    if layout.balance:
        balance = line.balance or Decimal(0)
        if layout.balance_direction:
            out += [indian_grouping(balance), "DR" if balance < 0 else "CR"]
        else:
            out.append(f"{'-' if balance < 0 else ''}{indian_grouping(balance)}")
    return out


def statement_text(
    layout: Layout,
    lines: Sequence[StatementLine],
    *,
    account_number: str | None = None,
    footer: bool = True,
) -> str:
    """The statement as text: a preamble naming the account, the header, one row per line,
    a blank row and the bank's summary."""
    delimiter = layout.delimiters[0]
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    if account_number:
        out.writerow([f"{layout.bank} statement of account"])
        out.writerow([f"Account No : {account_number}"])
        out.writerow([])
    out.writerow(header_cells(layout))
    for line in lines:
        out.writerow(row_cells(layout, line))
    if footer:
        debits = sum((-x.amount for x in lines if x.amount < 0), Decimal(0))
        credits = sum((x.amount for x in lines if x.amount > 0), Decimal(0))
        out.writerow([])
        out.writerow(["STATEMENT SUMMARY :-"])
        out.writerow(["Opening Balance", "Dr Count", "Cr Count", "Debits", "Credits"])
        out.writerow(
            ["0.00", len(lines), len(lines), indian_grouping(debits), indian_grouping(credits)]
        )
    return buffer.getvalue()


def write_statement(
    path: Path,
    layout: Layout,
    lines: Sequence[StatementLine],
    *,
    account_number: str | None = None,
    footer: bool = True,
) -> Path:
    """`statement_text` written atomically to `path`."""
    write_text_atomic(
        path, statement_text(layout, lines, account_number=account_number, footer=footer)
    )
    return path
