"""Shapes common to many banks, tried after an issuer's own formats and for unknown bank headers.

They read amount, direction and the account tail (plus date and balance when present) but never a
counterparty: without the issuer's wording, a name cannot be told from a label.
"""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, fmt

_ACCOUNT = r"(?:A/?c|Acct|Account|Card)(?:\s*(?:no\.?|number|ending(?: with)?))?\s*"
_DATE_LATER = rf"(?:[^.]{{0,40}}?\bon\s+{DATE})?"
_BAL_LATER = (
    rf"(?:.*?\b(?:Avl|Avail|Available|Aval|Avb|Total Avail)\.?\s*(?:Bal|Balance)\b\.?:?\s*"
    rf"(?:is\s*)?{CUR}{BAL})?"
)

FORMATS = (
    fmt(
        "amount-verb-account",
        rf"{CUR}{AMT}\s+(?:has been |is |was )?(?P<direction>debited|credited)\s+"
        # Not over a "from" to the payer's account ("credited to your account from A/c XX5678").
        rf"(?:from|to|in|into)\s+(?:your\s+)?(?:(?!from\b)\w+\s+){{0,3}}?{_ACCOUNT}{TAIL}"
        rf"{_DATE_LATER}{_BAL_LATER}",
        None,
        "other",
        keyword="ited",
    ),
    fmt(
        "account-verb-amount",
        rf"{_ACCOUNT}{TAIL}\s+(?:is |has been )?(?P<direction>debited|credited)\s+"
        rf"(?:with |for |by )?(?:an amount of )?{CUR}{AMT}(?=[.,]?\s)"
        rf"{_DATE_LATER}{_BAL_LATER}",
        None,
        "other",
        keyword="ited",
    ),
)
