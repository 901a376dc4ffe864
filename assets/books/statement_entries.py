"""A statement line no alert confirms → a Beancount transaction (`source: statement`), payee
and category from the same tables and rules the alerts go through."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from beancount.core import data
from beancount.core.amount import Amount

from assets.books.accounts import category_tail, counter_account
from assets.books.statement_store import StoredLine
from assets.transactions.categories import DEFAULT_RULES, UNCATEGORIZED, CategoryRule, categorize
from assets.transactions.model import Transaction
from assets.transactions.payees import PayeeAlias, PayeeResolver

GENERATED_SOURCE = "<homeclerk>"
STATEMENT_SOURCE = "statement"
CURRENCY = "INR"

# (payee, category) of a statement line.
Describe = Callable[[StoredLine], tuple[str | None, str]]

_CHANNELS = (
    (re.compile(r"\bupi\b", re.IGNORECASE), "upi"),
    (re.compile(r"\bneft\b", re.IGNORECASE), "neft"),
    (re.compile(r"\bimps\b", re.IGNORECASE), "imps"),
    (re.compile(r"\b(?:atm|nwd|cash ?wdl)\b", re.IGNORECASE), "atm"),
    (re.compile(r"\b(?:pos|card|visa|mastercard|rupay)\b", re.IGNORECASE), "card"),
)


def channel_of(description: str) -> str:
    """The channel a narration names (UPI, NEFT, IMPS, ATM, a card), else "other"."""
    for pattern, channel in _CHANNELS:
        if pattern.search(description):
            return channel
    return "other"


def describer(
    rules: Sequence[CategoryRule] = DEFAULT_RULES, aliases: Sequence[PayeeAlias] = ()
) -> Describe:
    """How a line is named and filed: its narration read as an alert's counterparty, through
    the owner's payee aliases and category rules (then the shipped ones)."""
    resolve = PayeeResolver(aliases)
    chosen = tuple(rules)

    def describe(line: StoredLine) -> tuple[str | None, str]:
        txn = Transaction(
            amount=abs(line.amount),
            direction="debit" if line.amount < 0 else "credit",
            counterparty=line.description or None,
            account_tail=line.account_tail,
            balance=line.balance,
            reference=line.reference,
            channel=channel_of(line.description),  # type: ignore[arg-type]
            date=line.date,
            bank=line.bank,
            instrument="account",
        )
        return resolve(line.description or None), categorize(txn, chosen)

    return describe


def statement_transaction(line: StoredLine, describe: Describe) -> data.Transaction:
    """The transaction for a line no alert confirms, on the line's account."""
    payee, category = describe(line)
    meta: data.Meta = data.new_metadata(GENERATED_SOURCE, 0)
    meta["source"] = STATEMENT_SOURCE
    meta["statement_line"] = line.line_id
    meta["statement_file"] = line.file
    meta["statement_row"] = line.row
    if line.reference:
        meta["bank_ref"] = line.reference
    units = Amount(line.amount, CURRENCY)
    counter = counter_account(line.direction, category)
    flag = "!" if category_tail(category) == UNCATEGORIZED else "*"
    postings = [
        data.Posting(line.account, units, None, None, None, None),
        data.Posting(counter, -units, None, None, None, None),
    ]
    return data.Transaction(
        meta,
        line.date,
        flag,
        payee,
        line.description or f"statement {line.direction}",
        frozenset({"statement"}),
        data.EMPTY_SET,
        postings,
    )


def confirmation(line: StoredLine) -> str:
    """The `confirmed_by_statement` value: the file and row of the line."""
    return f"{line.file}:{line.row}"
