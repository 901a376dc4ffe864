"""Union Bank of India: accounts (UPI, IMPS, mobile banking, ATM)."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, TIME, fmt

ISSUER = "UNION"
HEADERS = ("UNIONB", "UBOIBK")

FORMATS = (
    fmt(
        "account",
        rf"A/c \*?{TAIL} (?P<direction>Debited|Credited) for {CUR}{AMT} on {DATE}{TIME} by "
        r"(?P<channel>UPI|IMPS|NEFT|RTGS|ATM|Mob Bk|Net Bk|[\w ]+?) ?ref no:? ?(?P<reference>\w+)"
        rf"(?:\s*Avl Bal:? ?{CUR}{BAL})?",
        None,
        "other",
        keyword="ref no",
    ),
)
