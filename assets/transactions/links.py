"""One payment, one transaction: alerts that announce the same payment are linked.

One payment often sends two alerts: the bank's debit and a payment app's confirmation (CRED
paying a card bill, Amazon Pay or PhonePe paying from a linked account), Federal's "NAME has
received Rs … from your A/c" beside its own debit alert, a card spend and its e-mandate notice.
Two alerts are of ONE payment when all of these hold:

- same amount, same currency, same direction, received at most `window` apart;
- when both state a reference (UPI RRN, NEFT UTR), it is the same one, and that is enough
  (from one issuer, the account digits must agree as well);
- from the same issuer: the same account (the same last digits, or one alert names none), the
  same payee, and two different alert shapes (kind, instrument, channel, which fields are
  stated). Two alerts of one shape are two payments: a bank sends one alert per payment, so two
  equal coffees at one café stay two, and so do equal spends at two branches of one shop
  ("KAVERI STORES", "KAVERI STORES HSR": one template, the merchant printed as each charged);
- from two issuers: one names the other as its counterparty (the bank paid "CRED CLUB", CRED
  confirms), or both name the same payee from the same account digits (the app restates the
  bank account it paid from), or both are a credit card's bill paid onto one card (the app that
  paid it confirms "towards HDFC Credit Card XX1691", the card's issuer says "payment received":
  the same card digits, or the app names none). Two banks paying the same merchant the same
  amount stay two.

Opposite directions are never linked: a card bill paid from a bank account is two legs of one
transfer (the bank's debit, the card's "payment received"), each on its own account; the ledger
posts both through the transfer clearing account, which nets them to zero.

Of a linked group one alert is kept as the transaction (the bank's own, the one that states the
most: account digits, balance, reference, counterparty, date); the others are `also_alerted_by` it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from assets.transactions.stored import StoredTransaction

# Minutes: an app's confirmation and the bank's alert arrive within seconds to a few minutes.
DEFAULT_LINK_WINDOW_MINUTES = 10
_WORD = re.compile(r"[A-Z0-9]+")


class Link(NamedTuple):
    """One alert of a payment another alert is kept for."""

    message_guid: str
    kept_guid: str


def _words(text: str | None) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.upper())) if text else ()


def _party(alert: StoredTransaction) -> tuple[str, ...]:
    """The payee as words: the readable payee when known, else the raw counterparty."""
    return _words(alert.payee) or _words(alert.counterparty)


def _same_party(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Both name a payee and one's words are all among the other's ("Netflix" / "NETFLIX
    INDIA"), at least one of them three letters or more."""
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return set(short) <= set(long) and any(len(w) >= 3 for w in short)


def _names_issuer(counterparty: str | None, issuer: str) -> bool:
    """Whether the counterparty names the issuer: "CRED CLUB" names CRED, "AMAZON PAY INDIA"
    names AMAZONPAY (consecutive words joined), "AUTOPARTS" does not name AU."""
    words = _words(counterparty)
    key = "".join(_words(issuer))
    if len(key) < 3:
        return False
    for start in range(len(words)):
        joined = ""
        for word in words[start:]:
            joined += word
            if joined == key:
                return True
            if len(joined) >= len(key):
                break
    return False


def _tail(alert: StoredTransaction) -> str | None:
    return alert.account_tail[-4:] if alert.account_tail else None


def _shape(alert: StoredTransaction) -> tuple[object, ...]:
    """What tells two alert wordings apart in the parsed fields."""
    return (
        alert.kind,
        alert.instrument,
        alert.channel,
        alert.balance is None,
        alert.reference is None,
        alert.txn_date is None,
    )


