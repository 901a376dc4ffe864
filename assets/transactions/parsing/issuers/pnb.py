"""Punjab National Bank: accounts, UPI, IMPS, ATM."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, TIME, fmt

ISSUER = "PNB"
HEADERS = ("PNBSMS", "PUNBNK", "PNBBNK")

FORMATS = (
    fmt(
        "account-rail",
        rf"Ac {TAIL} (?P<direction>Debited|Credited) with {CUR}{AMT},? {DATE}{TIME} thru "
        rf"(?P<channel>UPI|IMPS|NEFT|RTGS)\s*\.?(?:\s*Aval Bal:? {CUR}{BAL}(?: ?[CD]R)?\.?)?"
        r"(?:\s*\((?:\w+ )?Ref ID:? ?(?P<reference>\w+)\))?",
        None,
        None,
        keyword="thru",
    ),
    fmt(
        "account",
        rf"Ac {TAIL} (?P<direction>Debited|Credited) with {CUR}{AMT},? {DATE}{TIME}\."
        rf"(?:\s*Aval Bal:? {CUR}{BAL})?",
        None,
        "other",
        keyword="ac ",
    ),
    fmt(
        "imps-debit",
        rf"a/c no {TAIL} is debited for {CUR}{AMT} on {DATE}{TIME} and a/c \w+ credited "
        r"\((?P<channel>IMPS|NEFT|UPI) Ref no:? ?(?P<reference>\w+)\)",
        "debit",
        None,
        keyword="credited (",
    ),
    fmt(
        "upi-debit",
        rf"A/c {TAIL} debited {CUR}{AMT} Dt {DATE}{TIME} to (?P<counterparty>.+?) thru "
        rf"UPI:\s*(?P<reference>\d+)\.?(?:\s*Bal:? {CUR}{BAL})?",
        "debit",
        "upi",
        keyword="thru upi",
    ),
    fmt(
        "atm",
        rf"A/c {TAIL} debited with {CUR}{AMT},\s*{DATE}{TIME} thru card \w+\s*\..*?\bATM\b"
        rf"(?:.*?\bBal:? (?:{CUR})?{BAL})?",
        "debit",
        "atm",
        keyword="atm",
    ),
)
