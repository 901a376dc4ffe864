"""Dates from a wrong device clock: far in the future or before any plausible past.

Through the real assets (chat.db → warehouse → transactions → expenses feed → ledger), with the
run's clock pinned: such a message is taken as received at the ingest's "now", with a warning
naming it, and neither the feed nor the ledger sees the absurd date.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from beancount import loader
from dagster import DagsterInstance, materialize

from assets.books import definitions as books_defs
from assets.books.resources import BooksResource
from assets.common.resources import Feeds
from assets.common.warehouse import connect
from assets.expenses.definitions import expenses_feed
from assets.sms.chatdb import APPLE_EPOCH
from assets.sms.definitions import sms_messages
from assets.sms.ingest import DATE_FLOOR, settle_dates
from assets.transactions.definitions import transactions

from .helpers import ChatDb
from .test_sms_definitions import NOW, resources

SAVINGS = "Assets:Bank:HDFC:Savings"
DEBIT = (
    "Rs.{amount} debited from a/c **1276 to VPA swiggy.stores@axb (UPI Ref No {ref}). "
    "Not you? Call 18002586161 - HDFC Bank"
)
INT64_MAX = 2**63 - 1  # a corrupt `date`: 2293-04-11 as nanoseconds since 2001
NINETEEN_NINETY_NS = int((dt.datetime(1990, 6, 15, tzinfo=dt.UTC) - APPLE_EPOCH).total_seconds())


def _run(chat_db: ChatDb, tmp_path: Path, instance: DagsterInstance):  # type: ignore[no-untyped-def]
    books = tmp_path / "books"
    books.mkdir(exist_ok=True)
    (books / "main.beancount").write_text(
        'option "operating_currency" "INR"\ninclude "generated/index.beancount"\n'
        f"2020-01-01 open {SAVINGS} INR\n"
    )
    res = resources(chat_db.path, tmp_path / "w.duckdb") | {
        "feeds": Feeds(folder=str(tmp_path / "feeds"), timezone="Asia/Kolkata"),
        "books_config": BooksResource(
            books_dir=str(books),
            account_mapping=[{"bank": "HDFC", "tail": "1276", "account": SAVINGS}],
            timezone="Asia/Kolkata",
        ),
    }
    return materialize(
        [sms_messages, transactions, expenses_feed, books_defs.ledger_entries, books_defs.books],
        resources=res,
        instance=instance,
        raise_on_error=False,
    )


def test_far_future_and_1990_dates_are_taken_as_received_at_ingest(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    normal = chat_db.message("VM-HDFCBK", DEBIT.format(amount="120.00", ref="111111111111"))
    normal = normal._replace(date=int((NOW - dt.timedelta(hours=3) - APPLE_EPOCH).total_seconds()))
    future = chat_db.message("VM-HDFCBK", DEBIT.format(amount="250.00", ref="222222222222"))
    future = future._replace(date=INT64_MAX)
    past_ns = chat_db.message("AD-HDFCBK", DEBIT.format(amount="75.00", ref="333333333333"))
    past_ns = past_ns._replace(date=NINETEEN_NINETY_NS * 1_000_000_000)  # macOS 10.13+
    past_s = chat_db.message("JD-HDFCBK", DEBIT.format(amount="5.00", ref="444444444444"))
    past_s = past_s._replace(date=NINETEEN_NINETY_NS)  # older macOS: seconds
    chat_db.add([normal, future, past_ns, past_s])
    instance = DagsterInstance.ephemeral()

    result = _run(chat_db, tmp_path, instance)

    assert result.success
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        received = dict(con.execute("SELECT guid, received_at FROM sms_messages").fetchall())
    assert received[normal.guid] == NOW - dt.timedelta(hours=3)  # a plausible date is kept
    for message in (future, past_ns, past_s):
        assert received[message.guid] == NOW, message.guid
    feed = json.loads((tmp_path / "feeds" / "expenses.json").read_text())
    assert dt.datetime.fromisoformat(feed["as_of"]) == NOW
    assert feed["periods"]["today"]["debit"] == 120.0 + 250.0 + 75.0 + 5.0
    assert feed["recent"][0]["received_at"].startswith(NOW.astimezone(dt.UTC).date().isoformat())
    generated = {p.name for p in (tmp_path / "books" / "generated" / "bank").glob("*")}
    assert generated == {"2026-11.beancount"}
    _entries, errors, _options = loader.load_file(str(tmp_path / "books" / "main.beancount"))
    assert errors == []
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["ledger_loads_clean"].passed
    warnings = [
        e.user_message
        for e in instance.all_logs(result.run_id)
        if e.level == 30 and "taken as received now" in e.user_message
    ]
    assert len(warnings) == 3
    for message in (future, past_ns, past_s):
        (line,) = [w for w in warnings if message.guid in w]
        assert message.sender in line
        assert "swiggy" not in line and "Rs." not in line  # never the body
    assert any("2293-04-11" in w for w in warnings)
    assert sum("1990-06-15" in w for w in warnings) == 2


def test_the_tolerance_is_one_day_after_ingest_and_the_floor_is_kept() -> None:
    def micros(moment: dt.datetime) -> int:
        return round((moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds() * 1e6)

    day = dt.timedelta(days=1)
    second = dt.timedelta(seconds=1)
    moments = [NOW + day, NOW + day + second, DATE_FLOOR, DATE_FLOOR - second]
    columns = {
        "guid": ["A", "B", "C", "D"],
        "sender": ["VM-HDFCBK"] * 4,
        "received_us": [micros(m) for m in moments],
    }
    lines = settle_dates(columns, NOW)
    assert [line.split()[0] for line in lines] == ["B", "D"]
    assert columns["received_us"] == [micros(m) for m in (NOW + day, NOW, DATE_FLOOR, NOW)]
