"""Privacy rules applied before anything is stored: drop OTP messages, mask account numbers."""

from __future__ import annotations

import re

# Warnings that transaction alerts carry ("Never share your OTP", "Bank never asks for your OTP").
# They are cut out first, so that what remains mentions an OTP only if the message is one.
_WARNING = re.compile(
    r"\b(?:never|not|don'?t|dont|nor)\b[^.!\n]{0,40}?"
    r"\b(?:share|sharing|disclose|reveal|tell|give|ask|asks|request|call)\b[^.!\n]*"
    r"|\bOTPs?\s+(?:is|are)\s+(?:secret|confidential|private)\b",
    re.IGNORECASE,
)
_OTP_WORDS = re.compile(
    r"\b(?:OTP|one[\s-]?time[\s-]?pass(?:word|code)?|verification\s+code|security\s+code"
    r"|auth(?:entication|orization)?\s+code|login\s+code|passcode)\b",
    re.IGNORECASE,
)
# The code itself: 4 to 8 digits standing alone (amounts have a decimal point or a currency).
_CODE = re.compile(r"(?<![\d.,])\d{4,8}(?![\d.,]\d)")


def is_otp(body: str | None) -> bool:
    """True for one-time-password / verification-code messages, which must never be stored."""
    if not body:
        return False
    low = body.lower()
    # Cheap gate: most alerts mention none of these, and the regexes below are the slow part.
    if "otp" not in low and "pass" not in low and "code" not in low:
        return False
    rest = _WARNING.sub(" ", body)
    return bool(_OTP_WORDS.search(rest)) and bool(_CODE.search(rest))


# Masking looks only where a mask character or an account/card keyword stands, found with
# str.find (fast), and tries anchored regexes there: a regex scan of every position of every body
# costs far more on 100,000 messages.
_NEEDLES = ("x", "*", "a/c", "acc", "card")
# A mask the bank already applied ("XX205146", "**12345", "XX 123456", "x-123456").
_MASK_AT = re.compile(r"(?:[Xx]{2,}|\*{2,}) |[Xx*]+-?")
# An account/card keyword with optional "no."/"number"/"ending with" and punctuation.
_KEYWORD_AT = re.compile(
    r"(?P<kw>a/c|acct|account|card)"
    r"(?:\s*(?:no|number|num|ending(?:\s+(?:with|in))?)\b\.?(?:\(s\))?)?\s*[:#.\-]?\s*",
    re.IGNORECASE,
)
# The number itself: 5+ digits, or a card number in four groups of four.
_DIGITS_AT = re.compile(r"\d{4}(?:[ -]\d{4}){3}(?!\d)|\d{5,}")


def mask_numbers(body: str) -> str:
    """Show at most the last 4 digits of account and card numbers; touch nothing else.

    Only digits right after an account/card keyword or after an X/* mask are candidates, so
    amounts, dates, references and helpline numbers keep every digit the parser needs.
    """
    low = body.lower()
    starts: list[int] = []
    for needle in _NEEDLES:
        at = low.find(needle)
        while at != -1:
            starts.append(at)
            at = low.find(needle, at + 1)
    if not starts:
        return body
    starts.sort()
    parts: list[str] = []
    done = 0
    for start in starts:
        if start < done or (start and body[start - 1].isalnum()):
            continue  # inside an earlier match, or not at the start of a word / mask
        keyword = None
        if low[start] in "x*":
            prefix = _MASK_AT.match(body, start)
        else:
            prefix = _KEYWORD_AT.match(body, start)
            keyword = prefix and prefix.group("kw").lower()
        if prefix is None:
            continue
        number = _DIGITS_AT.match(body, prefix.end())
        if number is None:
            continue
        digits = number.group().replace(" ", "").replace("-", "")
        if keyword is None:
            masked = digits[-4:]  # the bank's own mask stays in front
        else:
            masked = ("XXXX" if keyword == "card" else "XX") + digits[-4:]
        parts.append(body[done : number.start()])
        parts.append(masked)
        done = number.end()
    if not parts:
        return body
    parts.append(body[done:])
    return "".join(parts)
