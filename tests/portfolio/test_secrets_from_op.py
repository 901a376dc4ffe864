"""The broker's keys from 1Password (`[secrets] provider = "op"`, a stand-in `op`) reach the
broker through Dagster `EnvVar`s as `.env` values do, and appear in no run log or config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import DagsterInstance, EnvVar, materialize

from assets.common.resources import Clock, Feeds, Warehouse
from assets.portfolio.definitions import broker_holdings, portfolio_feed
from assets.portfolio.resources import BrokerResource
from pipeline.settings import load_env_file, load_settings
from tests.pipeline.service_support import OpStandIn

from .helpers import API_KEY, API_SECRET, Paths, assert_no_secrets


def test_broker_keys_from_1password_fetch_the_holdings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broker, paths: Paths
) -> None:
    for name in ("KITE_API_KEY", "KITE_API_SECRET", "HOMECLERK_ENV_FILE"):
        monkeypatch.delenv(name, raising=False)
    op = OpStandIn(tmp_path, monkeypatch)
    op.item("Private/Kite/key", API_KEY)
    op.item("Private/Kite/secret", API_SECRET)
    config = tmp_path / "homeclerk.toml"
    config.write_text(
        '[secrets]\nprovider = "op"\n'
        '[[secrets.op]]\nname = "KITE_API_KEY"\nreference = "op://Private/Kite/key"\n'
        '[[secrets.op]]\nname = "KITE_API_SECRET"\nreference = "op://Private/Kite/secret"\n'
    )
    assert load_env_file(load_settings(config)) == ["KITE_API_KEY", "KITE_API_SECRET"]
    resources = {
        "clock": Clock(),
        "broker": BrokerResource(
            adapter="kite",
            base_url=broker("ok").base_url,
            api_key=EnvVar("KITE_API_KEY"),
            api_secret=EnvVar("KITE_API_SECRET"),
            token_file=str(paths.token_file),
            timeout_seconds=2.0,
        ),
        "warehouse": Warehouse(path=str(paths.warehouse)),
        "feeds": Feeds(folder=str(paths.feeds)),
    }
    instance = DagsterInstance.ephemeral()
    result = materialize([broker_holdings, portfolio_feed], resources=resources, instance=instance)
    assert result.success
    assert json.loads(paths.feed.read_text())["status"] == "ok"
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    logged = json.dumps(run.run_config) + "\n".join(
        entry.to_json() for entry in instance.all_logs(result.run_id)
    )
    assert_no_secrets(logged, paths.feed.read_text())
