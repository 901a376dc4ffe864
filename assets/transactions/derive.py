"""Warehouse `sms_messages` → `transactions`: parse and categorize each message not yet derived.

Every bank message gets one row keyed by its GUID, so re-running adds nothing twice: a
transaction, or a known non-transaction ('ignored' with its reason), or 'unrecognized' (a shape
the parser does not know, which the parse-coverage check reports).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from assets.common.columns import text_column
from assets.common.gc_pause import gc_paused
from assets.common.parallel import can_split, each_half
from assets.common.warehouse import connect, has_table
from assets.transactions.categories import CategoryRule, categorize_as_purchase_if_refund
from assets.transactions.category_refresh import refresh_categories
from assets.transactions.learned_apply import apply_learned
from assets.transactions.link_store import relink
from assets.transactions.links import DEFAULT_LINK_WINDOW_MINUTES
from assets.transactions.model import DOUBTFUL_REASONS, UNRECOGNIZED
from assets.transactions.parsing import Format, parse_grouped
from assets.transactions.parsing.inr_equivalent import rupee_figure
from assets.transactions.payee_refresh import refresh_payees
from assets.transactions.payees import PayeeAlias, PayeeResolver
from assets.transactions.plausible import hold_implausible
from assets.transactions.refunds import refund_categories
from assets.transactions.relearn import formats_fingerprint, store_fingerprint, stored_fingerprint
from assets.transactions.tables import (
    TRANSACTION_COLUMNS,
    delete_stale_rows,
    ensure_transactions_table,
)

if TYPE_CHECKING:
    import duckdb
    import numpy as np

STATUS_TRANSACTION = "transaction"
STATUS_IGNORED = "ignored"
STATUS_UNRECOGNIZED = "unrecognized"


class DeriveStats(NamedTuple):
    """What one derive run considered and what became of the messages."""

    considered: int  # messages without a transactions row before this run
    transactions: int
    ignored: int
    unrecognized: int
    upgraded: int = 0  # earlier 'unrecognized' rows that the owner's changed formats now read
    held: tuple[str, ...] = ()  # GUIDs held above the plausibility ceiling (plausible.py)
    refiled: int = 0  # stored rows whose category changed rules re-filed (category_refresh.py)
    learned: int = 0  # rows the learned model filed or gave back (learned_apply.py)
    linked: int = 0  # alerts this run linked to another alert of their payment (links.py)


# Columns derive_rows produces; the rest of a transactions row (rowid, sender, received_at, the
# received date in the owner's timezone) is joined from sms_messages inside DuckDB.
PARSED_COLUMNS = tuple(
    c for c in TRANSACTION_COLUMNS if c not in ("message_rowid", "sender", "received_at")
)


def derive_rows(
    messages: Sequence[tuple[str, str, str | None, int]],
    rules: Sequence[CategoryRule],
    tz: ZoneInfo,
    formats: Sequence[Format] | None = None,
    payees: Sequence[PayeeAlias] = (),
) -> list[tuple[str | None, ...]]:
    """(guid, sender, body, received at in Unix µs) → rows in PARSED_COLUMNS order, all text.

    `txn_date` is the date the body states when plausible (from BODY_DATE_FLOOR to a day after
    it arrived), else the received date in `tz`. `payees` are the
    owner's aliases, tried before the shipped ones. A refund's category here is the payee's
    category by the rules (as if it were the purchase); `derive_transactions` then gives it the
    original purchase's category when it finds that purchase.
    """
    payee_of = PayeeResolver(payees)
    rules = tuple(rules)
    # The category depends only on these fields, and merchants repeat: memoise it.
    categories: dict[tuple[str | None, str, str, str, bool], str] = {}
    # Dates repeat too (a few hundred distinct in 100,000 alerts): isoformat each once.
    iso_dates: dict[dt.date, str] = {}
    local_day = _LocalDays(tz)
    rows: list[tuple[str | None, ...]] = [()] * len(messages)
    senders = [message[1] for message in messages]
    bodies = [message[2] or "" for message in messages]
    # Parsed grouped by issuer and wording (parse_grouped), each row put in its message's place.
    for at, result in parse_grouped(senders, bodies, formats):
        guid, _, body, received_us = messages[at]
        txn = result.transaction
        if txn is None:
            reason = result.reason
            unknown = reason == UNRECOGNIZED or reason in DOUBTFUL_REASONS
            status = STATUS_UNRECOGNIZED if unknown else STATUS_IGNORED
            rows[at] = (guid, status, result.reason, *_NO_TRANSACTION)
            continue
        # One unpacking instead of ten NamedTuple attribute look-ups, 100,000 times a first run.
        amount, direction, counterparty, tail, balance, ref, channel, date, bank, instrument = txn[
            :10
        ]
        kind = txn.kind
        key = (counterparty, direction, channel, instrument, kind == "refund")
        category = categories.get(key)
        if category is None:
            category = categories[key] = categorize_as_purchase_if_refund(txn, rules)
        received_day, latest = local_day(received_us)
        if date is not None and not BODY_DATE_FLOOR <= date <= latest:
            date = None  # a typo'd or garbled date in the text: the day it arrived instead
        day = date or received_day
        iso = iso_dates.get(day)
        if iso is None:
            iso = iso_dates[day] = day.isoformat()
        rows[at] = (
            guid,
            STATUS_TRANSACTION,
            None,
            str(amount),
            direction,
            counterparty,
            tail,
            None if balance is None else str(balance),
            ref,
            channel,
            iso,
            "false" if date is None else "true",
            bank,
            instrument,
            category,
            kind,
            txn.currency,
            payee_of(counterparty),
            _as_text(rupee_figure(txn.currency, body or "")),
        )
    return rows


_NO_TRANSACTION = (None,) * (len(PARSED_COLUMNS) - 3)


def _as_text(figure: Decimal | None) -> str | None:
    return None if figure is None else str(figure)


_UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# A date the text states is believed from this day (no bank SMS reached a Messages database
# before; the ingest's own floor) to a day after the message arrived.
BODY_DATE_FLOOR = dt.date(2008, 1, 1)


def _local_date(received_us: int, tz: ZoneInfo) -> dt.date:
    return (_UNIX_EPOCH + dt.timedelta(microseconds=received_us)).astimezone(tz).date()


_DAY_US = 86_400_000_000
_ONE_DAY = dt.timedelta(days=1)
_EPOCH_DAY = dt.date(1970, 1, 1)


class _LocalDays:
    """received at (Unix µs) → (its date in `tz`, the latest date a body may state for it).

    The same as `_local_date` and that date + 1 day, without a time-zone conversion per
    message (~3 µs each, 100,000 times on a first derive): a UTC day whose two ends have one
    UTC offset holds no clock change, so in it the local date is (µs + offset) // 1 day, and
    each date object is made once. A UTC day with a clock change is converted per message.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.offsets: dict[int, int | None] = {}  # UTC day → its offset in µs (None: changes)
        self.days: dict[int, tuple[dt.date, dt.date]] = {}

    def __call__(self, received_us: int) -> tuple[dt.date, dt.date]:
        """(date in the zone, latest plausible stated date) of the instant."""
        utc_day = received_us // _DAY_US
        try:
            offset = self.offsets[utc_day]
        except KeyError:
            offset = self.offsets[utc_day] = self._offset(utc_day)
        if offset is None:
            day = _local_date(received_us, self.tz)
            return day, day + _ONE_DAY
        number = (received_us + offset) // _DAY_US
        try:
            return self.days[number]
        except KeyError:
            day = _EPOCH_DAY + dt.timedelta(days=number)
            known = self.days[number] = (day, day + _ONE_DAY)
            return known

    def _offset(self, utc_day: int) -> int | None:
        first = (_UNIX_EPOCH + dt.timedelta(microseconds=utc_day * _DAY_US)).astimezone(self.tz)
        last = (_UNIX_EPOCH + dt.timedelta(microseconds=(utc_day + 1) * _DAY_US - 1)).astimezone(
            self.tz
        )
        offset = first.utcoffset()
        if offset is None or offset != last.utcoffset():
            return None
        return offset // dt.timedelta(microseconds=1)


