"""Dhanlaxmi Bank: UPI debits and credits whose details sit in a quoted "UPI TXN: /…" path.

The path is "/<rrn>-<name>/<remark>/<payer or payee handle>/<ifsc>/<bank ref>". The handle
names the other side best; the name after the RRN can be a cut-off fragment ("MR "), so it is
taken only when the path holds no handle (a handle whose "@" arrived mangled, "one97987¡axisbank").
Headers as delivered: TL-DHANBK-S, VM-DHANBK (github.com/sarim2000/pennywiseai-tracker/issues/110).
"""

from assets.transactions.parsing.format import AMT, BAL, CUR, DATE, TAIL, fmt

ISSUER = "DHANLAXMI"
HEADERS = ("DHANBK",)

_HEAD = rf"{CUR}{AMT} is (?P<direction>debited|credited) (?:from|to) A/c {TAIL} on {DATE} - "
_BAL = rf"\"\.\s*Aval Bal is {CUR}{BAL}"

FORMATS = (
    fmt(
        "upi-path-handle",
        _HEAD + r"\"UPI TXN: /(?P<reference>\d{12})-[^/\"]*/[^\"]*?/(?P<counterparty>[\w.\-]+@\w+)/"
        r"[^\"]*" + _BAL,
        None,
        "upi",
        keyword="upi txn:",
    ),
    fmt(
        "upi-path-name",
        _HEAD + r"\"UPI TXN: /(?P<reference>\d{12})-(?P<counterparty>[^/\"]+?)\s*/[^\"]*" + _BAL,
        None,
        "upi",
        keyword="upi txn:",
    ),
)
