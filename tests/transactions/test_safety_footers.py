"""A completed alert keeps its money when it ends in a "never share your OTP" footer.

The OTP guard runs before every layer, so a guard that takes the footer for a code loses the
alert in all of them: each footer below, on each completed wording, from every sender the
parser knows, through the issuer formats, the generic layer alone and an owner's format. Real
alerts end this way ("… Avl Bal Rs:11996.67. Never share OTP/PIN/CVV-Union Bank of India").
"""

from __future__ import annotations

import pytest

from assets.transactions.model import ParseResult
from tests.transactions.test_never_misread import OTP, family, parse_all

COMPLETED = (
    "Paid {amt} from A/c {tail} to shop@upi on 02-02-26",
    "{amt} debited from A/c {tail} on 02-02-26. UPI Ref 612345678901",
    "A/c {tail} credited with {amt} on 02-02-26 by NEFT from RAVI KUMAR. Avl Bal {amt}",
)
FOOTERS = (
    " Never share your OTP with anyone",
    ". Do not share your OTP, PIN or CVV",
    ". Never share OTP/PIN/CVV",
    ". Do not share OTP for any reason",
    ". Never disclose your OTP for any transaction",
    ". Don't share your OTP for security reasons",
)
# The phone-less unknown header reads only what names the owner's digits: outside this test.
_NOT_BANK_LIKE = "AX-ACMEFN-T"


@pytest.mark.parametrize("layer", ["issuer formats", "generic only", "owner debit"])
@pytest.mark.parametrize("footer", FOOTERS)
def test_a_completed_alert_with_a_do_not_share_footer_is_still_the_money(
    footer: str, layer: str
) -> None:
    lost = [
        f"{sender} {case.body!r}: {result}"
        for case in family(tuple(core + footer for core in COMPLETED))
        for sender, result in parse_all(case.body, layer)
        if sender != _NOT_BANK_LIKE
        and (result.transaction is None or result.transaction.amount != case.amount)
    ]
    assert not lost, f"{len(lost)} lost, e.g.\n" + "\n".join(lost[:5])


@pytest.mark.parametrize("footer", FOOTERS)
def test_a_one_time_password_with_the_same_footer_is_still_a_code(footer: str) -> None:
    # The other side of the footer rule: the code itself is still recognised beside it.
    codes = (
        "Your OTP for txn of {amt} at AMAZON on card {tail} is 482913",
        "482913 is your OTP for payment of {amt} from A/c {tail}",
        *OTP,
    )
    read = [
        f"{sender} {case.body!r}: {result}"
        for case in family(tuple(core + footer for core in codes))
        for sender, result in parse_all(case.body, "owner debit")
        if result != ParseResult(None, "otp")
    ]
    assert not read, f"{len(read)} read as something else, e.g.\n" + "\n".join(read[:5])
