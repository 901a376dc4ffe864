"""The rupee figure a bank states beside a foreign-currency spend ("for USD 12.99 … INR 1,083.45").

Kept apart from the parser's hot path: derive calls `stated_inr` only for a transaction whose
currency is not INR (rare), so reading it costs nothing for the rupee alerts.

The figure is what the bank says the spend costs in rupees; homeclerk never converts a foreign
amount itself. A rupee amount is not the spend's figure when it is an exchange rate ("1 USD =
INR 83.40", "@ INR 83.40/USD"), the available balance or limit, an amount due, or a fee or
markup ("markup fee INR 37.92"). When the body states more than one candidate and none is
labelled as the equivalent ("INR equivalent", "approx."), there is no figure rather than a
guessed one.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assets.transactions.parsing.fields import parse_amount
from assets.transactions.parsing.generic import FOREIGN

_NUMBER = r"\d+(?:,\d{2,3})*(?:\.\d{1,2})?(?![\d.,]\d)"
# A rupee amount, its mark before the number ("INR 1,083.45", "Rs.1083", "₹ 1,083.45",
# "INR equivalent 1,083.45", "equivalent to INR …") or after it ("1,083.45 INR").
_RUPEES = re.compile(
    r"(?:(?<![a-z])(?:inr|rs)(?![a-z])|₹)\.?\s*"
    r"(?:(?P<label>equivalent|equiv\.?|approx\.?|approximately|amount|amt)\s*(?:of|is|to)?\s*)?"
    r"[:=-]?\s*(?:inr\s*|rs\.?\s*)?(?P<before>" + _NUMBER + r")"
    r"|(?<![\w.,/-])(?P<after>" + _NUMBER + r")\s?(?:inr|rs)(?![a-z])"
)
# Words in the text just before a figure that make it something other than the spend in rupees.
_NOT_THE_SPEND = re.compile(
    r"=|@|\brate\b|\bper\b"
    r"|\b(?:avl|avbl|avail|available|aval|bal|balance|lmt|limit|outstanding|o/s|due|dues"
    r"|min(?:imum)?|total\s+amt|credit\s+limit)\b"
    r"|\b(?:fee|fees|markup|mark-up|mark\s+up|charge|charges|surcharge|gst|igst|tax|cess"
    r"|cashback|reward|points)\b"
)
# A figure followed by a per-unit mark is a rate ("INR 83.40/USD", "INR 83.40 per USD").
_RATE_AFTER = re.compile(r"\s*(?:/(?!-)|per\b)")  # "Rs.500/-" is a plain amount
# Words that mark the figure as the spend's rupee equivalent, just before or after it.
_LABEL = re.compile(r"equivalent|equiv\b|approx|≈|~|\bin\s+inr\b|\binr\s+amount\b")
# How far back a figure's own words reach, at most (no further than the previous amount).
_LOOK_BACK = 40
# A sentence end: what comes before it belongs to another statement of the alert ("i.e."
# and "approx." are not ends: a letter before the dot is not enough, two are needed).
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)]{3})[.!?](?:\s+|$)|\n")
# An amount with its currency, so a figure's words never reach past the amount before it (a
# bare number such as the "3.5" of "markup fee of 3.5% i.e. INR 37.92" does not cut them).
_MARKS = "|".join(["inr", "rs", *(code.lower() for code in FOREIGN)])
_ANY_AMOUNT = re.compile(
    r"(?:(?<![a-z])(?:" + _MARKS + r")(?![a-z])|₹)\.?\s*:?\s*\d+(?:,\d{2,3})*(?:\.\d+)?"
    r"|\d+(?:,\d{2,3})*(?:\.\d+)?\s?(?:" + _MARKS + r")(?![a-z])"
)


def rupee_figure(currency: str, body: str) -> Decimal | None:
    """`stated_inr(body)` for a transaction in `currency`: None for a rupee one, which is never
    searched (nearly every alert, so the rupee alerts pay nothing for it)."""
    return None if currency == "INR" else stated_inr(body)


def stated_inr(body: str) -> Decimal | None:
    """The rupee figure the bank states for the foreign-currency spend in `body`, or None."""
    low = body.lower()
    if "inr" not in low and "rs" not in low and "₹" not in low:
        return None
    labelled: list[Decimal] = []
    plain: list[Decimal] = []
    for match in _RUPEES.finditer(low):
        start, end = match.span()
        number = match["before"] or match["after"]
        amount = parse_amount(number)
        if amount is None:
            continue
        own_words = _words_before(low, start)
        if _NOT_THE_SPEND.search(own_words) or _RATE_AFTER.match(low, end):
            continue
        # A label in the figure's own words (not past the amount or sentence before it).
        near = own_words[-25:] + match.group() + low[end : end + 12]
        if match["label"] or _LABEL.search(near):
            labelled.append(amount)
        else:
            plain.append(amount)
    found = set(labelled) or set(plain)
    # Two different candidates and no label to choose by: no figure rather than a wrong one.
    return found.pop() if len(found) == 1 else None


def _words_before(low: str, start: int) -> str:
    """The text a figure's own words are in: back to the amount or sentence end before it."""
    window_start = max(0, start - _LOOK_BACK)
    window = low[window_start:start]
    cut = 0
    for found in _SENTENCE_END.finditer(window):
        cut = found.end()
    for found in _ANY_AMOUNT.finditer(window):
        cut = max(cut, found.end())
    return window[cut:]
