"""Canara Bank: accounts, UPI, NEFT/RTGS, ATM."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, TIME, fmt

ISSUER = "CANARA"
HEADERS = ("CANBNK", "CNRBNK")

FORMATS = (
    fmt(
        "upi-paid",
        rf"{CUR}{AMT} paid thru A/C {TAIL} on {DATE}{TIME} to (?P<counterparty>[^,]+?),\s*"
        r"UPI(?: Ref:? ?(?P<reference>\d+))?",
        "debit",
        "upi",
        keyword="paid thru",
    ),
    fmt(
        "upi-compact",
        rf"Acct {TAIL} (?P<direction>Dr|Cr)\.? {CUR}{AMT} on {DATE} (?:to|from) "
        rf"(?P<counterparty>[^;]+?); UPI:? ?(?P<reference>\d+);?(?:\s*Bal:? {CUR}{BAL})?",
        None,
        "upi",
        keyword="upi",
    ),
    fmt(
        "transfer-credit",
        rf"amount of {CUR}{AMT} has been credited to (?:your A/c )?{TAIL} on {DATE} towards "
        r"(?P<channel>NEFT|RTGS|IMPS) by Sender (?P<counterparty>[^,]+?),"
        r".*?UTR:? ?(?P<reference>\w+)"
        rf"(?:,\s*Total Avail\.? ?Bal:? {CUR}{BAL})?",
        "credit",
        None,
        keyword="by sender",
    ),
    fmt(
        "account",
        rf"{CUR}{AMT} has been (?P<direction>DEBITED|CREDITED) (?:to|from) your A/c {TAIL} on "
        rf"{DATE}(?: towards [^.]*)?\.?(?:\s*(?:Total )?Av(?:ai)?l\.? ?Bal:? (?:is )?{CUR}{BAL})?",
        None,
        "other",
        keyword="has been",
    ),
    fmt(
        "atm",
        rf"A/C {TAIL} linked to card \w+ debited {CUR}{AMT} on {DATE}.*?ATM txn"
        rf"(?:\.?\s*Avl Bal:? (?:is )?{CUR}{BAL})?",
        "debit",
        "atm",
        keyword="atm txn",
    ),
)
