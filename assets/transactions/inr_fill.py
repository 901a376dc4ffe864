"""Fill `inr_amount` for foreign-currency rows stored before the column existed.

Every other column of those rows is what this homeclerk derives too, so only the new figure is
read from each stored body (inr_equivalent.stated_inr), in place: the rows keep their links,
their learned categories and their held state, which deleting and re-deriving them would lose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assets.common.warehouse import has_table
from assets.transactions.parsing.inr_equivalent import stated_inr

if TYPE_CHECKING:
    import duckdb

# Stored alerts (counted or linked to another alert of their payment) in another currency.
_FOREIGN_ROWS = """
SELECT t.message_guid, s.body FROM transactions t JOIN sms_messages s ON s.guid = t.message_guid
WHERE t.status IN ('transaction', 'linked') AND coalesce(t.currency, 'INR') <> 'INR'
  AND t.inr_amount IS NULL
"""


def fill_stated_inr(con: duckdb.DuckDBPyConnection) -> int:
    """Set `inr_amount` on the stored foreign-currency rows whose body states a rupee figure;
    how many. Nothing to do before the SMS source has created `sms_messages`."""
    if not has_table(con, "sms_messages"):
        return 0
    figures = [
        (str(figure), guid)
        for guid, body in con.execute(_FOREIGN_ROWS).fetchall()
        if (figure := stated_inr(body or "")) is not None
    ]
    if figures:
        con.executemany(
            "UPDATE transactions SET inr_amount = CAST(? AS DECIMAL(18,2)) WHERE message_guid = ?",
            figures,
        )
    return len(figures)
