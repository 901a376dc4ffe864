"""Amounts and dates as statements print them: Indian digit grouping, Dr/Cr marks, many
date shapes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

# "₹ 1,23,456.78 Dr", "INR 500", "(1,200.00)", "-75.5", "12,340.00CR". Grouping commas are
# dropped whatever their spacing: Indian (1,23,456) and Western (123,456) alike.
_AMOUNT = re.compile(
    r"^(?P<open>\()?(?P<sign>[-+])?(?P<digits>\d[\d,]*(?:\.\d+)?|\.\d+)(?P<close>\))?"
    r"\s*(?P<mark>dr|cr)?\.?$",
    re.IGNORECASE,
)
_CURRENCY = re.compile(r"^(?:₹|rs\.?|inr)\s*", re.IGNORECASE)
_BLANK = frozenset({"", "-", "--", "nil", "0", "0.0", "0.00"})


class ValueProblem(ValueError):
    """A cell that is not an amount or a date; the message says what was expected."""


def is_blank_amount(text: str) -> bool:
    """An empty amount cell: nothing, a dash, or zero (HDFC fills the unused column with 0.00)."""
    return _CURRENCY.sub("", text.strip()).strip() in _BLANK


def parse_amount(text: str) -> Decimal:
    """`text` as a Decimal; a `Dr` mark, a leading minus or parentheses make it negative."""
    cleaned = _CURRENCY.sub("", text.strip()).strip()
    match = _AMOUNT.match(cleaned.replace(" ", ""))
    if not match or bool(match["open"]) != bool(match["close"]):
        raise ValueProblem(f"{text.strip()!r} is not an amount (like 1,23,456.78 or 500.00 Dr)")
    try:
        value = Decimal(match["digits"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ValueProblem(f"{text.strip()!r} is not an amount") from None
    negative = match["sign"] == "-" or bool(match["open"])
    if (match["mark"] or "").lower() == "dr":
        negative = not negative
    return -value if negative else value


def parse_date(text: str, formats: Sequence[str]) -> dt.date:
    """`text` read with the first of `formats` that fits (strftime codes)."""
    cleaned = " ".join(text.split())
    for fmt in formats:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    shown = " or ".join(formats)
    raise ValueProblem(f"{text.strip()!r} is not a date in the form {shown}")
