"""J&K Bank: a UPI AutoPay debit that names no account, an IMPS credit naming the remitter, and
an RTGS/NEFT/IMPS debit or credit with the payee after its UTR."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, fmt

ISSUER = "JKBANK"
HEADERS = ("JKBANK",)

FORMATS = (
    fmt(
        # No account digits, no reference: the merchant's handle before "UPI AutoPay" and the
        # mandate's id after it ("towards icclzr@yespay UPI AutoPay, 7b2e…@upi").
        "upi-autopay",
        rf"Your account has been successfully debited with {CUR}{AMT} on {DATE} towards "
        r"(?P<counterparty>[\w.-]+@[\w.-]+) UPI AutoPay",
        "debit",
        "upi",
        keyword="upi autopay",
    ),
    fmt(
        "imps-credit",
        rf"IMPS Fund transfer of {CUR}{AMT} successfully credited to your A/C {TAIL} with RRN "
        rf"No\.?\s*(?P<reference>\d+) dated {DATE}\.\s*Amt received from "
        r"(?P<counterparty>.+?)\s+having A/C",
        "credit",
        "imps",
        keyword="amt received from",
    ),
    fmt(
        # "A/C XXX1111 Debited by INR 402393 at 10:43 by RTGS-JAKAH25085061937-ZERO.": the payee
        # after the UTR, the time without a date.
        "transfer-utr",
        rf"A/C {TAIL} (?P<direction>Debited|Credited) by {CUR}{AMT} at [\d:]+ by "
        r"(?P<channel>RTGS|NEFT|IMPS)-(?P<reference>\w+)-(?P<counterparty>[^.]+?)\."
        rf"(?:\s*Available Bal is {CUR}{BAL})?",
        None,
        None,
        keyword="available bal is",
    ),
)
