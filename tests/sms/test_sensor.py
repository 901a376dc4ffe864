"""The bank SMS sensor against a real chat.db and a real Dagster instance in a temp folder."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from assets.sms.chatdb import ChatDbUnreadableError, utc_to_apple_ns
from assets.sms.ingest import ingest_new_messages
from assets.sms.sensors import FAILED_RETRY_AFTER, UNREADABLE_REPEAT, build_bank_sms_sensor
from pipeline.definitions import build_definitions
from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.chatdb_writer import NewMessage, append_messages
from pipeline.demo.messages import generate_demo_messages
from pipeline.service.instance import prepare_instance
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


def ingest(settings) -> int:  # type: ignore[no-untyped-def]
    """What a successful bank_sms_job run does first; returns the stored cursor."""
    return ingest_new_messages(settings.chat_db, settings.warehouse, settings.bank_senders).cursor


def test_runs_only_when_a_bank_sms_is_not_stored(setup) -> None:
    settings, instance = setup
    # Nothing ingested yet: the chat.db's bank SMS are news.
    first, cursor = evaluate(settings, instance, None)
    assert isinstance(first, RunRequest)
    assert cursor and int(cursor) > 0
    # The sensor's own cursor is no judge: still not stored, still news.
    again, _ = evaluate(settings, instance, cursor)
    assert isinstance(again, RunRequest)

    ingest(settings)
    stored, _ = evaluate(settings, instance, cursor)
    assert isinstance(stored, SkipReason)
    assert stored.skip_message == f"SKIPPED: every bank SMS in {settings.chat_db} is stored"

    append_messages(settings.chat_db, [sms("NOT-A-BANK", "+919800000000", "lunch?")])
    quiet, _ = evaluate(settings, instance, cursor)
    assert isinstance(quiet, SkipReason)

    body = "Rs.10.00 debited from a/c **1276 on 19-11-26 to VPA a@b(UPI Ref No 612345678901)."
    (new_rowid,) = append_messages(settings.chat_db, [sms("NEW-BANK", "VM-HDFCBK", body)])
    news, newer = evaluate(settings, instance, cursor)
    assert isinstance(news, RunRequest)
    assert news.tags["homeclerk/newest_rowid"] == str(new_rowid)
    assert int(newer) == new_rowid


def test_a_replaced_chat_db_with_news_below_the_cursor_is_news(setup) -> None:
    settings, instance = setup
    older = settings.chat_db.with_name("older.db")
    shutil.copy(settings.chat_db, older)
    append_messages(settings.chat_db, [sms(f"LATER-{i}", "+919800000000", "hi") for i in range(30)])
    ingest(settings)
    assert isinstance(evaluate(settings, instance, None)[0], SkipReason)

    # An older copy comes back (a restore) with a new bank SMS at a ROWID below the cursor.
    older.replace(settings.chat_db)
    for suffix in ("-wal", "-shm"):
        settings.chat_db.with_name("chat.db" + suffix).unlink(missing_ok=True)
    [rowid] = append_messages(settings.chat_db, [sms("RESTORED-1", "VM-HDFCBK", "Rs.5 debited")])
    result, _ = evaluate(settings, instance, None)
    assert isinstance(result, RunRequest)
    assert result.tags["homeclerk/newest_rowid"] == str(rowid)


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
        defs.resolve_job_def("bank_sms_job"),
        defs.resources["messages"],
        defs.resources["warehouse"],
        lambda: clock[0],
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


def test_news_waits_for_a_run_that_has_not_started(setup) -> None:
    from dagster import DagsterRunStatus

    settings, instance = setup
    ingest(settings)
    [rowid] = append_messages(settings.chat_db, [sms("Q-1", "VM-HDFCBK", "Rs.1 debited UPI")])
    # Launched for an older ROWID, but not started: it reads whatever is there when it does.
    queued = _tagged_run(instance, rowid - 1, DagsterRunStatus.NOT_STARTED)
    result, _ = evaluate(settings, instance, None)
    assert isinstance(result, SkipReason)
    assert f"run {queued.run_id} has not started yet" in (result.skip_message or "")

    # Once it runs, a run in progress launched before the news may have read past it: one more.
    instance.delete_run(queued.run_id)
    _tagged_run(instance, rowid - 1, DagsterRunStatus.STARTED)
    result, _ = evaluate(settings, instance, None)
    assert isinstance(result, RunRequest)
    # One launched for this news, in progress, takes it.
    taking = _tagged_run(instance, rowid, DagsterRunStatus.STARTED)
    result, _ = evaluate(settings, instance, None)
    assert isinstance(result, SkipReason)
    assert f"run {taking.run_id} was launched for it" in (result.skip_message or "")


def test_a_failed_run_took_nothing_and_is_asked_for_again(setup) -> None:
    from dagster import DagsterRunStatus

    settings, instance = setup
    ingest(settings)
    [rowid] = append_messages(settings.chat_db, [sms("F-1", "VM-HDFCBK", "Rs.3 debited UPI")])
    clock = [dt.datetime.now(dt.UTC)]
    defs = build_definitions(settings)
    sensor = build_bank_sms_sensor(
        defs.resolve_job_def("bank_sms_job"),
        defs.resources["messages"],
        defs.resources["warehouse"],
        lambda: clock[0],
    )

    def tick():  # type: ignore[no-untyped-def]
        return sensor(
            build_sensor_context(instance=instance, definitions=defs, resources=defs.resources)
        )

    failed = _tagged_run(instance, rowid, DagsterRunStatus.STARTED)
    instance.report_run_failed(failed)
    # Failed since this code was loaded: not a run a tick (a broken file fails at once).
    result = tick()
    assert isinstance(result, SkipReason)
    assert f"run {failed.run_id} on it ended FAILURE" in (result.skip_message or "")
    # Later, the news is asked for again: that run stored nothing.
    clock[0] += FAILED_RETRY_AFTER + dt.timedelta(seconds=1)
    result = tick()
    assert isinstance(result, RunRequest)
    assert result.tags["homeclerk/newest_rowid"] == str(rowid)
    # And at once by a code server loaded after the failure (the settings were fixed).
    reloaded = build_bank_sms_sensor(
        defs.resolve_job_def("bank_sms_job"),
        defs.resources["messages"],
        defs.resources["warehouse"],
        lambda: clock[0],
    )
    result = reloaded(
        build_sensor_context(instance=instance, definitions=defs, resources=defs.resources)
    )
    assert isinstance(result, RunRequest)


def test_the_watched_sensor_ticks_slowly_and_the_default_keeps_four_seconds(setup) -> None:
    from assets.sms.sensors import (
        SMS_SENSOR_INTERVAL_SECONDS,
        WATCHED_INTERVAL_SECONDS,
        sms_watch_on,
    )
    from pipeline.service.serve import SMS_WATCH_ENV

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
        defs.resolve_job_def("bank_sms_job"),
        resources["messages"],
        resources["warehouse"],
        watched=True,
    )
    assert watched.minimum_interval_seconds == WATCHED_INTERVAL_SECONDS