# Below this many messages a second process costs more than it saves (a tick brings a handful).
PARALLEL_MIN = 20_000
# The share of a big batch this process parses; a worker parses the rest meanwhile. This process
# also stores its rows while the worker parses (storing takes a third to a half as long as
# parsing), so it takes the smaller part and both finish at about the same time.
HERE_SHARE = 0.4

Row = tuple[str | None, ...]


def _derive_and_store(
    con: duckdb.DuckDBPyConnection,
    pending: list[tuple[str, str, str | None, int]],
    after: int,
    rules: Sequence[CategoryRule],
    tz: ZoneInfo,
    formats: Sequence[Format] | None,
    payees: Sequence[PayeeAlias] = (),
) -> list[Row]:
    """Parse `pending` into transactions rows, refunds given their purchase's category
    (refunds.py), store them, and return them in `pending`'s order.

    A big batch is split over two processes, its rows stored in one DuckDB transaction: this
    process stores its part while the worker still parses the other. The refunds are filed once
    both are stored, over all the rows (a refund's purchase may be in either part).
    """
    if len(pending) < PARALLEL_MIN or not can_split():
        rows = refund_categories(con, derive_rows(pending, rules, tz, formats, payees))
        _insert(con, rows, after)
        return rows
    cut = int(len(pending) * HERE_SHARE)
    rules, payees = tuple(rules), tuple(payees)
    parts: list[list[Row]] = []

    def store(part: list[Row]) -> None:
        _insert(con, part, after)
        parts.append(part)

    con.begin()
    try:
        each_half(
            derive_rows,
            (pending[:cut], rules, tz, formats, payees),
            (pending[cut:], rules, tz, formats, payees),
            store,
        )
        rows = [*parts[0], *parts[1]]
        # The stored transactions it searches now hold these rows too: each purchase there is
        # one it met first among `rows`, identical, so the purchase it picks is the same.
        filed = refund_categories(con, rows)
        _refile(con, rows, filed)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return filed


