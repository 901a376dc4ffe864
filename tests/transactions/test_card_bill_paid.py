"""generic.card_bill_paid: a debit alert that pays a credit card's bill, which side it moves (the
families in test_never_misread.py run it through every sender and layer)."""

from __future__ import annotations

import pytest

from assets.transactions.parsing import parse_message
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
        # "for" the card's bill or payment, from the account named.
        ("rs 500 debited from a/c xx5678 for credit card bill payment", ("debit", "5678")),
        ("rs 500 debited from a/c xx5678 for hdfc bank credit card payment", ("debit", "5678")),
        ("rs 500 debited from account 005678 for your credit card dues", ("debit", "5678")),
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
        # "for" the card alone, or for a spend with it: no bill of the card.
        "rs 500 debited for your credit card xx1234 at amazon",
        "rs 500 paid for groceries with credit card xx1234 payment",
    ],
)
def test_a_spend_on_a_card_is_no_bill_paid(body: str) -> None:
    assert card_bill_paid(body) is None


@pytest.mark.parametrize("bank", ["", "HDFC Bank ", "ICICI "])
@pytest.mark.parametrize("words", ["Bill Payment", "payment", "bill", "dues"])
def test_an_account_debited_for_a_cards_bill_is_that_accounts_debit_and_no_spend(
    bank: str, words: str
) -> None:
    # Before, "credit card" in the body made the account's digits a card's: a spend of a card
    # that does not exist, counted in the expenses beside the spends the bill pays for.
    body = f"Rs 12,500.00 debited from A/c XX1234 for {bank}Credit Card {words} on 05-11-26."
    txn = parse_message("VM-ZXYBNK-S", body).transaction
    assert txn is not None
    assert (txn.direction, txn.instrument, txn.account_tail, txn.kind) == (
        "debit",
        "account",
        "1234",
        "card_bill_payment",
    )
