from __future__ import annotations

import datetime as dt
from pathlib import Path

from dagster import AssetCheckSeverity, AssetSelection, DagsterInstance, materialize

from assets.common.resources import Clock, Warehouse
from assets.sms.definitions import (
    chat_db_readable,
    messages_decodable,
    sms_messages,
    source_not_quiet,
)
from assets.sms.resources import MessagesSource
from assets.transactions.definitions import parse_coverage, transactions
from assets.transactions.resources import ParsingConfig

from .helpers import OTP, UPI_DEBIT, ChatDb

ALL = [
    sms_messages,
    transactions,
    chat_db_readable,
    source_not_quiet,
    messages_decodable,
    parse_coverage,
]


# The runs' "now": tests never read the wall clock (the suite passes on any date).
NOW = dt.datetime(2026, 11, 19, 4, 30, tzinfo=dt.UTC)


def resources(chat_db: Path, warehouse: Path, now: dt.datetime = NOW) -> dict[str, object]:
    return {
        "clock": Clock(frozen_at=now.isoformat()),
        "messages": MessagesSource(chat_db=str(chat_db), bank_headers=["HDFCBK"]),
        "warehouse": Warehouse(path=str(warehouse)),
        "parsing": ParsingConfig(
            category_rules=[{"pattern": "joseph", "category": "Gifts", "direction": "debit"}],
            formats=[],
            timezone="Asia/Kolkata",
        ),
    }


def test_materialize_stores_messages_transactions_and_reports_checks(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    now = NOW
    chat_db.add(
        [
            chat_db.message(
                "VK-HDFCBK", UPI_DEBIT.format(amount="5.00"), when=now - dt.timedelta(hours=h)
            )
            for h in range(12, 0, -1)
        ]
        + [
            chat_db.message("VM-HDFCBK", OTP, when=now),
            chat_db.message("VM-HDFCBK", "Dear customer, something new | happened", when=now),
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    result = materialize(
        ALL, resources=resources(chat_db.path, warehouse), instance=DagsterInstance.ephemeral()
    )
    assert result.success
    meta = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
    }
    assert meta["sms_messages"]["new_messages"].value == 13
    assert meta["sms_messages"]["otp_dropped"].value == 1
    assert meta["sms_messages"]["cursor"].value == 14
    assert meta["transactions"]["transactions"].value == 12
    assert meta["transactions"]["unrecognized"].value == 1
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["chat_db_readable"].passed
    assert checks["source_not_quiet"].passed
    coverage = checks["parse_coverage"]
    assert not coverage.passed and coverage.severity == AssetCheckSeverity.WARN
    assert coverage.metadata["unrecognized"].value == 1
    assert "something new \\| happened" in coverage.metadata["examples"].value


def test_unreadable_chat_db_fails_the_run_with_the_fix_and_touches_nothing(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "w.duckdb"
    missing = tmp_path / "Library" / "Messages" / "chat.db"
    result = materialize(
        [sms_messages, chat_db_readable],
        resources=resources(missing, warehouse),
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert failures
    message = failures[0].step_failure_data.error.message
    assert "[messages] chat_db" in message and str(missing) in message
    assert not warehouse.exists()


def test_readable_check_names_a_folder_without_full_disk_access_advice(tmp_path: Path) -> None:
    (tmp_path / "chat.db").mkdir()
    result = materialize(
        [sms_messages, chat_db_readable],
        selection=AssetSelection.checks(chat_db_readable),
        resources=resources(tmp_path / "chat.db", tmp_path / "w.duckdb"),
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert not checks["chat_db_readable"].passed
    assert "is a folder" in checks["chat_db_readable"].description
    assert "Full Disk Access" not in checks["chat_db_readable"].description


def test_quiet_source_warns(chat_db: ChatDb, tmp_path: Path) -> None:
    long_ago = NOW - dt.timedelta(days=30)
    chat_db.add([chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="1.00"), when=long_ago)])
    result = materialize(
        [sms_messages, source_not_quiet],
        resources=resources(chat_db.path, tmp_path / "w.duckdb"),
        instance=DagsterInstance.ephemeral(),
    )
    check = {c.check_name: c for c in result.get_asset_check_evaluations()}["source_not_quiet"]
    assert not check.passed and check.severity == AssetCheckSeverity.WARN
    assert "30.0 days ago" in check.description


def test_source_not_quiet_judges_the_data_at_the_clock_not_the_wall_clock(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    # One alert on 2026-03-01: quiet or not depends only on the run's clock.
    sent = dt.datetime(2026, 3, 1, 4, 30, tzinfo=dt.UTC)
    chat_db.add([chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="1.00"), when=sent)])
    verdicts = {}
    for days_later in (1, 4):
        result = materialize(
            [sms_messages, source_not_quiet],
            resources=resources(
                chat_db.path, tmp_path / "w.duckdb", now=sent + dt.timedelta(days=days_later)
            ),
            instance=DagsterInstance.ephemeral(),
        )
        checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
        verdicts[days_later] = checks["source_not_quiet"]
    assert verdicts[1].passed  # a day of silence is under the 3-day floor
    assert verdicts[1].metadata["hours_since_newest"].value == 24.0
    assert not verdicts[4].passed
    assert verdicts[4].metadata["hours_since_newest"].value == 96.0


def test_an_undecodable_body_is_stored_counted_and_never_logged(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    import sqlite3
    from contextlib import closing

    now = dt.datetime.now(dt.UTC)
    chat_db.add(
        [
            chat_db.message("VK-HDFCBK", "placeholder", when=now),
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="7.00"), when=now),
        ]
    )
    raw = b"Rs 99.00 debited secret-marker-QZXJ \xff\xfe A/c 12345678"
    with closing(sqlite3.connect(chat_db.path)) as con, con:
        con.execute("UPDATE message SET text = CAST(? AS TEXT) WHERE ROWID = 1", [raw])
    data = tmp_path / "data"
    (data / "dagster").mkdir(parents=True)
    with DagsterInstance.local_temp(tempdir=str(data / "dagster")) as instance:
        result = materialize(
            ALL, resources=resources(chat_db.path, data / "w.duckdb"), instance=instance
        )
        assert result.success
        checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    decodable = checks["messages_decodable"]
    assert not decodable.passed and decodable.severity == AssetCheckSeverity.WARN
    assert decodable.metadata["with_problem"].value == 1
    assert "GUID-000001 (undecodable)" in decodable.metadata["guids"].value
    # The message after it was stored and parsed; the raw body reached no log.
    meta = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
    }
    assert meta["sms_messages"]["new_messages"].value == 2
    assert meta["transactions"]["transactions"].value >= 1
    for path in (data / "dagster").rglob("*"):
        if path.is_file():
            assert b"secret-marker-QZXJ" not in path.read_bytes(), path
