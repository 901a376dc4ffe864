"""Where incidents come from: each domain's sensor, evaluated against real files, a real Dagster
instance and a real local HTTP topic, with the clock pinned."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    Definitions,
    build_run_status_sensor_context,
    build_sensor_context,
    job,
    op,
)

from assets.common.feed_status import iso_instant
from assets.common.resources import Clock
from assets.notify.incidents import Problem
from assets.notify.resources import Notifier
from assets.notify.restarts import RestartWatch
from assets.notify.sensors import (
    RUN_SENSOR_INTERVAL_SECONDS,
    IncidentSource,
    build_incidents_sensor,
)
from assets.notify.store import read_state
from assets.power.log import append_sample
from pipeline.resources import build_resources
from pipeline.service.supervisor import ChildSpec, Supervisor
from pipeline.settings import load_settings
from tests.notify.receivers import HttpReceiver, http_receiver
from tests.support import homeclerk_instance

NOW = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)  # a Sunday, 11:30 in Kolkata


@pytest.fixture
def topic() -> Iterator[HttpReceiver]:
    with http_receiver() as receiver:
        yield receiver


def resources_at(tmp_path: Path, topic: HttpReceiver, now: dt.datetime) -> dict[str, Any]:
    config = tmp_path / "homeclerk.toml"
    config.write_text(
        f'timezone = "Asia/Kolkata"\n[paths]\ndata_dir = "data"\n'
        f'[notify]\nntfy_url = "{topic.url}"\n'
    )
    resources = build_resources(load_settings(config))
    resources["clock"] = Clock(frozen_at=now.isoformat())
    return resources


def incidents(
    notify_sources: Callable[[dict[str, Any]], list[IncidentSource]], resources: dict[str, Any]
) -> Any:
    # `notify_incidents` over one domain's sources (the root gathers every domain's).
    return build_incidents_sensor(
        resources["notifier"], resources["clock"].now, notify_sources(resources)
    )


def sensor_of(defs: Definitions, name: str) -> Any:
    # The domain's slice alone (its assets' resources are wired by the root, not here).
    [found] = [s for s in defs.sensors or () if s.name == name]
    return found


def tick(sensor: Any) -> Any:
    return sensor(build_sensor_context())


def titles(topic: HttpReceiver) -> list[str]:
    return [p.headers["Title"] for p in topic.posts]


def test_a_stale_feed_is_one_message_and_one_when_fresh_again(
    tmp_path: Path, topic: HttpReceiver
) -> None:
    from assets.notify.definitions import notify_sources

    feeds = tmp_path / "data" / "feeds"
    feeds.mkdir(parents=True)
    feed = {
        "schema": 1,
        "status": "ok",
        "message": None,
        "stale_after": iso_instant(NOW - dt.timedelta(minutes=1)),
        "stale_reason": "no new sample since 10:02",
    }
    (feeds / "power.json").write_text(json.dumps(feed))
    (feeds / "review.json").write_text(json.dumps({"week": "2026-W47"}))  # no status: not a feed
    for minutes in (0, 2):  # twice: one message
        moment = NOW + dt.timedelta(minutes=minutes)
        tick(incidents(notify_sources, resources_at(tmp_path, topic, moment)))
    assert titles(topic) == ["Feed power is stale"]
    assert topic.posts[0].body.startswith("no new sample since 10:02")
    (feeds / "power.json").write_text(
        json.dumps({**feed, "stale_after": iso_instant(NOW + dt.timedelta(hours=1))})
    )
    later = NOW + dt.timedelta(minutes=5)
    tick(incidents(notify_sources, resources_at(tmp_path, topic, later)))
    assert titles(topic) == ["Feed power is stale", "Resolved: Feed power is stale"]


def test_a_power_outage_start_and_end(tmp_path: Path, topic: HttpReceiver) -> None:
    from assets.power.definitions import notify_sources

    def sample(minutes: int, source: str, charge: int) -> None:
        at = NOW + dt.timedelta(minutes=minutes)
        append_sample(
            tmp_path / "data" / "power",
            {"at": iso_instant(at), "source": source, "charge_percent": charge},
        )

    sample(-3, "ac", 100)
    sample(-2, "battery", 99)
    sample(-1, "battery", 97)
    sample(0, "battery", 95)
    resources = resources_at(tmp_path, topic, NOW)
    assert Path(resources["power"].log_folder) == tmp_path / "data" / "power"
    tick(incidents(notify_sources, resources))
    assert titles(topic) == ["Power outage"]
    assert "On battery since Sun 22 Nov 11:28; charge down to 95 %" in topic.posts[0].body
    assert topic.posts[0].headers.get("Priority") == "high"
    sample(1, "ac", 95)
    resources = resources_at(tmp_path, topic, NOW + dt.timedelta(minutes=1))
    tick(incidents(notify_sources, resources))
    assert titles(topic) == ["Power outage", "Resolved: Power outage"]


def test_no_good_backup_in_36_hours(tmp_path: Path, topic: HttpReceiver) -> None:
    from assets.backup.definitions import notify_sources

    resources = resources_at(tmp_path, topic, NOW)
    tick(incidents(notify_sources, resources))
    assert titles(topic) == ["No good backup in 36 h"]
    assert "run `homeclerk backup`" in topic.posts[0].body


def review_summary(feeds: Path, week: str, start: str, end: str) -> None:
    feeds.mkdir(parents=True, exist_ok=True)
    summary = {
        "schema": 1,
        "week": week,
        "from": start,
        "to": end,
        "note": "",
        "spending": 12345.5,
        "income": 50000,
        "uncategorized": 3,
        "failed_runs": 0,
        "files": {"markdown": f"{week}.md", "html": f"{week}.html"},
    }
    (feeds / "review.json").write_text(json.dumps(summary))


def test_the_sunday_review_is_announced_once_with_its_link(
    tmp_path: Path, topic: HttpReceiver
) -> None:
    from assets.review.definitions import notify_sources

    feeds = tmp_path / "data" / "feeds"
    review_summary(feeds, "2026-W47", "2026-11-16", "2026-11-22")
    for minutes in (0, 10):
        resources = resources_at(tmp_path, topic, NOW + dt.timedelta(minutes=minutes))
        tick(incidents(notify_sources, resources))
    [post] = topic.posts
    assert post.headers["Title"] == "Weekly review 2026-W47 (2026-11-16 to 2026-11-22)"
    # The feed server's page for the week ([service] feeds_port, 5080 by default), which
    # tests/service/test_feed_reviews.py shows it serves.
    assert post.headers["Click"] == "http://127.0.0.1:5080/reviews/2026-W47.html"
    assert "Read it: http://127.0.0.1:5080/reviews/2026-W47.html" in post.body
    assert "Spent: ₹12,345.50" in post.body and "Income: ₹50,000" in post.body
    assert "3 transaction(s) to categorize" in post.body


def test_an_old_review_is_not_news(tmp_path: Path, topic: HttpReceiver) -> None:
    from assets.review.definitions import notify_sources

    review_summary(tmp_path / "data" / "feeds", "2026-W40", "2026-09-28", "2026-10-04")
    tick(incidents(notify_sources, resources_at(tmp_path, topic, NOW)))
    assert topic.posts == []


def test_a_balance_gap_from_the_checks_last_verdict(tmp_path: Path, topic: HttpReceiver) -> None:
    from assets.books.definitions import notify_sources

    with homeclerk_instance(tmp_path / "dagster") as instance:

        def verdict(passed: bool, text: str, moment: dt.datetime) -> None:
            instance.report_runless_asset_event(
                AssetCheckEvaluation(
                    asset_key=AssetKey("transactions"),
                    check_name="balances_chain_whole",
                    passed=passed,
                    description=text,
                )
            )
            sensor = incidents(notify_sources, resources_at(tmp_path, topic, moment))
            sensor(build_sensor_context(instance=instance))

        verdict(False, "1 gap(s) in the balance chain: ₹2,340 out of HDFC …4521", NOW)
        verdict(False, "1 gap(s) in the balance chain: ₹2,340 out of HDFC …4521", NOW)
        verdict(True, "every balance an alert states agrees", NOW + dt.timedelta(hours=1))
    assert titles(topic) == [
        "Balance gap: money moved with no alert",
        "Resolved: Balance gap: money moved with no alert",
    ]
    assert "₹2,340 out of HDFC …4521" in topic.posts[0].body


@op
def boom() -> None:
    raise RuntimeError("the broker said 503")


@op
def fine() -> None:
    pass


@job(name="books_job")
def failing_job() -> None:
    boom()


@job(name="books_job")
def passing_job() -> None:
    fine()


def test_a_failed_run_is_sent_in_the_sensors_tick_and_cleared_by_a_success(
    tmp_path: Path, topic: HttpReceiver
) -> None:
    from assets.notify.definitions import build_defs

    defs = build_defs(resources_at(tmp_path, topic, NOW))
    with homeclerk_instance(tmp_path / "dagster") as instance:
        failed = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        context = build_run_status_sensor_context(
            "notify_run_failure",
            failed.get_run_failure_event(),
            instance,
            failed.dagster_run,
        ).for_run_failure()
        sensor_of(defs, "notify_run_failure")(context)
        assert titles(topic) == ["Run failed: books_job"]
        post = topic.posts[0]
        assert "step boom: RuntimeError: the broker said 503" in post.body
        assert post.headers["Click"].endswith(f"/runs/{failed.run_id}")
        assert post.headers["Click"].startswith("http://127.0.0.1:3000/")
        passed = passing_job.execute_in_process(instance=instance)
        sensor_of(defs, "notify_run_success")(
            build_run_status_sensor_context(
                "notify_run_success", passed.get_run_success_event(), instance, passed.dagster_run
            )
        )
    assert titles(topic) == ["Run failed: books_job", "Resolved: Run failed: books_job"]
    # The daemon evaluates the sensor every RUN_SENSOR_INTERVAL_SECONDS (its loop adds up to
    # 5 s) and the message goes out in that same tick: within the 60 s of the target.
    assert RUN_SENSOR_INTERVAL_SECONDS + 5 <= 60


def test_the_service_restarting_a_child_too_often_is_an_incident_it_writes(
    tmp_path: Path, topic: HttpReceiver
) -> None:
    state = tmp_path / "data" / "notify" / "state.json"
    watch = RestartWatch(state, limit=2, wall=lambda: NOW)
    crash = ChildSpec("code_server", (sys.executable, "-c", "raise SystemExit(3)"), tmp_path)
    clock = [0.0]
    supervisor = Supervisor(
        [crash], tmp_path / "logs", backoff_first=1.0, clock=lambda: clock[0], restart_watch=watch
    )
    supervisor.start_all()
    child = supervisor.children[0]
    try:
        for _ in range(3):
            assert child.proc is not None
            child.proc.wait()
            supervisor.check()  # noticed the exit
            clock[0] = child.next_start
            supervisor.check()  # started again
        assert list(read_state(state)["incidents"]) == ["service:code_server"]
    finally:
        supervisor.stop_all()
    # The supervisor only wrote it; the delivery sensor's tick sends it.
    Notifier(state_file=str(state), ntfy_url=topic.url).change(lambda s: [], NOW)
    assert titles(topic) == ["Service: code_server keeps restarting"]
    assert "restarted code_server 3 times in the last hour" in topic.posts[0].body
    assert "exit code 3" in topic.posts[0].body
    watch.check(clock[0] + 3601)
    assert read_state(state)["incidents"] == {}
    Notifier(state_file=str(state), ntfy_url=topic.url).change(lambda s: [], NOW)
    assert titles(topic)[-1] == "Resolved: Service: code_server keeps restarting"


def test_no_channel_configured_sensors_skip_and_write_nothing(tmp_path: Path) -> None:
    from assets.notify.definitions import notify_sources

    config = tmp_path / "homeclerk.toml"
    config.write_text('[paths]\ndata_dir = "data"\n')
    resources = build_resources(load_settings(config))
    result = tick(incidents(notify_sources, resources))
    assert "SKIPPED: no channel in [notify]" in result.skip_message
    assert not (tmp_path / "data" / "notify").exists()


def test_problem_keys_are_stable_for_one_incident() -> None:
    from assets.power.outage_alert import OUTAGE_KEY, outage_problems

    samples = [
        {
            "at": iso_instant(NOW - dt.timedelta(minutes=m)),
            "source": "battery",
            "charge_percent": 90,
        }
        for m in (2, 1, 0)
    ]
    first = outage_problems(samples, NOW, dt.UTC)  # type: ignore[arg-type]
    assert list(first) == [OUTAGE_KEY] and isinstance(first[OUTAGE_KEY], Problem)


def test_a_failed_delivery_in_a_tick_is_logged_and_the_delivery_sensor_retries_it(
    tmp_path: Path, topic: HttpReceiver
) -> None:
    from assets.notify.definitions import notify_sources

    feeds = tmp_path / "data" / "feeds"
    feeds.mkdir(parents=True)
    (feeds / "expenses.json").write_text(
        json.dumps({"status": "source_error", "message": "chat.db unreadable: grant Full Disk"})
    )
    topic.refuse = 1
    result = tick(incidents(notify_sources, resources_at(tmp_path, topic, NOW)))
    assert result.skip_message == "opened feed:expenses: Feed expenses is source_error"
    assert topic.posts == [] and topic.refused == 1
    [waiting] = read_state(tmp_path / "data" / "notify" / "state.json")["outbox"]
    assert "HTTP 503" in waiting["last_error"]
    later = NOW + dt.timedelta(minutes=1)
    result = tick(incidents(notify_sources, resources_at(tmp_path, topic, later)))
    assert result.skip_message == "sent open feed:expenses: Feed expenses is source_error"
    assert titles(topic) == ["Feed expenses is source_error"]
    assert topic.posts[0].body.startswith("chat.db unreadable: grant Full Disk")


def test_serve_counts_restarts_only_when_a_channel_is_configured(tmp_path: Path) -> None:
    from pipeline.service.serve import restart_watch

    config = tmp_path / "homeclerk.toml"
    config.write_text('[paths]\ndata_dir = "data"\n[notify]\nrestarts_per_hour = 3\n')
    assert restart_watch(load_settings(config)) is None
    config.write_text(
        '[paths]\ndata_dir = "data"\n[notify]\nrestarts_per_hour = 3\n'
        'ntfy_url = "http://127.0.0.1:9/topic"\n'
    )
    watch = restart_watch(load_settings(config))
    assert watch is not None and watch.limit == 3
    assert watch.state_file == tmp_path / "data" / "notify" / "state.json"


def test_a_failed_run_of_chosen_assets_is_named_by_its_assets(
    tmp_path: Path, topic: HttpReceiver
) -> None:
    from dagster import asset, materialize

    from assets.notify.definitions import build_defs

    @asset
    def power_feed() -> None:
        raise OSError("data/feeds/power.json is a folder")

    defs = build_defs(resources_at(tmp_path, topic, NOW))
    with homeclerk_instance(tmp_path / "dagster") as instance:
        failed = materialize([power_feed], instance=instance, raise_on_error=False)
        assert failed.dagster_run.job_name.startswith("__")  # Dagster's hidden asset job
        context = build_run_status_sensor_context(
            "notify_run_failure", failed.get_run_failure_event(), instance, failed.dagster_run
        ).for_run_failure()
        sensor_of(defs, "notify_run_failure")(context)
    assert titles(topic) == ["Run failed: power_feed"]
    assert "step power_feed: OSError: data/feeds/power.json is a folder" in topic.posts[0].body


def test_a_failing_source_fails_the_tick_after_the_others_and_the_delivery_ran(
    tmp_path: Path, topic: HttpReceiver
) -> None:
    from assets.notify.incidents import Problem
    from assets.notify.sensors import IncidentSourceError, incident_source

    def broken(moment: dt.datetime, context: Any) -> dict[str, Problem]:
        raise OSError("backups folder unreadable")

    def outage(moment: dt.datetime, context: Any) -> dict[str, Problem]:
        return {"power:outage": Problem("Power outage", "On battery.", urgent=True)}

    resources = resources_at(tmp_path, topic, NOW)
    sensor = build_incidents_sensor(
        resources["notifier"],
        resources["clock"].now,
        [incident_source("backup", "backup:", broken), incident_source("power", "power:", outage)],
    )
    with pytest.raises(IncidentSourceError, match="backup: OSError: backups folder unreadable"):
        tick(sensor)
    assert titles(topic) == ["Power outage"]
