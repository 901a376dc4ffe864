"""The JSON-lines contract: one output line per input line, errors as lines, never a crash."""

from __future__ import annotations

import json

from assets.transactions.parsing.jsonl import parse_jsonl
from tests.transactions.sms_corpus import load


def test_every_dev_line_round_trips_with_the_expected_fields() -> None:
    corpus = load("sms-dev.jsonl")
    lines = [json.dumps({"id": c["id"], "sender": c["sender"], "body": c["body"]}) for c in corpus]
    out = [json.loads(line) for line in parse_jsonl(lines)]
    assert [o["id"] for o in out] == [c["id"] for c in corpus]
    for record, case in zip(out, corpus, strict=True):
        assert record["transaction"] == case["expected"]


def test_bad_lines_become_error_lines_naming_the_line_number() -> None:
    good = json.dumps({"id": "a", "sender": "VM-HDFCBK", "body": "hello"})
    lines = [good, "{not json", "[1, 2]", json.dumps({"id": "b", "sender": 5, "body": "x"}), ""]
    out = [json.loads(line) for line in parse_jsonl(lines)]
    assert len(out) == 4
    assert out[0] == {"id": "a", "transaction": None}
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
