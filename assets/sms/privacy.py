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
    rest = _WARNING.sub(" ", body)
    return bool(_OTP_WORDS.search(rest)) and bool(_CODE.search(rest))


# An account or card keyword, optional "no."/"number"/"ending", then the digits it shows.
_KEYWORD_NUMBER = re.compile(
    r"\b(?P<kw>a/c|acct|account|card)"
    r"(?P<fill>(?:\s*(?:no|number|num|ending(?:\s+(?:with|in))?)\b\.?(?:\(s\))?)?\s*[:#.\-]?\s*)"
    r"(?P<digits>\d{4}(?:[ -]\d{4}){3}(?![\d])|\d{5,}(?![\d]))",
    re.IGNORECASE,
)
# A number the bank already partly masked ("XX205146", "**12345", "x123456").
_MASKED_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])(?P<mask>(?:[Xx]{2,}|\*{2,}) |[Xx*]+-?)(?P<digits>\d{5,})(?!\d)"
)


def mask_numbers(body: str) -> str:
    """Show at most the last 4 digits of account and card numbers; touch nothing else.

    Only digits right after an account/card keyword or after an X/* mask are candidates, so
    amounts, dates, references and helpline numbers keep every digit the parser needs.
    """
    body = _MASKED_NUMBER.sub(_keep_mask_prefix, body)
    return _KEYWORD_NUMBER.sub(_mask_after_keyword, body)


def _keep_mask_prefix(match: re.Match[str]) -> str:
    return match["mask"] + match["digits"][-4:]


def _mask_after_keyword(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match["digits"])
    prefix = "XXXX" if match["kw"].lower() == "card" else "XX"
    return f"{match['kw']}{match['fill']}{prefix}{digits[-4:]}"
