"""generic.card_bill_paid: a debit alert that pays a credit card's bill, which side it moves (the
families in test_never_misread.py run it through every sender and layer)."""

from __future__ import annotations

import pytest

from assets.transactions.parsing.generic import card_bill_paid


@pytest.mark.parametrize(
    ("body", "side"),
    [
        # Only the card named: the payment arriving on it.
        (
            "your payment of rs 500 towards hdfc credit card xx1234 is successful",
            ("credit", "1234"),
        ),
        ("rs 500 paid towards the credit card no. 4375 xxxx xxxx 1234", ("credit", "1234")),
        ("payment of rs 500 made for your axis bank credit card ending 9876", ("credit", "9876")),
        ("rs 500 paid towards your creditcard", ("credit", None)),
        # Paid from an account the body names: that account's debit.
        ("rs 500 debited from a/c xx5678 towards hdfc credit card xx1234", ("debit", "5678")),
        ("rs 500 paid to your credit card xx1234 from account no. 005678", ("debit", "5678")),
        # A card's own account number is the card's.
        ("rs 500 paid towards your credit card account xx1234", ("credit", None)),
    ],
)
def test_a_bill_paid_moves_the_card_or_the_account(body: str, side: tuple[str, str | None]) -> None:
    bill = card_bill_paid(body)
    assert bill is not None
    direction, instrument, tail = bill
    assert (direction, tail) == side
    assert instrument == ("credit_card" if direction == "credit" else "account")


@pytest.mark.parametrize(
    "body",
    [
        "rs 500 paid to amazon using your credit card xx1234",
        "thank you for using your hdfc bank credit card xx1234 for rs 500 at amazon",
        "rs 500 debited from your credit card xx1234 towards swiggy",
        "rs 500 paid for groceries with credit card xx1234",
        "rs 500 paid to ravi via hdfc credit card xx1234",
        "rs 500 spent on credit card xx1234 at amazon",
    ],
)
def test_a_spend_on_a_card_is_no_bill_paid(body: str) -> None:
    assert card_bill_paid(body) is None
