"""Jobs from the real Definitions, on a real Dagster instance in a temp folder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from assets.common.senders import is_alert_sender, sender_header
from pipeline.definitions import build_definitions
from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.messages import IST, generate_demo_messages
from pipeline.service.instance import prepare_instance
from pipeline.settings import Settings, load_settings

END = dt.date(2026, 11, 19)
# The runs' clock: the evening of the data's last day, so the source is not quiet on any date.
AS_OF = dt.datetime.combine(END, dt.time(23, 0), IST)


@pytest.fixture
def env(tmp_path: Path):
    messages = generate_demo_messages(END, seed=9, days=40)
    write_chat_db(tmp_path / "chat.db", messages, seed=9)
    settings = load_settings(write_demo_config(tmp_path, "http://127.0.0.1:9/none"))
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        yield settings, instance, messages


def run_bank_sms(settings: Settings, instance: DagsterInstance):
    job = build_definitions(settings).resolve_job_def("bank_sms_job")
    return job.execute_in_process(
        run_config={"resources": {"clock": {"config": {"frozen_at": AS_OF.isoformat()}}}},
        instance=instance,
        raise_on_error=False,
    )


def count_transactions(settings: Settings) -> int:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM transactions").fetchone()[0]


def test_rerunning_adds_nothing_twice(env) -> None:
    settings, instance, messages = env
    assert run_bank_sms(settings, instance).success
    first = count_transactions(settings)
    # One row per stored bank message (OTPs and promotional -P senders never stored), of which
    # the alerts are transactions.
    bank = [
        m
        for m in messages
        if sender_header(m.sender) in settings.bank_senders and is_alert_sender(m.sender)
    ]
    assert first == sum(not m.is_otp for m in bank)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        (found,) = con.execute(
            "SELECT count(*) FROM transactions WHERE status = 'transaction'"
        ).fetchone()
    assert found == sum(m.is_bank_transaction for m in messages)
    assert run_bank_sms(settings, instance).success
    assert count_transactions(settings) == first


def test_unreadable_chat_db_fails_loudly_and_keeps_the_last_good_feed(env) -> None:
    settings, instance, _ = env
    assert run_bank_sms(settings, instance).success
    feed = settings.feeds_dir / "expenses.json"
    before = feed.read_bytes()
    assert json.loads(before)["status"] == "ok"

    # A folder where chat.db should be: SQLite cannot open it, and the error says why.
    for suffix in ("", "-wal", "-shm"):
        settings.chat_db.with_name("chat.db" + suffix).unlink(missing_ok=True)
    settings.chat_db.mkdir()
    result = run_bank_sms(settings, instance)

    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    data = failure.step_failure_data
    message = (data.user_failure_data.description or "") if data.user_failure_data else ""
    message += data.error.message if data.error else ""
    assert "is a folder" in message and str(settings.chat_db) in message
    assert feed.read_bytes() == before
