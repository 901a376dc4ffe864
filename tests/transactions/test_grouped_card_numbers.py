"""A card number printed in masked groups, and a date between the merchant and "is Approved":
the tail is the last group, the merchant stops before the date (generic layer)."""

from __future__ import annotations

import pytest

from assets.transactions.parsing import parse_message

# A bank sender with no formats of its own: only the generic layer reads it.
BANK = "VM-ZXYBNK-S"
FIRST, LAST = "4375", "1234"


@pytest.mark.parametrize("separator", [" ", "-"])
@pytest.mark.parametrize("groups", ["XXXX XXXX", "XXXX", "XX** ****"])
@pytest.mark.parametrize(
    "when", ["on 02-12-2026", "on 02/12/26 14:05", "on 02-12-2026 14:05:09", ""]
)
def test_tail_is_the_last_group_and_the_date_is_no_merchant(
    separator: str, groups: str, when: str
) -> None:
    card = separator.join([FIRST, *groups.split(" "), LAST])
    body = (
        f"Transaction of USD 16.50 on your ZXY Bank Credit Card {card} at NETFLIX.COM "
        f"{when} is Approved. Available Limit INR 45,000.00".replace("  ", " ")
    )
    txn = parse_message(BANK, body).transaction
    assert txn is not None, body
    assert txn.account_tail == LAST, body
    assert txn.counterparty == "NETFLIX.COM", body
    assert (txn.amount, txn.currency, txn.direction) == (16.5, "USD", "debit")


def test_an_unmasked_number_is_still_read_as_printed() -> None:
    """The plain form keeps working: digits after "Card" are the tail (at most four kept)."""
    body = "Rs 640.00 spent on your Card 4402 at CROMA RETAIL on 03-02-26."
    txn = parse_message(BANK, body).transaction
    assert txn is not None
    assert (txn.account_tail, txn.counterparty) == ("4402", "CROMA RETAIL")
