"""The generic layer: alerts of banks and wordings no issuer format was written for."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.transactions.parsing import parse_message
from assets.transactions.parsing.core import disable_issuer_formats
from tests.transactions.sms_corpus import as_expected, load

HELDOUT = load("sms-heldout.jsonl")


def test_an_unknown_bank_is_read_by_the_shape_of_its_header_and_body() -> None:
    body = (
        "BOI - Rs.500.00 debited from A/c XX1186 on 05-01-26 to VPA dmart@ybl. "
        "UPI Ref No 600512341111. Avl Bal Rs 10000.00"
    )
    txn = parse_message("JD-BOIIND-S", body).transaction
    assert txn is not None
    assert (txn.amount, txn.direction, txn.counterparty, txn.account_tail) == (
        Decimal("500.00"),
        "debit",
        "dmart@ybl",
        "1186",
    )
    assert (txn.balance, txn.reference, txn.channel, txn.bank) == (
        Decimal("10000.00"),
        "600512341111",
        "upi",
        "BOIIND",
    )
    # The same words from a phone number are not a bank's alert.
    assert parse_message("+919876543210", body).transaction is None


def test_an_amount_and_a_verb_without_a_tail_or_reference_is_not_a_transaction() -> None:
    offer = "Personal loan of Rs 5,00,000 credited instantly to your account! Apply: rbl.bank/pl"
    assert parse_message("AD-RBLBNK-S", offer).transaction is None


def test_a_foreign_currency_spend_keeps_its_currency() -> None:
    body = (
        "Your Standard Chartered Credit Card ending 7781 has been used for EUR 45.50 at "
        "BOOKING.COM on 05/01/26."
    )
    txn = parse_message("VM-SCBANK-S", body).transaction
    assert txn is not None
    assert (txn.amount, txn.currency, txn.counterparty, txn.instrument) == (
        Decimal("45.50"),
        "EUR",
        "BOOKING.COM",
        "credit_card",
    )


def test_kinds_of_held_out_alerts() -> None:
    kinds = {c["id"]: c["kind"] for c in HELDOUT}
    for case in HELDOUT:
        if kinds[case["id"]] not in ("atm", "refund", "interest", "cash_deposit", "salary"):
            continue
        txn = parse_message(case["sender"], case["body"]).transaction
        assert txn is not None, case["id"]
        want = {"atm": "atm_withdrawal"}.get(case["kind"], case["kind"])
        assert txn.kind == want, case["id"]


def test_held_out_corpus_scores() -> None:
    positives = [c for c in HELDOUT if c["expected"] is not None]
    negatives = [c for c in HELDOUT if c["expected"] is None]
    assert len(positives) >= 40 and len(negatives) >= 10
    for case in negatives:
        assert parse_message(case["sender"], case["body"]).transaction is None, case["id"]
    right = 0
    for case in positives:
        txn = parse_message(case["sender"], case["body"]).transaction
        assert txn is not None, case["id"]
        got, want = as_expected(txn), case["expected"]
        assert (got["amount"], got["direction"]) == (want["amount"], want["direction"]), case["id"]
        assert got.get("currency", "INR") == want.get("currency", "INR"), case["id"]
        right += got["counterparty"] == want["counterparty"]
    assert right / len(positives) >= 0.9


def test_leave_one_issuer_out_reads_without_the_issuers_formats_and_restores_them() -> None:
    body = (
        "Sent Rs.20.00\nFrom HDFC Bank A/C *1276\nTo JOSEPH THOMAS\nOn 24/08/25\nRef 458167896224"
    )
    with_formats = parse_message("VK-HDFCBK", body).transaction
    try:
        disable_issuer_formats(["HDFC"])
        without = parse_message("VK-HDFCBK", body).transaction
    finally:
        disable_issuer_formats([])
    # HDFC's own "upi-sent" format knows this is UPI; the generic layer, reading the same
    # words, finds amount, name, tail and reference but not the rail.
    assert with_formats is not None and with_formats.channel == "upi"
    assert without is not None and without.channel == "other"
    assert without[:3] == with_formats[:3]  # amount, direction, counterparty
    assert parse_message("VK-HDFCBK", body).transaction == with_formats


def test_an_amount_cut_at_its_grouping_comma_is_no_transaction() -> None:
    # Found by the cut-alert property test: "Rs:1," is the start of "Rs:1,250.00", not Rs 1.
    body = "A/c *9012 Debited for Rs:1,250.00 on 20-10-2025 13:13:13 by UPI ref no 529312345670"
    assert parse_message("AD-UNIONB-S", body[:27]).transaction is None
    assert parse_message("AD-UNIONB-S", body).transaction is not None


# Announced, not done: the same alert with its verb in the future must give no transaction. The
# past-tense twin of each is read, so the future wording is the only reason for None.
ANNOUNCED = [
    (
        "Rs 2,000.00 will be credited to your A/c XX4417 on 07-03-26 by NEFT. "
        "Ref 884512345678 -Bank of India",
        "Rs 2,000.00 credited to your A/c XX4417 on 07-03-26 by NEFT. "
        "Ref 884512345678 -Bank of India",
    ),
    (
        "Rs.1,499.00 is to be debited from A/c XX4417 on 10-03-26 towards your SIP. "
        "Ref 600512349999",
        "Rs.1,499.00 is debited from A/c XX4417 on 10-03-26 towards your SIP. Ref 600512349999",
    ),
    (
        "INR 750.00 shall be debited from A/c XX4417 on 12-03-26 for your mandate. "
        "UPI Ref No 600512347777",
        "INR 750.00 debited from A/c XX4417 on 12-03-26 for your mandate. UPI Ref No 600512347777",
    ),
    (
        "Rs 3,200.00 would be credited to A/c XX4417 on 15-03-26 as your refund. Ref 600512346666",
        "Rs 3,200.00 credited to A/c XX4417 on 15-03-26 as your refund. Ref 600512346666",
    ),
]


@pytest.mark.parametrize(("announced", "done"), ANNOUNCED)
def test_an_amount_that_will_be_credited_or_debited_is_no_transaction(
    announced: str, done: str
) -> None:
    assert parse_message("JD-BOIIND-S", done).transaction is not None
    assert parse_message("JD-BOIIND-S", announced).transaction is None
