"""Edges of the negatives that the families do not reach (found by mutation testing): the DLT
promotional category, a failure whose money has come back, and a refund still to come."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.transactions.parsing import parse_message

ALERT = "Rs 500.00 debited from a/c XX1234 on 01-02-26 to VPA shop@upi (UPI Ref No 123456789012)"


@pytest.mark.parametrize("suffix", ["-P", "-p"])
def test_a_promotional_sender_never_carries_an_alert(suffix: str) -> None:
    assert parse_message("VM-HDFCBK" + suffix, ALERT).reason == "promo"


@pytest.mark.parametrize("suffix", ["-S", "-T", "-G", ""])
def test_the_other_categories_carry_alerts(suffix: str) -> None:
    txn = parse_message("VM-HDFCBK" + suffix, ALERT).transaction
    assert txn is not None and txn.amount == Decimal("500.00")


@pytest.mark.parametrize(
    "body",
    [
        "UPI txn of Rs 500.00 from A/c XX1234 failed. Amount has been reversed to your A/c. Ref "
        "612345678901",
        "Txn of Rs 500.00 on card XX1234 declined. Amount debited has been reversed to your A/c. "
        "Ref 612345678901",
    ],
)
@pytest.mark.parametrize("sender", ["VM-ACMEBK-S", "VM-HDFCBK-S"])
def test_a_failure_whose_money_has_come_back_is_the_refund(body: str, sender: str) -> None:
    txn = parse_message(sender, body).transaction
    assert txn is not None
    assert (txn.direction, txn.amount, txn.kind) == ("credit", Decimal("500.00"), "refund")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            "UPI txn of Rs 500.00 from A/c XX1234 failed. Amount will be reversed to your A/c. "
            "Ref 612345678901",
            "failed",
        ),
        (
            "Txn of Rs 500.00 on card XX1234 declined. Amount debited, if any, has been reversed "
            "to your A/c. Ref 612345678901",
            "declined",
        ),
    ],
)
def test_a_failure_whose_money_is_still_to_come_is_the_failure(body: str, reason: str) -> None:
    assert parse_message("VM-ACMEBK-S", body).reason == reason


@pytest.mark.parametrize(
    "body",
    [
        # "to" with an active verb names a purpose, not money to come ("can" below makes the
        # body's modal words be read at all).
        "Amount of Rs 500.00 to pay LIC premium has been debited from A/c XX1234 on 02-02-26. "
        "Ref 612345678901. You can view it in the app",
        # A modal with no money verb after it: "you can" is no announcement.
        "You can view it in the app: Rs 500.00 debited from A/c XX1234 on 02-02-26. Ref "
        "612345678901",
    ],
)
def test_modal_words_that_announce_nothing_leave_the_alert_read(body: str) -> None:
    txn = parse_message("VM-ACMEBK-S", body).transaction
    assert txn is not None and (txn.direction, txn.amount) == ("debit", Decimal("500.00"))


@pytest.mark.parametrize(
    "body",
    [
        "Rs 500.00 spent on HDFC Bank Card XX1234 at AMAZON on 02-02-26. You earned 50 points "
        "worth Rs 12.50",
        "Rs. 500.00 spent at AMAZON on your SBM One Credit Card xxXX1234. Reward points added.",
    ],
)
def test_a_spend_that_mentions_points_earned_is_still_the_spend(body: str) -> None:
    for sender in ("VM-HDFCBK-S", "VM-ACMEBK-S"):
        txn = parse_message(sender, body).transaction
        assert txn is not None and (txn.direction, txn.amount) == ("debit", Decimal("500.00"))
