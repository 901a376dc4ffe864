"""Suryoday Small Finance Bank: spends on its co-branded credit card ("Stable Money Suryoday SFB
CC"). The alert names no merchant; "Avlb" is the available limit.
Headers as delivered: AD-SSFBNK-T, VM-SSFBNK-T (github.com/ritesh-kanwar/Cashiro/issues/149, 170).
"""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, TIME, fmt

ISSUER = "SURYODAY"
HEADERS = ("SSFBNK",)

FORMATS = (
    fmt(
        "cc-spend",
        rf"{CUR}{AMT} spent on (?:[\w ]{{0,20}}?)Suryoday SFB CC {TAIL} on {DATE} at{TIME}\.?"
        rf"\s*Avlb {CUR}{BAL}",
        "debit",
        "card",
        "credit_card",
        keyword="suryoday sfb cc",
        kind="purchase",
    ),
)
