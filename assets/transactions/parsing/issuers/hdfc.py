"""HDFC Bank: savings/current, debit and credit card alerts."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, fmt

ISSUER = "HDFC"
HEADERS = ("HDFCBK", "HDFCBN")

FORMATS = (
    fmt(
        "upi-sent",
        rf"\bSent {CUR}{AMT}\s+From HDFC Bank A/C {TAIL}\s+To (?P<counterparty>[^\n]+?)\s+"
        rf"On {DATE}\s+Ref:? ?(?P<reference>\d+)",
        "debit",
        "upi",
        keyword="from hdfc bank a/c",
    ),
    fmt(
        # A NetBanking payment names the payee and the account, no reference ("Payment
        # Successful! Rs. 12345.67 from A/c ****4321 to ACMEPAYMENTS via HDFC Bank NetBanking").
        "netbanking-payment",
        rf"Payment Successful! {CUR}{AMT} from A/c {TAIL} to (?P<counterparty>.+?) via HDFC Bank "
        r"NetBanking",
        "debit",
        "other",
        keyword="via hdfc bank netbanking",
    ),
    fmt(
        "upi-debit-vpa",
        rf"{CUR}{AMT} debited from a/c {TAIL} on {DATE} to VPA (?P<counterparty>\S+?)\s*"
        r"\(UPI Ref No\.? ?(?P<reference>\d+)\)",
        "debit",
        "upi",
        keyword="to vpa",
    ),
    fmt(
        "upi-credit-vpa",
        rf"{CUR}{AMT} credited to HDFC Bank A/c {TAIL} on {DATE} (?:from|by) VPA "
        r"(?P<counterparty>\S+?)\s*\(UPI (?:Ref No\.? ?)?(?P<reference>\d+)\)",
        "credit",
        "upi",
        keyword="vpa",
    ),
    fmt(
        "cc-spend",
        rf"Spent {CUR}{AMT} On HDFC Bank (?:Credit )?Card {TAIL} At (?P<counterparty>.+?) "
        rf"On {DATE}",
        "debit",
        "card",
        "credit_card",
        keyword="on hdfc bank",
    ),
    fmt(
        "dc-spend",
        rf"Spent {CUR}{AMT} From HDFC Bank (?:Debit )?Card {TAIL} At (?P<counterparty>.+?) "
        rf"On {DATE}\S*(?:\s+Bal:? {CUR}{BAL})?",
        "debit",
        "card",
        "debit_card",
        keyword="from hdfc bank",
    ),
    fmt(
        "deposit-transfer",
        rf"{CUR}{AMT} deposited (?:in|to) HDFC Bank A/c {TAIL} on {DATE} for "
        r"(?P<channel>NEFT|IMPS|RTGS)[ -]?Cr-\w+-(?P<counterparty>[^-]+)-(?:[^-.]*-)*"
        rf"(?P<reference>\w+)(?:\.|\s|$)(?:\s*Avl bal:? ?{CUR}{BAL})?",
        "credit",
        None,
        keyword="deposited",
    ),
    fmt(
        "ach-debit",
        rf"{CUR}{AMT} debited from HDFC Bank (?:A/c )?{TAIL} on {DATE}\.\s*Info:?\s*"
        rf"(?:ACH|NACH) D-\s*(?P<counterparty>.+)-\w+\.(?:\s*Avl bal:? ?{CUR}{BAL})?",
        "debit",
        "other",
        keyword="ach d-",
    ),
    fmt(
        "cc-reversal",
        rf"Transaction Reversed!\s*On HDFC Bank (?:CREDIT |DEBIT )?Card {TAIL} Amt:\s*{CUR}{AMT} "
        rf"By (?P<counterparty>.+?) On {DATE}",
        "credit",
        "card",
        "credit_card",
        keyword="reversed",
    ),
    fmt(
        "cc-payment",
        rf"PAYMENT OF {CUR}{AMT} RECEIVED TOWARDS YOUR CREDIT CARD ENDING (?:WITH )?{TAIL}"
        rf".*?ON {DATE}(?:\.?\s*YOUR AVAILABLE LIMIT IS {CUR}{BAL})?",
        "credit",
        "other",
        "credit_card",
        keyword="received towards your credit card",
    ),
)
