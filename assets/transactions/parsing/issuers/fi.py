"""Fi (a Federal Bank savings account): payments sent by the owner's auto-payment rules."""

from assets.transactions.parsing.format import AMT, CUR, DATE, fmt

ISSUER = "FI"
HEADERS = ("FIMONY",)

FORMATS = (
    fmt(
        "auto-payment",  # "You sent 1000.00 to Ppfas Management Ltd on February 1, 2026"
        rf"Auto-payment successful! You sent {CUR}?{AMT} to (?P<counterparty>.+?) on {DATE}",
        "debit",
        "other",
        keyword="auto-payment successful",
    ),
)
