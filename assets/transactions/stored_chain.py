"""Balance-chain gaps read from the warehouse's `transactions` (rules: balance_chain.py).

`stored_gaps` finds what `find_gaps` finds over every stored row, without reading every row into
Python: DuckDB finds the links that do not add up, and only the stretch around each is chained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from assets.common.warehouse import has_table
from assets.transactions.balance_chain import (
    SAME_MOMENT,
    AccountOf,
    ChainAlert,
    Gap,
    chain_gaps,
    chain_key,
    no_mapping,
    shown_tail,
)

if TYPE_CHECKING:
    import duckdb


def stored_gaps(
    con: duckdb.DuckDBPyConnection,
    account_of: AccountOf = no_mapping,
    *,
    before: dt.datetime | None = None,
) -> list[Gap]:
    """`find_gaps` over the stored transactions (received before `before` when given), the same
    gaps, without reading every row into Python: DuckDB finds the links that do not add up,
    and only the stretch around each is chained here.

    A stretch runs between two anchors: alerts stating a rupee figure, neither held nor in
    another currency, with no other alert of their chain within SAME_MOMENT. The chain's state
    after an anchor is that anchor whatever came before, so a stretch is chained on its own,
    and one whose every link adds up (in time order) holds no gap.
    """
    if not has_table(con, "transactions"):
        return []
    bound, params = ("AND t.received_at < ?", [before]) if before is not None else ("", [])
    # The tails of the rows find_gaps would read (before `before` too): a chain is shown by
    # one of its own alerts' numbers, so one seen only later must not name an earlier gap.
    combos = con.execute(
        "SELECT DISTINCT coalesce(bank, ''), coalesce(account_tail, ''),"
        " coalesce(instrument, 'account') FROM transactions t WHERE status = 'transaction'"
        f" AND t.amount IS NOT NULL AND t.direction IS NOT NULL {bound}",
        params,
    ).fetchall()
    chain_ids: dict[tuple[str, ...], int] = {}
    rows: list[tuple[str, str, str, int]] = []
    members: dict[int, list[tuple[str | None, str]]] = {}
    ledger: dict[int, str] = {}
    figures: dict[int, str] = {}
    for bank, tail, instrument in combos:
        key, account = chain_key(bank, tail or None, instrument, account_of)
        if key is None:
            continue
        chain = chain_ids.setdefault(key, len(chain_ids))
        rows.append((bank, tail, instrument, chain))
        members.setdefault(chain, []).append((tail or None, instrument))
        ledger[chain] = account
        figures[chain] = key[0]  # BALANCE or AVAILABLE_LIMIT
    if not rows:
        return []
    held = _HELD if has_table(con, "held_amounts") else "FALSE"
    currency = "coalesce(t.currency, 'INR')" if _has_currency(con) else "'INR'"
    # The few (bank, tail, instrument) → chain pairs, as a table DuckDB joins on.
    keys_sql = "chain_keys (bank, tail, instrument, chain) AS (VALUES {})".format(
        ", ".join(["(?, ?, ?, ?)"] * len(rows))
    )
    key_params: list[object] = [v for row in rows for v in row]
    broken = con.execute(
        f"WITH {keys_sql}, " + _STRETCHES.format(held=held, currency=currency, bound=bound),
        key_params + params,
    ).fetchall()
    stretches = _merged(broken)
    found = (
        _stretches(con, (keys_sql, key_params), stretches, held, currency, bound, params)
        if stretches
        else {}
    )
    gaps: list[Gap] = []
    for n, alerts in found.items():
        chain = stretches[n][0]
        tail = shown_tail(members[chain])
        gaps.extend(chain_gaps(alerts, figures[chain], ledger[chain] or None, tail))
    return sorted(gaps, key=lambda g: (g.end.received_at, g.end.message_guid))


Stretch = tuple[int, "dt.datetime | None", "dt.datetime | None"]


def _merged(stretches: Iterable[Stretch]) -> list[Stretch]:
    """The stretches of each chain with overlapping or touching ones merged (None:
    open-ended), so that each alert is in one stretch at most."""
    low, high = dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC)
    ordered = sorted(stretches, key=lambda s: (s[0], s[1] or low))
    out: list[Stretch] = []
    for chain, start, end in ordered:
        if out and out[-1][0] == chain and (start or low) <= (out[-1][2] or high):
            previous = out[-1]
            out[-1] = (
                chain,
                previous[1],
                None if end is None or previous[2] is None else max(end, previous[2]),
            )
        else:
            out.append((chain, start, end))
    return out


# Every row of a chain with its running sum, then each stated figure's link to the one before:
# a link that does not add up (or crosses a held or foreign-currency alert) is dirty, and the
# stretch to re-chain runs from the last anchor before it to the first anchor from it on
# (NULL: the chain's start or end).
_STRETCHES = """
rows AS (
    SELECT k.chain, t.received_at AS moment, coalesce(t.message_rowid, 0) AS rowid,
           t.message_guid AS guid, t.balance,
           ({held}) AS held, {currency} <> 'INR' AS foreign_currency,
           CASE WHEN ({held}) OR {currency} <> 'INR' THEN 0
                WHEN t.direction = 'debit' THEN -t.amount ELSE t.amount END AS signed
    FROM transactions t JOIN chain_keys k
      ON k.bank = coalesce(t.bank, '') AND k.tail = coalesce(t.account_tail, '')
     AND k.instrument = coalesce(t.instrument, 'account')
    WHERE t.status = 'transaction' AND t.amount IS NOT NULL AND t.direction IS NOT NULL {bound}
),
ordered AS (
    SELECT *,
        sum(signed) OVER w AS cum,
        sum(CASE WHEN held OR foreign_currency THEN 1 ELSE 0 END) OVER w AS odd,
        moment - lag(moment) OVER (PARTITION BY chain ORDER BY moment, rowid, guid) AS since,
        lead(moment) OVER (PARTITION BY chain ORDER BY moment, rowid, guid) - moment AS until
    FROM rows
    WINDOW w AS (PARTITION BY chain ORDER BY moment, rowid, guid ROWS UNBOUNDED PRECEDING)
),
figures AS (
    SELECT *,
        NOT held AND NOT foreign_currency
            AND coalesce(since > INTERVAL '{same} seconds', TRUE)
            AND coalesce(until > INTERVAL '{same} seconds', TRUE) AS anchor,
        lag(balance) OVER f AS before_balance, lag(cum) OVER f AS before_cum,
        lag(odd) OVER f AS before_odd
    FROM ordered WHERE balance IS NOT NULL
    WINDOW f AS (PARTITION BY chain ORDER BY moment, rowid, guid)
),
marked AS (
    SELECT *,
        max(CASE WHEN anchor THEN moment END) OVER (PARTITION BY chain ORDER BY moment, rowid, guid
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS start_at,
        min(CASE WHEN anchor THEN moment END) OVER (PARTITION BY chain ORDER BY moment, rowid, guid
            ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS end_at,
        before_balance IS NOT NULL
            AND (balance - before_balance <> cum - before_cum OR odd <> before_odd)
            AS broken
    FROM figures
)
SELECT chain, start_at, end_at FROM marked WHERE broken
""".replace("{same}", str(int(SAME_MOMENT.total_seconds())))


def _stretches(
    con: duckdb.DuckDBPyConnection,
    keys: tuple[str, list[object]],
    stretches: Sequence[Stretch],
    held: str,
    currency: str,
    bound: str,
    params: list[object],
) -> dict[int, list[ChainAlert]]:
    """Each stretch's alerts, by its index in `stretches`, in one query (bounds inclusive;
    None: open-ended; the stretches of a chain do not overlap, so an as-of join places each
    alert in the one that starts last before it)."""
    keys_sql, key_params = keys
    values = ", ".join(
        [
            "(?, ?, coalesce(CAST(? AS TIMESTAMPTZ), '-infinity'::TIMESTAMPTZ),"
            " coalesce(CAST(? AS TIMESTAMPTZ), 'infinity'::TIMESTAMPTZ))"
        ]
        * len(stretches)
    )
    stretch_params = [v for n, (c, a, b) in enumerate(stretches) for v in (n, c, a, b)]
    select = _CHAIN_SELECT.format(held=held).replace("coalesce(t.currency, 'INR')", currency)
    query = (
        f"WITH {keys_sql}, gap_stretches (stretch, chain, start_at, end_at) AS (VALUES {values}),"
        " alerts AS ("
        + select.replace("SELECT t.message_guid", "SELECT k.chain, t.message_guid").replace(
            "FROM transactions t",
            "FROM transactions t JOIN chain_keys k ON k.bank = coalesce(t.bank, '')"
            " AND k.tail = coalesce(t.account_tail, '')"
            " AND k.instrument = coalesce(t.instrument, 'account')",
        )
        + bound
        + ") SELECT s.stretch, a.* EXCLUDE (chain) FROM alerts a ASOF JOIN gap_stretches s"
        " ON s.chain = a.chain AND a.received_at >= s.start_at WHERE a.received_at <= s.end_at"
    )
    rows = con.execute(query, key_params + stretch_params + params).fetchall()
    out: dict[int, list[ChainAlert]] = {}
    for row in rows:
        out.setdefault(int(row[0]), []).append(_alert(row[1:]))
    return out


_CHAIN_SELECT = """
    SELECT t.message_guid, t.received_at, coalesce(t.message_rowid, 0), coalesce(t.bank, ''),
           t.account_tail, coalesce(t.instrument, 'account'), t.amount, t.direction, t.balance,
           coalesce(t.currency, 'INR'), {held} AS held
    FROM transactions t
    WHERE t.status = 'transaction' AND t.amount IS NOT NULL AND t.direction IS NOT NULL
      -- only issuers that ever state a figure have a chain
      AND t.bank IN (SELECT DISTINCT bank FROM transactions WHERE balance IS NOT NULL)
"""
_HELD = "t.message_guid IN (SELECT message_guid FROM held_amounts WHERE confirmed_at IS NULL)"


def read_chain_alerts(
    con: duckdb.DuckDBPyConnection, *, before: dt.datetime | None = None
) -> list[ChainAlert]:
    """The stored transactions the chains are made of (received before `before` when given);
    empty without a `transactions` table."""
    if not has_table(con, "transactions"):
        return []
    held = _HELD if has_table(con, "held_amounts") else "FALSE"
    query, params = _CHAIN_SELECT.format(held=held), []
    if not _has_currency(con):
        query = query.replace("coalesce(t.currency, 'INR')", "'INR'")
    if before is not None:
        query, params = query + " AND t.received_at < ?", [before]
    return [_alert(r) for r in con.execute(query, params).fetchall()]


def _alert(r: tuple) -> ChainAlert:  # type: ignore[type-arg]
    return ChainAlert(
        message_guid=r[0],
        received_at=r[1] if r[1].tzinfo else r[1].replace(tzinfo=dt.UTC),
        rowid=int(r[2]),
        bank=r[3],
        account_tail=r[4],
        instrument=r[5],
        amount=Decimal(r[6]),
        direction=r[7],
        balance=None if r[8] is None else Decimal(r[8]),
        currency=r[9],
        held=bool(r[10]),
    )


def _has_currency(con: duckdb.DuckDBPyConnection) -> bool:
    [(found,)] = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'transactions'"
        " AND table_schema = current_schema() AND column_name = 'currency'"
    ).fetchall()
    return bool(found)
