"""Declarative alert formats: a regex with named groups plus the fields the shape fixes.

Named groups a pattern may use: `amount` (required), `counterparty`, `account_tail`, `balance`,
`reference`, `date`, and `direction` / `channel` when the wording decides them (the word is mapped:
"debited", "Dr", "spent" → debit; "credited", "Cr", "received" → credit; "UPI", "IMPS", "NEFT"…).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from assets.common.regex_prefix import compiled
from assets.common.senders import sender_header
from assets.transactions.errors import TransactionsError
from assets.transactions.model import (
    INSTRUMENTS,
    Channel,
    Direction,
    Instrument,
    Kind,
    Transaction,
)
from assets.transactions.parsing import fields
from assets.transactions.parsing.kinds import kind_of, wallet_kind

DIRECTIONS: tuple[Direction, ...] = ("debit", "credit")
CHANNELS: tuple[Channel, ...] = ("upi", "card", "neft", "imps", "atm", "other")
GROUPS = frozenset(
    {
        "amount",
        "counterparty",
        "account_tail",
        "balance",
        "reference",
        "date",
        "direction",
        "channel",
    }
)
FLAGS = re.IGNORECASE | re.DOTALL

# Building blocks for the built-in patterns (user patterns are plain regexes).
CUR = r"(?:Rs[.:]?\s*(?:INR\s*)?|INR\.?\s*|₹\s*)"
# Digits with comma groups of 2-3 (Indian 1,23,456 or Western 123,456): never a stray comma.
AMT = r"(?P<amount>\d+(?:,\d{2,3})*(?:\.\d+)?)"
BAL = r"(?P<balance>\d+(?:,\d{2,3})*(?:\.\d+)?)"
# Masks seen: XX1234, *1234, **1234, ...1234, X1234, 20XXXXX1234, 201***123456.
TAIL = r"(?:\d*[x*.]+\s?)?(?P<account_tail>\d+)"
DATE = (
    r"(?P<date>\d{4}[-:/]\d{2}[-:/]\d{2}"
    r"|\d{1,2}[-/.](?:\d{1,2}|[a-z]{3})[-/.]\d{2,4}"
    r"|\d{1,2}[a-z]{3}\d{2,4}"
    r"|[a-z]{3,9} \d{1,2}, \d{4})"
)
TIME = r"(?:[ ,:]+\d{1,2}:\d{2}(?::\d{2})?)?(?: IST)?"
END = r"(?=\s|$)"  # a sentence's full stop, not a dot inside AMAZON.IN


class Format(NamedTuple):
    """One alert shape. `direction` None: read from the group of that name. A `channel` group that
    matched wins over the fixed `channel` (e.g. YES BANK card spends "@UPI_…" are UPI)."""

    name: str
    regex: re.Pattern[str]
    direction: Direction | None
    channel: Channel | None
    instrument: Instrument
    keyword: str = ""  # lower-case text the body must contain before the regex is tried
    header: str | None = None  # six-letter sender header this format is for; None = any
    bank: str | None = None  # issuer id for the transaction; None = the sender's issuer
    # The built-in pattern for the lower-cased body (see `lowered`); user formats have none.
    low_regex: re.Pattern[str] | None = None
    # What the shape always is (a fund house's SIP confirmation: `investment`); None: read from
    # the words (kinds.kind_of), then the wallet kinds for a wallet's balance.
    kind: Kind | None = None


def lowered(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A case-insensitive `pattern` for the lower-cased body: letters lowered outside escapes.

    re's IGNORECASE matching costs several times a plain scan, and the parser has the
    lower-cased body at hand. Its offsets are the body's when the lengths agree (checked before
    use), so names and references are read back from the body with their capitals.
    """
    out = []
    escaped = False
    for char in pattern:
        out.append(char if escaped else char.lower())
        escaped = not escaped and char == "\\"
    text = "".join(out).replace("(?p<", "(?P<").replace("(?p=", "(?P=")  # named groups keep P
    return compiled(text, flags)  # the same matches, written so that re can skip ahead


def fmt(
    name: str,
    pattern: str,
    direction: Direction | None,
    channel: Channel | None,
    instrument: Instrument = "account",
    keyword: str = "",
    kind: Kind | None = None,
) -> Format:
    """A built-in format (patterns use the CUR/AMT/TAIL/DATE blocks above)."""
    return Format(
        name,
        re.compile(pattern, FLAGS),
        direction,
        channel,
        instrument,
        keyword.lower(),
        low_regex=lowered(pattern, re.DOTALL),
        kind=kind,
    )


_CREDIT_WORDS = ("cr", "credit", "receiv", "deposit", "refund", "revers", "cashback")


def _direction(word: str) -> Direction | None:
    word = word.lower()
    if word.startswith(_CREDIT_WORDS):
        return "credit"
    if word.startswith(
        ("dr", "debit", "spent", "sent", "paid", "withdraw", "transfer", "purchase")
    ):
        return "debit"
    return None


