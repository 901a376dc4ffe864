"""What lets a changed `[[sms.formats]]` re-read old messages: a fingerprint kept in the warehouse.

`derive_transactions` compares the fingerprint of the formats it runs with against the one stored
by the last run; when they differ, it re-parses the messages it could not read before. The
built-in formats count too: a new issuer module (a wallet's, a card issuer's) reads the alerts
of its senders that an older homeclerk stored as unrecognized.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from assets.transactions.parsing import Format
from assets.transactions.parsing.issuers import (
    FORMATS_BY_ISSUER,
    GENERIC_FORMATS,
    ISSUER_BY_HEADER,
)

if TYPE_CHECKING:
    import duckdb

_STATE_DDL = "CREATE TABLE IF NOT EXISTS derive_state (key VARCHAR PRIMARY KEY, value VARCHAR)"
_KEY = "sms_formats_fingerprint"


def _described(formats: Sequence[Format]) -> list[list[str | None]]:
    return [
        [f.name, f.regex.pattern, f.direction, f.channel, f.instrument, f.header, f.bank, f.kind]
        for f in formats
    ]


def builtin_fingerprint(
    by_issuer: Mapping[str, Sequence[Format]],
    by_header: Mapping[str, str],
    generic: Sequence[Format],
) -> str:
    """A digest of the built-in formats and the headers that route to them."""
    described = [
        sorted([issuer, _described(formats)] for issuer, formats in by_issuer.items()),
        sorted(by_header.items()),
        _described(generic),
    ]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()


# Computed once: the built-in formats do not change while homeclerk runs.
BUILTIN_FINGERPRINT = builtin_fingerprint(FORMATS_BY_ISSUER, ISSUER_BY_HEADER, GENERIC_FORMATS)


def formats_fingerprint(formats: Sequence[Format] | None) -> str:
    """A digest of everything in the owner's formats, and the built-in ones, that decides what
    they read."""
    described = [BUILTIN_FINGERPRINT, _described(formats or ())]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()


def stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint the last derive stored, or None before the first."""
    return stored_state(con, _KEY)


def store_fingerprint(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Remember the fingerprint of the formats the unrecognized rows were last tried with."""
    store_state(con, _KEY, fingerprint)


def stored_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """The value derive last stored under `key` in `derive_state`, or None before the first."""
    import duckdb

    # One query a tick: asking the catalogue first (information_schema) costs more than this.
    try:
        row = con.execute("SELECT value FROM derive_state WHERE key = ?", [key]).fetchone()
    except duckdb.CatalogException:  # no derive_state yet: a warehouse from before it
        return None
    return None if row is None else str(row[0])


def store_state(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Keep `value` under `key` in `derive_state` for the next derive to compare."""
    con.execute(_STATE_DDL)
    con.execute(
        "INSERT INTO derive_state VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
