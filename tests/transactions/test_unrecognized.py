"""Unrecognized bank messages grouped by shape, masked for display, read from a real warehouse."""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assets.common.warehouse import WarehouseLockedError
from assets.sms.ingest import ingest_new_messages
from assets.transactions.categories import DEFAULT_RULES
from assets.transactions.derive import derive_transactions
from assets.transactions.unrecognized import (
    NoTransactionsError,
    StoredMessage,
    group_by_shape,
    load_unrecognized,
    mask_for_display,
    messages_of_shape,
    shape_of,
    tokenize,
)
from tests.sms.helpers import UPI_DEBIT, ChatDb

TZ = ZoneInfo("Asia/Kolkata")
WALLET = (
    "PayZapp: Rs.{amount} paid to {name} using PayZapp wallet on {day}-11-26. Bal "
    "Rs.1,200.50. Txn {ref} -HDFC Bank"
)


def wallet(amount: str = "450.00", name: str = "CHAI POINT", day: str = "05", ref: str = "") -> str:
    return WALLET.format(amount=amount, name=name, day=day, ref=ref or "AB12CD34EF")


def test_alerts_of_one_template_share_a_shape_and_other_wordings_do_not() -> None:
    one = shape_of("VM-HDFCBK", wallet())
    other = shape_of("AD-HDFCBK-S", wallet("12,345.67", "SRI KRISHNA SWEETS", "28", "ZZ98XY76WV"))
    assert one == other
    assert one.header == "HDFCBK" and len(one.shape_id) == 8
    assert "<AMOUNT>" in one.template and "<NAME>" in one.template and "<DATE>" in one.template
    assert "CHAI" not in one.template and "AB12CD34EF" not in one.template
    assert shape_of("VM-ICICIB", wallet()).shape_id != one.shape_id  # another bank
    reworded = wallet().replace("paid to", "sent to")
    assert shape_of("VM-HDFCBK", reworded).shape_id != one.shape_id


def test_names_in_slots_become_placeholders_but_phrases_do_not() -> None:
    kinds = dict((text, kind) for kind, text in tokenize(wallet()))
    assert kinds["CHAI POINT"] == "name"
    phrase = "Rs 10.00 credited to your account from Amazon Pay. Thank you"
    names = [text for kind, text in tokenize(phrase) if kind == "name"]
    assert names == ["Amazon Pay"]
    icici = "Acct XX703 debited for Rs 1,000.00 on 12-Nov-26; RAHUL credited. UPI:612345678901."
    assert [t for k, t in tokenize(icici) if k == "name"] == ["RAHUL"]


def test_display_masks_tails_references_codes_vpas_and_keeps_amounts_dates_names() -> None:
    body = (
        "Rs.99.50 sent from A/c XX1276 to 9876543210@ybl (RAVI KUMAR) on 05-11-26. "
        "UPI Ref 612345678901. Code 482913. Call 18002586161"
    )
    shown = mask_for_display(body)
    for secret in ("1276", "9876543210", "612345678901", "482913", "18002586161"):
        assert secret not in shown, secret
    for kept in ("Rs.99.50", "05-11-26", "RAVI KUMAR", "@ybl", "XX####"):
        assert kept in shown, kept


def _stored(guid: str, body: str, hour: int, sender: str = "VM-HDFCBK") -> StoredMessage:
    return StoredMessage(guid, sender, body, dt.datetime(2026, 11, 5, hour, tzinfo=dt.UTC))


def test_groups_come_most_frequent_first_with_first_and_last_seen() -> None:
    odd = "Dear customer, your account saw some activity of Rs.12.00 today."
    messages = [
        _stored("a", odd, 9),
        _stored("b", wallet(day="06"), 12),
        _stored("c", wallet("5.00", "TEA STALL"), 8),
        _stored("d", wallet("7.00", "DOSA CORNER"), 10),
    ]
    groups = group_by_shape(messages)
    assert [g.count for g in groups] == [3, 1]
    top = groups[0].summary(TZ)
    assert top["count"] == 3
    assert (top["first_seen"], top["last_seen"]) == (
        "2026-11-05T13:30:00+05:30",
        "2026-11-05T17:30:00+05:30",
    )
    assert top["example"] == mask_for_display(wallet(day="06"))  # the newest
    assert "AB12CD34EF" not in str(top)
    found = messages_of_shape(messages, str(top["shape_id"]).upper())
    assert found is not None and [m.guid for m in found[1]] == ["c", "d", "b"]
    assert messages_of_shape(messages, "00000000") is None


def _warehouse(chat_db: ChatDb, tmp_path: Path) -> Path:
    chat_db.add(
        [
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="10.00")),
            chat_db.message("VM-HDFCBK", wallet()),
            chat_db.message("AD-HDFCBK-S", wallet("20.00", "DOSA CORNER")),
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat_db.path, warehouse, ["HDFCBK"])
    derive_transactions(warehouse, DEFAULT_RULES, TZ)
    return warehouse


def test_load_reads_the_unrecognized_messages_of_a_real_warehouse(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = _warehouse(chat_db, tmp_path)
    messages, unreadable = load_unrecognized(warehouse)
    assert unreadable == 0
    assert sorted(m.body for m in messages) == sorted([wallet(), wallet("20.00", "DOSA CORNER")])
    assert all(m.received_at.tzinfo is not None for m in messages)
    assert [g.count for g in group_by_shape(messages)] == [2]


def test_load_says_what_is_missing_and_when_the_warehouse_is_busy(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    with pytest.raises(FileNotFoundError):
        load_unrecognized(tmp_path / "nothing.duckdb")
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(NoTransactionsError, match="materialize"):
        load_unrecognized(empty)

    warehouse = _warehouse(chat_db, tmp_path)
    with hold_for_writing(warehouse), pytest.raises(WarehouseLockedError):
        load_unrecognized(warehouse)


@contextlib.contextmanager
def hold_for_writing(path: Path) -> Iterator[None]:
    """Another process holding the warehouse open read-write, as a running asset does."""
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
        "sys.stdin.read()"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        assert process.stdout.readline().strip() == "ready"  # blocks until it holds the file
        yield
    finally:
        process.stdin.close()
        process.wait(timeout=30)


def test_messages_set_aside_leave_the_listing_and_the_count_and_stay_stored(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    import duckdb

    from assets.common.warehouse import connect
    from assets.transactions.dismissed import dismiss
    from assets.transactions.health import unrecognized_messages

    warehouse = _warehouse(chat_db, tmp_path)
    messages, _ = load_unrecognized(warehouse)
    first, second = sorted(messages, key=lambda m: m.guid)
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    with connect(warehouse) as con:
        assert dismiss(con, [first.guid], "aaaa0000", now) == 1
    # The one not set aside is still listed and counted.
    assert [m.guid for m in load_unrecognized(warehouse)[0]] == [second.guid]
    total, listed = unrecognized_messages(warehouse)
    assert (total, [u.guid for u in listed]) == (1, [second.guid])
    with connect(warehouse) as con:
        assert dismiss(con, [first.guid, second.guid], "aaaa0000", now) == 1  # one was aside
        assert dismiss(con, [first.guid], "aaaa0000", now) == 0
    assert load_unrecognized(warehouse) == ([], 0)
    assert unrecognized_messages(warehouse) == (0, [])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        statuses = con.execute(
            "SELECT count(*) FROM transactions WHERE status = 'unrecognized'"
        ).fetchall()
    assert statuses == [(2,)]  # nothing deleted
