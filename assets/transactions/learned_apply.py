"""Learned categories in the warehouse: train on what the owner's rules filed, suggest for the
rest, and file what the model is sure enough of (`[categories] auto_apply_confidence`).

A row filed this way has `category_source = 'learned'`; every other category came from the rules
(the owner's `[[categories.rules]]` and the shipped ones) or from a refund's purchase, and
`category_source` is NULL. The model learns only from those: never from its own guesses. A rule
always wins: only `Uncategorized` rows are candidates, and a rule written later re-files a
learned row as it re-files an uncategorized one (category_refresh.py). Refunds follow their
purchase (refunds.py), never the model.

Each run of `transactions` with the setting on re-learns when what it learns from or what it
files changed (a fingerprint of both kept in `derive_state`), so an unchanged warehouse costs
two aggregate queries; with the setting off, a warehouse without learned rows costs one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from assets.transactions.categories import UNCATEGORIZED
from assets.transactions.learned import (
    Example,
    Model,
    Suggestion,
    amount_feature,
    name_features,
    shape_features,
    time_features,
)

if TYPE_CHECKING:
    import duckdb

LEARNED = "learned"  # the value of `category_source` on a row the model filed
# Bump when the model or its features change: the next run then re-files every candidate.
LEARNED_VERSION = 1
_KEY = "learned_categories"
_STATE_DDL = "CREATE TABLE IF NOT EXISTS derive_state (key VARCHAR PRIMARY KEY, value VARCHAR)"

# A refund is neither learned from nor filed: it takes its purchase's category (refunds.py), a
# copy that would teach the model nothing, and the credits it would be compared with are income.
_FILED = (
    "status = 'transaction' AND category IS NOT NULL AND category <> 'Uncategorized'"
    " AND category_source IS DISTINCT FROM 'learned' AND kind IS DISTINCT FROM 'refund'"
)
_CANDIDATE = (
    "status = 'transaction' AND kind IS DISTINCT FROM 'refund'"
    " AND (coalesce(category, 'Uncategorized') = 'Uncategorized' OR category_source = 'learned')"
)
_FIELDS = (
    "payee, counterparty, direction, coalesce(channel, 'other'), kind, amount,"
    " epoch_us(received_at)"
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def example_of(row: Sequence[Any], tz: ZoneInfo) -> Example:
    """An Example from the columns of `_FIELDS` (received_at in Unix µs)."""
    payee, counterparty, direction, channel, kind, amount, received_us = row[:7]
    when = (_EPOCH + dt.timedelta(microseconds=int(received_us or 0))).astimezone(tz)
    return Example(payee, counterparty, direction, channel, kind, float(amount or 0), when)


class Learned:
    """One model per direction (a debit never gets an income category, nor the reverse)."""

    def __init__(self, history: Sequence[tuple[Example, str]] = ()) -> None:
        self.models: dict[str, Model] = {}
        for example, category in history:
            self.model(example.direction).add(example, category)
        self.finish()

    def model(self, direction: str) -> Model:
        """The (unfinished while counting) model of one direction."""
        return self.models.setdefault(direction, Model())

    def finish(self) -> Learned:
        """Ready every model to suggest (after counting)."""
        for model in self.models.values():
            model.finish()
        return self

    def suggest(self, example: Example) -> Suggestion | None:
        """The best category for the example's direction, or None when none is learned."""
        model = self.models.get(example.direction)
        return None if model is None else model.suggest(example)

    def posterior(self, example: Example) -> dict[str, float]:
        """Every category's probability for the example's direction ({} when none)."""
        model = self.models.get(example.direction)
        return {} if model is None else model.posterior(example)


