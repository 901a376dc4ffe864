"""Unrecognized messages the owner has read and set aside (`homeclerk sms dismiss SHAPE_ID`).

A doubtful alert ("credited … has been reversed") or a wording no format should read stays
unrecognized, and the `parse_coverage` warning with it, until the owner has looked at it: then
its messages leave `sms unrecognized`, the check and `doctor`. Only the messages seen at that
moment are set aside; a new message of the same shape is shown again. Nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assets.common.warehouse import has_table

if TYPE_CHECKING:  # the definitions load without DuckDB (tests/test_layers.py)
    import duckdb

DISMISSED_DDL = """
CREATE TABLE IF NOT EXISTS dismissed_messages (
    message_guid VARCHAR PRIMARY KEY,
    shape_id VARCHAR,
    dismissed_at TIMESTAMPTZ
)
"""


def not_dismissed(con: duckdb.DuckDBPyConnection, column: str = "message_guid") -> str:
    """The clause a reader of unrecognized messages adds ("" before anything was set aside:
    a read-only reader cannot create the table)."""
    if not has_table(con, "dismissed_messages"):
        return ""
    return f" AND {column} NOT IN (SELECT message_guid FROM dismissed_messages)"


def dismiss(
    con: duckdb.DuckDBPyConnection, guids: Sequence[str], shape_id: str, now: dt.datetime
) -> int:
    """Set these messages aside; returns how many were not set aside before."""
    con.execute(DISMISSED_DDL)
    before = con.execute("SELECT count(*) FROM dismissed_messages").fetchall()[0][0]
    con.executemany(
        "INSERT INTO dismissed_messages VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(guid, shape_id, now) for guid in guids],
    )
    after = con.execute("SELECT count(*) FROM dismissed_messages").fetchall()[0][0]
    return int(after - before)
