"""IDFC FIRST Bank: accounts and credit cards."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, TIME, fmt

ISSUER = "IDFCFIRST"
HEADERS = ("IDFCFB", "IDFCBK")

FORMATS = (
    fmt(
        "account",
        rf"A/C {TAIL} is (?P<direction>debited|credited) by {CUR}{AMT} on {DATE}{TIME}"
        rf"(?: for [^.]*)?\.?(?:\s*New Bal\s*:?\s*{CUR}{BAL})?",
        None,
        "other",
        keyword="a/c",
    ),
    fmt(
        "cc-spend",
        rf"{CUR}{AMT} spent on your IDFC FIRST Bank Credit Card ending {TAIL} at "
        rf"(?P<counterparty>.+?) on {DATE}(?: at [\d:]+ ?[AP]M)?(?:\s*Avbl Limit:? ?{CUR}{BAL})?",
        "debit",
        "card",
        "credit_card",
        keyword="idfc first bank credit card",
    ),
)