def learn_from_warehouse(con: duckdb.DuckDBPyConnection, tz: ZoneInfo) -> Learned:
    """The model of every stored transaction the rules filed (learned rows left out).

    Counted by parts, each with one GROUP BY (learned.py: shape, amount, time, name), so
    learning costs a few queries and Python work per distinct amount, hour and counterparty,
    not per transaction: ~100,000 stored alerts learn in well under a second.
    """
    filed = _FILED
    if not _has_source_column(con):
        # A warehouse from before learned categories, read-only (`homeclerk categorize`)
        # before `transactions` ran again to add the column: nothing in it is learned.
        filed = filed.replace(" AND category_source IS DISTINCT FROM 'learned'", "", 1)
    learned = Learned()

    def grouped(columns: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return con.execute(
            f"SELECT direction, {columns}, category, count(*) FROM transactions"
            f" WHERE {filed} AND direction IS NOT NULL GROUP BY ALL",
            list(params),
        ).fetchall()

    for direction, channel, kind, category, n in grouped("coalesce(channel, 'other'), kind"):
        model = learned.model(direction)
        model.class_counts[category] += n
        model.add_features(shape_features(direction, channel, kind), category, n)
    for direction, amount, category, n in grouped("amount"):
        learned.model(direction).add_features([amount_feature(float(amount or 0))], category, n)
    local = "(received_at AT TIME ZONE ?)"
    for direction, weekday, hour, category, n in grouped(
        f"isodow({local}) - 1, hour({local})", [tz.key, tz.key]
    ):
        learned.model(direction).add_features(time_features(weekday, hour), category, n)
    for direction, payee, counterparty, category, n in grouped("payee, counterparty"):
        learned.model(direction).add_features(name_features(payee, counterparty), category, n)
    return learned.finish()


def apply_learned(con: duckdb.DuckDBPyConnection, threshold: float | None, tz: ZoneInfo) -> int:
    """File each uncategorized transaction the model is at least `threshold` sure of (None: the
    setting is off, and rows filed by an earlier setting go back to `Uncategorized`); a learned
    row below it goes back too. How many rows changed."""
    if threshold is None:
        (count,) = con.execute(
            "SELECT count(*) FROM transactions WHERE category_source = ?", [LEARNED]
        ).fetchone() or (0,)
        if count:
            con.execute(
                "UPDATE transactions SET category = ?, category_source = NULL"
                " WHERE category_source = ?",
                [UNCATEGORIZED, LEARNED],
            )
        return int(count)
    con.execute(_STATE_DDL)
    fingerprint = _fingerprint(con, threshold)
    row = con.execute("SELECT value FROM derive_state WHERE key = ?", [_KEY]).fetchone()
    if row is not None and row[0] == fingerprint:
        return 0
    learned = learn_from_warehouse(con, tz)
    changes = []
    for guid, category, source, *fields in con.execute(
        f"SELECT message_guid, category, category_source, {_FIELDS} FROM transactions"
        f" WHERE {_CANDIDATE}"
    ).fetchall():
        suggestion = learned.suggest(example_of(fields, tz))
        if suggestion is not None and suggestion.confidence >= threshold:
            new = (suggestion.category, LEARNED)
        else:
            new = (UNCATEGORIZED, None)
        if new != (category or UNCATEGORIZED, source):
            changes.append((guid, *new))
    if changes:
        import pandas as pd  # loaded by the run that derives, not the code server

        frame = pd.DataFrame.from_records(changes, columns=["guid", "category", "source"])
        con.register("learned_changes", frame)
        con.execute(
            "UPDATE transactions SET category = c.category, category_source = c.source"
            " FROM learned_changes c WHERE transactions.message_guid = c.guid"
        )
        con.unregister("learned_changes")
    con.execute(
        "INSERT INTO derive_state VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [_KEY, _fingerprint(con, threshold)],
    )
    return len(changes)


def _has_source_column(con: duckdb.DuckDBPyConnection) -> bool:
    # The result's column names: information_schema costs ~100 ms on a cold catalog.
    columns = con.execute("SELECT * FROM transactions LIMIT 0").description or ()
    return any(column[0] == "category_source" for column in columns)


def _fingerprint(con: duckdb.DuckDBPyConnection, threshold: float) -> str:
    """What the learned categories depend on: the setting, the model's version, and the rows
    learned from and filed (how many, the newest, and a hash of their categories)."""
    filed = con.execute(
        f"SELECT count(*), max(message_rowid), sum(hash(message_guid || category)) % 1000000007"
        f" FROM transactions WHERE {_FILED}"
    ).fetchone()
    candidates = con.execute(
        f"SELECT count(*), max(message_rowid), sum(hash(message_guid)) % 1000000007"
        f" FROM transactions WHERE {_CANDIDATE}"
    ).fetchone()
    return f"{LEARNED_VERSION}|{threshold}|{filed}|{candidates}"
