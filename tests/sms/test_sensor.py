"""The bank SMS sensor against a real chat.db and a real Dagster instance in a temp folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from assets.sms.chatdb import ChatDbUnreadableError, utc_to_apple_ns
from assets.sms.sensors import UNREADABLE_REPEAT, build_bank_sms_sensor
from pipeline.definitions import build_definitions
from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.chatdb_writer import NewMessage, append_messages
from pipeline.demo.messages import generate_demo_messages
from pipeline.instance import prepare_instance
from pipeline.settings import load_settings


@pytest.fixture
def setup(tmp_path: Path):
    messages = generate_demo_messages(dt.date(2026, 11, 19), seed=2, days=10)
    write_chat_db(tmp_path / "chat.db", messages, seed=2)
    settings = load_settings(write_demo_config(tmp_path, "http://127.0.0.1:9/x"))
    home = prepare_instance(settings)
    with DagsterInstance.from_config(str(home)) as instance:
        yield settings, instance


def evaluate(settings, instance, cursor):
    defs = build_definitions(settings)
    sensor = defs.resolve_sensor_def("bank_sms_sensor")
    context = build_sensor_context(
        instance=instance, cursor=cursor, definitions=defs, resources=defs.resources
    )
    return sensor(context), context.cursor


def sms(guid: str, sender: str, body: str) -> NewMessage:
    return NewMessage(
        guid=guid,
        sender=sender,
        text=body,
        attributed_body=None,
        date=utc_to_apple_ns(dt.datetime.now(dt.UTC)),
    )


def test_runs_only_when_a_bank_sms_is_new(setup) -> None:
    settings, instance = setup
    first, cursor = evaluate(settings, instance, None)
    assert isinstance(first, RunRequest)
    assert cursor and int(cursor) > 0

    again, same = evaluate(settings, instance, cursor)
    assert isinstance(again, SkipReason)
    assert again.skip_message.startswith("SKIPPED:")
    assert same == cursor

    append_messages(settings.chat_db, [sms("NOT-A-BANK", "+919800000000", "lunch?")])
    quiet, _ = evaluate(settings, instance, cursor)
    assert isinstance(quiet, SkipReason)

    body = "Rs.10.00 debited from a/c **1276 on 19-11-26 to VPA a@b(UPI Ref No 612345678901)."
    (new_rowid,) = append_messages(settings.chat_db, [sms("NEW-BANK", "VM-HDFCBK", body)])
    news, newer = evaluate(settings, instance, cursor)
    assert isinstance(news, RunRequest)
    assert news.run_key == f"bank-sms-{new_rowid}"
    assert int(newer) == new_rowid


def test_missing_chat_db_is_a_skip_with_the_fix_and_keeps_the_cursor(setup) -> None:
    settings, instance = setup
    _, cursor = evaluate(settings, instance, None)
    settings.chat_db.unlink()
    # Not there is "not set up on this machine": a calm skip each tick, not a traceback.
    result, kept = evaluate(settings, instance, cursor)
    assert isinstance(result, SkipReason)
    assert f"chat.db not found at {settings.chat_db} (fix:" in (result.skip_message or "")
    assert kept == cursor


def test_unopenable_chat_db_names_the_cause(setup) -> None:
    settings, instance = setup
    settings.chat_db.unlink()
    settings.chat_db.mkdir()
    with pytest.raises(Exception, match="is a folder"):
        evaluate(settings, instance, None)


def test_an_unreadable_chat_db_fails_once_then_points_at_that_failure(setup) -> None:
    settings, instance = setup
    for suffix in ("", "-wal", "-shm"):
        settings.chat_db.with_name("chat.db" + suffix).unlink(missing_ok=True)
    settings.chat_db.mkdir()  # there, but SQLite cannot open it
    clock = [dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)]
    defs = build_definitions(settings)
    sensor = build_bank_sms_sensor(
        defs.resolve_job_def("bank_sms_job"), defs.resources["messages"], lambda: clock[0]
    )

    def tick():  # type: ignore[no-untyped-def]
        return sensor(
            build_sensor_context(instance=instance, definitions=defs, resources=defs.resources)
        )

    with pytest.raises(ChatDbUnreadableError, match="is a folder") as first:
        tick()
    assert first.value.__cause__ is None and first.value.__suppress_context__
    clock[0] += dt.timedelta(minutes=5)
    repeat = tick()
    assert isinstance(repeat, SkipReason)
    assert "still unreadable" in (repeat.skip_message or "") and "09:00 UTC" in (
        repeat.skip_message or ""
    )
    clock[0] += UNREADABLE_REPEAT
    with pytest.raises(ChatDbUnreadableError):
        tick()


def test_no_sensor_declares_resources_so_a_tick_builds_no_instance(setup) -> None:
    # A sensor with resource parameters makes Dagster open a whole instance (SQLite storages,
    # schema checks) on each evaluation in the code server: most of its idle CPU at one tick
    # every 4 s. The sensors hold their configured resource objects instead.
    settings, instance = setup
    defs = build_definitions(settings)
    sensors = list(defs.sensors or [])
    assert {s.name for s in sensors} >= {"bank_sms_sensor", "power_sampler"}
    for sensor in sensors:
        assert not sensor.required_resource_keys, sensor.name
    # And the held resource is the configured one: the sensor reads this chat.db.
    result, _ = evaluate(settings, instance, None)
    assert isinstance(result, RunRequest)


def _tagged_run(instance: DagsterInstance, rowid: int, status):  # type: ignore[no-untyped-def]
    from dagster import DagsterRun

    run = DagsterRun(
        job_name="bank_sms_job",
        tags={"homeclerk/source": "sms-watch", "homeclerk/newest_rowid": str(rowid)},
        status=status,
    )
    return instance.add_run(run)


def test_skips_a_rowid_the_watchers_run_already_took(setup) -> None:
    from dagster import DagsterRunStatus

    settings, instance = setup
    first, cursor = evaluate(settings, instance, None)
    assert isinstance(first, RunRequest)
    [rowid] = append_messages(
        settings.chat_db, [sms("W-1", "VM-HDFCBK", "Rs.100.00 debited from a/c **1276 UPI")]
    )
    run = _tagged_run(instance, rowid, DagsterRunStatus.STARTED)

    result, after = evaluate(settings, instance, cursor)
    assert isinstance(result, SkipReason)
    assert result.skip_message == (
        f"SKIPPED: the run on news {run.run_id} already took ROWID {rowid}"
    )
    assert after == str(rowid)  # the cursor moved on: the next tick is a plain no-news skip


def test_asks_again_when_the_watchers_run_failed_or_took_an_older_rowid(setup) -> None:
    from dagster import DagsterRunStatus

    settings, instance = setup
    _first, cursor = evaluate(settings, instance, None)
    [older] = append_messages(settings.chat_db, [sms("W-2", "VM-HDFCBK", "Rs.1 debited UPI")])
    _tagged_run(instance, older, DagsterRunStatus.SUCCESS)
    [newer] = append_messages(settings.chat_db, [sms("W-3", "VM-HDFCBK", "Rs.2 debited UPI")])
    result, after = evaluate(settings, instance, cursor)
    assert isinstance(result, RunRequest)
    assert result.tags["homeclerk/newest_rowid"] == str(newer)
    assert after == str(newer)

    # The newest run took the news but failed: the sensor, the safety net, asks again.
    [newest] = append_messages(settings.chat_db, [sms("W-4", "VM-HDFCBK", "Rs.3 debited UPI")])
    _tagged_run(instance, newest, DagsterRunStatus.FAILURE)
    result, _ = evaluate(settings, instance, after)
    assert isinstance(result, RunRequest)
    assert result.tags["homeclerk/newest_rowid"] == str(newest)


def test_the_watched_sensor_ticks_slowly_and_the_default_keeps_four_seconds(setup) -> None:
    from assets.sms.sensors import (
        SMS_SENSOR_INTERVAL_SECONDS,
        WATCHED_INTERVAL_SECONDS,
        sms_watch_on,
    )
    from pipeline.serve import SMS_WATCH_ENV

    settings, _instance = setup
    defs = build_definitions(settings)
    assert (
        defs.resolve_sensor_def("bank_sms_sensor").minimum_interval_seconds
        == SMS_SENSOR_INTERVAL_SECONDS
    )
    # The name `homeclerk serve` sets is the one the code server reads.
    assert sms_watch_on({SMS_WATCH_ENV: "1"})
    assert not sms_watch_on({})
    resources = defs.resources
    watched = build_bank_sms_sensor(
        defs.resolve_job_def("bank_sms_job"), resources["messages"], watched=True
    )
    assert watched.minimum_interval_seconds == WATCHED_INTERVAL_SECONDS
