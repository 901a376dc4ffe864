"""HSBC India: an NEFT/IMPS credit naming the remitter ("… from CHAS A/c ***6983 of NAME .").

The account is printed with dashes ("A/c 074-260***-006"): its last group is the tail. The date
has no year ("27NOV"), so none is read (the message's received time stands in). HSBC's other
alerts ("INR 49.00 is paid from HSBC account XX5307 to …") are read by the generic layer.
Header as delivered: JM-HSBCIN-S (github.com/sarim2000/pennywiseai-tracker/issues/11).
"""

from assets.transactions.parsing.format import AMT, BAL, CUR, fmt

ISSUER = "HSBC"
HEADERS = ("HSBCIN",)

FORMATS = (
    fmt(
        "transfer-credit",
        rf"A/c [\d*]+(?:-[\d*]+)*-(?P<account_tail>\d{{1,4}}) is credited with {CUR}{AMT} on \w+ "
        r"at [\d.:]+ with UTR (?P<reference>\w+) as (?P<channel>NEFT|IMPS|RTGS) from .+? "
        rf"of (?P<counterparty>.+?)\s*\.\s*Your Avl Bal is {CUR}{BAL}",
        "credit",
        None,
        keyword="with utr",
    ),
)
