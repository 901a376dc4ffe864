"""The demo's bank statements: for each demo bank account, its last full month in a real layout
(HDFC's netbanking CSV, ICICI's statement), with the three lines whose SMS the demo's phone lost
and without one line whose SMS it has (so the import has something to flag).

The lines come from the demo's own alerts (all of them, the lost ones too), read by the parser:
the date, the amount, the reference and the available balance the alert states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from assets.books.statements.layouts import HDFC, ICICI, Layout
from assets.books.statements.model import StatementLine
from assets.books.statements.writer import write_statement
from pipeline.demo.messages import (
    HDFC_DEBIT_CARD_TAIL,
    HDFC_SAVINGS,
    ICICI_SAVINGS,
    IST,
    LOST_PER_ACCOUNT,
    DemoAccount,
    DemoMessage,
    account_alerts,
    last_full_month,
    lost_bank_alerts,
)

__all__ = ["LOST_PER_ACCOUNT", "lost_bank_alerts", "not_on_statement", "write_demo_statements"]


class DemoStatementAccount(NamedTuple):
    """A demo bank account, the alert digits that are its, its layout and its number."""

    account: DemoAccount
    tails: tuple[str, ...]
    layout: Layout
    number: str  # as the statement prints it (its last digits end in the alerts' tail)


ACCOUNTS = (
    DemoStatementAccount(
        HDFC_SAVINGS, (HDFC_SAVINGS.tail, HDFC_DEBIT_CARD_TAIL), HDFC, "50100012341276"
    ),
    DemoStatementAccount(ICICI_SAVINGS, (ICICI_SAVINGS.tail,), ICICI, "XXXXXXXX5703"),
)


def not_on_statement(messages: Sequence[DemoMessage], end: dt.date) -> list[DemoMessage]:
    """Per account, the alert its statement will lack: the month's last alert but one that is
    not lost (a line the demo's bank "forgot", so the import flags its SMS)."""
    first, last = last_full_month(end)
    lost = set(map(id, lost_bank_alerts(messages, end)))
    out = []
    for owner in ACCOUNTS:
        kept = [
            m
            for m, _t in account_alerts(messages, owner.account, owner.tails, first, last)
            if id(m) not in lost
        ]
        if len(kept) >= 2:
            out.append(kept[-2])
    return out


def write_demo_statements(
    folder: Path, every_message: Sequence[DemoMessage], end: dt.date
) -> list[Path]:
    """One statement file per demo bank account in `folder` (from every alert, the lost ones
    too; without the one `not_on_statement` picks)."""
    first, last = last_full_month(end)
    left_out = set(map(id, not_on_statement(every_message, end)))
    written = []
    for owner in ACCOUNTS:
        # The bank's running balance: the opening plus every alert of the account so far (the
        # demo's alerts add up; some banks' alerts state no balance).
        alerts = account_alerts(every_message, owner.account, owner.tails, dt.date.min, last)
        lines: list[StatementLine] = []
        balance = owner.account.opening
        for message, txn in alerts:
            signed = -txn.amount if txn.direction == "debit" else txn.amount
            balance += signed
            day = txn.date or message.sent_at.astimezone(IST).date()
            if id(message) in left_out or day < first:
                continue
            words = " ".join(filter(None, [txn.channel.upper(), txn.counterparty, txn.reference]))
            lines.append(
                StatementLine(
                    bank=owner.account.bank,
                    account_tail=owner.number[-4:],
                    date=day,
                    value_date=day,
                    description=words or "TRANSFER",
                    reference=txn.reference,
                    amount=signed,
                    balance=balance,
                    position=len(lines) + 1,
                    layout=owner.layout.name,
                )
            )
        if not lines:
            continue
        name = f"{owner.account.bank.lower()}-{first:%Y-%m}.csv"
        written.append(
            write_statement(folder / name, owner.layout, lines, account_number=owner.number)
        )
    return written
