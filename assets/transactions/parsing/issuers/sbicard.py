"""SBI Card (credit cards; a separate issuer from State Bank of India)."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, fmt

ISSUER = "SBICARD"
HEADERS = ("SBICRD", "SBI CARDS AND PAYMENT SERVICES")

FORMATS = (
    fmt(
        "spend-no-merchant",
        rf"{CUR}{AMT} spent on your SBI Credit Card ending (?:with )?{TAIL} on {DATE}\."
        rf"(?:\s*Your available limit is {CUR}{BAL})?",
        "debit",
        "card",
        "credit_card",
        keyword="spent on your sbi credit card",
    ),
    fmt(
        "spend",
        rf"{CUR}{AMT} spent on your SBI Credit Card ending (?:with )?{TAIL} at "
        rf"(?P<counterparty>.+?) on {DATE}(?:.*?available limit is {CUR}{BAL})?",
        "debit",
        "card",
        "credit_card",
        keyword="spent on your sbi credit card",
    ),
    fmt(
        "payment",
        rf"payment of {CUR}{AMT} (?:has been )?(?:credited|received) (?:to|towards|on) your SBI "
        rf"Credit Card ending (?:with )?{TAIL}(?: on {DATE})?\.?"
        rf"(?:\s*Your available limit is {CUR}{BAL})?",
        "credit",
        "other",
        "credit_card",
        keyword="payment of",
    ),
)
