"""parse_messages: a batch parsed grouped by issuer and wording gives parse_message's results, in
the order given."""

from __future__ import annotations

import random

from assets.transactions.parsing import formats_from_config, parse_message, parse_messages
from assets.transactions.parsing.core import GROUP_MIN
from tests.transactions.sms_corpus import CORPORA, load

# Every labelled line of every corpus, shuffled: senders and wordings interleave as in an inbox.
PAIRS = [(line["sender"], line["body"]) for name in CORPORA for line in load(name)]
random.Random(11).shuffle(PAIRS)


def test_a_shuffled_batch_gets_each_message_its_own_result() -> None:
    assert len(PAIRS) > GROUP_MIN  # so the batch is grouped, not parsed in order
    assert parse_messages(PAIRS) == [parse_message(sender, body) for sender, body in PAIRS]


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
    results = parse_messages(batch)
    assert [r.transaction.amount for r in results] == [100 + at for at in range(GROUP_MIN * 2)]
    assert [r.transaction.direction for r in results[:4]] == ["debit", "credit"] * 2


def test_a_small_batch_and_an_empty_one() -> None:
    assert parse_messages([]) == []
    few = PAIRS[:3]
    assert parse_messages(few) == [parse_message(sender, body) for sender, body in few]


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
    results = parse_messages(batch, formats)
    assert results == [parse_message(sender, body, formats) for sender, body in batch]
    assert results[0].transaction is not None
    assert results[0].transaction.counterparty == "SHOP"
    assert parse_messages(batch)[0].transaction is None  # without them, not read
