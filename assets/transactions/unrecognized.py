"""Unrecognized bank messages grouped by shape: what the owner could teach the parser next.

A message's *shape* is its sender header plus its body with the parts that change from one alert
to the next (amounts, account tails, dates, times, VPAs, numbers and references, and names in the
slots alerts put them: "to X", "from X", "at X" before a terminator) turned into placeholders.
Alerts a bank sends from one template share a shape, and the shape's id (8 hex digits of a hash
of it) is stable, so `homeclerk sms suggest ID` can find them again.

What is shown outside the warehouse is masked further than storage masks it: account tails,
VPA handles' names, references, codes and phone numbers lose every digit; amounts, dates and
names stay, since the owner needs them to check what a suggested format reads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import duckdb

from assets.common.privacy import hide_codes
from assets.common.senders import sender_header
from assets.common.warehouse import connect, has_table
from assets.transactions.dismissed import not_dismissed
from assets.transactions.model import DOUBTFUL_REASONS, UNRECOGNIZED

# DATE of the parser's formats (parsing/format.py), without its group name: the same dates a
# format can read are the ones a shape abstracts.
_DATE = (
    r"\d{4}[-:/]\d{2}[-:/]\d{2}"
    r"|\d{1,2}[-/.](?:\d{1,2}|[a-z]{3})[-/.]\d{2,4}"
    r"|\d{1,2}[a-z]{3}\d{2,4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6} \d{1,2}, \d{4}"
)
# One pass over the body; the first alternative that fits at a position wins.
_TOKEN = re.compile(
    r"(?P<vpa>[\w.\-]+@[a-z][\w.]*)"
    r"|(?P<amount>(?:\brs\b\.?|\binr\b\.?|₹)\s*[:.]?\s*\d+(?:,\d{2,3})*(?:\.\d+)?)"
    r"|(?P<account>(?<![\w])(?:[x*]+|\.{2,})\s?-?\d{2,}\b)"
    rf"|(?P<date>(?<!\d)(?:{_DATE})(?!\d))"
    r"|(?P<time>(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d))"
    r"|(?P<code>\b(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{8,}\b)"
    r"|(?P<number>\d+)",
    re.IGNORECASE,
)
# A name in a slot: after to/from/at/towards/by, capitalised, up to a terminator. Letters,
# digits, spaces and & ' . - only, so it never runs into a placeholder or across a line.
_NAME = re.compile(
    r"\b(?i:to|from|at|towards|by|for)[ \t]+"
    r"(?P<name>[A-Z](?:[A-Za-z0-9&'. \-]*?[A-Za-z0-9])?)"
    r"(?=[ \t]+(?i:on|via|ref|upi|avl|bal|using|thru|through|with|is|has|at|from|to|for)\b"
    r"|[ \t]*[.,;:()\n]|$)"
    # "…debited for Rs 10; RAHUL credited." (the payee named before the verb)
    r"|(?<=; )(?P<payee>[A-Z][A-Za-z0-9&'. \-]*?[A-Za-z0-9])(?= (?i:credited|debited)\b)"
)
# First words that make a slot a phrase, not a name ("to your account", "from A/c").
_NOT_NAMES = frozenset(
    ("your", "you", "a", "an", "the", "this", "that", "our", "us", "be", "a/c", "ac", "acct",
     "account", "card", "bank", "mobile", "net", "netbanking", "customer", "beneficiary")
)  # fmt: skip

Token = tuple[str, str]  # (kind, text); kind "text" for the fixed words between slots


def tokenize(body: str) -> list[Token]:
    """The body as fixed text and slots: amount, account, date, time, vpa, code, number, name."""
    tokens: list[Token] = []
    at = 0
    for match in _TOKEN.finditer(body):
        if match.start() > at:
            tokens.extend(_names(body[at : match.start()]))
        kind = match.lastgroup or "text"
        tokens.append((kind, match.group()))
        at = match.end()
    if at < len(body):
        tokens.extend(_names(body[at:]))
    return tokens


def _names(text: str) -> list[Token]:
    out: list[Token] = []
    at = 0
    for match in _NAME.finditer(text):
        slot = "name" if match.group("name") else "payee"
        name = match.group(slot)
        if name.split()[0].lower() in _NOT_NAMES:
            continue
        out.append(("text", text[at : match.start(slot)]))
        out.append(("name", name))
        at = match.end(slot)
    out.append(("text", text[at:]))
    return [t for t in out if t[1]]


class Shape(NamedTuple):
    """A message's shape: its id, the sender header and the body template."""

    shape_id: str
    header: str
    template: str


def shape_of(sender: str, body: str) -> Shape:
    """The shape of one message (same template and header → same id)."""
    header = sender_header(sender) or "(not a DLT sender)"
    template = "".join(
        text if kind == "text" else f"<{kind.upper()}>" for kind, text in tokenize(body)
    )
    template = re.sub(r"[ \t]+", " ", template).strip()
    digest = hashlib.sha256(f"{header}\n{template}".encode()).hexdigest()[:8]
    return Shape(digest, header, template)


