"""`homeclerk demo`: build the demo data set and materialize every asset into it."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import NamedTuple, TextIO

from dagster import AssetSelection, DagsterInstance, materialize

from ..definitions import build_definitions
from ..instance import use_instance
from ..settings import CONFIG_ENV, load_settings
from .build import prepare_demo_folder, write_chat_db, write_demo_config
from .messages import IST, generate_demo_messages


class DemoReport(NamedTuple):
    folder: Path
    config: Path
    messages: int
    bank_alerts: int
    feeds: list[Path]
    success: bool


def run_demo(
    folder: Path,
    seed: int = 7,
    end: dt.date | None = None,
    out: TextIO = sys.stderr,
) -> DemoReport:
    folder = folder.expanduser().resolve()
    now = dt.datetime.now(IST)
    end = end or now.date()

    def step(text: str) -> None:
        print(f"[demo] {text}", file=out, flush=True)

    step(f"preparing {folder}")
    prepare_demo_folder(folder)
    messages = generate_demo_messages(end, seed=seed, until=now if end >= now.date() else None)
    count = write_chat_db(folder / "chat.db", messages, seed)
    alerts = sum(m.is_bank_transaction for m in messages)
    step(f"wrote chat.db: {count} messages, {alerts} bank transaction alerts")
    config = write_demo_config(folder, broker_base_url="http://127.0.0.1:9/demo-broker")

    os.environ[CONFIG_ENV] = str(config)
    settings = load_settings(config)
    home = use_instance(settings)
    step(f"Dagster instance: {home}")
    defs = build_definitions(settings)
    graph = defs.resolve_asset_graph()
    assets = [a for a in graph.assets_defs]
    step(f"materializing {len(graph.get_all_asset_keys())} assets (in process)")
    result = materialize(
        assets,
        instance=DagsterInstance.get(),
        resources=defs.resources,
        selection=AssetSelection.all(include_sources=False),
        raise_on_error=False,
        tags={"homeclerk/demo": "true"},
    )
    feeds = sorted(settings.feeds_dir.glob("*.json"))
    return DemoReport(folder, config, count, alerts, feeds, result.success)
