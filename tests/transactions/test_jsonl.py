"""The JSON-lines contract: one output line per input line, errors as lines, never a crash."""

from __future__ import annotations

import json

from assets.transactions.categories import CategoryRule
from assets.transactions.model import KINDS, NON_TRANSACTION_REASONS
from assets.transactions.parsing import issuer_for_sender
from assets.transactions.parsing.jsonl import parse_jsonl
from tests.transactions.sms_corpus import load

# Corpus kinds whose reason is unambiguous from the labelling rules.
REASON_OF_KIND = {"neg_otp": "otp", "neg_declined": "declined", "neg_promo": "promo"}


def test_every_dev_line_round_trips_with_the_expected_fields() -> None:
    corpus = load("sms-dev.jsonl")
    lines = [json.dumps({"id": c["id"], "sender": c["sender"], "body": c["body"]}) for c in corpus]
    out = [json.loads(line) for line in parse_jsonl(lines)]
    assert [o["id"] for o in out] == [c["id"] for c in corpus]
    for record, case in zip(out, corpus, strict=True):
        assert set(record) == {"id", "transaction", "reason"}
        txn = record["transaction"]
        if case["expected"] is None:
            assert txn is None
            assert record["reason"] in NON_TRANSACTION_REASONS, case["id"]
            if case["kind"] in REASON_OF_KIND:
                assert record["reason"] == REASON_OF_KIND[case["kind"]], case["id"]
        else:
            assert record["reason"] is None
            assert txn["currency"] == case["expected"].get("currency", "INR"), case["id"]
            assert txn["kind"] in KINDS, case["id"]
            if txn["currency"] == "INR":
                assert txn["inr_amount"] is None, case["id"]  # only a foreign spend has one
            dropped = (
                "bank",
                "category",
                "kind",
                "inr_amount",
                *(("currency",) * (txn["currency"] == "INR")),
            )
            assert {k: v for k, v in txn.items() if k not in dropped} == case["expected"]
            assert txn["bank"] == issuer_for_sender(case["sender"]), case["id"]
            assert isinstance(txn["category"], str) and txn["category"]


def test_bad_lines_become_error_lines_naming_the_line_number() -> None:
    good = json.dumps({"id": "a", "sender": "VM-HDFCBK", "body": "hello"})
    lines = [good, "{not json", "[1, 2]", json.dumps({"id": "b", "sender": 5, "body": "x"}), ""]
    out = [json.loads(line) for line in parse_jsonl(lines)]
    assert len(out) == 4
    assert out[0] == {"id": "a", "transaction": None, "reason": "unrecognized"}
    assert "line 2" in out[1]["error"] and out[1]["id"] is None
    assert "line 3" in out[2]["error"]
    assert out[3]["id"] == "b" and "line 4" in out[3]["error"]


def test_amounts_are_json_numbers_and_dates_iso_strings() -> None:
    body = (
        "Rs.2553.91 debited from a/c **0507 on 27-06-26 to VPA 9443169606@axl"
        "(UPI Ref No 436271568166). Not you? Call on 18002586161 to report"
    )
    (line,) = parse_jsonl([json.dumps({"id": 7, "sender": "VK-HDFCBK", "body": body})])
    assert '"amount": 2553.91' in line and '"date": "2026-06-27"' in line


def test_a_transaction_names_its_bank_and_category_by_the_rules_given() -> None:
    body = (
        "Sent Rs.450.00\nFrom HDFC Bank A/C *1276\nTo SWIGGY\nOn 24/08/25\n"
        "Ref 458167896224\nNot You?\nCall 18002586161/SMS BLOCK UPI to 7308080808"
    )
    line = json.dumps({"id": 1, "sender": "VK-HDFCBK", "body": body})
    (default,) = [json.loads(x) for x in parse_jsonl([line])]
    assert (default["transaction"]["bank"], default["transaction"]["category"]) == (
        "HDFC",
        "Food:Delivery",
    )
    owners = [CategoryRule("swiggy", "Treats", "debit")]
    (own,) = [json.loads(x) for x in parse_jsonl([line], rules=owners)]
    assert own["transaction"]["category"] == "Treats" and own["reason"] is None


def test_no_transaction_says_why() -> None:
    otp = (
        "452118 is OTP for txn of INR 4996.37 at NATURE BASKET on HDFC Bank card ending 1240. "
        "Valid till 03:46. Do not share OTP for security reasons"
    )
    lines = [
        json.dumps({"id": "otp", "sender": "VM-HDFCBK", "body": otp}),
        json.dumps({"id": "odd", "sender": "VM-HDFCBK", "body": "Your ref 123 is in process."}),
    ]
    out = [json.loads(x) for x in parse_jsonl(lines)]
    assert [(o["id"], o["transaction"], o["reason"]) for o in out] == [
        ("otp", None, "otp"),
        ("odd", None, "unrecognized"),
    ]
