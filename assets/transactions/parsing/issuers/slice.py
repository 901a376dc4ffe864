"""slice (slice Small Finance Bank; earlier a card issuer): the card's own wording.

Its bank alerts ("Rs. 100 sent from a/c xx…", "Rs. 20 spent on your credit card xx…") read
through the generic layer; only the old card alert (no account named) and the cash withdrawal
(no ATM named) need a format."""

from assets.transactions.parsing.format import AMT, CUR, DATE, TAIL, fmt

ISSUER = "SLICE"
HEADERS = ("SLCBNK", "SLCEIT", "SLICEIT")

FORMATS = (
    fmt(
        "card-txn",  # "Your slice credt card transaction of Rs.188.33 on Amazon is sucessful"
        rf"Your slice cred(?:i)?t card transaction of {CUR}{AMT} on (?P<counterparty>.+?) is "
        r"suc+es+ful",
        "debit",
        "card",
        "credit_card",
        keyword="card transaction of",
    ),
    fmt(
        # "Rs.10000 withdrawn from a/c xx4735 on 08-Aug-26": the rail is not stated, so `other`
        # (the labelling rules), not `atm`.
        "withdrawn",
        rf"{CUR}{AMT} withdrawn from a/c {TAIL} on {DATE}",
        "debit",
        "other",
        keyword="withdrawn from a/c",
    ),
)
