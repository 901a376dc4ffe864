"""Android "SMS Backup & Restore" backups: streamed, each message once across overlapping
backups, the same sender rules, OTP drop and masking as chat.db, and on to transactions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context, materialize

from assets.common.resources import Clock, Warehouse
from assets.sms import android
from assets.sms.android import BackupUnreadableError, read_backup
from assets.sms.android_ingest import ROWID_BASE, inbox_listing, ingest_android_inbox, read_seen
from assets.sms.definitions import chat_db_readable, sms_messages
from assets.sms.ingest import ingest_new_messages
from assets.sms.resources import MessagesSource
from assets.sms.sensors import build_android_sms_sensor
from assets.transactions.derive import derive_transactions
from pipeline.demo.android_writer import BackupSms, backup_text, write_backup
from pipeline.settings import SettingsError, load_settings

from .helpers import AXIS_DEBIT, OTP, UPI_DEBIT, ChatDb

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
SENDERS = frozenset({"HDFCBK", "AXISBK"})


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def debit(i: int) -> BackupSms:
    return BackupSms("VM-HDFCBK", at(i), UPI_DEBIT.format(amount=f"{100 + i}.00"))


def test_only_received_sms_of_configured_alert_senders_are_read(tmp_path: Path) -> None:
    path = tmp_path / "sms.xml"
    text = backup_text(
        [
            debit(1),
            BackupSms("VM-HDFCBK", at(2), "sent by the owner", type=2),
            BackupSms("+919876543210", at(3), UPI_DEBIT.format(amount="9.00")),  # a phone
            BackupSms("VM-HDFCBK-P", at(4), "Offer: Rs 500 cashback"),  # promotional
            BackupSms("AD-AXISBK-S", at(5), AXIS_DEBIT),
            BackupSms("JD-OTHERB", at(6), UPI_DEBIT.format(amount="7.00")),  # not configured
        ]
    )
    # A "messages and MMS" backup also holds <mms> elements: never read.
    text = text.replace(
        "</smses>",
        '  <mms date="1" msg_box="1" address="VM-HDFCBK"><parts><part text="Rs 1 debited"/>'
        "</parts></mms>\n</smses>",
    )
    path.write_text(text)
    got = list(read_backup(path, SENDERS))
    assert [(m.address, m.date_ms) for m in got] == [
        ("VM-HDFCBK", int(at(1).timestamp() * 1000)),
        ("AD-AXISBK-S", int(at(5).timestamp() * 1000)),
    ]
    assert got[0].body == UPI_DEBIT.format(amount="101.00")  # newlines and all, as sent


def test_surrogate_pair_references_become_the_character_even_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "Rs 5.00 debited from A/c XX1276 😎 thanks"
    path = tmp_path / "sms.xml"
    write_backup(path, [debit(1), BackupSms("VM-HDFCBK", at(2), body)])
    assert "&#55357;&#56846;" in path.read_text()  # as the app's emoji option writes it
    with pytest.raises(Exception, match="reference to invalid character"):
        import xml.etree.ElementTree as ET

        ET.parse(path)  # what any conforming parser says of such a file
    size = path.stat().st_size
    where = path.read_bytes().index(b"&#55357;")
    # Every chunk size that cuts the file around the pair: each must still read the emoji.
    for chunk in range(where - 20, where + 20):
        monkeypatch.setattr(android, "CHUNK_BYTES", max(chunk, 1))
        bodies = [m.body for m in read_backup(path, SENDERS)]
        assert bodies[-1] == body, (chunk, size)
    # A lone half is not a character: U+FFFD, and the file still reads.
    path.write_bytes(path.read_bytes().replace(b"&#56846;", b""))
    assert [m.body for m in read_backup(path, SENDERS)][-1].startswith(
        "Rs 5.00 debited from A/c XX1276 \ufffd"
    )


def test_a_truncated_backup_keeps_the_messages_before_the_break(tmp_path: Path) -> None:
    path = tmp_path / "sms.xml"
    write_backup(path, [debit(i) for i in range(1, 6)])
    data = path.read_bytes()
    starts = [i for i in range(len(data)) if data.startswith(b"<sms ", i)]
    path.write_bytes(data[: starts[3] + 40])  # three whole messages, the fourth cut
    read: list[str] = []
    with pytest.raises(BackupUnreadableError) as caught:
        for sms in read_backup(path, SENDERS):
            read.append(sms.body)
    assert read == [debit(i).body for i in (1, 2, 3)] and str(path) in str(caught.value)
    assert "read again when it changes" in str(caught.value)


def _rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "SELECT rowid, guid, sender, body, source FROM sms_messages ORDER BY rowid"
        ).fetchall()


def test_overlapping_backups_store_each_message_once_and_unchanged_files_are_not_read(
    tmp_path: Path,
) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    account = "Rs 500 credited to A/c 50100012345678 by NEFT. Avl bal Rs 9,000.00 -HDFC Bank"
    first = [debit(1), debit(2), BackupSms("VM-HDFCBK", at(3), OTP)]
    write_backup(inbox / "sms-1.xml", first)
    stats = ingest_android_inbox(inbox, warehouse, ["HDFCBK"], now=NOW)
    assert (stats.files_read, stats.read, stats.stored, stats.otp_dropped) == (1, 3, 2, 1)
    # The next backup holds everything again, plus one new message.
    write_backup(inbox / "sms-2.xml", [*first, BackupSms("VM-HDFCBK", at(4), account)])
    stats = ingest_android_inbox(inbox, warehouse, ["HDFCBK"], now=NOW)
    assert (stats.files_read, stats.files_unchanged, stats.stored) == (1, 1, 1)
    rows = _rows(warehouse)
    assert len(rows) == 3 and {r[4] for r in rows} == {"android"}
    assert all(r[0] > ROWID_BASE for r in rows) and len({r[0] for r in rows}) == 3
    assert all("OTP" not in r[3] for r in rows)
    assert "50100012345678" not in rows[-1][3]  # the account number masked, as from chat.db
    again = ingest_android_inbox(inbox, warehouse, ["HDFCBK"], now=NOW)
    assert (again.files_read, again.stored) == (0, 0)
    assert read_seen(warehouse) == inbox_listing(inbox)


def test_a_bad_file_does_not_block_the_others_and_is_retried_when_it_changes(
    tmp_path: Path,
) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    inbox.mkdir()
    (inbox / "sms-0.xml").write_text("<smses><sms address='VM-HDFCBK' type='1' body='x' date='1'")
    write_backup(inbox / "sms-1.xml", [debit(1)])
    stats = ingest_android_inbox(inbox, warehouse, ["HDFCBK"], now=NOW)
    assert stats.stored == 1 and len(stats.problems) == 1 and "sms-0.xml" in stats.problems[0]
    assert ingest_android_inbox(inbox, warehouse, ["HDFCBK"], now=NOW).files_read == 0
    write_backup(inbox / "sms-0.xml", [debit(2)])  # the sync finished writing it
    stats = ingest_android_inbox(inbox, warehouse, ["HDFCBK"], now=NOW)
    assert (stats.files_read, stats.stored, stats.problems) == (1, 1, ())


def test_android_and_chat_db_rows_all_become_transactions(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    chat = ChatDb(tmp_path / "chat.db")
    chat.add([chat.message("VM-HDFCBK", UPI_DEBIT.format(amount=f"{i}.00")) for i in (1, 2)])
    ingest_new_messages(chat.path, warehouse, ["HDFCBK"], now=NOW)
    write_backup(tmp_path / "inbox" / "sms.xml", [debit(i) for i in (1, 2, 3)])
    ingest_android_inbox(tmp_path / "inbox", warehouse, ["HDFCBK"], now=NOW)
    derive_transactions(warehouse, rules=[], tz=ZoneInfo("Asia/Kolkata"))
    # A chat.db message arriving after the Android rows (its ROWID below theirs) is derived too.
    chat.add([chat.message("VM-HDFCBK", UPI_DEBIT.format(amount="55.00"))])
    ingest_new_messages(chat.path, warehouse, ["HDFCBK"], now=NOW)
    derive_transactions(warehouse, rules=[], tz=ZoneInfo("Asia/Kolkata"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        amounts = sorted(
            float(a)
            for (a,) in con.execute(
                "SELECT amount FROM transactions WHERE status = 'transaction'"
            ).fetchall()
        )
    assert amounts == [1.0, 2.0, 55.0, 101.0, 102.0, 103.0]


def test_settings_read_the_inbox_and_refuse_a_misspelt_key(tmp_path: Path) -> None:
    config = tmp_path / "homeclerk.toml"
    config.write_text('[sources.android]\ninbox = "phone"\n')
    assert load_settings(config).android_inbox == tmp_path / "phone"
    config.write_text('[sources.android]\ninbx = "phone"\n')
    with pytest.raises(SettingsError, match=r"sources\.android\.inbx"):
        load_settings(config)
    config.write_text('[sources.androd]\ninbox = "phone"\n')
    with pytest.raises(SettingsError, match=r"sources\.androd"):
        load_settings(config)


def test_asset_on_an_android_only_machine(tmp_path: Path) -> None:
    write_backup(tmp_path / "inbox" / "sms.xml", [debit(1), debit(2)])
    resources = {
        "clock": Clock(frozen_at=NOW.isoformat()),
        "messages": MessagesSource(
            chat_db=str(tmp_path / "no-chat.db"),
            bank_headers=["HDFCBK"],
            android_inbox=str(tmp_path / "inbox"),
        ),
        "warehouse": Warehouse(path=str(tmp_path / "warehouse.duckdb")),
    }
    result = materialize([sms_messages, chat_db_readable], resources=resources)
    assert result.success
    metadata = result.asset_materializations_for_node("sms_messages")[0].metadata
    assert metadata["android_new_messages"].value == 2
    (check,) = result.get_asset_check_evaluations()
    assert check.passed and "Android backups only" in (check.description or "")


def test_sensor_asks_for_a_run_when_a_backup_is_new_or_changed(tmp_path: Path) -> None:
    from dagster import define_asset_job

    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    messages = MessagesSource(
        chat_db=str(tmp_path / "none"), bank_headers=["HDFCBK"], android_inbox=str(inbox)
    )
    job = define_asset_job("bank_sms_job", selection=[sms_messages])
    sensor = build_android_sms_sensor(job, messages, Warehouse(path=str(warehouse)), lambda: NOW)
    with DagsterInstance.ephemeral() as instance:

        def tick() -> RunRequest | SkipReason:
            return sensor(build_sensor_context(instance=instance))  # type: ignore[return-value]

        assert isinstance(tick(), SkipReason)  # no folder yet: a calm skip with the fix
        write_backup(inbox / "sms-1.xml", [debit(1)])
        assert isinstance(tick(), RunRequest)
        ingest_android_inbox(inbox, warehouse, ["HDFCBK"], now=NOW)
        assert "every backup" in (tick().skip_message or "")  # type: ignore[union-attr]
        write_backup(inbox / "sms-1.xml", [debit(1), debit(2)])  # the app rewrote it
        assert isinstance(tick(), RunRequest)
