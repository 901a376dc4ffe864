"""parse_message: sender → issuer → negatives → the issuer's formats → generic formats."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from assets.common.senders import sender_header
from assets.transactions.model import UNRECOGNIZED, ParseResult
from assets.transactions.parsing import negatives
from assets.transactions.parsing.format import Format, apply
from assets.transactions.parsing.issuers import (
    FORMATS_BY_ISSUER,
    GENERIC_FORMATS,
    ISSUER_BY_HEADER,
)

KNOWN_BANK_HEADERS: frozenset[str] = frozenset(ISSUER_BY_HEADER)

_EMPTY = ParseResult(None, "empty")
_UNRECOGNIZED = ParseResult(None, UNRECOGNIZED)
_new = tuple.__new__  # NamedTuple construction without its Python-level __new__ (hot path)


def issuer_for_sender(sender: str) -> str | None:
    """The issuer id ("HDFC", "SBICARD"…) of a DLT sender such as "VM-HDFCBK-S", or None."""
    header = sender_header(sender)
    return ISSUER_BY_HEADER.get(header) if header else None


@lru_cache(maxsize=4096)
def _route(sender: str) -> tuple[str | None, str | None, tuple[Format, ...]]:
    """(header, bank id, built-in formats to try) for a sender; cached, senders repeat."""
    header = sender_header(sender)
    if header is None:
        # Phone numbers and e-mail addresses are not bank alert senders; a look-alike alert
        # from one is more likely phishing than a transaction.
        return None, None, ()
    issuer = ISSUER_BY_HEADER.get(header)
    if issuer is None:
        return header, header, GENERIC_FORMATS
    return header, issuer, FORMATS_BY_ISSUER[issuer] + GENERIC_FORMATS


def parse_message(sender: str, body: str, formats: Sequence[Format] | None = None) -> ParseResult:
    """The transaction a bank SMS reports, or the reason it reports none.

    `formats` are user-defined formats (see formats_from_config); those for this sender's header
    are tried before the built-in ones.
    """
    if not body or body.isspace():
        return _EMPTY
    header, bank, builtin = _route(sender)
    low = body.lower()
    reason = negatives.before_formats(low, sender)
    if reason is not None:
        return ParseResult(None, reason)
    if formats and header is not None:
        for user_format in formats:
            if user_format.header == header:
                txn = apply(user_format, body, bank or header)
                if txn is not None:
                    return _new(ParseResult, (txn, None))
    for builtin_format in builtin:
        if builtin_format.keyword and builtin_format.keyword not in low:
            continue
        txn = apply(builtin_format, body, bank)  # type: ignore[arg-type]  # bank set when builtin
        if txn is not None:
            return _new(ParseResult, (txn, None))
    reason = negatives.after_formats(low)
    return ParseResult(None, reason) if reason else _UNRECOGNIZED
