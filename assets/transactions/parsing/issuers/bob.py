"""Bank of Baroda and BOBCARD (its credit cards share the issuer id)."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, END, TAIL, fmt

ISSUER = "BOB"
HEADERS = ("BOBSMS", "BOBTXN", "BOBCRD", "BARODA", "BOBCRM")

FORMATS = (
    fmt(
        "upi-debit",
        rf"{CUR}{AMT} Dr\.? from A/C {TAIL} and Cr\.? to (?P<counterparty>\S+?)\.\s*"
        rf"Ref:? ?(?P<reference>\d+)\.?(?:\s*AvlBal:? ?{CUR}{BAL}(?:\({DATE})?)?",
        "debit",
        "upi",
        keyword="dr.",
    ),
    fmt(
        "transfer-debit",
        rf"{CUR}{AMT} transferred from A/c {TAIL} to:? ?(?P<counterparty>.+?)\.{END}"
        rf"(?:.*?Avlbl Amt:? ?{CUR}{BAL}(?:\({DATE})?)?",
        "debit",
        "other",
        keyword="transferred from",
    ),
    fmt(
        "credit-via",
        rf"{CUR}{AMT} credited to A/c {TAIL} via (?P<channel>IMPS|NEFT|UPI|RTGS)/"
        rf"(?P<reference>\w+) by (?P<counterparty>.+?)\.{END}(?:\s*AvlBal:? ?{CUR}{BAL})?",
        "credit",
        None,
        keyword="credited to",
    ),
    fmt(
        "cash-deposit",
        rf"{CUR}{AMT} deposited in cash to A/c {TAIL}(?: on {DATE})?\.?"
        rf"(?:\s*AvlBal:? ?{CUR}{BAL})?",
        "credit",
        "other",
        keyword="deposited in cash",
    ),
    fmt(
        "bobcard-spend",
        rf"{CUR}{AMT} is spent on your BOBCARD ending {TAIL} at (?P<counterparty>.+?) on {DATE}"
        rf"(?:.*?Available credit limit is {CUR}{BAL})?",
        "debit",
        "card",
        "credit_card",
        keyword="bobcard",
    ),
)
