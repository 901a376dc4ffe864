"""not_moved's tests one by one: where a sentence starts and ends, which limits are named, and
which denials come first (the families in test_never_misread.py run them through every layer)."""

from __future__ import annotations

import pytest

from assets.transactions.parsing import parse_message
from assets.transactions.parsing.not_moved import (
    denied_first,
    fee_waived,
    listed,
    quoted_not_moved,
    reason,
)


def test_a_denial_after_a_verb_that_opens_the_body_leaves_it_read() -> None:
    body = "Debited Rs 500.00 from A/c XX1234 to shop@upi; not credited to the beneficiary yet"
    assert not denied_first(body.lower())
    txn = parse_message("VM-HDFCBK-S", body).transaction
    assert txn is not None and (txn.direction, str(txn.amount)) == ("debit", "500.00")


def test_a_denial_first_is_found_whatever_comes_after() -> None:
    assert denied_first("rs 500.00 was not debited from a/c xx1234; it is credited back")
    assert denied_first("no amount has been deducted for your txn of rs 600.00")
    assert not denied_first("rs 500.00 debited from a/c xx1234. not you? call 1800")


@pytest.mark.parametrize(
    "body",
    [
        # The limit in the sentence before the amount's, and one after it.
        "thanks. your card limit was reviewed. rs 500 is your reward for today",
        "rs 500 is your reward for today. your card limit is unchanged. thanks.",
        # A limit left after a spend, in the spend's sentence.
        "txn of inr 500.00 at amazon on card xx1234, avl limit inr 45,000.00",
        # A limit left after a spend, its label abbreviated, or first in the body.
        "txn of inr 500.00 at amazon on card xx1234, avl.limit inr 45,000.00",
        "avl limit inr 45,000.00 on card xx1234",
        # Words that start or end with a limit's name.
        "limited period: rs 500 is your reward on card xx1234",
        "your sublimit: rs 500 is your reward on card xx1234",
        # A limit named and no amount.
        "your card limit has been increased. enjoy",
    ],
)
def test_what_is_not_a_limit_statement(body: str) -> None:
    assert not quoted_not_moved(body, limit=True, period=False)


@pytest.mark.parametrize(
    "body",
    [
        # A limit named before one left after a spend.
        "your atm withdrawal limit of rs 25,000 is set. avl limit rs 5,000",
        # Money words after the limit's sentence do not undo it.
        "your credit limit is now rs 3,00,000. spends are debited to card xx1234 as usual.",
        "max withdrawal rs 10,000 per transaction at atm",
        "daily upi limits of rs 1,00,000 apply to a/c xx1234",
        # Only the two words before a limit are its label: "bal" three words back is not.
        "bal the daily limit of rs 25,000 is set for card xx1234",
    ],
)
def test_a_limit_statement(body: str) -> None:
    assert quoted_not_moved(body, limit=True, period=False)


def test_a_total_and_its_period_stand_in_the_first_amounts_sentence() -> None:
    # The period's words in the first amount's sentence, "you have received" in another: a
    # credit, and the alert read.
    credit = "Rs 500.00 credited to A/c XX1234 this month. You have received the interest."
    assert not quoted_not_moved(credit.lower(), limit=False, period=True)
    txn = parse_message("VM-HDFCBK-S", credit).transaction
    assert txn is not None and txn.direction == "credit"
    # "You have spent" with the amount, the period in a later sentence: the spend.
    spend = "you have spent rs 500 at amazon on card xx1234. offers this month: 5x points"
    assert not quoted_not_moved(spend, limit=False, period=True)
    assert quoted_not_moved("you have spent rs 12,345 in november on card xx1234", False, True)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("cheque of rs 500 deposited in a/c xx1234 is pending credit", "predebit"),
        ("rs 500 by cheque in a/c xx1234: credit is pending", "predebit"),
        ("rs 500 received towards your loan a/c xx1234", "service"),
        ("we have received your emi payment of rs 500 for loan no xx1234", "service"),
        ("your loan account xx1234 has been credited with rs 500", "service"),
        ("rs 500 credited into your loan account xx1234", "service"),
        # The lender's receipt named before a debit reported after it is still the receipt.
        ("emi of rs 500 received for loan xx1234. rs 500 debited from a/c xx9876", "service"),
        ("instalments of rs 500 received against your loan account xx1234", "service"),
        ("your policy 12345678 premium of rs 500 has been received from a/c xx1234", "service"),
        (
            "we have received the renewal premium of rs 500 for policy 1234 from card xx1234",
            "service",
        ),
        ("premium amount rs 500 for your policy received with thanks", "service"),
    ],
)
def test_a_credit_that_is_not_the_owners(body: str, why: str) -> None:
    assert reason(body) == why


