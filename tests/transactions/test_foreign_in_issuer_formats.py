"""A foreign spend in an issuer's own card-spend wording with the spend's currency after the
merchant ("… on NETFLIX.COM for USD 12.99"): the issuer's format would take the rupee conversion
for the amount and the foreign amount for part of the name. The spend is read in its own
currency, the merchant alone is the counterparty, and the rupee figure is the stated one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.transactions.parsing import parse_message
from assets.transactions.parsing.inr_equivalent import stated_inr

# (sender, body) in each issuer's card-spend shape, the foreign amount after the merchant.
CASES = [
    (
        "VM-ICICIB",
        "INR 1,083.45 spent using ICICI Bank Card XX3750 on 07-Dec-26 on NETFLIX.COM"
        " for USD 12.99. Avl Limit: INR 1,23,456.00. If not you, call 18002662.",
    ),
    (
        "VM-HDFCBK",
        "Spent Rs.1,083.45 On HDFC Bank Card 3750 At NETFLIX.COM for USD 12.99"
        " On 2026-12-07:10:11:12"
        " Not You? Call 18002586161",
    ),
    (
        "VM-SBICRD",
        "Rs.1,083.45 spent on your SBI Credit Card ending 3750 at NETFLIX.COM for USD 12.99 on"
        " 07/12/26. Trxn. not done by you? Report at https://sbicard.com/Dispute",
    ),
]


@pytest.mark.parametrize(("sender", "body"), CASES, ids=[c[0] for c in CASES])
def test_the_spend_is_read_in_its_own_currency(sender: str, body: str) -> None:
    txn = parse_message(sender, body).transaction
    assert txn is not None, body
    assert (txn.amount, txn.currency, txn.direction) == (Decimal("12.99"), "USD", "debit")
    assert txn.counterparty == "NETFLIX.COM"
    assert txn.account_tail == "3750"
    assert stated_inr(body) == Decimal("1083.45")


def test_a_rupee_spend_in_the_same_shape_is_untouched() -> None:
    body = (
        "INR 1,083.45 spent using ICICI Bank Card XX3750 on 07-Dec-26 on NETFLIX.COM."
        " Avl Limit: INR 1,23,456.00. If not you, call 18002662."
    )
    txn = parse_message("VM-ICICIB", body).transaction
    assert txn is not None
    assert (txn.amount, txn.currency, txn.counterparty) == (
        Decimal("1083.45"),
        "INR",
        "NETFLIX.COM",
    )
