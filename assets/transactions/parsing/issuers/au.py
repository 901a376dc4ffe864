"""AU Small Finance Bank: accounts, UPI, credit cards."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, fmt

ISSUER = "AU"
HEADERS = ("AUBANK", "AUSFBL")

FORMATS = (
    fmt(
        "upi",
        rf"(?P<direction>Debited|Credited) {CUR}{AMT} (?:from|to) A/c {TAIL} on {DATE}\s+"
        r"(?P<channel>UPI)/(?:DR|CR)/(?P<reference>\d+)/(?P<counterparty>[^/\n]+)/"
        rf"[^\n]*(?:\s*Bal:? {CUR}{BAL})?",
        None,
        None,
        keyword="upi/",
    ),
    fmt(
        "account",
        rf"(?P<direction>Debited|Credited) {CUR}{AMT} (?:from|to) A/c {TAIL} on {DATE}\."
        rf"(?:\s*Bal:? {CUR}{BAL})?",
        None,
        "other",
        keyword="a/c",
    ),
    fmt(
        "cc-spend",
        rf"{CUR}{AMT} spent at (?P<counterparty>.+?) on AU Bank Credit Card {TAIL} {DATE}",
        "debit",
        "card",
        "credit_card",
        keyword="au bank credit card",
    ),
)