@pytest.mark.parametrize(
    "body",
    [
        # A debit reported first: the owner's, whatever is pending or received after it.
        "rs 500 debited from a/c xx1234 via imps; credit to the beneficiary is pending",
        "rs 500 paid from a/c xx1234 for emi of loan 98765; payment received by the lender",
        "rs 500 sent from a/c xx1234 to your loan account xx9876, credited",
        "debited rs 500 from a/c xx1234 via imps; beneficiary credit pending",
        # The words apart, in other sentences, or about something else.
        "rs 500 credited to a/c xx1234. your loan application is pending",
        "loan amount of rs 500 credited to your a/c xx1234",
        "emi of rs 500 for loan xx1234. received: nothing",
        "rs 500 credited to a/c xx1234; kyc pending for your account",
        "your premium a/c xx1234 has received rs 500 from ravi kumar",
        "rs 500 received in your premium savings a/c xx1234 from ravi kumar",
    ],
)
def test_what_is_not_a_receipt_or_a_pending_credit(body: str) -> None:
    assert reason(body) is None


@pytest.mark.parametrize(
    ("body", "waived"),
    [
        ("annual fee of rs 499 waived on your card xx1234", True),
        ("rs 499 annual fee on card xx1234 has been waived. you spent rs 2,00,000", True),
        ("waived: annual fee of rs 499 on card xx1234", True),
        # Money moved before the waiver in the amount's sentence, or the waiver elsewhere.
        ("rs 500 debited from a/c xx1234 for the annual fee, gst waived", False),
        ("rs 500 spent on card xx1234 at amazon. late fee waived on your card", False),
        ("your late fee was waived. rs 500 spent on card xx1234 at amazon", False),
        ("your reward of rs 500 is on card xx1234. your late fee is waived", False),
        # Given back: a credit of the fee charged before.
        ("annual fee of rs 499 waived and credited to your card xx1234", False),
        ("annual fee of rs 499 waived; the charge is reversed on card xx1234", False),
        # No amount at all.
        ("your annual fee is waived for card xx1234", False),
    ],
)
def test_a_fee_waived(body: str, waived: bool) -> None:
    assert fee_waived(body) is waived


@pytest.mark.parametrize(
    ("body", "is_listed"),
    [
        ("last 3 transactions on a/c xx1234: rs 500 dr, rs 1,000 cr", True),
        ("a/c xx1234 mini-statement: rs 500 dr 01-12", True),
        ("spent rs 4,500 across 12 transactions this week on card xx1234", True),
        ("your monthly spends on card xx1234: rs 4,500", True),
        ("summary of a/c xx1234: rs 4,500 debited", True),
        # Named after the first amount's sentence, or no amount at all.
        ("rs 500 spent on card xx1234. see your monthly summary in the app", False),
        ("rs 500 debited from a/c xx1234. your last 3 transactions are in the app", False),
        ("your weekly summary is ready in the app", False),
        # A count of something else.
        ("rs 500 spent on card xx1234 in 3 instalments", False),
    ],
)
def test_a_mini_statement_or_a_summary(body: str, is_listed: bool) -> None:
    assert listed(body) is is_listed
