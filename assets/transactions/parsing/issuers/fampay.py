"""FamPay / FamApp by Trio: a prepaid wallet (FamPay, FamX a/c); no account digits in its alerts."""

from assets.transactions.parsing.format import AMT, BAL, CUR, fmt

ISSUER = "FAMPAY"
HEADERS = ("FAMPAY", "TRIOTK")

_BALANCE = rf"\.\s*Your Fam(?:Pay|X) a/c balance is {CUR}{BAL}"

FORMATS = (
    fmt(
        "received",
        rf"You received {CUR}{AMT} from (?P<counterparty>.+?) with txn ID (?P<reference>\w+)"
        + _BALANCE,
        "credit",
        "other",
        "wallet",
        keyword="you received",
    ),
    fmt(
        "paid-upi",  # "… using 1234567@fam": paid over UPI from the wallet's own handle
        rf"You paid {CUR}{AMT} to (?P<counterparty>.+?)(?: \.\.)? with txn ID "
        r"(?P<reference>\w+) using \S+@\w+" + _BALANCE,
        "debit",
        "upi",
        "wallet",
        keyword="you paid",
    ),
    fmt(
        "paid",
        rf"You paid {CUR}{AMT} to (?P<counterparty>.+?)(?: \.\.)? with txn ID (?P<reference>\w+)"
        + _BALANCE,
        "debit",
        "other",
        "wallet",
        keyword="you paid",
    ),
    fmt(
        "credited",
        rf"{CUR}{AMT} was credited to your account with transaction ID (?P<reference>\w+)\.\s*"
        rf"Currently, your account balance is {CUR}{BAL}",
        "credit",
        "other",
        "wallet",
        keyword="was credited",
    ),
    fmt(
        "charged",
        rf"You were charged {CUR}{AMT} for .+? on FamPay",
        "debit",
        "other",
        "wallet",
        keyword="you were charged",
        kind="fee",
    ),
)