def same_payment(a: StoredTransaction, b: StoredTransaction, window: dt.timedelta) -> bool:
    """Whether alerts `a` and `b` announce one payment (rules: module docstring)."""
    if (
        a.message_guid == b.message_guid
        or a.amount != b.amount
        or a.currency != b.currency
        or a.direction != b.direction
        or abs(a.received_at - b.received_at) > window
    ):
        return False
    ta, tb = _tail(a), _tail(b)
    if a.reference and b.reference:
        # A reference (UPI RRN, NEFT UTR) names one payment: the same one is the same payment.
        return a.reference == b.reference and (a.bank != b.bank or ta == tb or not (ta and tb))
    if a.bank == b.bank:
        return (
            (ta == tb or not (ta and tb))
            and _same_party(_party(a), _party(b))
            and _shape(a) != _shape(b)
        )
    if _names_issuer(a.counterparty, b.bank) or _names_issuer(b.counterparty, a.bank):
        return True
    if _card_bill(a) and _card_bill(b):
        return ta == tb or not (ta and tb)
    return ta is not None and ta == tb and _same_party(_party(a), _party(b))


def _card_bill(alert: StoredTransaction) -> bool:
    """Whether the alert is a credit card's bill paid, arriving on the card."""
    return (
        alert.kind == "card_bill_payment"
        and alert.instrument == "credit_card"
        and alert.direction == "credit"
    )


def _keep_rank(alert: StoredTransaction) -> tuple[object, ...]:
    """Lower is kept: the alert that states the most about the money holder's side."""
    return (
        alert.instrument == "wallet",
        alert.account_tail is None,
        alert.balance is None,
        alert.reference is None,
        alert.counterparty is None,
        alert.txn_date is None,
        alert.received_at,
        alert.message_rowid,
        alert.message_guid,
    )


def link_payments(
    alerts: Iterable[StoredTransaction], window: dt.timedelta
) -> list[tuple[StoredTransaction, tuple[StoredTransaction, ...]]]:
    """Alerts grouped by payment, each as (kept alert, the other alerts of its payment).

    Alerts are placed in the order they arrived: each joins the nearest earlier group whose
    every alert it is `same_payment` with, else starts its own. A group never holds two alerts
    that are not of one payment, so a confirmation that would fit two equal payments joins
    only one of them. Groups come back in arrival order of their first alert.
    """
    ordered = sorted(alerts, key=lambda t: (t.received_at, t.message_rowid, t.message_guid))
    groups: list[list[StoredTransaction]] = []
    open_by_key: dict[tuple[Decimal, str, str], list[list[StoredTransaction]]] = {}
    for alert in ordered:
        key = (alert.amount, alert.currency, alert.direction)
        candidates = open_by_key.setdefault(key, [])
        # Groups whose last alert is older than the window can take no later alert.
        candidates[:] = [g for g in candidates if alert.received_at - g[-1].received_at <= window]
        home = None
        for group in reversed(candidates):
            if all(same_payment(alert, member, window) for member in group):
                home = group
                break
        if home is None:
            home = [alert]
            groups.append(home)
            candidates.append(home)
        else:
            home.append(alert)
    out = []
    for group in groups:
        kept = min(group, key=_keep_rank)
        out.append((kept, tuple(a for a in group if a is not kept)))
    return out


def links_of(alerts: Iterable[StoredTransaction], window: dt.timedelta) -> list[Link]:
    """Every alert of a payment another alert is kept for, with that alert's GUID."""
    return [
        Link(other.message_guid, kept.message_guid)
        for kept, others in link_payments(alerts, window)
        for other in others
    ]


def counted_once(
    alerts: Sequence[StoredTransaction], window: dt.timedelta
) -> list[StoredTransaction]:
    """The kept alert of each payment, its `also_alerted_by` naming the others (for readers
    that parse messages themselves, such as the chat.db importer), in the given order."""
    kept = {
        k.message_guid: tuple(o.message_guid for o in others)
        for k, others in link_payments(alerts, window)
    }
    return [
        a._replace(also_alerted_by=kept[a.message_guid]) if kept[a.message_guid] else a
        for a in alerts
        if a.message_guid in kept
    ]
