"""Amounts a body quotes that did not move, or did not move the owner's money: a movement
denied, a limit, a period's total or summary, a mini statement, a fee waived, a lender's or an
insurer's receipt, a credit still pending.

Each reads like an alert to the generic layer and to an owner's broad format ("Amount of Rs
3,000.00 not debited from a/c XX1234", "ATM withdrawal limit of Rs 25,000 set for card XX1234",
"You have spent Rs 12,345 in November on card XX1234"), so the parser asks `reason` of a body
those layers read, or none did; each test runs only for a body with one of the words it needs
(WORDS, CREDIT_WORDS, WAIVED_WORDS, LISTED_WORDS). Each regex starts with a literal word
(`word(?<=\\bword)` is `\\bword`), so that re skips ahead to it."""

from __future__ import annotations

import re

from assets.common.regex_prefix import compiled
from assets.transactions.parsing.negatives import AMOUNT, MONEY_VERBS, split_forms

# The words each test needs, as the body's words (one pass over them finds whether any is
# there): a test runs only where one of its words is.
# "no" alone, not "no." or "no:": those are a number's ("A/c no. XX1234"), never "no amount".
DENIAL_WORDS = split_forms(
    "not", "never", "wasn't", "isn't", "hasn't", "haven't", "weren't", "didn't", "hadn't",
    "aren't", "doesn't", "couldn't",
) | {"no"}  # fmt: skip
LIMIT_WORDS = split_forms("limit", "limits", "max", "maximum")
PERIOD_WORDS = split_forms(
    "month", "week", "year", "cycle", "far", "date", "month-to-date", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec",
)  # fmt: skip
WORDS = DENIAL_WORDS | LIMIT_WORDS | PERIOD_WORDS
# The words a credit that is not the owner's needs: a lender's or an insurer's receipt, a credit
# still pending.
CREDIT_WORDS = split_forms(
    "loan", "emi", "instalment", "installment", "instalments", "installments", "premium",
    "pending", "realisation", "realization", "awaiting",
)  # fmt: skip

# A money verb in the past tense: money that moved ("dispensed": an ATM's cash).
_VERBS = (*MONEY_VERBS, "dispensed")
_MOVED = compiled(r"\b(?:" + "|".join(_VERBS) + r")\b")
# The same verbs denied: "not debited", "has not been credited", "wasn't debited", "never
# received", "no amount has been deducted" ("not spent" is no denial an alert makes).
_AUX = r"\s+(?:(?:yet|been|be|get|got|getting|being)\s+){0,2}(?:\w+ly\s+)?"
_VERB = "(?:" + "|".join(verb for verb in _VERBS if verb != "spent") + r")\b"
_DENIED = re.compile(
    rf"n(?:ot(?<=\bnot)|'t|ever(?<=\bnever)){_AUX}{_VERB}"
    r"|no(?<=\bno)\s+(?:amount|money|funds?|deduction|debit)\s+(?:(?:has|have|was|is|got|gets)\s+)?"
    r"(?:(?:been|be)\s+)?(?:debited|deducted|charged|credited|withdrawn|taken)\b"
)


def denied_first(low: str) -> bool:
    """Whether the body denies a movement before it reports one ("Amount not debited as cash
    was not dispensed"); a denial after money moved ("Rs 500 debited …; if not credited to the
    beneficiary, …") leaves the alert to be read. For a body with a DENIAL_WORDS word."""
    denied = _DENIED.search(low)
    return denied is not None and _MOVED.search(low, 0, denied.start()) is None