def _channel(word: str) -> Channel:
    word = word.lower()
    for channel in ("upi", "imps", "neft", "atm"):
        if channel in word:
            return channel
    return "card" if ("card" in word or "pos" in word) else "other"


# Where each field's group sits in `match.groups()`, per regex: one C-level itemgetter call
# then replaces a groupdict plus seven look-ups, ~100,000 times on a first ingest.
_FIELDS = ("amount", "counterparty", "account_tail", "balance", "reference", "date")
_WORDS = ("direction", "channel")
_NONE = (None,)  # appended to `match.groups()`: what an absent field's index picks


class _Plan(NamedTuple):
    """What `apply` needs of one regex, worked out once: the fields' getter and the group
    numbers it reads spans of (0: the pattern has no such group)."""

    pick: itemgetter[tuple[str | None, ...]]
    amount: int
    counterparty: int
    reference: int


# Keyed by the regex's id, the regex kept beside its plan (so the id is never reused while
# the entry lives): hashing a compiled pattern hashes its whole code, kilobytes per format, and
# cost more than the rest of `apply` together.
_PLANS: dict[int, tuple[re.Pattern[str], _Plan]] = {}
_new = tuple.__new__  # NamedTuple construction without its Python-level __new__


def _plan(regex: re.Pattern[str]) -> _Plan:
    """Picks the fields' groups (absent ones: the None appended after the last group)."""
    absent = regex.groups
    index = regex.groupindex
    plan = _Plan(
        itemgetter(*(index[name] - 1 if name in index else absent for name in _FIELDS + _WORDS)),
        index.get("amount", 0),
        index.get("counterparty", 0),
        index.get("reference", 0),
    )
    _PLANS[id(regex)] = (regex, plan)
    return plan


def apply(fmt_: Format, body: str, bank: str, low: str | None = None) -> Transaction | None:
    """The transaction `fmt_` reads from `body`, or None when the shape or a value does not fit.

    `low` is `body.lower()` when the caller has it: a built-in format then scans it instead,
    and the transaction's `kind` is read from it (without it, `kind` is "transfer").
    """
    # One unpacking instead of an attribute look-up per field (hot path).
    _, _, direction, fixed_channel, instrument, _, _, own_bank, regex, fixed_kind = fmt_
    if regex is None or low is None or len(low) != len(body):
        return _apply_to_body(fmt_, body, bank, low)
    match = regex.search(low)
    if match is None:
        return None
    entry = _PLANS.get(id(regex))
    plan = entry[1] if entry is not None and entry[0] is regex else _plan(regex)
    # A built-in format does not read an amount that ends the text (nor does the generic layer):
    # the alert may be cut inside it ("… credit of Rs6" of "Rs634.53").
    if match.end(plan.amount) >= len(body.rstrip(" ,.")):
        return None
    amount_text, name, tail, balance, reference, date, direction_word, channel_word = plan.pick(
        match.groups() + _NONE
    )
    # The name and the reference as the body spells them (the match is the lower-cased body's).
    if name:
        start, end = match.span(plan.counterparty)
        name = fields.counterparty(body[start:end])
    else:
        name = None
    if reference:
        start, end = match.span(plan.reference)
        reference = body[start:end].strip() or None
    # A built-in pattern's amount and balance are AMT/BAL's digits and comma groups, its tail
    # TAIL's digits: the values are made here without the checks fields makes of an owner's
    # capture. A zero amount is no movement, a zero balance unknown.
    amount = Decimal(amount_text.replace(",", ""))
    if not amount:
        return None
    if balance:
        balance = Decimal(balance.replace(",", "")) or None
    direction = direction or _direction(direction_word or "")
    if direction is None:
        return None
    channel = _channel(channel_word) if channel_word else fixed_channel or "other"
    if fixed_kind is not None:
        kind = fixed_kind
    else:
        kind = kind_of(low, direction, channel, name is not None)
        if instrument == "wallet":
            kind = wallet_kind(kind, direction, name is not None)
    return _new(
        Transaction,
        (
            amount,
            direction,
            name,
            tail[-4:] if tail else tail,
            balance,
            reference or None,
            channel,
            fields.parse_date(date) if date else None,
            own_bank or bank,
            instrument,
            "INR",
            kind,
        ),
    )