def _refile(con: duckdb.DuckDBPyConnection, stored: list[Row], filed: list[Row]) -> None:
    """Store the category `filed` gives each row that was stored with another."""
    changed = [
        (f[0], f[_CATEGORY])
        for s, f in zip(stored, filed, strict=True)
        if f[_CATEGORY] != s[_CATEGORY]
    ]
    if not changed:
        return
    guids, categories = zip(*changed, strict=True)
    con.register("refiled", {"guid": text_column(guids), "category": text_column(categories)})
    con.execute(
        "UPDATE transactions SET category = r.category FROM refiled r"
        " WHERE transactions.message_guid = r.guid"
    )
    con.unregister("refiled")


_CATEGORY = PARSED_COLUMNS.index("category")


@gc_paused  # a first derive: ~100,000 rows (assets.common.gc_pause)
def derive_transactions(
    warehouse_path: Path | str,
    rules: Sequence[CategoryRule],
    tz: ZoneInfo,
    formats: Sequence[Format] | None = None,
    payees: Sequence[PayeeAlias] = (),
    max_amount: float | None = None,
    learned_confidence: float | None = None,
    link_window_minutes: float = DEFAULT_LINK_WINDOW_MINUTES,
) -> DeriveStats:
    """Parse, categorize and store every sms_messages row that has no transactions row yet.

    A new amount above the plausibility ceiling (`max_amount`, else learned: plausible.py) is
    held out of every reader until the owner confirms it.

    `txn_date` is the date the body states, else the received date in `tz`. Rows an older
    homeclerk stored without kind, currency and payee are derived again (`delete_stale_rows`);
    stored payees are renamed when the alias tables changed (`refresh_payees`), and stored
    rows re-filed when the category rules changed (`refresh_categories`).
    A refund takes the category of the purchase it returns money for (`refunds.py`). Alerts of
    one payment received within `link_window_minutes` are linked, one of them counted
    (`links.py`, `link_store.py`). Last, an uncategorized row the learned model is at least
    `learned_confidence` sure of is filed by it (`learned_apply.py`; None: off).
    """
    with connect(Path(warehouse_path)) as con:
        ensure_transactions_table(con)
        if not has_table(con, "sms_messages"):
            # The SMS source has not run yet (it creates its own table): nothing to derive.
            return DeriveStats(0, 0, 0, 0)
        delete_stale_rows(con)
        refresh_payees(con, payees)
        refiled = refresh_categories(con, rules)
        upgraded, read_now = _retry_if_formats_changed(con, rules, tz, formats, payees)
        held = hold_implausible(con, read_now, max_amount)
        pending, after = _pending(con)
        if not pending:
            linked = relink(con, link_window_minutes, [g for g, _ in read_now])
            learned = apply_learned(con, learned_confidence, tz)
            return DeriveStats(
                0, 0, 0, 0, upgraded, tuple(held), refiled, learned=learned, linked=linked
            )
        # One connection for read and write: an open costs tens of milliseconds, which is most
        # of a tick's budget. Nothing else can write meanwhile (the `warehouse` pool).
        rows = _derive_and_store(con, pending, after, rules, tz, formats, payees)
        amounts = _amounts(rows)
        held += hold_implausible(con, amounts, max_amount)
        new = [g for g, _ in read_now] + [g for g, _ in amounts]
        linked = relink(con, link_window_minutes, new)
        learned = apply_learned(con, learned_confidence, tz)
    statuses = Counter(r[1] for r in rows)
    return DeriveStats(
        considered=len(pending),
        transactions=statuses[STATUS_TRANSACTION],
        ignored=statuses[STATUS_IGNORED],
        unrecognized=statuses[STATUS_UNRECOGNIZED],
        upgraded=upgraded,
        held=tuple(held),
        refiled=refiled,
        learned=learned,
        linked=linked,
    )


