"""parse_message: sender → issuer → negatives → issuer formats → generic layer → generic formats.

parse_grouped: the same for a batch, grouped so that the CPU's caches stay warm."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from assets.common.senders import sender_header
from assets.transactions.model import UNRECOGNIZED, ParseResult, Transaction
from assets.transactions.parsing import generic, negatives, not_moved
from assets.transactions.parsing.fields import unstyled
from assets.transactions.parsing.format import Format, apply
from assets.transactions.parsing.issuers import (
    FORMATS_BY_ISSUER,
    GENERIC_FORMATS,
    ISSUER_BY_HEADER,
)
from assets.transactions.parsing.kinds import kind_of, wallet_kind

KNOWN_BANK_HEADERS: frozenset[str] = frozenset(ISSUER_BY_HEADER)

_EMPTY = ParseResult(None, "empty")
_UNRECOGNIZED = ParseResult(None, UNRECOGNIZED)
_new = tuple.__new__  # NamedTuple construction without its Python-level __new__ (hot path)


def issuer_for_sender(sender: str) -> str | None:
    """The issuer id ("HDFC", "SBICARD"…) of a DLT sender such as "VM-HDFCBK-S", or None."""
    header = sender_header(sender)
    return ISSUER_BY_HEADER.get(header) if header else None


# Issuers whose own formats are switched off (leave-one-issuer-out evaluation only).
_DISABLED: set[str] = set()


def disable_issuer_formats(issuers: Sequence[str]) -> None:
    """Parse as if these issuers had no formats of their own (for benchmarks/parse_eval.py)."""
    _DISABLED.clear()
    _DISABLED.update(issuers)
    _route.cache_clear()


# Each issuer's formats with their keywords beside them: `keyword in low` first, without an
# attribute look-up per format ("" is in every body).
_KEYED_FORMATS: dict[str, tuple[tuple[str, Format], ...]] = {
    issuer: tuple((format_.keyword, format_) for format_ in formats)
    for issuer, formats in FORMATS_BY_ISSUER.items()
}


@lru_cache(maxsize=4096)
def _route(sender: str) -> tuple[str | None, str | None, tuple[tuple[str, Format], ...], bool]:
    """(header, bank id, (keyword, built-in format) pairs to try, known issuer) for a sender;
    cached."""
    header = sender_header(sender)
    if header is None:
        # Phone numbers and e-mail addresses are not bank alert senders; a look-alike alert
        # from one is more likely phishing than a transaction.
        return None, None, (), False
    issuer = ISSUER_BY_HEADER.get(header)
    if issuer is None:
        return header, header, (), False
    if issuer in _DISABLED:
        return header, issuer, (), True
    return header, issuer, _KEYED_FORMATS[issuer], True


def _with_kind(txn: Transaction, low: str) -> Transaction:
    kind = kind_of(low, txn[1], txn[6], txn[2] is not None)
    if txn[9] == "wallet":  # an owner format for a wallet: its balance's own kinds
        kind = wallet_kind(kind, txn[1], txn[2] is not None)
    # Rebuilt with tuple.__new__: NamedTuple._replace costs more than the parse itself here.
    return txn if kind == txn[11] else _new(Transaction, (*txn[:11], kind))


def _given_back(txn: Transaction, low: str) -> Transaction:
    """A debit the body says was given back ("… has been reversed to your A/c") is a credit,
    whichever layer read it (a format's fixed direction or the first verb said debit)."""
    if not negatives.reversed_to_owner(low):
        return txn
    kind = kind_of(low, "credit", txn[6], txn[2] is not None)
    return _new(Transaction, (txn[0], "credit", *txn[2:11], kind))


def parse_message(sender: str, body: str, formats: Sequence[Format] | None = None) -> ParseResult:
    """The transaction a bank SMS reports, or the reason it reports none.

    `formats` are user-defined formats (see formats_from_config); those for this sender's header
    are tried before the built-in ones.
    """
    if not body or body.isspace():
        return _EMPTY
    if not body.isascii():
        body = unstyled(body)  # "𝗌𝗉𝖾𝗇𝗍" is "spent"
    header, bank, builtin, known = _route(sender)
    low = body.lower()
    reason = negatives.before_formats(low, sender)
    if reason is not None:
        return _new(ParseResult, (None, reason))
    # The layers in turn, the first transaction wins: owner formats, issuer formats, generic
    # layer, generic formats. (All in this function: it runs 100,000 times on a first run.)
    txn = None
    # Whether the issuer's own formats read it: they are written for its alerts, and never read
    # an amount that did not move (not_moved.reason asks that of the other layers).
    own = False
    if formats and header is not None:
        for user_format in formats:
            if user_format.header == header:
                txn = apply(user_format, body, bank or header)
                if txn is not None:
                    txn = _with_kind(txn, low)
                    break
    if txn is None:
        for keyword, builtin_format in builtin:
            if keyword not in low:
                continue
            txn = apply(builtin_format, body, bank, low)  # type: ignore[arg-type]  # bank set
            if txn is not None:  # its kind read from `low` already
                # A foreign amount left in the name ("… on NETFLIX.COM for USD 12.99"): the
                # format took the spend's rupee conversion for its amount. The generic layer
                # reads the spend in its own currency.
                if txn[2] is not None and generic.foreign_amount_in(txn[2]):
                    txn = None
                own = txn is not None
                break
    if txn is None and header is not None:
        # The generic layer names counterparties; the generic formats are its safety net. A
        # sender that does not look like a bank is read only with the owner's account digits.
        bank_like = known or generic.looks_like_bank(header, low)
        txn = generic.parse(body, bank, bank_like, low)  # type: ignore[arg-type]  # bank set
        if txn is None:
            for builtin_format in GENERIC_FORMATS:
                if builtin_format.keyword not in low:
                    continue
                txn = apply(builtin_format, body, bank, low)  # type: ignore[arg-type]
                if txn is not None:
                    break
        # A credit a biller's header "received" with thanks is the owner's payment to it.
        if txn is not None and not known and txn[1] == "credit" and not_moved.biller_receipt(low):
            return _new(ParseResult, (None, "service"))
        # So is a receipt "from your A/c" from a header that is no bank's (a lender, an insurer,
        # a biller): the owner's bank alerts that debit itself.
        if (
            txn is not None
            and txn[1] == "debit"
            and not known
            and not generic.bank_header(header)
            and generic.paid_from_owner(low)
        ):
            return _new(ParseResult, (None, "service"))
    if not own:
        reason = not_moved.reason(low)
        if reason is not None:
            return _new(ParseResult, (None, reason))
    if txn is None:
        reason = negatives.after_formats(low)
        return ParseResult(None, reason) if reason else _UNRECOGNIZED
    # Whichever layer read it (a format's fixed direction, or the first verb), a debit the
    # body says was given back is a credit. The substrings first, inline: a reversal is rare and
    # this runs for every debit ("back": "credited back").
    if txn[1] == "debit" and ("revers" in low or "refunded" in low or "back" in low):
        txn = _given_back(txn, low)
    return _new(ParseResult, (txn, None))


# Below this many messages a batch is parsed in the order given: sorting would cost more than
# the caches save.
GROUP_MIN = 64
# How much of the body's start groups alerts of one wording ("Rs.500 d", "Dear Cus", "Sent Rs.").
_OPENING = 8


def parse_grouped(
    senders: Sequence[str], bodies: Sequence[str], formats: Sequence[Format] | None = None
) -> Iterator[tuple[int, ParseResult]]:
    """(i, parse_message(senders[i], bodies[i])) for every i, grouped rather than in order.

    A big batch is parsed grouped by issuer and the body's opening: one bank's alerts of one
    wording then run the same formats and regexes one after another, which keeps those in the
    CPU's caches. On a shuffled inbox that is about a third more messages per CPU second
    (benchmarks/parse_throughput.py prints both figures). Yielded one at a time, so a caller
    that turns each into a row holds no list of results besides its rows.
    """
    if len(senders) != len(bodies):
        raise ValueError(f"{len(senders)} senders for {len(bodies)} bodies")
    for at in _grouped_order(senders, bodies):
        yield at, parse_message(senders[at], bodies[at], formats)


def _grouped_order(senders: Sequence[str], bodies: Sequence[str]) -> Iterable[int]:
    """The messages' indexes, by issuer and the body's opening (its keys freed once sorted)."""
    if len(bodies) < GROUP_MIN:
        return range(len(bodies))
    keys = [f"{_route(s)[1] or ''}\0{b[:_OPENING]}" for s, b in zip(senders, bodies, strict=True)]
    return sorted(range(len(bodies)), key=keys.__getitem__)
