"""The generic layer: reads an alert no issuer format knows from the grammar Indian alerts share.

Tried last, after the issuer's formats and the generic formats, and for banks without formats.
It takes a message only when it shows an amount with its currency, a past-tense money verb and
either the owner's account/card tail or a reference, and it names a counterparty only where the
text marks one unambiguously (a VPA, the name inside a UPI/NEFT/IMPS/ACH reference, "at X on",
"to X"/"from X" before a terminator). Anything less stays unrecognized: a miss is better than a
wrong transaction.
"""

from __future__ import annotations

import re

from assets.transactions.model import Channel, Instrument, Transaction
from assets.transactions.parsing import fields
from assets.transactions.parsing.format import DATE

_I = re.IGNORECASE
# ISO codes seen on foreign-currency card alerts; "Rs"/"INR"/"₹" are rupees.
FOREIGN = ("USD", "EUR", "GBP", "AED", "SGD", "AUD", "CAD", "JPY", "CHF", "THB", "MYR", "HKD")
_MONEY = re.compile(
    r"(?:(?P<cur>Rs|INR|₹|" + "|".join(FOREIGN) + r")\b\.?\s*:?\s*(?:INR\s*)?"
    r"(?P<amount>\d+(?:,\d{2,3})*(?:\.\d+)?)(?!\d|,\d|\.\d)"
    r"|\b(?:debited|credited) by (?P<bare>\d+(?:,\d{2,3})*\.\d{1,2})\b)",
    _I,
)
# The first past-tense money word decides the direction ("Dr. from A/C … and Cr. to X": debit).
_VERB = re.compile(
    r"\b(?P<debit>debited|spent|sent|paid|withdrawn|withdrawal|wdl|dr\b\.?|debit (?:of|by)|"
    r"has been used|used for|for using|purchase (?:of|at)|trf to|transferred to)"
    r"|\b(?P<credit>credited|received|deposited|cr\b\.?|credit of|refund|reversed|reversal|"
    r"cashback)",
    _I,
)
_TAIL = re.compile(
    r"\b(?:a/?c|acct|account|card)\b\.?(?:\s*(?:no\.?|number|ending(?: with| in)?))?\s*:?\s*"
    r"(?:(?:\d*[x*.]+\s?)(?P<masked>\d{3,})|(?P<plain>\d{3,6})\b)"
    r"|\bending (?:with |in )?(?P<ending>\d{4})\b",
    _I,
)
_BALANCE = re.compile(
    r"\b(?:(?:avl|avbl|avail|available|aval|avb|total avail|new|clear)\.?\s*"
    r"(?:bal(?:ance)?|lmt|limit)|bal(?:ance)?)\b\.?\s*(?:is\s*)?:?\s*"
    r"(?:Rs|INR|₹)\.?\s*:?\s*(?P<balance>\d+(?:,\d{2,3})*(?:\.\d+)?)",
    _I,
)
_REFERENCE = re.compile(
    r"\b(?:UPI|IMPS|NEFT|RTGS)/(?:P2[AM]/)?(?P<upi>\d{6,})"
    r"|\bInfo:? (?:NEFT|IMPS|RTGS)[- ](?P<utr>[A-Z0-9]{8,})-"
    r"|\b(?:(?:UPI|IMPS|NEFT)\s*)?(?:Ref(?:erence)?\.?\s*(?:No\.?|number)?|Refno|RRN|UTR)"
    r"\s*[:.#-]?\s*(?P<ref>\d{6,})"
    r"|\bUPI\s*:\s*(?P<upi2>\d{9,})",
    _I,
)
_DATE = re.compile(DATE, _I)
_FUTURE = ("to be ", "will be ", "shall be ", "would be ", "being ")
_NAME = r"(?P<name>[A-Za-z][\w&.'@ -]{0,40}?)"
# Where a counterparty is marked unambiguously, most specific first.
_PAYEE = tuple(
    re.compile(p, _I)
    for p in (
        r"\n(?P<name>[A-Z][A-Z0-9 .&*'-]{1,40})\n(?:Avl|Avail|Available) (?:Limit|Lmt|Bal)",
        r"\bVPA\s+(?P<name>[\w.-]+@[\w.-]+?)(?=[\s(.,;]|$)",
        r"\b(?:UPI|IMPS|NEFT|RTGS)/(?:P2[AM]/)?\d{6,}/(?P<name>[^/\n]+?)(?=/|\n|\.\s|\.$|$)",
        r"\b(?:NEFT|IMPS|RTGS)[- ](?:Cr-)?[A-Z0-9]{8,}-(?P<name>[^-\n]+?)-",
        r"\b(?:NACH|ACH)(?:[- ]?D-|[- ])\s*(?P<name>[A-Z][A-Z0-9 .&]+?)(?=\s+EMI\b|-|\.|$)",
        r"\b(?:to|from|by)\s+(?P<name>[\w.-]+@[a-z][\w]+)\b",
        r"[;,]\s*(?P<name>[A-Za-z][\w&.' -]{0,40}?) credited\b",
        r"\bat\s+" + _NAME + r"\s+on\s+(?:\d|date\b|[a-z]{3}\b)",
        r"\b(?:to|from)\s+" + _NAME + r"(?=\s+(?:on|via|ref|refno|upi|from|credited)\b"
        r"|\s*[.(]\s|\.?$|\s*\()",
    )
)
# Words that, leading a would-be name, show it is a label, an account or the bank itself.
_NOT_A_NAME = re.compile(
    r"(?:your|you|a/?c|acct|account|card|atm|cash|the |self|bank|mobile|beneficiary|"
    r"linked|upi\b|imps\b|neft\b|rtgs\b|net ?banking|mob bk|wallet)",
    _I,
)
# A sender header looks like a bank's when it says so (…BK, …BNK, …BANK, …B) or the body does.
_BANK_HEADER = re.compile(r"BK|BNK|BANK|B$|SBI|BOI|IOB|SIB|CITI|CBI")


