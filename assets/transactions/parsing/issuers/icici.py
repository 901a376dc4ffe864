"""ICICI Bank: accounts, credit cards, UPI AutoPay."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, END, TAIL, fmt

ISSUER = "ICICI"
HEADERS = ("ICICIB", "ICICIT", "ICICIO")

FORMATS = (
    fmt(
        "upi-debit",
        rf"Acct {TAIL} debited (?:for|with) {CUR}{AMT} on {DATE}(?: [\d:]+)?;? "
        r"(?P<counterparty>.+?) credited\.\s*UPI:\s*(?P<reference>\d+)",
        "debit",
        "upi",
        keyword="upi:",
    ),
    fmt(
        "upi-credit",
        rf"Acct {TAIL} is credited with {CUR}{AMT} on {DATE} (?:from|by) "
        r"(?P<counterparty>.+?)\.\s*UPI:\s*(?P<reference>\d+)",
        "credit",
        "upi",
        keyword="upi:",
    ),
    fmt(
        "imps-debit",
        rf"Acct {TAIL} debited with {CUR}{AMT} on {DATE} & Acct \w+ credited\.\s*"
        r"(?P<channel>IMPS|NEFT|UPI|RTGS):\s*(?P<reference>\w+)",
        "debit",
        None,
        keyword="credited.",
    ),
    fmt(
        "cc-spend",
        rf"{CUR}{AMT} spent (?:using|on) ICICI Bank Card {TAIL} on {DATE} (?:on|at) "
        rf"(?P<counterparty>.+?)\.{END}(?:\s*Avl Limit:? ?{CUR}{BAL})?",
        "debit",
        "card",
        "credit_card",
        keyword="spent",
    ),
    fmt(
        "account-credit-info",
        rf"Account {TAIL} credited:\s*{CUR}{AMT} on {DATE}\.\s*Info:? "
        r"(?P<channel>NEFT|IMPS|RTGS|UPI)[-/*](?P<reference>\w+)[-/*](?P<counterparty>.+?)\."
        rf"{END}(?:\s*Available Balance is {CUR}{BAL})?",
        "credit",
        None,
        keyword="credited:",
    ),
    fmt(
        "bill-pay",  # "InfoBIL*Auto Loan": a biller the owner registered, by their name for it
        rf"Acc(?:t|ount)? {TAIL} debited (?:with )?{CUR}{AMT} on {DATE} ?Info ?BIL\*"
        rf"(?P<counterparty>[^.]+?)\.\s*Avl Bal:? {CUR}{BAL}",
        "debit",
        "other",
        keyword="bil*",
        kind="bill",
    ),
    fmt(
        "atm",
        rf"Acc(?:t|ount)? {TAIL} debited (?:with )?{CUR}{AMT} on {DATE} NFS\*CASH WDL\*[\d-]*\.?"
        rf"(?:\s*Av[a-z]* Bal:? {CUR}{BAL})?",
        "debit",
        "atm",
        keyword="cash wdl",
    ),
    fmt(
        "autopay-debit",
        rf"account has been debited with {CUR}{AMT} towards (?P<counterparty>.+?) for AutoPay"
        rf".*?RRN:? (?P<reference>\d+)\.?(?:\s*Avl Bal:? {CUR}{BAL})?",
        "debit",
        "upi",
        keyword="autopay",
    ),
    fmt(
        "cc-payment",
        rf"Payment of {CUR}{AMT} has been received (?:towards|on) your ICICI Bank Credit Card "
        rf"(?:Account )?{TAIL}(?: on {DATE})?\.?(?:\s*Available Limit is {CUR}{BAL})?",
        "credit",
        "other",
        "credit_card",
        keyword="has been received",
    ),
    fmt(
        "cc-refund",
        rf"Refund of {CUR}{AMT} from (?P<counterparty>.+?) has been credited to your ICICI Bank "
        rf"Credit Card {TAIL}(?: on {DATE})?",
        "credit",
        "card",
        "credit_card",
        keyword="refund of",
    ),
)