def mask_for_display(body: str) -> str:
    """The body as shown outside the warehouse: amounts, dates and names kept, every other
    number (account tails, references, codes, phone numbers, VPA names) as '#'s."""
    parts = []
    for kind, text in tokenize(body):
        if kind in ("text", "name"):
            parts.append(hide_codes(text))
        elif kind in ("amount", "date", "time"):
            parts.append(text)
        elif kind == "vpa":
            handle = text.rsplit("@", 1)[1]
            parts.append(f"****@{handle}")
        elif kind == "account":
            parts.append(re.sub(r"\d", "#", text))
        else:  # number, code
            parts.append("#" * len(text))
    return "".join(parts)


class StoredMessage(NamedTuple):
    """An unrecognized bank message as the warehouse holds it (body masked in storage)."""

    guid: str
    sender: str
    body: str
    received_at: dt.datetime
    # Why it is stored unrecognized: "unrecognized" (no shape fits), or a doubtful reason
    # (`doubtful_tense`, `doubtful_reversal`) that no format is allowed to read past.
    reason: str = UNRECOGNIZED


class ShapeGroup(NamedTuple):
    """The unrecognized messages of one shape, oldest first."""

    shape: Shape
    messages: tuple[StoredMessage, ...]

    @property
    def count(self) -> int:
        """How many messages have this shape."""
        return len(self.messages)

    def summary(self, tz: dt.tzinfo = dt.UTC) -> dict[str, object]:
        """The group as JSON-ready data, masked: id, sender, count, first/last seen (in `tz`),
        the shape, the newest message as an example, and its doubtful reason (or None)."""
        newest = self.messages[-1]
        doubtful = newest.reason if newest.reason in DOUBTFUL_REASONS else None
        return {
            "shape_id": self.shape.shape_id,
            "sender": self.shape.header,
            "count": self.count,
            "first_seen": self.messages[0].received_at.astimezone(tz).isoformat(),
            "last_seen": newest.received_at.astimezone(tz).isoformat(),
            "shape": hide_codes(self.shape.template),
            "example": mask_for_display(newest.body),
            "doubtful": doubtful,
        }


def group_by_shape(messages: Iterable[StoredMessage]) -> list[ShapeGroup]:
    """Messages grouped by shape, most frequent first (ties: the most recently seen first)."""
    groups: dict[Shape, list[StoredMessage]] = {}
    for message in sorted(messages, key=lambda m: (m.received_at, m.guid)):
        groups.setdefault(shape_of(message.sender, message.body), []).append(message)
    ordered = sorted(
        groups.items(),
        key=lambda item: (-len(item[1]), -item[1][-1].received_at.timestamp(), item[0].shape_id),
    )
    return [ShapeGroup(shape, tuple(found)) for shape, found in ordered]


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class NoTransactionsError(RuntimeError):
    """The warehouse has no parsed messages yet (the transactions asset has not run)."""


@contextlib.contextmanager
def parsed_warehouse(warehouse_path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse opened read-only, once the transactions asset has run (else
    NoTransactionsError); FileNotFoundError without one, WarehouseLockedError while a run writes."""
    with connect(Path(warehouse_path), read_only=True) as con:
        if not has_table(con, "transactions") or not has_table(con, "sms_messages"):
            raise NoTransactionsError(
                f"warehouse {warehouse_path} has no parsed messages yet: materialize "
                "`transactions` (homeclerk materialize 'sms_messages+')"
            )
        yield con


def load_unrecognized(warehouse_path: Path | str) -> tuple[list[StoredMessage], int]:
    """(every unrecognized bank message with its body, how many had no readable body); the
    messages the owner set aside (`sms dismiss`) are not among them.

    Opens the warehouse read-only, so it works while the service runs between its writes;
    raises FileNotFoundError without a warehouse, WarehouseLockedError while a run writes,
    NoTransactionsError before the first parse.
    """
    with parsed_warehouse(warehouse_path) as con:
        rows = con.execute(
            "SELECT t.message_guid, s.sender, s.body, epoch_us(s.received_at), t.reason"
            " FROM transactions t JOIN sms_messages s ON s.guid = t.message_guid"
            " WHERE t.status = 'unrecognized'" + not_dismissed(con, "t.message_guid")
        ).fetchall()
    found = [
        StoredMessage(
            guid, sender, body, _EPOCH + dt.timedelta(microseconds=at), reason or UNRECOGNIZED
        )
        for guid, sender, body, at, reason in rows
        if body
    ]
    return found, len(rows) - len(found)


def messages_of_shape(
    messages: Sequence[StoredMessage], shape_id: str
) -> tuple[Shape, list[StoredMessage]] | None:
    """The shape with this id and its messages oldest first, or None when no message has it."""
    shape_id = shape_id.strip().lower()
    found: list[StoredMessage] = []
    shape = None
    for message in messages:
        candidate = shape_of(message.sender, message.body)
        if candidate.shape_id == shape_id:
            shape = candidate
            found.append(message)
    found.sort(key=lambda m: (m.received_at, m.guid))
    return (shape, found) if shape is not None else None


def load_read_messages(warehouse_path: Path | str, header: str) -> list[tuple[str, str]]:
    """(sender, body) of every message from this sender header the parser reads today."""
    with connect(Path(warehouse_path), read_only=True) as con:
        rows = con.execute(
            "SELECT s.sender, s.body FROM transactions t JOIN sms_messages s"
            " ON s.guid = t.message_guid WHERE t.status = 'transaction' AND s.body IS NOT NULL"
            " AND contains(upper(s.sender), ?)",
            [header],
        ).fetchall()
    return [(sender, body) for sender, body in rows if sender_header(sender) == header]
