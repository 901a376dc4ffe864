"""PayZapp (HDFC Bank's wallet): money added to the wallet; the wallet has no account digits."""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TIME, fmt

ISSUER = "PAYZAPP"
HEADERS = ("PAYZAP",)

FORMATS = (
    fmt(
        "credited",
        rf"{CUR}{AMT}\s+credited to your PayZapp Wallet\s+On {DATE}{TIME}\s+Bal:?\s*{CUR}{BAL}",
        "credit",
        "other",
        "wallet",
        keyword="payzapp wallet",
    ),
)
