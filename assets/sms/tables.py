"""The warehouse tables of the SMS source (`sms_messages`, `ingest_cursor`): the one place their
DDL lives. Each downstream domain keeps the DDL of its own tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


# Keyed on the GUID, which survives a restore of chat.db; the ROWID does not (a restored or new
# chat.db numbers its messages afresh), so two stored messages may share one.
# source: where it came from, 'messages' (chat.db) or 'android' (an SMS Backup & Restore file).
# problem: NULL, or why the body is not the message as sent: 'undecodable' (text not valid
# UTF-8, stored with U+FFFD in place of the bad bytes) or 'unreadable' (could not be processed;
# body NULL, never logged).
SMS_MESSAGES_DDL = """
CREATE TABLE IF NOT EXISTS sms_messages (
    rowid BIGINT,
    guid VARCHAR PRIMARY KEY,
    sender VARCHAR,
    received_at TIMESTAMPTZ,
    body VARCHAR,
    from_attributed_body BOOLEAN,
    problem VARCHAR,
    source VARCHAR DEFAULT 'messages'
)
"""
# Where a message came from: 'messages' (chat.db) or 'android' (an SMS Backup & Restore file).
SMS_COLUMNS = "rowid, guid, sender, received_at, body, from_attributed_body, problem, source"

# anchor_guid: the GUID of the message at last_rowid when it was read. If chat.db no longer has
# it there, the file was replaced (or that message deleted) and is read again in full.
INGEST_CURSOR_DDL = """
CREATE TABLE IF NOT EXISTS ingest_cursor (
    source VARCHAR PRIMARY KEY,
    last_rowid BIGINT,
    anchor_guid VARCHAR
)
"""


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables, or bring a warehouse of an older layout up to this one."""
    for ddl in (SMS_MESSAGES_DDL, INGEST_CURSOR_DDL):
        con.execute(ddl)
    # One cheap catalogue look-up a run: `problem` (GUID keys) and `source` mark the layouts.
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'sms_messages'"
        ).fetchall()
    }
    if "problem" not in columns:
        _migrate(con)
    if "source" not in columns:
        con.execute(
            "ALTER TABLE sms_messages ADD COLUMN IF NOT EXISTS source VARCHAR DEFAULT 'messages'"
        )


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    """sms_messages keyed on ROWID → keyed on GUID with a `problem` column; the cursor gets
    its anchor. DuckDB cannot drop a primary key, so the table is copied, in one transaction."""
    con.begin()
    try:
        con.execute("ALTER TABLE sms_messages RENAME TO sms_messages_old")
        con.execute(SMS_MESSAGES_DDL)
        con.execute(
            "INSERT INTO sms_messages (rowid, guid, sender, received_at, body,"
            " from_attributed_body, problem) SELECT rowid, guid, sender, received_at, body,"
            " from_attributed_body, NULL FROM sms_messages_old"
        )
        con.execute("DROP TABLE sms_messages_old")
        con.execute("ALTER TABLE ingest_cursor ADD COLUMN IF NOT EXISTS anchor_guid VARCHAR")
        con.commit()
    except BaseException:
        con.rollback()
        raise
