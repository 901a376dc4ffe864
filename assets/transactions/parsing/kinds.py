"""What a parsed movement is (`kind`), from its direction, channel and the words of the alert."""

from __future__ import annotations

import re

from assets.common.regex_prefix import compiled
from assets.transactions.model import Channel, Direction, Kind

# Checked in order; the first word found decides. Lower-case substrings of the body.
_CREDIT_WORDS: tuple[tuple[str, Kind], ...] = (
    ("refund", "refund"),
    ("revers", "refund"),
    ("cashback", "cashback"),
    ("cash back", "cashback"),
    ("interest", "interest"),
    ("salary", "salary"),
    ("sal for", "salary"),
    ("cash deposit", "cash_deposit"),
    ("deposited in cash", "cash_deposit"),
    ("cash dep", "cash_deposit"),
    ("by cash", "cash_deposit"),
)
_DEBIT_WORDS: tuple[tuple[str, Kind], ...] = (
    ("charges", "fee"),
    (" fee", "fee"),
    ("penalty", "fee"),
    (" emi", "bill"),
    ("nach", "bill"),
    ("ach d-", "bill"),
    ("autopay", "bill"),
    ("mandate", "bill"),
    ("si ", "bill"),
    ("bill", "bill"),
    ("premium", "bill"),
    ("recharge", "bill"),
)

# One C-level search per message instead of a Python loop over the words (hot path). The
# leftmost word found decides; the lists rarely meet in one alert.
_CREDIT = re.compile("|".join(re.escape(w) for w, _ in _CREDIT_WORDS))
_DEBIT = re.compile("|".join(re.escape(w) for w, _ in _DEBIT_WORDS))
_CREDIT_KIND = dict(_CREDIT_WORDS)
# "… has been credited back" (any spacing): a debit given back. Also the reversal test's gate
# (negatives.reversed_to_owner), searched only where "back" is.
CREDITED_BACK = compiled(r"\bcredited\s+back\b")
_DEBIT_KIND = dict(_DEBIT_WORDS)
# Money into a fund house (a SIP, a fund's units, an asset manager as payee) or into securities
# (an IPO's allotment, a sovereign gold bond). Searched only when one of the cheap substrings
# below is in the body (most alerts hold none of them).
_INVESTMENT = compiled(
    r"mutual fund|index fund|\bsip\b|\bamc\b|asset management|ppfas|units? (?:allot|purchase)"
    # Securities bought from the account: shares allotted in an IPO, a sovereign gold bond.
    r"|\bipo\b|allotment of shares|sovereign gold bond|\bsgb\b"
)


# The owner's own fixed or recurring deposit, or a savings scheme's account (PPF, NPS), as what
# the money went into or came from ("towards FD booking", "to FD A/c", "on maturity of FD", "by
# reverse sweep", "towards PPF A/c"): money between the owner's accounts, kind `investment` (an
# asset, as a fund's units are). Only after a preposition, so an advertisement in a footer
# ("Open an FD A/c at 7.5%") names none. Searched only where one of the cheap substrings is
# (most alerts have none).
_OWN_DEPOSIT = compiled(
    r"\b(?:to|towards|for|into|of|from|by)\s+(?:your\s+|the\s+|a\s+|an\s+|new\s+)?"
    r"(?:opening\s+(?:a\s+|an\s+)?)?(?:fixed\s+deposit|recurring\s+deposit|term\s+deposit\b"
    # The government's savings schemes: PPF, Sukanya Samriddhi, the NPS (its PRAN).
    r"|public\s+provident\s+fund|sukanya\s+samriddhi"
    # "FD"/"RD" only as a deposit's label, not a name's initials ("by RD SHARMA", "to FD MART").
    r"|(?:[fr]d|ppf|ssy|nps|pran)\b(?=\s*(?:a/?c\b|acc|account|no\b|number|instal|booking"
    r"|maturity|closure|renewal|contribution|[x*\d(-]|[.,;:]|$)))"
    r"|\bsweep"
)
# A credit out of the deposit itself, not its interest alone ("Interest of Rs 1,250 on FD …").
_DEPOSIT_RETURNED = compiled(r"matur|\bclos(?:ure|ed|ing)\b|sweep|\bredeem|\bredemption|proceeds")
# A card's or a UPI payment is no deposit of the owner's, nor is a debit to someone named (most
# alerts are one of these: they skip the scans).
_SPENDS = ("card", "upi")


