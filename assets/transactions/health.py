"""Health of parsing, as plain computations: which stored bank messages the parser did not know."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from assets.common.privacy import hide_codes
from assets.common.warehouse import connect
from assets.transactions.dismissed import not_dismissed


class Unrecognized(NamedTuple):
    """A bank SMS the parser did not recognise, masked for display."""

    guid: str
    sender: str
    body: str  # masked in storage; first 80 characters, with any 4-8 digit number hidden


def unrecognized_messages(
    warehouse_path: Path | str, limit: int = 50
) -> tuple[int, list[Unrecognized]]:
    """How many bank messages the parser did not recognise, and the newest `limit` of them."""
    with connect(Path(warehouse_path), read_only=True) as con:
        aside = not_dismissed(con, "t.message_guid")  # what the owner set aside is not counted
        total = con.execute(
            "SELECT COUNT(*) FROM transactions t WHERE status = 'unrecognized'" + aside
        ).fetchall()[0][0]
        rows = con.execute(
            "SELECT t.message_guid, t.sender, CASE WHEN s.problem IS NULL"
            " THEN left(coalesce(s.body, ''), 80) ELSE '(' || s.problem || ': body not shown)' END"
            " FROM transactions t LEFT JOIN sms_messages s ON s.guid = t.message_guid"
            " WHERE t.status = 'unrecognized'" + aside + " ORDER BY t.message_rowid DESC LIMIT ?",
            [limit],
        ).fetchall()
    return int(total), [Unrecognized(guid, sender, hide_codes(body)) for guid, sender, body in rows]
