"""YES BANK: credit cards (incl. RuPay credit card spends over UPI) and accounts."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, TIME, fmt

ISSUER = "YES"
HEADERS = ("YESBNK", "YESBCC")

FORMATS = (
    fmt(
        "card-spend",
        rf"{CUR}{AMT} spent on YES BANK Card {TAIL} @(?:(?P<channel>UPI)_)?(?P<counterparty>.+?) "
        rf"{DATE}{TIME}(?: [ap]m)?\.?(?:\s*Avl Lmt:? {CUR}{BAL})?",
        "debit",
        "card",
        "credit_card",
        keyword="yes bank card",
    ),
)
