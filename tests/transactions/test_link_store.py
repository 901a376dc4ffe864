"""Linked alerts in a real warehouse: derive links them, a re-run is idempotent, the window
setting relinks, and every reader of stored transactions sees the payment once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from assets.common.warehouse import connect
from assets.sms.ingest import ingest_new_messages
from assets.transactions.categories import DEFAULT_RULES
from assets.transactions.derive import derive_transactions
from assets.transactions.stored import read_stored_transactions
from tests.sms.helpers import ChatDb
from tests.transactions.link_shapes import (
    APP_FORMATS,
    CARD_PAYMENT_RECEIVED,
    CRED_APP,
    CRED_BANK,
    FEDERAL_DEBIT,
    FEDERAL_RECEIVED,
    T0,
)

TZ = ZoneInfo("Asia/Kolkata")
HEADERS = ["HDFCBK", "FEDBNK", "CRED"]
MINUTE = dt.timedelta(minutes=1)


def _derive(chat: ChatDb, warehouse: Path, window: float = 10):  # type: ignore[no-untyped-def]
    ingest_new_messages(chat.path, warehouse, HEADERS)
    return derive_transactions(
        warehouse, DEFAULT_RULES, TZ, APP_FORMATS, link_window_minutes=window
    )


def _state(warehouse: Path) -> tuple[list[tuple], list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        statuses = con.execute(
            "SELECT message_guid, status FROM transactions ORDER BY message_guid"
        ).fetchall()
        links = con.execute("SELECT * FROM payment_links ORDER BY message_guid").fetchall()
    finally:
        con.close()
    return statuses, links


def _stored(warehouse: Path) -> list[tuple[str, tuple[str, ...]]]:
    with connect(warehouse, read_only=True) as con:
        return [(t.message_guid, t.also_alerted_by) for t in read_stored_transactions(con)]


def test_derive_links_one_payment_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    chat = ChatDb(tmp_path / "chat.db")
    chat.add(
        [
            chat.message(*CRED_BANK, when=T0),  # GUID-000001
            chat.message(*CARD_PAYMENT_RECEIVED, when=T0 + MINUTE),  # the transfer's other leg
            chat.message(*CRED_APP, when=T0 + 2 * MINUTE),  # GUID-000003: a copy
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    stats = _derive(chat, warehouse)
    assert (stats.transactions, stats.linked) == (3, 1)
    statuses, links = _state(warehouse)
    assert statuses == [
        ("GUID-000001", "transaction"),
        ("GUID-000002", "transaction"),
        ("GUID-000003", "linked"),
    ]
    assert links == [("GUID-000003", "GUID-000001")]
    assert _stored(warehouse) == [("GUID-000001", ("GUID-000003",)), ("GUID-000002", ())]

    # A re-run with nothing new, then one with an unrelated alert: the links stay as they are.
    assert _derive(chat, warehouse).linked == 0
    chat.add([chat.message(*FEDERAL_DEBIT, when=T0 + 3 * MINUTE)])
    _derive(chat, warehouse)
    assert _state(warehouse)[1] == links
    assert len(_stored(warehouse)) == 3


def test_the_banks_alert_arriving_later_becomes_the_kept_one(tmp_path: Path) -> None:
    chat = ChatDb(tmp_path / "chat.db")
    chat.add([chat.message(*FEDERAL_RECEIVED, when=T0)])  # GUID-000001
    warehouse = tmp_path / "w.duckdb"
    _derive(chat, warehouse)
    assert _stored(warehouse) == [("GUID-000001", ())]
    chat.add([chat.message(*FEDERAL_DEBIT, when=T0 + MINUTE)])  # GUID-000002, states more
    assert _derive(chat, warehouse).linked == 1
    assert _stored(warehouse) == [("GUID-000002", ("GUID-000001",))]
    assert _state(warehouse)[1] == [("GUID-000001", "GUID-000002")]


def test_a_changed_window_links_every_stored_alert_again(tmp_path: Path) -> None:
    chat = ChatDb(tmp_path / "chat.db")
    chat.add(
        [
            chat.message(*FEDERAL_DEBIT, when=T0),
            chat.message(*FEDERAL_RECEIVED, when=T0 + 4 * MINUTE),
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    _derive(chat, warehouse, window=10)
    assert len(_stored(warehouse)) == 1
    _derive(chat, warehouse, window=3)  # four minutes apart: two payments now
    assert _stored(warehouse) == [("GUID-000001", ()), ("GUID-000002", ())]
    assert _state(warehouse) == (
        [("GUID-000001", "transaction"), ("GUID-000002", "transaction")],
        [],
    )
    _derive(chat, warehouse, window=0)  # 0: nothing is linked
    assert len(_stored(warehouse)) == 2
    _derive(chat, warehouse, window=5)
    assert _stored(warehouse) == [("GUID-000001", ("GUID-000002",))]


def test_a_new_alert_near_a_linked_pair_is_placed_against_the_whole_pair(tmp_path: Path) -> None:
    chat = ChatDb(tmp_path / "chat.db")
    chat.add(
        [
            chat.message(*FEDERAL_DEBIT, when=T0),  # GUID-000001, kept
            chat.message(*FEDERAL_RECEIVED, when=T0 + 8 * MINUTE),  # GUID-000002, its copy
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    _derive(chat, warehouse)
    # Another NEFT of the same amount to the same person (its own reference), 17 minutes after
    # the first: near the copy only. The copy stays with the payment it was linked to.
    again = FEDERAL_DEBIT[1].replace("FDRLM7165241187", "FDRLM7165245555")
    chat.add([chat.message(FEDERAL_DEBIT[0], again, when=T0 + 17 * MINUTE)])
    _derive(chat, warehouse)
    assert _state(warehouse)[1] == [("GUID-000002", "GUID-000001")]
    assert _stored(warehouse) == [("GUID-000001", ("GUID-000002",)), ("GUID-000003", ())]