# What ends a sentence: a full stop, ";", "!" or "?" before a space or a line break. A line break
# alone does not (some alerts break lines for spaces), nor does the amount's own "Rs. " (the
# sentence's end is looked for after the amount's first digit).
_ENDS = (". ", ".\n", "; ", ";\n", "! ", "!\n", "? ", "?\n")
# A limit named ("withdrawal limit", "credit limit of", "max withdrawal") is read with the two
# words before it: an available or remaining limit is the one left after a spend, not one set.
_LEFT = frozenset(
    ("available", "avl", "avbl", "avail", "avlbl", "remaining", "unused", "balance", "bal",
     "utilised", "utilized", "open", "current")
)  # fmt: skip
# A period's total: the owner's spends or receipts ("you have spent", "your total spends") over
# a period ("this month", "so far", "in November", "during Nov-26", "month-to-date").
_TOTAL = re.compile(
    r"you(?<=\byou)(?:r\s+(?:total\s+)?(?:spends?|spending|purchases|receipts)\b"
    r"|(?:\s+have|'ve)?\s+(?:spent|received|transacted)\b)"
    r"|total(?<=\btotal)\s+(?:spends?|spending|purchases|receipts)\b"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_SPAN = r"\s+(?:month|week|year|billing\s+cycle|cycle)\b"
_IN_MONTH = rf"\s+(?:the\s+month\s+of\s+)?(?:{_MONTHS})(?:[-'\s]\d{{2,4}})?\b(?![-/\s]?\d)"
_PERIOD = re.compile(
    "|".join(rf"{word}(?<=\b{word}){_SPAN}" for word in ("this", "last", "current", "previous"))
    + r"|so(?<=\bso)\s+far\b|till(?<=\btill)\s+date\b|month(?<=\bmonth)[-\s]to[-\s]date\b"
    + rf"|in(?<=\bin){_IN_MONTH}|during(?<=\bduring){_IN_MONTH}"
)


def _sentence(low: str, amount: re.Match[str]) -> tuple[int, int]:
    """Where the sentence of `amount` starts and ends in `low`."""
    at = amount.start()
    start, end = 0, len(low)
    for mark in _ENDS:
        before = low.rfind(mark, 0, at)
        if before >= 0:
            start = max(start, before + len(mark))
        after = low.find(mark, amount.end())
        if after >= 0:
            end = min(end, after)
    return start, end


# The words a limit is named by, each with the endings it may take ("limits", "maximum").
_NAMES = (("limit", ("", "s")), ("max", ("", "imum")))


def _whole_word(low: str, at: int, word: str, endings: tuple[str, ...]) -> bool:
    """Whether `word` at `at` stands as a word, with one of its endings ("limits"), not as the
    start of another ("limited")."""
    if at > 0 and low[at - 1].isalnum():
        return False
    after = at + len(word)
    return any(
        low.startswith(end, after) and not low[after + len(end) : after + len(end) + 1].isalnum()
        for end in endings
    )


def _limits_named(low: str) -> list[int]:
    """Where a limit is named ("limit", "max"), but not a limit left after a spend ("Avl Limit:
    Rs …", the usual card alert): str.find, cheaper than a regex's iterator here."""
    found = []
    for word, endings in _NAMES:
        at = low.find(word)
        while at >= 0:
            if _whole_word(low, at, word, endings) and _LEFT.isdisjoint(
                low[max(0, at - 24) : at].replace(".", " ").split()[-2:]
            ):
                found.append(at)
            at = low.find(word, at + 1)
    return found


# How much of a limit a figure is ("Rs 4,500 of your Rs 5,000 monthly limit", "Rs 800 of your
# daily UPI limit"): a limit's use reported, not a movement.
_OF_A_LIMIT = re.compile(
    r"\d\s+of\s+(?:your|the|its)\s+(?:(?:rs|inr|₹)\.?\s*[\d,]+(?:\.\d+)?\s+)?(?:[\w-]+\s+){0,3}?"
    r"limit\b"
)


def quoted_not_moved(low: str, limit: bool, period: bool) -> bool:
    """Whether the sentence of the body's first amount states a limit ("ATM withdrawal limit
    of Rs 25,000 set", "Rs 10,000 is the new daily limit") or a period's total ("You have spent
    Rs 12,345 in November"), and no money moved in it. `limit`: the body has a LIMIT_WORDS
    word; `period`: a PERIOD_WORDS word."""
    limits = _limits_named(low) if limit else ()
    period = period and _TOTAL.search(low) is not None
    if not limits and not period:
        return False
    amount = AMOUNT.search(low)  # the first amount, in any currency
    if amount is None:
        return False
    start, end = _sentence(low, amount)
    if limit and _OF_A_LIMIT.search(low, start, end) is not None:
        return True  # "You have spent Rs 4,500 of your Rs 5,000 monthly limit": a limit's use
    # A limit set moves nothing before it either ("Spent USD 12.99 … Avl Limit: INR …" is the
    # spend's alert).
    if any(start <= at < end for at in limits) and _MOVED.search(low, 0, end) is None:
        return True
    return (
        period
        and _TOTAL.search(low, start, end) is not None
        and _PERIOD.search(low, start, end) is not None
    )


# A biller's thanks for the owner's payment ("Payment of Rs 1,234.00 received for a/c
# 1234567890. Thank you for paying your electricity bill"): the owner's own bank or card alert
# carries the payment, and the biller "received" it, so it is no credit of the owner's. A card
# issuer's thanks for a card bill payment names the card, and is read.
_THANKS = compiled(
    r"\bthank(?:s|\s+you)\s+for\s+(?:paying|the\s+payment|your\s+payment"
    r"|making\s+(?:the\s+|your\s+)?payment)\b"
)


def biller_receipt(low: str) -> bool:
    """Whether the body thanks the owner for a payment it received, with no card named."""
    return "thank" in low and "card" not in low and _THANKS.search(low) is not None


# A lender's receipt of the owner's repayment ("EMI of Rs 12,345 for your loan XX9876 has been
# received", "Rs 5,000 received towards your loan a/c", "Your Loan A/c XX9876 has been credited
# with Rs 12,345"), or an insurer's of a premium ("Your policy 12345678 premium of Rs 12,000 has
# been received from A/c XX1234"): the money left the owner's account, whose own alert carries
# it. Read: a loan paid out ("Loan amount of Rs 5,00,000 credited to your A/c"), an EMI taken
# ("EMI of Rs 5,000 debited from A/c …"), a premium account's credit ("Your Premium A/c XX1234
# has received Rs 500"). Within a sentence (a full stop before a digit is the amount's: "Rs. 500").
_IN_SENTENCE = r"(?:[^.;]|\.(?=\s*\d))"
_RECEIPT = compiled(
    rf"\b(?:emi|instal?l?ments?)\b{_IN_SENTENCE}{{0,80}}?\breceived\b"
    rf"|\bpayment\b{_IN_SENTENCE}{{0,40}}?\b(?:towards|for|against)\s+(?:your\s+)?loan\b"
    rf"{_IN_SENTENCE}{{0,60}}?\breceived\b"
    r"|\breceived\s+(?:towards|against|for)\s+(?:your\s+)?(?:loan|emi)\b"
    r"|\breceived\s+(?:your\s+|the\s+)?"
    r"(?:emi|loan\s+(?:re)?payment|instal|(?:renewal\s+)?premium\b)"
    rf"|\b(?:policy\b{_IN_SENTENCE}{{0,40}}?\bpremium|premium\s+(?:of|amount|payment|for)\b)"
    rf"{_IN_SENTENCE}{{0,80}}?\breceived\b"
    rf"|\bloan\s+(?:a/?c|account)\b{_IN_SENTENCE}{{0,40}}?\bcredited\b"
    r"|\bcredited\s+(?:to|in|into)\s+(?:your\s+)?loan\s+(?:a/?c|account)\b"
)
# A deposit whose credit is still to come: a cheque being realised ("is pending credit",
# "subject to realisation", "awaiting clearance"); the credit's own alert follows.
_PENDING = compiled(
    r"\bpending\s+(?:for\s+)?(?:credit(?!\s*card)|clearance|clearing|reali[sz]ation)\b"
    r"|\bcredit\s+(?:is\s+)?pending\b|\b(?:subject\s+to|under)\s+reali[sz]ation\b"
    r"|\bawaiting\s+(?:credit|clearance|clearing|reali[sz]ation)\b"
)


# A fee or charge waived ("Annual fee of Rs 499 waived on your credit card"): nothing was
# charged. One given back ("waived and credited back to your card") is a credit, read, and so is
# a debit reported before the waiver in its sentence ("Rs 500 debited for the fee, GST waived").
WAIVED_WORDS = split_forms("waived")
_GIVEN_BACK = compiled(r"\b(?:credited|reversed|refunded|adjusted)\b")


def fee_waived(low: str) -> bool:
    """Whether the sentence of the body's first amount waives it, with no money moved before the
    waiver in it and none given back in the body. For a body with a WAIVED_WORDS word."""
    amount = AMOUNT.search(low)
    if amount is None:
        return False
    start, end = _sentence(low, amount)
    at = low.find("waived", start, end)
    return at >= 0 and _MOVED.search(low, start, at) is None and _GIVEN_BACK.search(low) is None


# A mini statement (the bank's reply to the owner's own request: "Last 3 transactions on A/c
# XX1234: Rs 500 Dr, …") lists movements each alerted already, and a summary totals a period's
# ("Weekly summary for A/c XX1234: spent Rs 4,500 across 12 transactions"): read as one, the
# amounts would be counted twice. Only where it is named before the end of the first amount's
# sentence: "Rs 500 spent at AMAZON. See your monthly summary in the app" is the spend.
LISTED_WORDS = split_forms(
    "mini", "mini-statement", "ministatement", "last", "transactions", "txns", "summary",
    "weekly", "monthly", "daily",
)  # fmt: skip
_LISTED = compiled(
    r"\bmini[\s-]*statement\b|\blast\s+(?:\d{1,2}|three|five|ten)\s+(?:txns?|transactions)\b"
    r"|\b(?:across|in|over)\s+\d+\s+(?:txns?|transactions)\b"
    r"|\b(?:weekly|monthly|daily)\s+(?:summary|spends?|report|digest)\b"
    r"|\bsummary\s+(?:for|of)\b"
)


def listed(low: str) -> bool:
    """Whether the body is a mini statement or a period's summary, named before the end of its
    first amount's sentence. For a body with a LISTED_WORDS word."""
    amount = AMOUNT.search(low)
    if amount is None:
        return False
    found = _LISTED.search(low, 0, _sentence(low, amount)[1])
    return found is not None


# A debit reported before a receipt's words is the owner's debit ("Rs 5,000 debited from A/c
# XX1234 for EMI; payment received by the lender", "…; credit to the beneficiary is pending").
_DEBITED = compiled(r"\b(?:debited|deducted|spent|withdrawn|paid|sent|charged)\b")


def _received_not_owners(low: str) -> str | None:
    """`predebit` for a credit still pending, `service` for a lender's or an insurer's receipt,
    each unless a debit is reported before or within it. For a body with a CREDIT_WORDS word."""
    for found, why in ((_PENDING.search(low), "predebit"), (_RECEIPT.search(low), "service")):
        # Up to the match's end: "Your loan EMI of Rs 5,000 has been debited from A/c XX1234 and
        # received by ACME FINANCE" reports the debit inside the receipt's words.
        if found is not None and _DEBITED.search(low, 0, found.end()) is None:
            return why
    return None


_ALL_WORDS = WORDS | CREDIT_WORDS | WAIVED_WORDS | LISTED_WORDS


def reason(low: str) -> str | None:
    """Why an amount the (lower-cased) body quotes did not move, or None: a movement denied
    before any is reported is `failed` ("Amount not debited as cash was not dispensed"); a limit,
    a period's total or summary, a mini statement, a fee waived, a lender's or an insurer's
    receipt `service`; a credit still pending `predebit`. Asked of a body the generic layer or
    an owner format read, or no layer did; the issuers' own formats are written for their alerts
    and never read these (each family is a property over them in
    tests/transactions/test_never_misread.py)."""
    words = low.split()
    if _ALL_WORDS.isdisjoint(words):  # most bodies: one pass over their words
        return None
    hits = _ALL_WORDS.intersection(words)
    if not DENIAL_WORDS.isdisjoint(hits) and denied_first(low):
        return "failed"
    limit = not LIMIT_WORDS.isdisjoint(hits)
    period = not PERIOD_WORDS.isdisjoint(hits)
    if (limit or period) and quoted_not_moved(low, limit, period):
        return "service"
    if not WAIVED_WORDS.isdisjoint(hits) and fee_waived(low):
        return "service"
    if not LISTED_WORDS.isdisjoint(hits) and listed(low):
        return "service"
    return None if CREDIT_WORDS.isdisjoint(hits) else _received_not_owners(low)
