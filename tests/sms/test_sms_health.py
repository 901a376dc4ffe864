from __future__ import annotations

import datetime as dt
import json

from assets.sms.dump import dump_jsonl
from assets.sms.health import QUIET_FLOOR, quiet_verdict

from .helpers import AXIS_DEBIT, OTP, ChatDb

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


def hourly(count: int, newest: dt.datetime) -> list[dt.datetime]:
    return [newest - dt.timedelta(hours=n) for n in range(count)]


def test_frequent_sender_is_not_quiet_over_a_weekend_but_is_after_the_floor() -> None:
    history = hourly(200, NOW - dt.timedelta(days=2))
    verdict = quiet_verdict(history, NOW)
    assert not verdict.quiet
    assert verdict.threshold == QUIET_FLOOR  # 10 × 1 h is below the 3-day floor
    assert quiet_verdict(history, NOW + dt.timedelta(days=1, minutes=1)).quiet


def test_sparse_sender_gets_a_threshold_from_their_own_rhythm() -> None:
    weekly = [NOW - dt.timedelta(weeks=n) for n in range(30)]
    verdict = quiet_verdict(weekly, NOW + dt.timedelta(weeks=9))
    assert verdict.p95_gap == dt.timedelta(weeks=1)
    assert verdict.threshold == dt.timedelta(weeks=10)
    assert not verdict.quiet
    assert quiet_verdict(weekly, NOW + dt.timedelta(weeks=11)).quiet


def test_no_history_is_quiet_and_says_what_to_check() -> None:
    verdict = quiet_verdict([], NOW)
    assert verdict.quiet
    assert "[messages] senders" in verdict.describe()


def test_few_messages_use_only_the_floor() -> None:
    verdict = quiet_verdict(hourly(3, NOW), NOW + dt.timedelta(days=2))
    assert verdict.p95_gap is None and not verdict.quiet


def test_dump_lists_bank_messages_masked_without_otps(chat_db: ChatDb) -> None:
    when = dt.datetime(2026, 3, 1, 4, 30, tzinfo=dt.UTC)
    chat_db.add(
        [
            chat_db.message("VM-AXISBK", AXIS_DEBIT, blob_only=True, when=when),
            chat_db.message("VM-HDFCBK", OTP),
            chat_db.message("+919800000000", "hi"),
            chat_db.message("VM-HDFCBK", "Rs 5 credited to A/c XX1234", when=when),
        ]
    )
    lines = [json.loads(line) for line in dump_jsonl(chat_db.path, ["AXISBK", "HDFCBK"], 0)]
    assert [(x["rowid"], x["sender"]) for x in lines] == [(1, "VM-AXISBK"), (4, "VM-HDFCBK")]
    assert lines[0]["received_at"] == "2026-03-01T04:30:00+00:00"
    assert "XX5146" in lines[0]["body"] and "205146" not in lines[0]["body"]
    assert lines[0]["guid"] == "GUID-000001"
    later = dump_jsonl(chat_db.path, ["AXISBK", "HDFCBK"], 1)
    assert [json.loads(line)["rowid"] for line in later] == [4]
