"""The webhook's spool and its ingest: durable lines, torn lines skipped, each message once, the
same senders, OTP drop and masking as chat.db, and nothing of a body left on disk after a run."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from assets.sms.android_ingest import ROWID_BASE as ANDROID_BASE
from assets.sms.android_ingest import ROWID_CEILING, ingest_android_inbox
from assets.sms.webhook_ingest import ROWID_BASE, ingest_webhook_spool
from assets.sms.webhook_payload import Ignored, PayloadError, parse_payload
from assets.sms.webhook_spool import SPOOL_FILE, append_message, read_spool
from pipeline.demo.android_writer import BackupSms, write_backup

from .helpers import AXIS_DEBIT, OTP, UPI_DEBIT

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
SENDERS = ["HDFCBK", "AXISBK"]
IST = ZoneInfo("Asia/Kolkata")


def ms(minutes: int) -> int:
    return int((NOW - dt.timedelta(hours=1) + dt.timedelta(minutes=minutes)).timestamp() * 1000)


def sms(i: int, sender: str = "VM-HDFCBK", body: str | None = None) -> dict[str, object]:
    text = body if body is not None else UPI_DEBIT.format(amount=f"{100 + i}.00")
    return {"id": f"i:{i}", "from": sender, "body": text, "received_at": ms(i)}


def rows(warehouse: Path) -> list[tuple[int, str, str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT rowid, sender, body, source FROM sms_messages ORDER BY rowid"
        ).fetchall()


def test_spool_lines_are_private_and_a_torn_line_blocks_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "sms-spool"
    append_message(folder, sms(1))
    assert stat.S_IMODE((folder / SPOOL_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    with (folder / SPOOL_FILE).open("ab") as handle:
        handle.write(b'{"id":"i:2","from":"VM-HDFCBK","bo')  # a server killed mid-write
    assert [m["id"] for m in read_spool(folder).messages] == ["i:1"]
    append_message(folder, sms(3))  # ends the torn line first: ours stays whole
    read = read_spool(folder)
    assert [m["id"] for m in read.messages] == ["i:1", "i:3"]
    assert read.torn_lines == 1


def test_ingest_stores_bank_sms_once_and_compacts_the_spool(tmp_path: Path) -> None:
    folder, warehouse = tmp_path / "sms-spool", tmp_path / "warehouse.duckdb"
    append_message(folder, sms(1))
    append_message(folder, sms(2, "AD-AXISBK-S", AXIS_DEBIT))
    append_message(folder, sms(3, "+919876543210", "dinner at 8?"))  # a person: never stored
    append_message(folder, sms(4, "VM-HDFCBK-P", "Offer: Rs 500 cashback"))  # promotional
    append_message(folder, sms(1))  # the same id again (an app's retry)
    stats = ingest_webhook_spool(folder, warehouse, SENDERS, now=NOW)
    assert (stats.read, stats.bank, stats.stored) == (5, 2, 2)
    got = rows(warehouse)
    assert [(r[0], r[1], r[3]) for r in got] == [
        (ROWID_BASE + 1, "VM-HDFCBK", "webhook"),
        (ROWID_BASE + 2, "AD-AXISBK-S", "webhook"),
    ]
    assert "XX205146" not in got[1][2]  # masked like chat.db's
    assert (folder / SPOOL_FILE).read_bytes() == b""  # nothing of any body left
    # A retry after the compaction (the answer was lost) is spooled again, never stored twice.
    append_message(folder, sms(1))
    again = ingest_webhook_spool(folder, warehouse, SENDERS, now=NOW)
    assert (again.read, again.stored) == (1, 0)
    assert len(rows(warehouse)) == 2


def test_an_otp_posted_is_on_disk_nowhere_after_the_run(tmp_path: Path) -> None:
    folder, warehouse = tmp_path / "sms-spool", tmp_path / "warehouse.duckdb"
    append_message(folder, sms(1))
    append_message(folder, sms(2, body=OTP))
    assert b"452118" in (folder / SPOOL_FILE).read_bytes()
    stats = ingest_webhook_spool(folder, warehouse, SENDERS, now=NOW)
    assert (stats.stored, stats.otp_dropped) == (1, 1)
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"452118" not in on_disk
    assert all("452118" not in r[2] for r in rows(warehouse))


def test_lines_appended_after_the_read_stay_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, warehouse = tmp_path / "sms-spool", tmp_path / "warehouse.duckdb"
    append_message(folder, sms(1))
    import assets.sms.webhook_ingest as ingest

    real_compact = ingest.compact_spool

    def compact_after_an_append(where: Path, read: object) -> int:
        append_message(where, sms(2))  # the server answered 202 while the run stored
        return real_compact(where, read)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "compact_spool", compact_after_an_append)
    first = ingest_webhook_spool(folder, warehouse, SENDERS, now=NOW)
    assert (first.stored, first.kept_bytes > 0) == (1, True)
    monkeypatch.setattr(ingest, "compact_spool", real_compact)
    second = ingest_webhook_spool(folder, warehouse, SENDERS, now=NOW)
    assert second.stored == 1
    assert len(rows(warehouse)) == 2


def test_a_failed_store_keeps_every_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, warehouse = tmp_path / "sms-spool", tmp_path / "warehouse.duckdb"
    append_message(folder, sms(1))
    import assets.sms.webhook_ingest as ingest

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ingest, "store_batch", broken)
    with pytest.raises(OSError):
        ingest_webhook_spool(folder, warehouse, SENDERS, now=NOW)
    assert [m["id"] for m in read_spool(folder).messages] == ["i:1"]


def test_android_rows_stay_below_the_webhook_range(tmp_path: Path) -> None:
    folder, warehouse, inbox = tmp_path / "sms-spool", tmp_path / "w.duckdb", tmp_path / "in"
    append_message(folder, sms(1))
    ingest_webhook_spool(folder, warehouse, SENDERS, now=NOW)
    inbox.mkdir()
    moment = NOW - dt.timedelta(minutes=5)
    write_backup(inbox / "a.xml", [BackupSms("VM-HDFCBK", moment, UPI_DEBIT.format(amount="5"))])
    ingest_android_inbox(inbox, warehouse, SENDERS, now=NOW)
    by_source = {r[3]: r[0] for r in rows(warehouse)}
    assert by_source == {"webhook": ROWID_BASE + 1, "android": ANDROID_BASE + 1}
    assert ANDROID_BASE < by_source["android"] < ROWID_CEILING <= by_source["webhook"]


def test_the_three_payload_shapes() -> None:
    plain = parse_payload(
        b'{"from":"VM-HDFCBK","body":"Rs 5 debited","received_at":"2026-03-10T14:30:00+05:30",'
        b'"id":"abc"}',
        IST,
    )
    assert plain == {
        "id": "i:abc",
        "from": "VM-HDFCBK",
        "body": "Rs 5 debited",
        "received_at": int(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC).timestamp() * 1000),
    }
    # SMS Gateway for Android's sms:received event (its documented fields).
    gateway = parse_payload(
        b'{"deviceId":"d1","event":"sms:received","id":"e1","webhookId":"w1","payload":'
        b'{"messageId":"m1","message":"Rs 5 debited","phoneNumber":"VM-HDFCBK","simNumber":1,'
        b'"receivedAt":"2026-03-10T14:30:00.000+05:30"}}',
        IST,
    )
    assert gateway == plain | {"id": "i:m1"}
    # Incoming SMS to URL forwarder's sample template: quoted Unix-ms stamps, no id.
    stamp = plain["received_at"]
    forwarder = parse_payload(
        b'{"from":"VM-HDFCBK","text":"Rs 5 debited","sentStamp":"%d","receivedStamp":"%d",'
        b'"sim":"sim1"}' % (stamp - 2000, stamp),
        IST,
    )
    assert forwarder["received_at"] == stamp
    assert forwarder["id"].startswith("h:")
    again = parse_payload(
        b'{"from":"VM-HDFCBK","text":"Rs 5 debited","receivedStamp":%d}' % stamp, IST
    )
    assert again["id"] == forwarder["id"]  # a retry of the same SMS is the same message
    naive = parse_payload(b'{"from":"X","body":"b","received_at":"2026-03-10T14:30:00"}', IST)
    assert naive["received_at"] == stamp  # no offset: the configured timezone
    with pytest.raises(Ignored):
        parse_payload(b'{"event":"system:ping","payload":{}}', IST)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1]", "JSON object"),
        (b'{"from":"X","body":"b"}', "`received_at` is missing"),
        (b'{"from":"","body":"b","received_at":1}', "`from` must be a non-empty string"),
        (b'{"from":"X","body":"b","received_at":"yesterday"}', "not ISO 8601"),
        (b'{"from":"X","text":"b"}', "%receivedStamp%"),
        (b'{"event":"sms:received","payload":3}', "`payload`"),
    ],
)
def test_a_bad_payload_says_why_in_one_line(body: bytes, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason) as caught:
        parse_payload(body, IST)
    assert "\n" not in str(caught.value)


def test_spool_appends_survive_in_order_from_many_threads(tmp_path: Path) -> None:
    import threading

    folder = tmp_path / "sms-spool"
    threads = [threading.Thread(target=append_message, args=(folder, sms(i))) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    read = read_spool(folder)
    assert sorted(m["id"] for m in read.messages) == sorted(f"i:{i}" for i in range(40))
    assert read.torn_lines == 0
    assert os.path.getsize(folder / SPOOL_FILE) == read.size
