"""IndusInd Bank: accounts, UPI, IMPS, ACH."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, fmt

ISSUER = "INDUSIND"
HEADERS = ("INDUSB", "INDUSL")

FORMATS = (
    fmt(
        "upi",
        rf"A/c \*?{TAIL} (?P<direction>debited|credited) by {CUR}{AMT} (?:towards|from) "
        rf"(?P<counterparty>\S+@\S+?)\.\s*RRN:? ?(?P<reference>\d+)\.?"
        rf"(?:\s*Avl Bal:? ?(?:{CUR})?{BAL})?",
        None,
        "upi",
        keyword="rrn",
    ),
    fmt(
        "account-rail",
        rf"IndusInd Account {TAIL} has been (?P<direction>debited|credited) for {CUR}{AMT} towards "
        r"(?P<channel>IMPS|NEFT|UPI|RTGS)/(?P<reference>\w+)",
        None,
        None,
        keyword="indusind account",
    ),
    fmt(
        "imps-credit-from",
        rf"account {TAIL} is credited by {CUR}{AMT} on {DATE} received from account \w+/"
        r"(?P<counterparty>[^(]+?)\s*\((?P<channel>IMPS|NEFT) Ref no\.? ?(?P<reference>\w+)\)",
        "credit",
        None,
        keyword="received from account",
    ),
    fmt(
        "debit-card",
        rf"{CUR}{AMT} debited from your A/C {TAIL} towards Debit Card Purchase\."
        rf"(?:\s*Avl BAL:? {CUR}{BAL})?",
        "debit",
        "card",
        keyword="debit card purchase",
    ),
    fmt(
        "ach",
        rf"A/C\s+Debited;\s*{CUR}{AMT} Ref-(?:ACH|NACH) DR[^/]*/\w+/(?P<counterparty>[^.]+?)\."
        rf"(?:\s*Bal:? {CUR}{BAL})?",
        "debit",
        "other",
        keyword="ach dr",
    ),
)
