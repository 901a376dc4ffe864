"""The weekly partitions start at the first week with data: before any data only the week in
progress exists; the start is recorded once and kept; a review run moves it when the history
changed (older history imported, a restore that begins later), and the definitions built from
the data folder start there."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize

from assets.common.warehouse import connect
from assets.review.definitions import build_weekly_review
from assets.review.first_week import MARKER, partitions_start, read_marker
from assets.review.week import parse_iso_week
from assets.sms.tables import ensure_tables
from pipeline.definitions import build_definitions
from pipeline.settings import load_settings
from tests.review.helpers import IST, build_warehouse
from tests.review.test_definitions import _resources

NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=IST)  # a Wednesday of 2026-W10
DATA_FROM = parse_iso_week("2025-W42")  # the helpers' first bank SMS: Monday 13 Oct 2025


def test_before_any_data_only_the_week_in_progress_exists(tmp_path: Path) -> None:
    reviews, warehouse = tmp_path / "reviews", tmp_path / "warehouse.duckdb"
    assert partitions_start(reviews, warehouse, IST, NOW) == parse_iso_week("2026-W10")
    with connect(warehouse) as con:  # the tables exist, still empty
        ensure_tables(con)
    assert partitions_start(reviews, warehouse, IST, NOW) == parse_iso_week("2026-W10")
    assert not (reviews / MARKER).exists()  # nothing recorded: the next load asks again


def test_the_first_data_week_is_recorded_and_kept(tmp_path: Path) -> None:
    reviews, warehouse = tmp_path / "reviews", tmp_path / "warehouse.duckdb"
    build_warehouse(warehouse)
    assert partitions_start(reviews, warehouse, IST, NOW) == DATA_FROM
    assert (reviews / MARKER).read_text() == "2025-10-13\n"
    warehouse.unlink()  # the next load reads the file, not the warehouse
    assert partitions_start(reviews, warehouse, IST, NOW) == DATA_FROM


def test_the_definitions_start_at_the_data_and_a_week_before_has_no_partition(
    tmp_path: Path,
) -> None:
    (tmp_path / "homeclerk.toml").write_text('[paths]\ndata_dir = "data"\n')
    build_warehouse(tmp_path / "data" / "warehouse.duckdb")
    defs = build_definitions(load_settings(tmp_path / "homeclerk.toml"))
    partitions = defs.resolve_assets_def("weekly_review").partitions_def
    assert partitions is not None
    keys = partitions.get_partition_keys(current_time=NOW)
    assert keys[0] == DATA_FROM.key and keys[-1] == "2026-03-02"


@pytest.mark.parametrize("recorded", ["2025-11-03", "2025-09-01"])
def test_a_review_run_moves_the_start_to_the_history_and_says_so(
    tmp_path: Path, recorded: str
) -> None:
    # "2025-11-03": older history was imported after the start was recorded; "2025-09-01": a
    # restore brought a warehouse whose history begins later.
    build_warehouse(tmp_path / "warehouse.duckdb")
    (tmp_path / "reviews").mkdir()
    (tmp_path / "reviews" / MARKER).write_text(recorded + "\n")
    first = partitions_start(tmp_path / "reviews", tmp_path / "warehouse.duckdb", IST, NOW)
    assert first.key == recorded
    asset = build_weekly_review("Asia/Kolkata", first)
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [asset],
            resources=_resources(tmp_path, NOW),
            instance=instance,
            partition_key=parse_iso_week("2025-W45").key,
        )
        said = " ".join(e.user_message for e in instance.all_logs(result.run_id))
    assert result.success
    assert read_marker(tmp_path / "reviews") == DATA_FROM
    assert f"the stored history now begins in 2025-W42 (reviews start at {first.iso})" in said
