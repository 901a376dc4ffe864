"""Turning matched text into field values: amounts, dates, account tails, counterparties."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Letters styled with Unicode's "mathematical" alphabets (𝗌𝗉𝖾𝗇𝗍, 𝐃𝐞𝐛𝐢𝐭𝐞𝐝), which some issuers and
# RCS messages use for emphasis: NFKC folds them to the plain letters every rule is written in.
_STYLED = re.compile("[\U0001d400-\U0001d7ff]")


def unstyled(body: str) -> str:
    """The body with mathematically styled letters and digits folded to plain ones (NFKC),
    or the body itself when it has none (so every other body is read exactly as written)."""
    return unicodedata.normalize("NFKC", body) if _STYLED.search(body) else body


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

# Shapes seen in alerts: 2025-09-23(:05:38:07), 2025:09:12, 24/08/25, 01-12-25, 22-JAN-26,
# 16Feb26, 22JAN2026, "February 14, 2026". Day-first always; two-digit years are 20YY.
_YMD = re.compile(r"(\d{4})[-:/.](\d{1,2})[-:/.](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?!\d)")
_DMONY = re.compile(r"(\d{1,2})[-/. ]?([a-z]{3,9})[-/., ]?\s*(\d{2}|\d{4})(?!\d)", re.I)
_MONDY = re.compile(r"([a-z]{3,9})\.? (\d{1,2}),? (\d{4})", re.I)


@lru_cache(maxsize=8192)
def parse_date(text: str) -> dt.date | None:
    """The date a body prints, or None when the text is not a valid date."""
    text = text.strip()
    try:
        if m := _YMD.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            return dt.date(_year(m[3]), int(m[2]), int(m[1]))
        if (m := _DMONY.match(text)) and (month := _MONTHS.get(m[2].lower())):
            return dt.date(_year(m[3]), month, int(m[1]))
        if (m := _MONDY.match(text)) and (month := _MONTHS.get(m[1].lower())):
            return dt.date(int(m[3]), month, int(m[2]))
    except ValueError:  # 31-02-25 and the like: no date rather than a wrong one
        return None
    return None


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def parse_amount(text: str) -> Decimal | None:
    """`1,23,456.00` / `123,456.00` / `9127` → Decimal; None for anything malformed or zero.

    Built-in patterns only capture well-grouped numbers; user patterns may capture anything.
    """
    try:
        value = Decimal(text.replace(",", "") if "," in text else text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def account_tail(text: str | None) -> str | None:
    """The trailing digits shown for the account or card, at most four."""
    if not text:
        return None
    digits = text[-4:]
    return digits if digits.isdigit() else None


# Words a bank prints where a name would be: never a counterparty.
_LABELS = re.compile(
    r"(?:upi|imps|neft|rtgs|atm|pos|card|cash|online|ecom|e-com|nach|ach|money|fund|loan|emi)?"
    r"\s*(?:transaction|txn|transfer|payment|withdrawal|deposit|purchase|credit|debit|recovery"
    r"|repayment)s?"
    r"|n/?a|null|none|unknown|self|others?|your account|a/?c",
    re.I,
)
_MASKED = re.compile(r"(?:a/?c|acct|account)?\s*(?:no\.?)?\s*[x*]+\d*|[x*\d]+", re.I)


@lru_cache(maxsize=16384)
def counterparty(text: str) -> str | None:
    """The payee or payer as spelled, or None when the text names nobody (cached: names repeat)."""
    name = text.strip(" \t\r\n.,;:-")
    if name[:4].lower() == "vpa ":  # "to VPA x@y": the label is not part of the name
        name = name[4:].lstrip()
    if "   " in name:
        # A card network's merchant field, padded to its width and followed by a code ("AMAZON
        # ⎵⎵⎵⎵⎵⎵⎵⎵⎵⎵ 000"): the name is what stands before the padding.
        head, _, code = name.partition("   ")
        if code.strip().isdigit():
            name = head.rstrip()
    if not name or _LABELS.fullmatch(name) or _MASKED.fullmatch(name):
        return None
    return name
