"""Balance-chain gaps against the books: which the owner's hand-kept entries already explain.

A gap (assets/transactions/balance_chain.py) closes when an entry in the owner's own ledger
files explains it: a posting on the gap's ledger account, in rupees, of the gap's signed amount
(negative when money left), dated from the day of the alert before the gap to the day of the
alert after it. Each posting explains one gap at most. Nothing is generated to close a gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from assets.books.accounts import AccountMapping
from assets.books.handkept import EMPTY_HAND_KEPT, HandKept, HandPosting
from assets.transactions.balance_chain import Gap, find_gaps, read_chain_alerts

if TYPE_CHECKING:
    import duckdb


class ClosedGap(NamedTuple):
    """A gap and the owner's entry that explains it."""

    gap: Gap
    entry: HandPosting


class GapReport(NamedTuple):
    """The gaps still open (most recent first) and those the owner's entries explain."""

    open: tuple[Gap, ...]
    closed: tuple[ClosedGap, ...]


def close_by_hand(gaps: Iterable[Gap], hand: HandKept, tz: ZoneInfo) -> GapReport:
    """Split `gaps` into open ones and ones an owner's posting explains (see the module)."""
    unused = [
        p
        for p in hand.postings
        if p.currency == "INR" and p.sms_guid is None  # a moved alert entry is not new money
    ]
    still_open: list[Gap] = []
    closed: list[ClosedGap] = []
    for gap in sorted(gaps, key=lambda g: (g.end.received_at, g.end.message_guid)):
        first = gap.start.received_at.astimezone(tz).date()
        last = gap.end.received_at.astimezone(tz).date()
        entry = next(
            (
                p
                for p in unused
                if gap.ledger_account is not None
                and p.account == gap.ledger_account
                and p.amount == gap.signed
                and first <= p.date <= last
            ),
            None,
        )
        if entry is None:
            still_open.append(gap)
        else:
            unused.remove(entry)
            closed.append(ClosedGap(gap, entry))
    return GapReport(tuple(reversed(still_open)), tuple(reversed(closed)))


def read_gaps(
    con: duckdb.DuckDBPyConnection,
    mapping: AccountMapping,
    tz: ZoneInfo,
    hand: HandKept = EMPTY_HAND_KEPT,
    *,
    before: dt.datetime | None = None,
) -> GapReport:
    """Every account's gaps from the stored transactions (received before `before` when
    given), the owner's `mapping` naming their ledger accounts, split by `hand`."""
    return close_by_hand(find_gaps(read_chain_alerts(con, before=before), mapping.lookup), hand, tz)
