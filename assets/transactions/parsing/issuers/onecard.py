"""OneCard (SBM Bank "SBM One Credit Card"): credit-card spends, a cheerful line first."""

from assets.transactions.parsing.format import AMT, CUR, TAIL, fmt

ISSUER = "ONECARD"
HEADERS = ("SBMONE",)

FORMATS = (
    fmt(
        "spent-at",  # "Fresh picks! Rs. 653.00 spent at Zeptonow on your SBM One Credit Card xx…"
        rf"{CUR}{AMT} spent at (?P<counterparty>.+?) on your SBM One Credit Card {TAIL}",
        "debit",
        "card",
        "credit_card",
        keyword="sbm one credit card",
    ),
    fmt(
        "you-spent",  # "You've spent Rs. 218.00 at Swiggy with your SBM One Credit Card ending in"
        rf"spent {CUR}{AMT} at (?P<counterparty>.+?) with your SBM One Credit Card ending in "
        + TAIL,
        "debit",
        "card",
        "credit_card",
        keyword="sbm one credit card",
    ),
)
