"""Axis Bank: accounts, UPI, debit and credit cards."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, END, TAIL, TIME, fmt

ISSUER = "AXIS"
HEADERS = ("AXISBK", "AXISMR", "AXISCC")

FORMATS = (
    fmt(
        "upi",
        rf"{CUR}{AMT} (?P<direction>debited|credited)\s+A/c no\. {TAIL}\s+{DATE}{TIME}\s+"
        r"(?P<channel>UPI)/P2[AM]/(?P<reference>\d+)/(?P<counterparty>[^\n]+?)\s*\n",
        None,
        None,
        keyword="upi/p2",
    ),
    fmt(
        "cc-spend",
        rf"Spent {CUR}{AMT}\s+Axis Bank Card no\. {TAIL}\s+{DATE}{TIME}\s+"
        rf"(?P<counterparty>[^\n]+?)\s*\n(?:Avl Limit:? {CUR}{BAL})?",
        "debit",
        "card",
        "credit_card",
        keyword="axis bank card no",
    ),
    fmt(
        "dc-spend",
        rf"{CUR}{AMT} debited from A/c no\. {TAIL} on (?P<counterparty>.+?) {DATE}{TIME}\."
        rf"(?:\s*Avl bal:? {CUR}{BAL})?",
        "debit",
        "card",
        "account",
        keyword="blockcard",
    ),
    fmt(
        "transfer-credit",
        rf"{CUR}{AMT} credited to A/c no\. {TAIL} on {DATE}{TIME} by "
        r"(?P<channel>NEFT|IMPS|RTGS|UPI)/(?P<reference>\w+)/(?P<counterparty>.+?)\."
        rf"{END}(?:\s*Avl Bal:? {CUR}{BAL})?",
        "credit",
        None,
        keyword="credited to a/c no",
    ),
    fmt(
        "cc-payment",
        rf"Payment of {CUR}{AMT} has been received on your Axis Bank Credit Card no\. {TAIL}"
        rf"(?: on {DATE})?\.?(?:\s*Avl Limit:? {CUR}{BAL})?",
        "credit",
        "other",
        "credit_card",
        keyword="has been received",
    ),
)
