"""Navi Mutual Fund: a SIP instalment processed (units to follow). The money went into a fund,
so the kind is `investment` whatever the words; the bank's own debit alert is the other side."""

from assets.transactions.parsing.format import AMT, CUR, fmt

ISSUER = "NAVIMF"
HEADERS = ("NAVAMC",)

FORMATS = (
    fmt(
        "sip-processed",
        rf"Your SIP purchase of {CUR}{AMT} in (?P<counterparty>.+?) has been processed",
        "debit",
        "other",
        keyword="sip purchase",
        kind="investment",
    ),
)
