"""Every field the generic layer reads, one alert per way of reading it (found by mutation
testing: the corpus scores pass when a channel, an instrument or a reference group is wrong)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assets.transactions.model import ParseResult
from assets.transactions.parsing import parse_message
from assets.transactions.parsing.generic import looks_like_bank, parse

MARCH_5 = dt.date(2026, 3, 5)

# (body, channel, instrument, reference, counterparty, kind)
ALERTS = [
    (
        "Rs 5,000.00 debited from A/c XX1234 on 05-03-26 by IMPS Ref No 600512341111",
        "imps", "account", "600512341111", None, "transfer",
    ),
    (
        "INR 2,000.00 credited to A/c XX1234 on 05-03-26 by NEFT. Ref 884512345678",
        "neft", "account", "884512345678", None, "transfer",
    ),
    (
        "Rs 2,000.00 withdrawn from A/c XX1234 at ATM BANDRA on 05-03-26",
        "atm", "account", None, None, "atm_withdrawal",
    ),
    (
        "Cash wdl of Rs 3,000.00 from A/c XX1234 on 05-03-26 at HDFC branch",
        "atm", "account", None, None, "atm_withdrawal",
    ),
    (
        "Rs 500.00 debited from A/c XX1234 at ATM on 05-03-26 txn 600512341111",
        "atm", "account", None, None, "atm_withdrawal",
    ),
    (
        "Rs 500.00 withdrawn from A/c XX1234 on 05-03-26. Ref 600512341111",
        "other", "account", "600512341111", None, "transfer",
    ),
    (
        "Rs 500.00 spent on Card XX1234 at AMAZON on 05-03-26. Not you? Block your ATM card",
        "card", "debit_card", None, "AMAZON", "purchase",
    ),
    (
        "Rs 1,200.00 spent at AMAZON on 05-03-26. Card XX1234. Avl Limit Rs 50,000.00",
        "card", "credit_card", None, "AMAZON", "purchase",
    ),
    (
        "Rs 1,200.00 spent at AMAZON on 05-03-26 on A/c XX1234. Available limit Rs 50,000.00",
        "other", "credit_card", None, "AMAZON", "purchase",
    ),
    (
        "Rs 900.00 debited from A/c XX1234 on 05-03-26 Info: NEFT-HDFCN52026030512345-ACME LTD-",
        "neft", "account", "HDFCN52026030512345", "ACME LTD", "transfer",
    ),
    (
        "Rs 900.00 debited from A/c XX1234 on 05-03-26 UPI/P2M/600512341111/SWIGGY",
        "upi", "account", "600512341111", "SWIGGY", "purchase",
    ),
    (
        "Rs 900.00 debited from A/c XX1234 on 05-03-26 UPI: 600512341111",
        "upi", "account", "600512341111", None, "transfer",
    ),
    (
        "Rs 50.00 paid from A/c XX1234 to BP on 05-03-26 Ref 600512341111",
        "other", "account", "600512341111", "BP", "transfer",
    ),
    # A card or bank named where a payee could be is passed over for the payee after it.
    (
        "Rs 500.00 debited from A/c XX1234 by IndusInd Card XX5271 on 05-03-26 to ZOMATO. "
        "Ref 600512341111",
        "card", "account", "600512341111", "ZOMATO", "purchase",
    ),
    # "İ" lower-cases to two characters: offsets in the lowered body are not the body's.
    (
        "Rs 700.00 debited from A/c XX1234 on 05-03-26 to İSTANBUL CAFE. Ref 600512347777",
        "other", "account", "600512347777", "İSTANBUL CAFE", "transfer",
    ),
    (
        "İİ Rs 700.00 debited from A/c XX1234 on 05-03-26 UPI/P2M/600512341111/KEBAB HOUSE",
        "upi", "account", "600512341111", "KEBAB HOUSE", "purchase",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "channel", "instrument", "reference", "counterparty", "kind"), ALERTS
)
def test_each_field_of_an_alert_the_generic_layer_reads(
    body: str,
    channel: str,
    instrument: str,
    reference: str | None,
    counterparty: str | None,
    kind: str,
) -> None:
    # Called as the parser calls it (with the lowered body) and on its own (without).
    for txn in (parse(body, "ACME", True, body.lower()), parse(body, "ACME")):
        assert txn is not None
        assert (txn.channel, txn.instrument, txn.reference) == (channel, instrument, reference)
        assert (txn.counterparty, txn.kind, txn.date) == (counterparty, kind, MARCH_5)
        assert (txn.account_tail, txn.bank, txn.currency) == ("1234", "ACME", "INR")


def test_a_cash_withdrawal_needs_neither_tail_nor_reference_but_a_bank_like_sender() -> None:
    body = "Rs 2,000.00 withdrawn at ATM BANDRA on 05-03-26"
    txn = parse(body, "ACME")  # a bank-like sender unless told otherwise
    assert txn is not None and (txn.amount, txn.kind) == (Decimal("2000.00"), "atm_withdrawal")
    assert parse(body, "ACME", bank_like=False) is None
    # "withdrawn" alone, with no ATM, tail or reference, is how an offer could read.
    assert parse("Rs 2,000.00 withdrawn from your account", "ACME") is None


def test_an_announcement_at_the_very_start_of_the_body_is_no_transaction() -> None:
    # The tense is read before any layer (negatives.announced), so through parse_message.
    body = "To be debited: Rs 1,499.00 from A/c XX4417 on 10-03-26 for your SIP. Ref 600512349999"
    assert parse_message("VM-ACMEBK", body) == ParseResult(None, "predebit")
    assert parse_message("VM-ACMEBK", body.replace("To be debited", "Debited")).transaction


def test_a_body_that_names_a_bank_makes_an_unknown_header_bank_like() -> None:
    assert looks_like_bank("VM-ACMEFN", "rs 5 debited from your bank account")
    assert looks_like_bank("VM-ACMEFN", "rs 5 debited from a/c xx12")
    assert not looks_like_bank("VM-ACMEFN", "rs 5 debited")
