"""Federal Bank: accounts, UPI, debit-card e-mandates, the Scapia co-branded credit card."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, TIME, fmt

ISSUER = "FEDERAL"
HEADERS = ("FEDBNK", "FEDFIB", "FEDSCP", "FEDSMS")  # FEDSMS: a newer alerts header

FORMATS = (
    fmt(
        "credit-bal",  # "Rs.123 credited to your A/c XX1234 on 01JAN2026 12:00:00. BAL-Rs.1234.56"
        rf"{CUR}{AMT} credited to your A/c {TAIL} on {DATE}{TIME}\.\s*BAL-{CUR}{BAL}",
        "credit",
        "other",
        keyword="bal-",
    ),
    fmt(
        "upi-debit",
        rf"{CUR}{AMT} debited via UPI on {DATE}{TIME} to VPA (?P<counterparty>\S+?)\.\s*"
        r"Ref No:? ?(?P<reference>\d+)",
        "debit",
        "upi",
        keyword="debited via upi",
    ),
    fmt(
        "credit-via",
        rf"{CUR}{AMT} credited to your A/c {TAIL} via (?P<channel>IMPS|NEFT|UPI|RTGS) on {DATE}"
        rf"{TIME} \w+ Ref no:? ?(?P<reference>\w+)(?:\s*Bal:? ?{CUR}{BAL})?",
        "credit",
        None,
        keyword="credited to your a/c",
    ),
    fmt(
        "p2p-received",
        rf"you've received {CUR}{AMT} in your Account {TAIL}\..*?sent by "
        rf"(?P<counterparty>.+?) on {DATE}",
        "credit",
        "other",
        keyword="received",
    ),
    fmt(
        "debit-via",
        rf"Debited {CUR}{AMT} from a/c {TAIL} on {DATE}{TIME} via (?P<channel>NEFT|IMPS|UPI|RTGS) "
        rf"to (?P<counterparty>.+?)\.\s*Ref:? (?P<reference>\w+)\.?(?:\s*Bal:? {CUR}{BAL})?",
        "debit",
        None,
        keyword="debited",
    ),
    fmt(
        "atm",
        rf"{CUR}{AMT} withdrawn ?@ ?.*? on {DATE}{TIME}(?: Bal:? {CUR}{BAL})?"
        r"(?: Ref:? (?P<reference>\d+))?",
        "debit",
        "atm",
        keyword="withdrawn",
    ),
    fmt(
        "debit-card-emandate",
        rf"payment of {CUR}{AMT} for (?P<counterparty>.+?) via e-mandate ID:? ?\w+ on Federal Bank "
        rf"Debit Card {TAIL} is processed successfully",
        "debit",
        "card",
        "debit_card",
        keyword="processed successfully",
    ),
    fmt(
        "scapia-card",  # a failed or declined txn says so instead of "earned you"/"was successful"
        rf"Your txn of {CUR}{AMT} at (?P<counterparty>.+?) on your Scapia Federal [\w ]{{0,20}}?"
        r"credit card (?:earned you|was successful)",
        "debit",
        "card",
        "credit_card",
        keyword="scapia federal",
    ),
)
