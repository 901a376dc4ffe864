"""parse_grouped and derive: a batch parsed grouped by issuer and wording gives parse_message's
results, each with its own message."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

import pytest

from assets.common.senders import sender_header
from assets.transactions.categories import DEFAULT_RULES
from assets.transactions.derive import STATUS_IGNORED, derive_rows
from assets.transactions.model import ParseResult
from assets.transactions.parsing import (
    formats_from_config,
    issuer_for_sender,
    parse_grouped,
    parse_message,
)
from assets.transactions.parsing.core import GROUP_MIN
from assets.transactions.parsing.format import Format
from tests.transactions.sms_corpus import CORPORA, load

# Every labelled line of every corpus, shuffled: senders and wordings interleave as in an inbox.
PAIRS = [(line["sender"], line["body"]) for name in CORPORA for line in load(name)]
random.Random(11).shuffle(PAIRS)


def _in_order(
    pairs: list[tuple[str, str]], formats: list[Format] | None = None
) -> list[ParseResult]:
    """parse_grouped's results put back in the batch's order."""
    results: list[ParseResult | None] = [None] * len(pairs)
    for at, result in parse_grouped([s for s, _ in pairs], [b for _, b in pairs], formats):
        assert results[at] is None, f"index {at} yielded twice"
        results[at] = result
    assert None not in results, "an index not yielded"
    return [result for result in results if result is not None]


def test_a_shuffled_batch_gets_each_message_its_own_result() -> None:
    assert len(PAIRS) > GROUP_MIN  # so the batch is grouped, not parsed in order
    assert _in_order(PAIRS) == [parse_message(sender, body) for sender, body in PAIRS]


def test_results_follow_the_input_order_not_the_grouping() -> None:
    # Two wordings of two issuers alternating: grouped, each issuer's run is parsed together;
    # the results must still alternate.
    debit = ("VM-HDFCBK", "Rs.{n}.00 debited from A/c XX1234 to VPA shop{n}@okaxis on 01-02-26")
    credit = ("AD-SBIINB", "Dear Customer, INR {n}.00 credited to your A/c No XX7817 on 22/02/2026")
    batch = [
        (sender, body.format(n=100 + at))
        for at in range(GROUP_MIN * 2)
        for sender, body in [(debit, credit)[at % 2]]
    ]
    results = _in_order(batch)
    assert [r.transaction.amount for r in results] == [100 + at for at in range(GROUP_MIN * 2)]
    assert [r.transaction.direction for r in results[:4]] == ["debit", "credit"] * 2


def test_a_small_batch_and_an_empty_one() -> None:
    assert _in_order([]) == []
    few = PAIRS[:3]
    assert _in_order(few) == [parse_message(sender, body) for sender, body in few]


def test_the_owners_formats_are_used_in_a_batch() -> None:
    formats = formats_from_config(
        [
            {
                "sender": "XYZBNK",
                "pattern": r"Paid (?P<amount>[\d.]+) to (?P<counterparty>\w+)",
                "direction": "debit",
            }
        ]
    )
    batch = [("VM-XYZBNK", f"Paid {at + 1}.50 to SHOP ref {at}") for at in range(GROUP_MIN)]
    batch += PAIRS[:GROUP_MIN]
    results = _in_order(batch, formats)
    assert results == [parse_message(sender, body, formats) for sender, body in batch]
    assert results[0].transaction is not None
    assert results[0].transaction.counterparty == "SHOP"
    assert _in_order(batch)[0].transaction is None  # without them, not read


def test_parse_grouped_yields_every_index_once_with_its_own_result() -> None:
    senders = [sender for sender, _ in PAIRS]
    bodies = [body for _, body in PAIRS]
    yielded = list(parse_grouped(senders, bodies))
    assert sorted(at for at, _ in yielded) == list(range(len(PAIRS)))
    assert all(result == parse_message(senders[at], bodies[at]) for at, result in yielded)
    # Grouped, not in order: else the batch would gain nothing. Each issuer's messages come
    # one after another (what keeps its formats in the CPU's caches).
    assert [at for at, _ in yielded] != list(range(len(PAIRS)))
    # An unknown header is its own issuer (the bank id it is read as).
    issuers = [issuer_for_sender(senders[at]) or sender_header(senders[at]) for at, _ in yielded]
    runs = [issuer for at, issuer in enumerate(issuers) if at == 0 or issuers[at - 1] != issuer]
    assert len(runs) == len(set(issuers)), "an issuer's messages split into several runs"


def test_parse_grouped_refuses_senders_and_bodies_that_do_not_pair() -> None:
    with pytest.raises(ValueError, match="2 senders for 3 bodies"):
        next(parse_grouped(["VM-HDFCBK", "AD-SBIINB"], ["a", "b", "c"]))


def test_a_derived_batch_keeps_each_row_with_its_own_message() -> None:
    # Mixed issuers and wordings, each alert with its own amount: grouped, every row must
    # still carry its message's GUID and that message's amount.
    shapes = (
        ("VM-HDFCBK", "Rs.{n}.00 debited from A/c XX1234 to VPA shop{n}@okaxis on 01-02-26"),
        ("AD-SBIINB", "Dear Customer, INR {n}.00 credited to your A/c No XX7817 on 22/02/2026"),
        ("JD-AXISBK-S", "Spent INR {n}.00\nAxis Bank Card no. XX2260\n25-12-25 12:31:16 IST\nSHOP"),
        ("VM-ACMEBK-S", "Your OTP is 123456 for txn of Rs {n}.00. Do not share it"),
    )
    messages = [
        (f"guid-{n}", sender, body.format(n=n), 1_760_000_000_000_000 + n)
        for n in range(100, 100 + GROUP_MIN * 3)
        for sender, body in [shapes[n % len(shapes)]]
    ]
    rows = derive_rows(messages, DEFAULT_RULES, ZoneInfo("Asia/Kolkata"))
    assert [row[0] for row in rows] == [guid for guid, *_ in messages]
    for (guid, _, body, _), row in zip(messages, rows, strict=True):
        if "OTP" in body:
            assert row[1:3] == (STATUS_IGNORED, "otp"), guid
        else:
            assert row[3] == f"{guid.removeprefix('guid-')}.00", guid
