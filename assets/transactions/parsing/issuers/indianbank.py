"""Indian Bank: accounts, UPI, NEFT, ATM, cash deposits."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, fmt

ISSUER = "INDIANBANK"
HEADERS = ("INDBNK", "INDIAN")

FORMATS = (
    fmt(
        "upi-vpa",
        rf"{CUR}{AMT} (?P<direction>credited|debited) (?:to|from) a/c {TAIL} on {DATE} "
        r"(?:by|to) a/c linked to VPA (?P<counterparty>\S+?) \(UPI Ref no:? ?(?P<reference>\d+)\)",
        None,
        "upi",
        keyword="linked to vpa",
    ),
    fmt(
        # The newer UPI debit: the payee runs into ".RRN" with no space ("to NARMADA
        # FOODS.RRN 620416112187.Avl Bal Rs.4585.65").
        "upi-sent-rrn",
        rf"Sent {CUR}{AMT} from A/c {TAIL} on {DATE} to (?P<counterparty>.+?)\.RRN "
        rf"(?P<reference>\d+)\.?(?:\s*Avl Bal {CUR}{BAL})?",
        "debit",
        "upi",
        keyword=".rrn",
    ),
    fmt(
        "transfer-utr",
        rf"{CUR}{AMT} (?P<direction>credited|debited) (?:to|from) A/c {TAIL} on {DATE}"
        rf"(?: at [\d:]+)? UTR:? ?(?P<reference>\w+)/(?P<channel>NEFT|IMPS|RTGS)/"
        rf"(?P<counterparty>[^/]+?)\s*/(?:\s*Avl Bal-? ?{CUR}{BAL})?",
        None,
        None,
        keyword="utr",
    ),
    fmt(
        "atm",
        rf"{CUR}{AMT} withdrawn from ATM at .+? on {DATE}",
        "debit",
        "atm",
        keyword="withdrawn from atm",
    ),
    fmt(
        "deposit",
        rf"{CUR}{AMT} deposited to a/c {TAIL} on {DATE}",
        "credit",
        "other",
        keyword="deposited to",
    ),
)
