"""User formats, config errors, and properties: never a crash, never a wrong amount."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.transactions.model import (
    DOUBTFUL_REASONS,
    NON_TRANSACTION_REASONS,
    UNRECOGNIZED,
    ParseResult,
)
from assets.transactions.parsing import (
    KNOWN_BANK_HEADERS,
    FormatConfigError,
    formats_from_config,
    issuer_for_sender,
    parse_message,
)
from tests.transactions.sms_corpus import CORPORA, load

POSITIVES = [c for name in CORPORA for c in load(name) if c["expected"] is not None]
USER = {
    "sender": "XYZBNK",
    "pattern": r"Rs\.(?P<amount>[\d,]+\.\d\d) paid from A/c XX(?P<account_tail>\d+) "
    r"to (?P<counterparty>[A-Z ]+)\.",
    "direction": "debit",
    "channel": "upi",
    "instrument": "account",
}
USER_BODY = "Rs.1,250.00 paid from A/c XX7788 to GREEN GROCERS. Ref 1. -XYZ Bank"


def test_issuers_for_dlt_headers() -> None:
    assert issuer_for_sender("VM-HDFCBK") == issuer_for_sender("AD-HDFCBK-S") == "HDFC"
    assert issuer_for_sender("AX-ICICIT") == "ICICI" and issuer_for_sender("SBICRD") == "SBICARD"
    assert issuer_for_sender("JD-BOBCRD-S") == "BOB" and issuer_for_sender("VM-ATMSBI") == "SBI"
    assert issuer_for_sender("+919812345678") is None and issuer_for_sender("VM-NOBANK") is None
    assert {
        "HDFCBK",
        "CANBNK",
        "INDBNK",
        "UNIONB",
        "AUBANK",
        "YESBNK",
        "INDUSB",
    } <= KNOWN_BANK_HEADERS


def test_user_format_is_tried_for_its_sender_only() -> None:
    formats = formats_from_config([USER])
    txn = parse_message("VM-XYZBNK-S", USER_BODY, formats).transaction
    assert txn is not None
    assert (txn.amount, txn.counterparty, txn.account_tail) == (
        Decimal("1250.00"),
        "GREEN GROCERS",
        "7788",
    )
    assert (txn.direction, txn.channel, txn.bank) == ("debit", "upi", "XYZBNK")
    # Another sender is read as if there were no user formats (the generic layer may still read
    # it, as it reads any bank's alert), never by the XYZBNK format.
    assert parse_message("VM-OTHERB", USER_BODY, formats) == parse_message("VM-OTHERB", USER_BODY)


def test_user_formats_never_turn_an_otp_into_a_transaction() -> None:
    formats = formats_from_config([{**USER, "pattern": r"(?P<amount>\d+)"}])
    result = parse_message("XYZBNK", "123456 is your OTP for a payment of Rs 50", formats)
    assert result == ParseResult(None, "otp")


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"pattern": "Rs (?P<amount>[\\d"}, "not a valid regular expression"),
        ({"pattern": "Rs (\\d+)"}, "(?P<amount>"),
        ({"direction": "out"}, '"direction"'),
        ({"channel": "cheque"}, '"channel"'),
        ({"sender": "+91 98123"}, '"sender"'),
        ({"pattern": "(?P<amount>\\d+)(?P<merchant>.*)"}, "unknown named group"),
    ],
)
def test_bad_user_formats_name_the_entry_and_show_an_example(change: dict, needle: str) -> None:
    with pytest.raises(FormatConfigError) as error:
        formats_from_config([USER, {**USER, "name": "mine", **change}])
    message = str(error.value)
    assert "entry 2" in message and "'mine'" in message and needle in message
    assert "Example of a valid entry" in message


def _one_of_two(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    assert (result.transaction is None) != (result.reason is None)
    if result.reason is not None:
        assert result.reason in (*NON_TRANSACTION_REASONS, *DOUBTFUL_REASONS, UNRECOGNIZED)


senders = st.one_of(
    st.sampled_from(sorted(KNOWN_BANK_HEADERS)).map(lambda h: f"VM-{h}-S"),
    st.text(max_size=20),
)


@settings(max_examples=150, deadline=None)
@given(sender=senders, body=st.text(max_size=400))
def test_random_text_never_crashes_and_is_never_a_transaction(sender: str, body: str) -> None:
    result = parse_message(sender, body)
    _one_of_two(result)
    assert result.transaction is None


@settings(max_examples=150, deadline=None)
@given(case=st.sampled_from(POSITIVES), cut=st.floats(0, 1), noise=st.text(max_size=5))
def test_cut_alerts_give_no_transaction_or_the_right_amount(
    case: dict, cut: float, noise: str
) -> None:
    body = case["body"][: int(len(case["body"]) * cut)]
    result = parse_message(case["sender"], body)
    _one_of_two(result)
    if result.transaction is not None:
        assert result.transaction.amount == Decimal(str(case["expected"]["amount"]))
    # Text after a cut can make "Rs 120" a complete, different alert: only no crash is owed.
    _one_of_two(parse_message(case["sender"], body + noise))


@settings(max_examples=60, deadline=None)
@given(case=st.sampled_from(POSITIVES), junk=st.text(min_size=1, max_size=30))
def test_mutated_alerts_never_crash(case: dict, junk: str) -> None:
    body = case["body"]
    at = len(body) // 2
    _one_of_two(parse_message(case["sender"], body[:at] + junk + body[at:]))
    _one_of_two(parse_message(case["sender"], re.sub(r"\d", "9", body)))


def test_huge_and_empty_bodies() -> None:
    assert parse_message("VM-HDFCBK", "") == ParseResult(None, "empty")
    assert parse_message("VM-HDFCBK", " \n ") == ParseResult(None, "empty")
    huge = "Rs 5 debited " + "x" * 100_000
    _one_of_two(parse_message("VM-HDFCBK", huge))
    _one_of_two(parse_message("VM-HDFCBK", POSITIVES[0]["body"] + " " + "é" * 100_000))