def looks_like_bank(header: str, low_body: str) -> bool:
    """A DLT header without built-in formats is read when its shape or the body names a bank."""
    return bool(_BANK_HEADER.search(header)) or "bank" in low_body


def parse(body: str, bank: str) -> Transaction | None:
    """The transaction `body` reports in the shared alert grammar, or None when unsure."""
    money = _MONEY.search(body)
    verb = _VERB.search(body)
    if money is None or verb is None:
        return None
    if not body[money.end() : money.end() + 2].strip(" ,."):
        return None  # the amount ends the text ("Rs:1," too): the alert may be cut inside it
    if body[max(0, verb.start() - 8) : verb.start()].lower().endswith(_FUTURE):
        return None  # "to be debited", "will be credited": announced, not done
    amount = fields.parse_amount(money["amount"] or money["bare"])
    if amount is None:
        return None
    currency = (money["cur"] or "INR").upper()
    if currency in ("RS", "₹"):
        currency = "INR"
    tail_match = _TAIL.search(body)
    tail = None
    if tail_match is not None:
        tail = fields.account_tail(
            tail_match["masked"] or tail_match["plain"] or tail_match["ending"]
        )
    ref_match = _REFERENCE.search(body)
    reference = None
    if ref_match is not None:
        reference = ref_match["upi"] or ref_match["utr"] or ref_match["ref"] or ref_match["upi2"]
    if tail is None and reference is None:
        return None  # an amount and a verb alone is how offers and phishing read
    direction = "debit" if verb["debit"] else "credit"
    balance_match = _BALANCE.search(body, money.end())
    balance = fields.parse_amount(balance_match["balance"]) if balance_match else None
    date_match = _DATE.search(body)
    date = fields.parse_date(date_match[0]) if date_match else None
    low = body.lower()
    return Transaction(
        amount,
        direction,
        _counterparty(body),
        tail,
        balance,
        reference,
        _channel(low),
        date,
        bank,
        _instrument(low, tail_match),
        currency,
    )


def _counterparty(body: str) -> str | None:
    for pattern in _PAYEE:
        match = pattern.search(body)
        if match is None:
            continue
        name = match["name"].strip(" .,-")
        if _NOT_A_NAME.match(name) or _NOT_A_NAME.search(name.split(" ")[0] + " "):
            continue
        if name.lower().startswith("atm") or len(name) < 2:
            continue
        return fields.counterparty(name)
    return None


_ATM = re.compile(r"\batm\b", _I)
_UPI = re.compile(r"\bupi\b|\bvpa\b|@upi", _I)


def _channel(low: str) -> Channel:
    if _ATM.search(low) and ("withdraw" in low or "wdl" in low or " at atm" in low):
        return "atm"
    if _UPI.search(low):
        return "upi"
    if "imps" in low:
        return "imps"
    if "neft" in low:
        return "neft"
    if "card" in low:
        return "card"
    return "other"


def _instrument(low: str, tail_match: re.Match[str] | None) -> Instrument:
    if "credit card" in low or "avl limit" in low or "available limit" in low:
        return "credit_card"
    if tail_match is not None and "card" in tail_match[0].lower():
        return "debit_card"
    return "account"
