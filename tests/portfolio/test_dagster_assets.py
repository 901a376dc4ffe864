"""The thin Dagster wrappers, run for real on an ephemeral instance against the fake broker."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from dagster import AssetCheckSeverity, AssetSelection, DagsterInstance, EnvVar, materialize

from assets.common.resources import Clock, Feeds, Warehouse
from assets.portfolio.definitions import (
    broker_holdings,
    portfolio_feed,
    portfolio_feed_fresh,
    portfolio_status,
)
from assets.portfolio.resources import BrokerResource

from .helpers import API_KEY, API_SECRET, Paths, assert_no_secrets

DEFS = [broker_holdings, portfolio_feed, portfolio_status, portfolio_feed_fresh]


@pytest.fixture
def resources(paths: Paths, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KITE_API_KEY", API_KEY)
    monkeypatch.setenv("KITE_API_SECRET", API_SECRET)

    # The fake broker stamps snapshots with the real time, so these end-to-end runs judge
    # freshness by the real clock too; the freshness check alone is pinned below.
    def build(base_url: str, clock: Clock | None = None) -> dict[str, object]:
        return {
            "clock": clock or Clock(),
            "broker": BrokerResource(
                adapter="kite",
                base_url=base_url,
                api_key=EnvVar("KITE_API_KEY"),
                api_secret=EnvVar("KITE_API_SECRET"),
                token_file=str(paths.token_file),
                timeout_seconds=2.0,
            ),
            "warehouse": Warehouse(path=str(paths.warehouse)),
            "feeds": Feeds(folder=str(paths.feeds)),
        }

    return build


def _everything_logged(instance: DagsterInstance, run_id: str) -> str:
    run = instance.get_run_by_id(run_id)
    assert run is not None
    logs = [entry.to_json() for entry in instance.all_logs(run_id)]
    return json.dumps(run.run_config) + "\n".join(logs)


def test_materialize_writes_feed_and_checks_pass(broker, paths: Paths, resources) -> None:
    instance = DagsterInstance.ephemeral()
    result = materialize(DEFS, resources=resources(broker("ok").base_url), instance=instance)
    assert result.success
    feed = json.loads(paths.feed.read_text())
    assert feed["status"] == "ok" and len(feed["holdings"]) == 9
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["portfolio_status"].passed
    assert evaluations["portfolio_feed_fresh"].passed
    metadata = result.asset_materializations_for_node("portfolio_feed")[0].metadata
    assert metadata["holdings"].value == 9
    assert_no_secrets(_everything_logged(instance, result.run_id))


def test_token_expired_fails_the_run_keeps_the_feed_and_warns(
    broker, paths: Paths, resources
) -> None:
    instance = DagsterInstance.ephemeral()
    server = broker("ok")
    assert materialize(DEFS, resources=resources(server.base_url), instance=instance).success
    before = paths.feed.read_bytes()

    server.scenario = "token_expired"
    result = materialize(
        DEFS, resources=resources(server.base_url), instance=instance, raise_on_error=False
    )
    assert not result.success
    assert paths.feed.read_bytes() == before
    assert paths.marker_json()["status"] == "token_expired"
    assert not result.asset_materializations_for_node("portfolio_feed")
    (failure,) = result.get_step_failure_events()
    description = failure.step_failure_data.user_failure_data.description  # type: ignore[union-attr]
    assert description.startswith("token_expired:")
    assert "run `homeclerk broker login`" in description
    logged = _everything_logged(instance, result.run_id)
    assert "homeclerk broker login" in logged
    assert_no_secrets(logged)

    # The status check, run on its own (as the UI's "execute check" does), warns with the fix.
    checked = materialize(
        [portfolio_feed, portfolio_status],
        resources=resources(server.base_url),
        instance=instance,
        selection=AssetSelection.checks(portfolio_status),
        raise_on_error=False,
    )
    (evaluation,) = checked.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.severity == AssetCheckSeverity.WARN
    assert "homeclerk broker login" in (evaluation.description or "")
    assert paths.feed.read_bytes() == before


IST = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("now", "fresh"),
    [
        # Saturday: the last session closed Friday 15:30, after which the feed was taken.
        (dt.datetime(2026, 11, 21, 10, 0, tzinfo=IST), True),
        # Monday 11:00, in market hours: the feed must be under 45 minutes old.
        (dt.datetime(2026, 11, 23, 11, 0, tzinfo=IST), False),
    ],
)
def test_portfolio_freshness_is_judged_at_the_clock(
    paths: Paths, resources, now: dt.datetime, fresh: bool
) -> None:
    paths.feeds.mkdir(parents=True)
    as_of = dt.datetime(2026, 11, 20, 15, 40, tzinfo=IST)  # Friday, after the close
    paths.feed.write_text(json.dumps({"as_of": as_of.isoformat()}))
    result = materialize(
        [portfolio_feed, portfolio_feed_fresh],
        resources=resources("http://127.0.0.1:9", Clock(frozen_at=now.isoformat())),
        instance=DagsterInstance.ephemeral(),
        selection=AssetSelection.checks(portfolio_feed_fresh),
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed is fresh
    assert ("older than required" in (evaluation.description or "")) is not fresh
