"""South Indian Bank: its UPI credit, the remitter's name inside the UPI path. Its other alerts
(UPI and IMPS debits and credits) go to the generic layer."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, TIME, fmt

ISSUER = "SIB"
HEADERS = ("SIBSMS",)

FORMATS = (
    fmt(
        # "UPI Credit:INR Rs.25730.00 in A/c X6093. Info: UPI/ICICI/528951062274/ ANILKUM on
        # 16-10-25 12:11:27. Final balance is Rs.29990.75": the path is the remitter's bank code,
        # the RRN and the remitter's name cut by the bank, after a space.
        "upi-credit-info",
        rf"UPI Credit:\s*(?:INR\s*)?{CUR}{AMT} in A/c {TAIL}\.\s*Info: UPI/\w+/"
        rf"(?P<reference>\d+)/\s*(?P<counterparty>[^/]+?) on {DATE}{TIME}\.?"
        rf"(?:\s*Final balance is {CUR}{BAL})?",
        "credit",
        "upi",
        keyword="upi credit:",
    ),
)
