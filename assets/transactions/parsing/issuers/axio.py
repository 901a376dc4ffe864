"""axio (Amazon Pay Later): a purchase on the pay-later credit line; no merchant, no digits."""

from assets.transactions.parsing.format import AMT, CUR, fmt

ISSUER = "AXIO"
HEADERS = ("AXIOFS",)

FORMATS = (
    fmt(
        "pay-later",
        rf"Thank you for availing Pay Later credit of {CUR}{AMT}",
        "debit",
        "other",
        "credit_card",
        keyword="pay later credit",
        kind="purchase",
    ),
)