def _own_deposit(low: str) -> bool:
    return (
        "fd" in low
        or " rd" in low
        or "deposit" in low
        or "sweep" in low
        or "ppf" in low
        or "nps" in low
        or "pran" in low
        or "provident" in low
        or "sukanya" in low
        or "ssy" in low
    ) and _OWN_DEPOSIT.search(low) is not None


def kind_of(low: str, direction: Direction, channel: Channel, has_payee: bool) -> Kind:
    """The kind of a movement, given the lower-cased body it was read from."""
    if channel == "atm":
        return "atm_withdrawal" if direction == "debit" else "cash_deposit"
    if direction == "credit":
        if (
            channel not in _SPENDS
            and _own_deposit(low)
            and ("interest" not in low or _DEPOSIT_RETURNED.search(low))
        ):
            return "investment"  # the owner's deposit paid out, matured or swept back
        # Plain `in` tests first (each a fast C scan): most alerts hold none of the words, and
        # a failed regex search over the body costs several times more.
        if (
            "cash" in low or "refund" in low or "revers" in low or "interest" in low or "sal" in low
        ) and (match := _CREDIT.search(low)):
            return _CREDIT_KIND[match[0]]
        if "back" in low and CREDITED_BACK.search(low):
            return "refund"  # "… has been credited back": a debit given back
        if "payment" in low and "card" in low and ("received" in low or "towards" in low):
            return "card_bill_payment"  # a credit-card bill payment arriving on the card
        return "transfer"
    # Into the owner's deposit, unless a charge or tax on it ("penalty for premature closure of
    # FD", "TDS on interest of FD").
    if (
        not has_payee
        and channel not in _SPENDS
        and _own_deposit(low)
        and not ("charge" in low or " fee" in low or "penalty" in low or "tds" in low)
    ):
        return "investment"
    # A fund house is paid by mandate, auto-payment or transfer ("other"); card and UPI spends
    # (most alerts) skip the scans. A charge ("SIP bounce charges") is no investment.
    if (
        channel == "other"
        and (
            "fund" in low
            or "sip" in low
            or "amc" in low
            or "ppfas" in low
            or "ipo" in low
            or "allot" in low
            or "gold bond" in low
            or "sgb" in low
        )
        and _INVESTMENT.search(low)
        and not ("charge" in low or " fee" in low or "penalty" in low)
    ):
        return "investment"
    match = (
        _DEBIT.search(low)
        if "charge" in low
        or " fee" in low
        or "penalty" in low
        or " emi" in low
        or "ach" in low
        or "autopay" in low
        or "mandate" in low
        or "si " in low
        or "bill" in low
        or "premium" in low
        else None
    )
    if match is not None and match[0] == " emi" and low.endswith(" to", 0, match.start()):
        match = _DEBIT.search(low, match.end())  # "Convert to EMI?": an offer, not an EMI debit
    if match is not None:
        if match[0] == "bill" and "card bill" in low:
            return "card_bill_payment"  # "Credit Card bill payment of Rs … was successful"
        return _DEBIT_KIND[match[0]]
    if channel == "card" or "spent" in low or "purchase" in low:
        return "purchase"
    if channel == "upi" and has_payee and ("@" not in low or "p2m" in low or "merchant" in low):
        return "transfer" if "p2a" in low else "purchase"
    return "transfer"


def wallet_kind(kind: Kind, direction: Direction, has_payee: bool) -> Kind:
    """`kind` for a movement of a wallet's own balance: a payment out of it is `wallet_spend`,
    money arriving from nobody named (added from a bank or card) is `wallet_topup`. Refunds,
    cashback, fees and money from a named person keep their kind."""
    if direction == "debit":
        return "wallet_spend" if kind in ("purchase", "transfer", "bill") else kind
    return "wallet_topup" if kind == "transfer" and not has_payee else kind
