"""CRED: a credit-card bill it paid, confirmed as credited to the card (no card digits)."""

from assets.transactions.parsing.format import AMT, CUR, fmt

ISSUER = "CRED"
HEADERS = ("CREDIN",)

FORMATS = (
    fmt(
        "card-payment",  # the kind (card_bill_payment) is read from "payment … card … towards"
        rf"Payment of {CUR}{AMT} has been successfully credited towards your .{{2,40}}? "
        r"Credit Card",
        "credit",
        "other",
        "credit_card",
        keyword="credited towards",
    ),
)
