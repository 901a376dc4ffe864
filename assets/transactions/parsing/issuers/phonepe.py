"""PhonePe: payments from a PhonePe gift card (a prepaid balance held in the app)."""

from assets.transactions.parsing.format import AMT, CUR, DATE, fmt

ISSUER = "PHONEPE"
HEADERS = ("PHONPE",)

FORMATS = (
    fmt(
        "gift-card-paid",  # "You've paid Rs.500 via PhonePe gift card to <merchant>  on Apr 12, …"
        rf"You've paid {CUR}{AMT} via PhonePe gift card to (?P<counterparty>.+?)\s+on {DATE}",
        "debit",
        "other",
        "wallet",
        keyword="phonepe gift card",
    ),
)
