"""Every cut of every labelled alert: no transaction, or the one the whole alert reports.

The property test beside it (test_cut_alerts_give_no_transaction_or_the_right_amount) samples
cuts at random; this walks every cut inside and just after each alert's amount, so a format that
reads a cut amount ("… credit of Rs6" of "Rs634.53") fails here on every run.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from assets.transactions.parsing import parse_message
from tests.transactions.sms_corpus import SMS_DATA, load

# Every labelled corpus, the held-out ones included: a cut is no new wording.
POSITIVES = [
    c for path in sorted(SMS_DATA.glob("*.jsonl")) for c in load(path.name) if c["expected"]
]
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _amount_spans(body: str, amount: Decimal) -> list[tuple[int, int]]:
    """Where the body prints the amount (as a number equal to it, commas or not)."""
    spans = []
    for number in _NUMBER.finditer(body):
        try:
            if Decimal(number[0].replace(",", "").rstrip(".")) == amount:
                spans.append(number.span())
        except ArithmeticError:
            continue
    return spans


@pytest.mark.parametrize("case", POSITIVES, ids=[c["id"] for c in POSITIVES])
def test_every_cut_inside_the_amount_reads_nothing_or_the_whole_amount(case: dict) -> None:
    body, amount = case["body"], Decimal(str(case["expected"]["amount"]))
    spans = _amount_spans(body, amount)
    assert spans, "the alert prints its amount"
    for start, end in spans:
        for cut in range(start + 1, end + 1):
            result = parse_message(case["sender"], body[:cut])
            if result.transaction is not None:
                assert result.transaction.amount == amount, body[:cut]


def _zeroed(body: str, spans: list[tuple[int, int]]) -> str:
    """The body with each span's digits made zeros, its shape kept ("1,250.00" → "0,000.00")."""
    for start, end in reversed(spans):
        body = body[:start] + re.sub(r"\d", "0", body[start:end]) + body[end:]
    return body


@pytest.mark.parametrize("case", POSITIVES, ids=[c["id"] for c in POSITIVES])
def test_a_zero_amount_or_balance_is_never_read_as_one(case: dict) -> None:
    """Zero moves no money, and a zero balance is read as unknown (fields.parse_amount): in
    every layer, the issuer formats' own conversion included."""
    expected = case["expected"]
    body = _zeroed(case["body"], _amount_spans(case["body"], Decimal(str(expected["amount"]))))
    txn = parse_message(case["sender"], body).transaction
    assert txn is None or txn.amount != 0, body
    if expected["balance"]:
        spans = _amount_spans(case["body"], Decimal(str(expected["balance"])))
        txn = parse_message(case["sender"], _zeroed(case["body"], spans)).transaction
        assert txn is None or txn.balance != 0, case["body"]
