"""Privacy rules applied before anything is stored: drop OTP messages, mask account numbers."""

from __future__ import annotations

import re

from assets.common.regex_prefix import compiled

# OTP rule, decided on the whole body (cutting a "never share" sentence out first once kept
# "Do not share this OTP 815274 with anyone"): a standalone 4-8 digit code together with any
# code/PIN/passcode/verification/approval wording or a "do not share" warning is an OTP, unless
# the body is positively a completed transaction alert. A doubtful message is dropped: losing an
# odd alert is better than storing a code.

# Cheap substrings, one of which every OTP wording below contains ("one-time password/PIN/code"
# contains "pass"/"pin"/"code"); most alerts have none, and the regexes are the slow part.
_OTP_GATE = (
    "otp", "pin", "pass", "code", "verif", "auth", "approv", "confirm", "share", "disclose",
)  # fmt: skip
# Code, PIN, passcode, verification or approval wording, or a "do not share" warning: a word
# \b(?:otp|m?pin|pass(?:word|code|key|wd)|\w*code|verif\w*|authenti\w*|authori[sz]\w*|approv\w*
# |confirm\w*)\b or a negation before "share"/"disclose". Searched in three parts, each written
# so that re skips to its letters (regex_prefix): as one regex, `\w*code` and the leading `\b`
# made re try every position of the body, the slowest step of ingest's OTP rule. A word ending
# in "code" is wherever "code\b" is (the word's start is always a boundary).
_OTP_WORDS = compiled(
    r"\botp\b|\bpin\b|\bmpin\b|\bpass(?:word|code|key|wd)\b|\bverif|\bauthenti|\bauthori[sz]"
    r"|\bapprov|\bconfirm"
)
_CODE_WORD = re.compile(r"code\b")
_DO_NOT_SHARE = compiled(
    "|".join(
        rf"\b{negation}\s+(?:\w+\s+){{0,2}}?(?:share|disclose)\b"
        for negation in (r"do\s+not", r"don'?t", "dont", "never", r"not\s+to", "nor")
    )
)


def _otp_wording(low: str) -> bool:
    """Whether the lower-cased body has code/PIN/approval wording or a "do not share" warning."""
    return (
        _OTP_WORDS.search(low) is not None
        or ("code" in low and _CODE_WORD.search(low) is not None)
        or (("share" in low or "disclose" in low) and _DO_NOT_SHARE.search(low) is not None)
    )


# The code: 4 to 8 digits standing alone. Not part of an amount ("Rs.1234", "1,234.50"), a date
# or time ("2026-03-01", "24/08/2026"), an account tail ("XX1234", "*1276") or a longer number.
# Written from its first digit on, the look-behinds after it (the same matches): re then skips
# to the digits of a body instead of trying the look-behinds at every position.
_CODE = re.compile(r"\d(?<![\w.,/:*#@₹$-]\d)(?<!\d[.,/:-]\d)\d{3,7}(?![\w@])(?![.,/:-]\d)")
# Positively a completed transaction: money moved (past tense) and an amount is named.
_MONEY_MOVED = compiled(
    r"\b(?:debited|credited|spent|withdrawn|sent|received|paid|transferred|deposited"
    r"|refunded|reversed|dr\.?|cr\.?)\b"
)
_AMOUNT = compiled(r"\brs\.?\s*\d|\binr\s*\d|₹\s*\d")
# A card alert that reports its transaction approved ("The transaction on your Credit Card
# ending 7205 for USD 1655.4 … is Approved"): completed too, money in any currency. The card's
# digits beside it are no code, and "approved" here is news, not a request to approve.
_APPROVED = compiled(r"\b(?:transaction|txn|purchase)\b[^\n]{0,200}?\bis\s+approved\b")
_CODES = "usd|eur|gbp|aed|sgd|aud|cad|jpy|chf|thb|myr|hkd"  # the parser's foreign ISO codes
_ANY_AMOUNT = re.compile(
    r"(?:\brs\.?|\binr|₹|\b(?:" + _CODES + r"))\s*\d|\d\s?(?:" + _CODES + r")\b"
)
# ...and nothing that presents the code as something to use: "123456 is your OTP", "OTP: 1234",
# "use/enter 1234", "valid for 5 min", "to approve", "will be debited".
# The code's digits first, apart: re then skips to digits ("\\d(?<=\\b\\d)" is "\\b\\d" read from
# the digit on); the rest is written so that re skips to its letters (regex_prefix).
_CODE_IS_OTP = re.compile(
    r"\d(?<=\b\d)\d{3,7}\s*(?:is|as|=)\s+(?:\w+\s+){0,3}?(?:otp|code|pin|password|passcode|token)\b"
)
# As written (tests/common/test_otp_wording.py compares the rewritten search with it).
PRESENTS_CODE_TEXT = (
    r"\b(?:otp|code|pin|password|passcode|token)\b\s*(?:is|:|-|=|no\.?)?\s*\d{4,8}\b"
    r"|\b(?:use|enter|quote|type|provide|submit)\b"
    r"|\bvalid\s+(?:for|till|until|upto|up\s+to|only)\b|\bexpir"
    r"|\bto\s+(?:complete|confirm|approve|authenti\w*|authori[sz]e|verify|validate|proceed"
    r"|log\s?in|sign\s?in|register|activate|reset|change|add|generate|set)\b"
    r"|\b(?:will|shall|to)\s+be\s+(?:debited|credited|charged|paid|sent|transferred)\b"
    r"|\bone[\s-]?time\b|\bverification\b|\bpasscode\b"
)
_PRESENTS_CODE = compiled(PRESENTS_CODE_TEXT)


def is_otp(body: str | None) -> bool:
    """True for one-time-password / verification-code messages, which must never be stored."""
    return bool(body) and is_otp_lower(body.lower())  # type: ignore[union-attr]


def is_otp_lower(low: str) -> bool:
    """is_otp for a body already lower-cased (the parser has one at hand)."""
    for needle in _OTP_GATE:
        if needle in low:
            break
    else:
        return False
    if _CODE.search(low) is None or not _otp_wording(low):
        return False
    completed = (_MONEY_MOVED.search(low) and _AMOUNT.search(low)) or (
        _APPROVED.search(low) and _ANY_AMOUNT.search(low)
    )
    return (
        not completed
        or _CODE_IS_OTP.search(low) is not None
        or _PRESENTS_CODE.search(low) is not None
    )


def hide_codes(text: str) -> str:
    """Every standalone 4-8 digit number as '#'s: for text shown outside the warehouse (check
    examples), so that a code in a message stored by mistake goes no further."""
    return _CODE.sub(lambda m: "#" * len(m.group()), text)


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