def _apply_to_body(fmt_: Format, body: str, bank: str, low: str | None) -> Transaction | None:
    """`apply` by the pattern written for the body: an owner's format (its captures checked
    by `fields`), or a built-in one on a body whose lower-casing changed its length."""
    regex = fmt_.regex
    match = regex.search(body)
    if match is None:
        return None
    builtin = fmt_.low_regex is not None
    if builtin and match.end("amount") >= len(body.rstrip(" ,.")):
        return None
    entry = _PLANS.get(id(regex))
    plan = entry[1] if entry is not None and entry[0] is regex else _plan(regex)
    amount_text, name, tail, balance, reference, date, direction_word, channel_word = plan.pick(
        match.groups() + _NONE
    )
    if builtin:
        amount = Decimal(amount_text.replace(",", "") if "," in amount_text else amount_text)
        if not amount:
            return None
        if balance:
            balance = Decimal(balance.replace(",", "") if "," in balance else balance) or None
        if tail:
            tail = tail[-4:]
    else:
        amount = fields.parse_amount(amount_text)
        if amount is None:
            return None
        balance = fields.parse_amount(balance) if balance else None
        tail = fields.account_tail(tail) if tail else None
    direction = fmt_.direction or _direction(direction_word or "")
    if direction is None:
        return None
    counterparty = fields.counterparty(name) if name else None
    channel = _channel(channel_word) if channel_word else fmt_.channel or "other"
    kind: Kind = "transfer"
    if fmt_.kind is not None:
        kind = fmt_.kind
    elif low:  # read here when the caller gave the lower-cased body
        kind = kind_of(low, direction, channel, counterparty is not None)
        if fmt_.instrument == "wallet":
            kind = wallet_kind(kind, direction, counterparty is not None)
    return _new(
        Transaction,
        (
            amount,
            direction,
            counterparty,
            tail,
            balance,
            reference.strip() or None if reference else None,
            channel,
            fields.parse_date(date) if date else None,
            fmt_.bank or bank,
            fmt_.instrument,
            "INR",
            kind,
        ),
    )


class FormatConfigError(TransactionsError, ValueError):
    """A user-defined format that cannot work; the message names the entry and shows a fix.

    `index` is the entry's position (from 1) in `[[sms.formats]]`, `label` its name if it has
    one, `problem` what is wrong; `summary` is the message without `example`, a valid entry."""

    def __init__(self, index: int, problem: str, label: object = None) -> None:
        self.index, self.problem, self.label = index, problem, label
        where = f"sms.formats entry {index}" + (f" ({label!r})" if label else "")
        self.summary, self.example = f"{where}: {problem}", _EXAMPLE
        super().__init__(f"{self.summary}. Example of a valid entry: {_EXAMPLE}")


_EXAMPLE = (
    '{sender = "XYZBNK", pattern = "Rs\\\\.(?P<amount>[\\\\d,.]+) debited from A/c '
    'XX(?P<account_tail>\\\\d+)", direction = "debit", channel = "upi", instrument = "account"}'
)


def formats_from_config(entries: Sequence[Mapping[str, Any]]) -> list[Format]:
    """Formats from `[[sms.formats]]` tables; raises FormatConfigError on the first bad entry."""
    return [_from_entry(index, entry) for index, entry in enumerate(entries, start=1)]


def _from_entry(index: int, entry: Mapping[str, Any]) -> Format:
    def fail(problem: str) -> FormatConfigError:
        label = entry.get("name") if isinstance(entry, Mapping) else None
        return FormatConfigError(index, problem, label)

    if not isinstance(entry, Mapping):
        raise fail(f"expected a table, got {type(entry).__name__}")
    unknown = set(entry) - {
        "name",
        "sender",
        "pattern",
        "direction",
        "channel",
        "instrument",
        "bank",
    }
    if unknown:
        raise fail(f"unknown key(s) {sorted(unknown)}")
    sender = entry.get("sender")
    header = sender_header(sender) if isinstance(sender, str) else None
    if header is None:
        raise fail(
            f'"sender" must be a DLT sender id such as "VM-XYZBNK" or "XYZBNK", got {sender!r}'
        )
    pattern = entry.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise fail('"pattern" must be a non-empty regular expression string')
    try:
        regex = re.compile(pattern, FLAGS)
    except re.error as error:
        raise fail(f'"pattern" is not a valid regular expression: {error}') from None
    names = set(regex.groupindex)
    if "amount" not in names:
        raise fail('"pattern" needs a named group (?P<amount>...) for the amount')
    if names - GROUPS:
        raise fail(f"unknown named group(s) {sorted(names - GROUPS)}; use {sorted(GROUPS)}")
    direction = entry.get("direction")
    if direction is None and "direction" not in names:
        raise fail('"direction" must be "debit" or "credit" (or the pattern a (?P<direction>...))')
    if direction is not None and direction not in DIRECTIONS:
        raise fail(f'"direction" must be "debit" or "credit", got {direction!r}')
    channel = entry.get("channel", None if "channel" in names else "other")
    if channel is not None and channel not in CHANNELS:
        raise fail(f'"channel" must be one of {list(CHANNELS)}, got {channel!r}')
    instrument = entry.get("instrument", "account")
    if instrument not in INSTRUMENTS:
        raise fail(f'"instrument" must be one of {list(INSTRUMENTS)}, got {instrument!r}')
    bank = entry.get("bank")
    if bank is not None and (not isinstance(bank, str) or not bank.strip()):
        raise fail(f'"bank" must be a non-empty issuer id such as "XYZ", got {bank!r}')
    name = entry.get("name") or f"user-{index}"
    return Format(str(name), regex, direction, channel, instrument, "", header, bank)