def _retry_if_formats_changed(
    con: duckdb.DuckDBPyConnection,
    rules: Sequence[CategoryRule],
    tz: ZoneInfo,
    formats: Sequence[Format] | None,
    payees: Sequence[PayeeAlias] = (),
) -> tuple[int, list[tuple[str, str | None]]]:
    """Re-parse the 'unrecognized' rows when the owner's `[[sms.formats]]` changed since the
    last run (a fingerprint kept in the warehouse), and store the ones now read in place; how
    many, and their (GUID, amount).

    Unchanged formats cost one small query a run. A row is replaced by delete-then-insert; a
    crash between the two leaves the message without a row, which `_pending` derives again.
    """
    fingerprint = formats_fingerprint(formats)
    if stored_fingerprint(con) == fingerprint:
        return 0, []
    retry = con.execute(
        "SELECT s.guid, s.sender, s.body, epoch_us(s.received_at) FROM sms_messages s"
        " JOIN transactions t ON t.message_guid = s.guid WHERE t.status = ?",
        [STATUS_UNRECOGNIZED],
    ).fetchall()
    read = derive_rows(retry, rules, tz, formats, payees)
    rows = [r for r in read if r[1] != STATUS_UNRECOGNIZED]
    if rows:
        rows = refund_categories(con, rows)
        con.register("new_txn", _frame(rows))
        con.execute(
            "DELETE FROM transactions WHERE message_guid IN (SELECT message_guid FROM new_txn)"
        )
        con.execute(_INSERT, [0])
        con.unregister("new_txn")
    store_fingerprint(con, fingerprint)
    return len(rows), _amounts(rows)


def _amounts(rows: Sequence[tuple[str | None, ...]]) -> list[tuple[str, str | None]]:
    """(GUID, amount as text) of the transactions among derived rows."""
    return [(str(r[0]), r[3]) for r in rows if r[1] == STATUS_TRANSACTION]


_PENDING = (
    "SELECT s.guid, s.sender, s.body, epoch_us(s.received_at) FROM sms_messages s"
    " WHERE s.rowid > ?"
)  # no ORDER BY: rows are independent, and sorting 100,000 costs ~50 ms


def _pending(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[tuple[str, str, str | None, int]], int]:
    """(messages with no transactions row yet, a ROWID all of them are above).

    A tick reads only what is above the highest derived ROWID (~2 ms; the anti-join of every
    message against every transaction cost ~30 ms at 100,000 rows). Whole-table counts are
    metadata in DuckDB, so checking that everything below that ROWID is derived is nearly
    free; when it is not (a transactions row deleted so that a newer parser sees the message
    again, or a replaced chat.db whose ROWIDs restarted lower), the anti-join finds them all.
    """
    done, derived, messages = con.execute(
        "SELECT coalesce(max(message_rowid), 0), count(*),"
        " (SELECT count(*) FROM sms_messages) FROM transactions"
    ).fetchall()[0]
    pending = con.execute(_PENDING, [done]).fetchall()
    if derived + len(pending) == messages:
        return pending, int(done)
    everything = con.execute(
        "SELECT s.guid, s.sender, s.body, epoch_us(s.received_at) FROM sms_messages s"
        " ANTI JOIN transactions t ON t.message_guid = s.guid"
    ).fetchall()
    return everything, 0


_INSERT = """
INSERT INTO transactions
SELECT
    n.message_guid, s.rowid, s.sender, s.received_at, n.status, n.reason,
    CAST(n.amount AS DECIMAL(18,2)), n.direction, n.counterparty, n.account_tail,
    CAST(n.balance AS DECIMAL(18,2)), n.reference, n.channel,
    CAST(n.txn_date AS DATE), CAST(n.date_from_body AS BOOLEAN),
    n.bank, n.instrument, n.category, n.kind, n.currency, n.payee,
    NULL,  -- category_source: the rules filed it (learned_apply.py may file it after)
    CAST(n.inr_amount AS DECIMAL(18,2))
FROM new_txn n JOIN sms_messages s ON s.guid = n.message_guid
-- Every pending row is above this ROWID: row-group zone maps skip the older ones.
WHERE s.rowid > ?
"""


def _insert(con: duckdb.DuckDBPyConnection, rows: list[Row], after: int) -> None:
    """Store derived rows of messages above ROWID `after` (none stored yet)."""
    con.register("new_txn", _frame(rows))
    con.execute(_INSERT, [after])
    con.unregister("new_txn")


def _frame(rows: list[tuple[str | None, ...]]) -> dict[str, np.ndarray]:
    """Text columns for `con.register` (see assets.common.columns); a column of only None
    arrives as NULL and the INSERT casts it."""
    return {
        name: text_column(values)
        for name, values in zip(PARSED_COLUMNS, zip(*rows, strict=True), strict=True)
    }
