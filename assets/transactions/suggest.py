"""A `[[sms.formats]]` entry proposed from the messages of one shape, checked before it is shown.

The pattern is the shape itself: the fixed words escaped (any run of white space as `\\s+`), each
slot a pattern for its kind, the slots the format schema has as named groups: the first amount
not introduced as a balance → `amount`, one introduced by "Bal"/"Lmt" → `balance`, the first
account tail, date, reference (a number after "Ref"/"UTR"/"UPI"…) and name (or else VPA) →
`account_tail`, `date`, `reference`, `counterparty`. The direction is fixed by the first money
word of the fixed text ("debited", "spent", "credited"…). No amount, or no direction word: no
proposal, and the reason.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from assets.transactions.model import ParseResult
from assets.transactions.parsing import formats_from_config, parse_message
from assets.transactions.unrecognized import Shape, Token, mask_for_display, tokenize

_AMOUNT_DIGITS = r"(?:rs\.?|inr\.?|₹)\s*[:.]?\s*"
_NUMBER = r"\d+(?:,\d{2,3})*(?:\.\d+)?"
_DATE = (
    r"\d{4}[-:/]\d{2}[-:/]\d{2}"
    r"|\d{1,2}[-/.](?:\d{1,2}|[a-z]{3})[-/.]\d{2,4}"
    r"|\d{1,2}[a-z]{3}\d{2,4}"
    r"|[a-z]{3,9} \d{1,2}, \d{4}"
)
_SLOT = {
    "account": r"(?:[x*]+|\.{2,})\s?-?{group}\d+",
    "date": r"{group}(?:" + _DATE + ")",
    "time": r"\d{1,2}:\d{2}(?::\d{2})?",
    "vpa": r"{group}[\w.\-]+@[\w.]+",
    "code": r"{group}[a-z0-9]+",
    "number": r"{group}\d+",
    "name": r"{group}.+?",
}
_BALANCE_BEFORE = re.compile(r"(?:bal|balance|lmt|limit)\b[^a-z]*(?:is|of|:)?[^a-z]*$")
_REFERENCE_BEFORE = re.compile(
    r"(?:ref|utr|rrn|txn|transaction|upi|imps|neft|rtgs|id)\b[^a-z0-9]*(?:no|num|number|id)?"
    r"[^a-z0-9]*$"
)
_MONEY_WORD = re.compile(
    r"\b(debited|spent|sent|paid|withdrawn|transferred|purchased?|dr"
    r"|credited|received|deposited|refunded|refund|reversed|reversal|cashback|cr)\b"
)
_CREDIT = (
    "credited", "received", "deposited", "refunded", "refund", "reversed", "reversal", "cr",
    "cashback",
)  # fmt: skip


class Suggestion(NamedTuple):
    """A proposed entry (None when none is safe), with why not or what to check."""

    entry: dict[str, str] | None
    problems: list[str]  # why there is no safe proposal
    notes: list[str]  # what the owner should know before pasting


def propose(shape: Shape, body: str, sender: str, direction: str | None = None) -> Suggestion:
    """A `[[sms.formats]]` table for messages shaped like `body` (from `sender`).

    `direction` ("debit"/"credit") overrides the one read from the wording.
    """
    tokens = tokenize(body)
    fixed = " ".join(text for kind, text in tokens if kind == "text").lower()
    notes: list[str] = []
    problems: list[str] = []
    if not any(kind == "amount" for kind, _ in tokens):
        problems.append(
            "no amount: the message has no 'Rs'/'INR'/'₹' followed by a number, and a format "
            "needs one"
        )
    if direction is None:
        words = _MONEY_WORD.findall(fixed)
        if not words:
            problems.append(
                "no money word (debited, spent, credited, received…) says which way the money "
                "went: give --direction debit or --direction credit"
            )
        else:
            direction = "credit" if words[0].startswith(_CREDIT) else "debit"
            if len({w.startswith(_CREDIT) for w in words}) > 1:
                notes.append(
                    f"the wording has both debit and credit words; the first, {words[0]!r}, "
                    f"decides: {direction} (give --direction to change it)"
                )
    elif direction not in ("debit", "credit"):
        problems.append(f"--direction must be debit or credit, not {direction!r}")
    if problems:
        return Suggestion(None, problems, notes)
    pattern, taken = _pattern(tokens)
    if "amount" not in taken:
        return Suggestion(
            None, ["every amount in the message is introduced as a balance or limit"], notes
        )
    if "counterparty" not in taken:
        notes.append("no name or VPA in a known slot: transactions will have no counterparty")
    entry = {
        "name": f"{shape.header.lower()}-{shape.shape_id}",
        "sender": shape.header,
        "pattern": pattern,
        "direction": str(direction),
        "channel": _channel(fixed, tokens),
        "instrument": _instrument(fixed),
    }
    return Suggestion(entry, [], notes)


def _pattern(tokens: Sequence[Token]) -> tuple[str, set[str]]:
    """The regex for these tokens, and the named groups it captures."""
    parts: list[str] = []
    taken: set[str] = set()
    last_group = 0  # index in `parts` just after the last named group
    has_name = any(kind == "name" for kind, _ in tokens)
    before = ""
    for kind, text in tokens:
        if kind == "text":
            parts.append(_literal(text))
            before = (before + text.lower())[-40:]
            continue
        group = _group_for(kind, before, taken, has_name)
        if kind == "amount":
            name = group or ""
            parts.append(_AMOUNT_DIGITS + (f"(?P<{name}>{_NUMBER})" if name else _NUMBER))
        else:
            slot = _SLOT[kind]
            # The captured part runs from {group} to the end of the slot's pattern.
            opened = f"(?P<{group}>" if group else ""
            parts.append(slot.replace("{group}", opened) + (")" if group else ""))
        before = ""
        if group:
            taken.add(group)
            last_group = len(parts)
    # Keep the fixed words right after the last group (they end a lazy name), drop the rest:
    # a footer that changes later should not stop the format from matching.
    end = min(last_group + 1, len(parts))
    return "".join(parts[:end]), taken


def _group_for(kind: str, before: str, taken: set[str], has_name: bool) -> str | None:
    """The named group a slot becomes, or None when it stays unnamed."""
    if kind == "amount":
        wanted = "balance" if _BALANCE_BEFORE.search(before) else "amount"
    elif kind == "account":
        wanted = "account_tail"
    elif kind == "date":
        wanted = "date"
    elif kind == "name" or (kind == "vpa" and not has_name):
        wanted = "counterparty"
    elif kind in ("number", "code") and _REFERENCE_BEFORE.search(before):
        wanted = "reference"
    else:
        return None
    return None if wanted in taken else wanted


def _literal(text: str) -> str:
    pieces = (piece for piece in re.split(r"(\s+)", text) if piece)
    return "".join(r"\s+" if piece.isspace() else re.escape(piece) for piece in pieces)


def _channel(fixed: str, tokens: Sequence[Token]) -> str:
    for channel, words in (
        ("upi", ("upi",)),
        ("imps", ("imps",)),
        ("neft", ("neft", "rtgs")),
        ("atm", ("atm", "cash withdraw")),
        ("card", ("card", "pos ")),
    ):
        if any(word in fixed for word in words):
            return channel
    return "upi" if any(kind == "vpa" for kind, _ in tokens) else "other"


def _instrument(fixed: str) -> str:
    if "wallet" in fixed:  # "paid from your wallet": a prepaid wallet, mapped by bank alone
        return "wallet"
    if "credit card" in fixed:
        return "credit_card"
    if "debit card" in fixed or "card" in fixed:
        return "debit_card"
    return "account"


class Reading(NamedTuple):
    """What the proposed format (with the parser around it) makes of one stored message."""

    guid: str
    example: str  # masked body
    result: ParseResult
    expected_amount: Decimal | None  # the first non-balance amount the body prints


def check(entry: dict[str, str], messages: Sequence[tuple[str, str, str]]) -> list[Reading]:
    """Run the entry through `formats_from_config` and the parser over (guid, sender, body)s.

    Raises FormatConfigError when the entry itself is not a valid format.
    """
    formats = formats_from_config([entry])
    readings = []
    for guid, sender, body in messages:
        result = parse_message(sender, body, formats)
        readings.append(Reading(guid, mask_for_display(body), result, _first_amount(body)))
    return readings


def _first_amount(body: str) -> Decimal | None:
    tokens = tokenize(body)
    before = ""
    for kind, text in tokens:
        if kind == "text":
            before = (before + text.lower())[-40:]
        elif kind == "amount" and not _BALANCE_BEFORE.search(before):
            digits = re.sub(r"^\D+", "", text).replace(",", "")
            return Decimal(digits)
        else:
            before = ""
    return None


def reading_ok(reading: Reading) -> bool:
    """The message became a transaction with the amount the body prints."""
    txn = reading.result.transaction
    return txn is not None and txn.amount == reading.expected_amount


def masked_fields(reading: Reading) -> dict[str, Any]:
    """The parsed transaction for display: tails and references as '#'s, VPA names hidden."""
    txn = reading.result.transaction
    if txn is None:
        return {"reason": reading.result.reason}
    counterparty = txn.counterparty
    if counterparty and "@" in counterparty:
        counterparty = "****@" + counterparty.rsplit("@", 1)[1]
    return {
        "amount": str(txn.amount),
        "direction": txn.direction,
        "counterparty": counterparty,
        "account_tail": "#" * len(txn.account_tail) if txn.account_tail else None,
        "balance": None if txn.balance is None else str(txn.balance),
        "reference": "#" * len(txn.reference) if txn.reference else None,
        "channel": txn.channel,
        "date": txn.date.isoformat() if txn.date else None,
        "kind": txn.kind,
    }


def changed_readings(entry: dict[str, str], messages: Sequence[tuple[str, str]]) -> int:
    """How many of these (sender, body)s, which the parser reads today, the entry would read
    differently: owner formats run before the built-in ones for their sender."""
    formats = formats_from_config([entry])
    return sum(
        1
        for sender, body in messages
        if parse_message(sender, body, formats) != parse_message(sender, body)
    )


_KEY_ORDER = ("name", "sender", "pattern", "direction", "channel", "instrument", "bank")


def to_toml(entry: dict[str, str]) -> str:
    """The entry as a `[[sms.formats]]` table to paste into homeclerk.toml.

    Literal strings ('…') where the text allows, so a regex reads as written; checked by parsing
    the result back.
    """
    lines = ["[[sms.formats]]"]
    for key in sorted(entry, key=_KEY_ORDER.index):
        lines.append(f"{key} = {_toml_string(entry[key])}")
    text = "\n".join(lines) + "\n"
    back = tomllib.loads(text)["sms"]["formats"][0]
    if back != entry:  # pragma: no cover - a bug here must not reach the owner's file
        raise ValueError(f"TOML round trip changed the entry: {back!r}")
    return text


def _toml_string(value: str) -> str:
    if "'" not in value and not any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"'{value}'"
    # A basic string: JSON's escapes (\\ \" \n \uXXXX) are TOML's too.
    return json.dumps(value, ensure_ascii=False)
