"""State Bank of India: accounts, UPI, debit cards, ATMs (SBI Card is its own issuer)."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, fmt

ISSUER = "SBI"
HEADERS = ("SBIINB", "SBIUPI", "ATMSBI", "SBIOTP", "CBSSBI", "SBIPSG", "SBYONO")

FORMATS = (
    fmt(
        "upi-debit",
        rf"A/C {TAIL} debited by (?:{CUR})?{AMT} on date {DATE} trf to (?P<counterparty>.+?) "
        r"Ref ?no\.? ?(?P<reference>\d+)",
        "debit",
        "upi",
        keyword="trf to",
    ),
    fmt(
        "upi-credit",
        rf"A/c {TAIL}-? ?credited by {CUR}{AMT} on (?:date )?{DATE} transfer from "
        r"(?P<counterparty>.+?) Ref ?No\.? ?(?P<reference>\d+)",
        "credit",
        "upi",
        keyword="transfer from",
    ),
    fmt(
        "upi-debit-transfer-to",  # the debit twin of upi-credit: "debited by Rs100.0 … transfer to"
        rf"A/c {TAIL}-? ?debited by {CUR}{AMT} on (?:date )?{DATE} transfer to "
        r"(?P<counterparty>.+?) Ref ?No\.? ?(?P<reference>\d+)",
        "debit",
        "upi",
        keyword="transfer to",
    ),
    fmt(
        "imps-credit-mobile",
        rf"a/c no\. {TAIL} is credited by {CUR}{AMT} on {DATE} by a/c linked to mobile "
        r"[\dx*]+-(?P<counterparty>.+?) \(IMPS Ref ?(?:#|no\.?)? ?(?P<reference>\d+)\)",
        "credit",
        "imps",
        keyword="linked to mobile",
    ),
    fmt(
        "debit-card",
        rf"transaction number (?P<reference>\d+) for {CUR}{AMT} by SBI Debit Card {TAIL} done at "
        rf"(?P<counterparty>.+?) on {DATE}(?:.*?available balance is {CUR}{BAL})?",
        "debit",
        "card",
        "debit_card",
        keyword="sbi debit card",
    ),
    fmt(
        "atm",
        rf"{CUR}{AMT} withdrawn at SBI ATM \w+ from A/c ?{TAIL} on {DATE}"
        rf"(?: Transaction Number (?P<reference>\d+))?\.?(?:\s*Available Balance:? {CUR}{BAL})?",
        "debit",
        "atm",
        keyword="withdrawn",
    ),
    fmt(
        "neft-credit",
        rf"{CUR}{AMT} credited to your A/c No\.? {TAIL} on {DATE} through "
        r"(?P<channel>NEFT|IMPS|RTGS) with UTR (?P<reference>\w+) by (?P<counterparty>.+?)"
        rf"(?:, INFO:|\.\s)(?:.*?Avl Bal:? {CUR}{BAL})?",
        "credit",
        None,
        keyword="with utr",
    ),
    fmt(
        "transfer",
        rf"A/C {TAIL} has a (?P<direction>debit|credit) by transfer of {CUR}{AMT} on {DATE}\.?"
        rf"(?:\s*Avl Bal:? {CUR}{BAL})?",
        None,
        "other",
        keyword="by transfer",
    ),
)
