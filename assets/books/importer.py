"""A beangulp importer for a copy of the Messages database (chat.db).

For the `beangulp` CLI and Fava's import page: the same parser, account mapping and stable ids
as the `ledger_entries` asset, so an imported entry carries the `sms_guid` the generator knows
and is never generated again (and one already in the books is never imported again).

    # import.py next to your ledger
    from assets.books.importer import ChatDbImporter
    from beangulp import Ingest
    importers = [ChatDbImporter(account_mapping=[...], bank_senders=["HDFCBK", ...])]
    if __name__ == "__main__":
        Ingest(importers)()
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from zoneinfo import ZoneInfo

import beangulp
from beancount.core import data

from assets.books.accounts import parse_account_mapping
from assets.books.entries import build_ledger
from assets.books.handkept import hand_kept_from_entries
from assets.common.timezone import DEFAULT_TIMEZONE
from assets.transactions.links import DEFAULT_LINK_WINDOW_MINUTES, counted_once
from assets.transactions.model import Transaction
from assets.transactions.stored import StoredTransaction

SQLITE_HEADER = b"SQLite format 3\x00"
# Categorizer: a parsed transaction → a category tail such as "Food:Delivery", or None.
Categorizer = Callable[[Transaction], str | None]


def is_chat_db(filepath: str) -> bool:
    """A SQLite file with Messages' `message` table (header checked first: cheap, no open)."""
    try:
        with open(filepath, "rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return False
        uri = f"file:{filepath}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as con:
            columns = {row[1] for row in con.execute("PRAGMA table_info(message)")}
    except (OSError, sqlite3.Error):
        return False
    return {"guid", "text", "handle_id", "date"} <= columns


def _default_categorizer() -> Categorizer:
    from assets.transactions.categories import DEFAULT_RULES, categorize_as_purchase_if_refund

    return lambda txn: categorize_as_purchase_if_refund(txn, DEFAULT_RULES)


class ChatDbImporter(beangulp.Importer):
    """Bank SMS in a chat.db copy → transactions and next-day balance assertions."""

    def __init__(
        self,
        account_mapping: Sequence[Mapping[str, str]],
        bank_senders: Sequence[str],
        *,
        timezone: str = DEFAULT_TIMEZONE,
        categorize: Categorizer | None = None,
        file_account: str = "Assets:Bank",
        today: dt.date | None = None,
        link_window_minutes: float = DEFAULT_LINK_WINDOW_MINUTES,
    ) -> None:
        self._mapping = parse_account_mapping(account_mapping)
        self._senders = tuple(bank_senders)
        self._tz = ZoneInfo(timezone)
        # Default: the pipeline's own built-in rules, so imports and generated books agree.
        self._categorize = categorize or _default_categorizer()
        self._file_account = file_account
        self._today = today
        self._link_window = dt.timedelta(minutes=link_window_minutes)

    @property
    def name(self) -> str:
        """The importer's name, as beangulp lists it."""
        return "homeclerk.chatdb"

    def identify(self, filepath: str) -> bool:
        """Whether `filepath` is a Messages database this importer reads."""
        return is_chat_db(filepath)

    def account(self, filepath: str) -> data.Account:
        """The account beangulp files the chat.db under."""
        return self._file_account

    def alerts(self, filepath: str) -> list[StoredTransaction]:
        """The parsed, categorised bank alerts in the chat.db at `filepath`, one per payment
        (alerts of one payment linked as the warehouse links them: links.py)."""
        from assets.sms.chatdb import read_bank_messages
        from assets.transactions.parsing import parse_message
        from assets.transactions.parsing.inr_equivalent import rupee_figure
        from assets.transactions.payees import PayeeResolver

        payee_of = PayeeResolver()
        out: list[StoredTransaction] = []
        for msg in read_bank_messages(filepath, self._senders, 0):
            txn = parse_message(msg.sender, msg.body or "").transaction
            if txn is None:
                continue
            out.append(
                StoredTransaction.from_parsed(
                    txn,
                    message_guid=msg.guid,
                    received_at=msg.received_at,
                    category=self._categorize(txn),
                    message_rowid=msg.rowid,
                    payee=payee_of(txn.counterparty),
                    # As derive stores it: the card then posts the bank's rupee figure.
                    inr_amount=rupee_figure(txn.currency, msg.body or ""),
                )
            )
        return counted_once(out, self._link_window) if self._link_window > dt.timedelta(0) else out

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        """New entries only: alerts already in the books (by sms_guid, or keyed in by hand:
        same account, amount, date ±1 day, reference) are left out, as the generator does."""
        today = self._today or dt.datetime.now(self._tz).date()
        build = build_ledger(
            self.alerts(filepath),
            self._mapping,
            tz=self._tz,
            today=today,
            hand=hand_kept_from_entries(existing or ()),
        )
        entries: list[data.Directive] = []
        for index, entry in enumerate([*build.openings, *build.transactions, *build.balances]):
            entry.meta["filename"], entry.meta["lineno"] = filepath, index
            entries.append(entry)
        return entries

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark as duplicates the entries the owner already keyed in or asserted."""
        # Identity is the message GUID; extract() already applied the hand-keyed rules.
        seen = hand_kept_from_entries(existing or ()).sms_guids
        asserted = {(e.date, e.account) for e in existing or () if isinstance(e, data.Balance)}
        for entry in entries:
            if entry.meta.get("sms_guid") in seen or (
                isinstance(entry, data.Balance) and (entry.date, entry.account) in asserted
            ):
                entry.meta["__duplicate__"] = True
