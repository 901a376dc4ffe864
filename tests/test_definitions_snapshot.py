"""The merged Definitions' wiring against a checked-in snapshot, so a move cannot drop any of it.

The snapshot holds the asset graph (keys, deps, groups, pools), checks, jobs and the assets they
select, schedules, sensors and resource keys: what a refactoring must keep. After a change you mean,
regenerate it with `HOMECLERK_UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/test_definitions_snapshot.py`
and review the diff of `tests/snapshots/definitions.json`.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

from dagster import Definitions

from pipeline.definitions import build_definitions
from pipeline.settings import load_settings

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"
UPDATE_ENV = "HOMECLERK_UPDATE_SNAPSHOT"
# Not the default zone, so the snapshot shows which schedules follow the configured zone and
# which keep the exchange's.
CONFIG = """\
timezone = "Europe/London"
[paths]
data_dir = "data"
books_dir = "ledger"
[messages]
chat_db = "chat.db"
[broker]
adapter = "csv"
"""


def _name(key: Any) -> str:
    return key.to_user_string()


def describe(defs: Definitions) -> dict[str, Any]:
    """A stable, JSON-ready description of the wiring of `defs` (sorted, no paths)."""
    graph = defs.resolve_asset_graph()
    repo = defs.get_repository_def()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=_name):
        node = graph.get(key)
        assets[_name(key)] = {
            "deps": sorted(_name(parent) for parent in node.parent_keys),
            "group": node.group_name,
            "pools": sorted(node.pools or ()),
            "kinds": sorted(node.kinds),
        }
    checks = {}
    for check_key in sorted(graph.asset_check_keys, key=lambda k: (_name(k.asset_key), k.name)):
        spec = graph.get_check_spec(check_key)
        checks[f"{_name(check_key.asset_key)}:{check_key.name}"] = {
            "asset": _name(check_key.asset_key),
            "blocking": spec.blocking,
        }
    jobs = {}
    for job in sorted(repo.get_all_jobs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue  # Dagster's implicit asset job: an artefact of how it loads, not our wiring
        jobs[job.name] = {
            "assets": sorted(_name(k) for k in job.asset_layer.selected_asset_keys),
            "checks": sorted(
                f"{_name(k.asset_key)}:{k.name}"
                for k in job.asset_layer.asset_graph.asset_check_keys
                if k.asset_key in job.asset_layer.selected_asset_keys
            ),
        }
    schedules = {
        s.name: {
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "job": s.job_name,
            "default_status": s.default_status.value,
        }
        for s in sorted(repo.schedule_defs, key=lambda s: s.name)
    }
    sensors = {
        s.name: {
            "jobs": sorted(j.name for j in s.jobs) if s.has_jobs else [],
            "minimum_interval_seconds": s.minimum_interval_seconds,
            "default_status": s.default_status.value,
        }
        for s in sorted(repo.sensor_defs, key=lambda s: s.name)
    }
    return {
        "assets": assets,
        "checks": checks,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
        "resources": sorted(repo.get_top_level_resources()),
        "executor": defs.executor.name if defs.executor else None,
    }


def test_the_merged_definitions_match_the_snapshot(tmp_path: Path) -> None:
    (tmp_path / "homeclerk.toml").write_text(CONFIG, "utf-8")
    settings = load_settings(tmp_path / "homeclerk.toml")
    actual = json.dumps(describe(build_definitions(settings)), indent=2, sort_keys=True) + "\n"
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(actual, "utf-8")
    expected = SNAPSHOT.read_text("utf-8") if SNAPSHOT.exists() else ""
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                str(SNAPSHOT.relative_to(Path(__file__).parent.parent)),
                "built now",
            )
        )
        raise AssertionError(
            f"the Definitions' wiring changed:\n{diff}\nIf the change is meant, regenerate with "
            f"`{UPDATE_ENV}=1 .venv/bin/pytest tests/test_definitions_snapshot.py` and commit it."
        )


def test_the_description_sees_every_part() -> None:
    # A snapshot of an empty description would pass vacuously; the graph here has one of each.
    snapshot = json.loads(SNAPSHOT.read_text("utf-8"))
    for part in ("assets", "checks", "jobs", "schedules", "sensors", "resources"):
        assert snapshot[part], f"the snapshot has no {part}"
    assert snapshot["assets"]["transactions"]["deps"] == ["sms_messages"]
