"""`power_samples` in the warehouse: the sample log loaded incrementally and idempotently."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from .log import read_samples

if TYPE_CHECKING:  # duckdb and pandas load when a run needs them, not with the definitions
    import duckdb

TABLE = "power_samples"
_DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    sampled_at TIMESTAMPTZ PRIMARY KEY,  -- the sample's `at` (AT is a keyword)
    source VARCHAR NOT NULL,
    charge_percent DOUBLE,
    state VARCHAR NOT NULL,
    minutes_remaining INTEGER,
    device VARCHAR,
    note VARCHAR,
    unparsed VARCHAR
)
"""


def load_samples(con: duckdb.DuckDBPyConnection, folder: Path) -> tuple[int, int]:
    """Add the log's samples newer than the table's newest (from that month's file on);
    a sample already there is ignored, so a rerun adds nothing. Returns (added, total rows)."""
    con.execute(_DDL)
    [newest] = con.execute(f"SELECT max(sampled_at) FROM {TABLE}").fetchall()
    since = newest[0].astimezone(dt.UTC) if newest and newest[0] else None
    rows = [
        (
            s["at"],
            s["source"],
            s.get("charge_percent"),
            s["state"],
            s.get("minutes_remaining"),
            s.get("device"),
            s.get("note"),
            s.get("unparsed"),
        )
        for s in read_samples(folder, since).samples
    ]
    before = _count(con)
    if rows:
        import pandas as pd

        # One registered frame and an anti-join: executemany took ~100 s for a month of rows.
        columns = ["at", "source", "charge", "state", "minutes", "device", "note", "unparsed"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["at"] = pd.to_datetime(frame["at"], utc=True)
        frame["minutes"] = frame["minutes"].astype("Int64")
        con.register("new_power_samples", frame)
        try:
            con.execute(
                f"INSERT INTO {TABLE} SELECT DISTINCT ON (n.at) n.* FROM new_power_samples n "
                f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} t WHERE t.sampled_at = n.at)"
            )
        finally:
            con.unregister("new_power_samples")
    after = _count(con)
    return after - before, after


def _count(con: duckdb.DuckDBPyConnection) -> int:
    # fetchall: this DuckDB keeps a fetchone result open, and `register` then refuses.
    [(found,)] = con.execute(f"SELECT count(*) FROM {TABLE}").fetchall()
    return int(found)
