"""The webhook in the pipeline: its settings, the asset storing the spool, and the sensor that
starts bank_sms_job when the spool holds messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dagster import (
    DagsterInstance,
    RunRequest,
    SkipReason,
    build_sensor_context,
    define_asset_job,
    materialize,
)

from assets.common.resources import Clock, Warehouse
from assets.sms.definitions import chat_db_readable, sms_messages
from assets.sms.resources import MessagesSource
from assets.sms.sensors import WEBHOOK_SENSOR_INTERVAL_SECONDS, build_webhook_sms_sensor
from assets.sms.webhook_spool import SPOOL_FILE, append_message
from pipeline.settings import SettingsError, load_settings

from .helpers import OTP, UPI_DEBIT

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def sms(i: int, body: str | None = None) -> dict[str, object]:
    at = int((NOW - dt.timedelta(minutes=60 - i)).timestamp() * 1000)
    text = body or UPI_DEBIT.format(amount=f"{i}.00")
    return {"id": f"i:{i}", "from": "VM-HDFCBK", "body": text, "received_at": at}


def test_settings_read_the_webhook_and_refuse_a_misspelt_key(tmp_path: Path) -> None:
    config = tmp_path / "homeclerk.toml"
    config.write_text('[paths]\ndata_dir = "d"\n')
    assert load_settings(config).webhook_port is None
    config.write_text('[paths]\ndata_dir = "d"\n[sources.webhook]\nport = 5099\nrate = 5\n')
    settings = load_settings(config)
    assert (settings.webhook_port, settings.webhook_bind) == (5099, "127.0.0.1")
    assert (settings.webhook_rate, settings.webhook_burst) == (5.0, 50)
    assert settings.webhook_spool == tmp_path / "d" / "sms-spool"
    config.write_text("[sources.webhook]\n")  # the table alone: every default
    assert load_settings(config).webhook_port == 5090
    config.write_text("[sources.webhook]\nprot = 5099\n")
    with pytest.raises(SettingsError, match=r"sources\.webhook\.prot"):
        load_settings(config)
    config.write_text("[sources.webhook]\nport = 70000\n")
    with pytest.raises(SettingsError, match=r"sources\.webhook\.port"):
        load_settings(config)


def test_asset_stores_the_spool_without_a_chat_db_and_empties_it(tmp_path: Path) -> None:
    spool = tmp_path / "sms-spool"
    append_message(spool, sms(1))
    append_message(spool, sms(2, OTP))
    resources = {
        "clock": Clock(frozen_at=NOW.isoformat()),
        "messages": MessagesSource(
            chat_db=str(tmp_path / "no-chat.db"), bank_headers=["HDFCBK"], webhook_spool=str(spool)
        ),
        "warehouse": Warehouse(path=str(tmp_path / "warehouse.duckdb")),
    }
    result = materialize([sms_messages, chat_db_readable], resources=resources)
    assert result.success
    metadata = result.asset_materializations_for_node("sms_messages")[0].metadata
    assert metadata["webhook_new_messages"].value == 1
    assert metadata["webhook_otp_dropped"].value == 1
    (check,) = result.get_asset_check_evaluations()
    assert check.passed and "SMS webhook only" in (check.description or "")
    assert (spool / SPOOL_FILE).read_bytes() == b""


def test_sensor_asks_for_a_run_when_the_spool_holds_messages(tmp_path: Path) -> None:
    spool = tmp_path / "sms-spool"
    messages = MessagesSource(
        chat_db=str(tmp_path / "none"), bank_headers=["HDFCBK"], webhook_spool=str(spool)
    )
    job = define_asset_job("bank_sms_job", selection=[sms_messages])
    sensor = build_webhook_sms_sensor(job, messages, lambda: NOW)
    assert sensor.minimum_interval_seconds == WEBHOOK_SENSOR_INTERVAL_SECONDS
    with DagsterInstance.ephemeral() as instance:

        def tick() -> RunRequest | SkipReason:
            return sensor(build_sensor_context(instance=instance))  # type: ignore[return-value]

        assert isinstance(tick(), SkipReason)  # nothing spooled yet
        append_message(spool, sms(1))
        assert isinstance(tick(), RunRequest)
        (spool / SPOOL_FILE).write_bytes(b"")  # what the ingest leaves
        assert "every spooled SMS is stored" in (tick().skip_message or "")  # type: ignore[union-attr]
    unconfigured = build_webhook_sms_sensor(
        job, MessagesSource(chat_db="x", bank_headers=["HDFCBK"])
    )
    with DagsterInstance.ephemeral() as instance:
        skip = unconfigured(build_sensor_context(instance=instance))
        assert "no [sources.webhook]" in (skip.skip_message or "")  # type: ignore[union-attr]
