"""Statement lines in the warehouse (`statement_lines`, `statement_files`): the one place their
DDL lives, the writer that makes an import idempotent, and the reader the books use.

A line's identity is (account, date, amount, running balance, position), where `position` is
the line's place among the lines of the same account, date, amount and balance in its file
(1 for the first, 2 for a second identical one). Two statements that overlap print the same
days in full, so a line they share has the same identity in both and is stored once, while
two real payments of the same amount on one day stay two lines. The file's own row number is
kept beside it (`row`), to point back at the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from assets.books.statements.model import StatementLine
from assets.common.warehouse import has_table

if TYPE_CHECKING:
    import duckdb

STATEMENT_LINES_DDL = """
CREATE TABLE IF NOT EXISTS statement_lines (
    line_id VARCHAR PRIMARY KEY,
    account VARCHAR NOT NULL,
    bank VARCHAR,
    account_tail VARCHAR,
    date DATE NOT NULL,
    value_date DATE,
    amount DECIMAL(18,2) NOT NULL,
    balance DECIMAL(18,2),
    position INTEGER NOT NULL,
    row INTEGER,
    description VARCHAR,
    reference VARCHAR,
    layout VARCHAR,
    file VARCHAR,
    imported_at TIMESTAMPTZ
)
"""

# One row per imported file per account: its period (first to last line date), which is what
# "an SMS inside a statement's period" means.
STATEMENT_FILES_DDL = """
CREATE TABLE IF NOT EXISTS statement_files (
    digest VARCHAR,
    account VARCHAR,
    file VARCHAR,
    first_date DATE,
    last_date DATE,
    lines INTEGER,
    imported_at TIMESTAMPTZ,
    PRIMARY KEY (digest, account)
)
"""

# Columns added after the tables first shipped (none yet): a warehouse created before one gets
# it on the next import, as `transactions` does (assets/transactions/tables.py).
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = ()


class StoredLine(NamedTuple):
    """A statement line as the warehouse keeps it, on the owner's ledger account."""

    line_id: str
    account: str
    bank: str
    account_tail: str | None
    date: dt.date
    value_date: dt.date | None
    amount: Decimal  # signed: negative is money out of the account
    balance: Decimal | None
    position: int  # among identical lines (account, date, amount, balance) of its file
    row: int  # the row in the file it was read from
    description: str
    reference: str | None
    layout: str
    file: str

    @property
    def direction(self) -> str:
        """The side in the words alerts use: "debit" for money out, else "credit"."""
        return "debit" if self.amount < 0 else "credit"


class Period(NamedTuple):
    """The days an imported statement of an account covers (its first to last line date)."""

    account: str
    first: dt.date
    last: dt.date
    file: str


class StoreResult(NamedTuple):
    """What one import stored: new lines, and lines that were already there."""

    added: tuple[StoredLine, ...]
    already: tuple[StoredLine, ...]


def ensure_statement_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the statement tables if missing, and add columns a warehouse an older homeclerk
    created lacks."""
    con.execute(STATEMENT_LINES_DDL)
    con.execute(STATEMENT_FILES_DDL)
    for table, name, sql_type in ADDED_COLUMNS:
        present = con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = ?"
            " AND column_name = ? AND table_schema = current_schema()",
            [table, name],
        ).fetchone()
        if not (present and present[0]):
            con.execute(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}")


def line_id(account: str, date: dt.date, amount: Decimal, balance: Decimal | None, n: int) -> str:
    """The identity of a line (see the module): the same in every statement that prints it."""
    shown = "" if balance is None else f"{balance:.2f}"
    key = f"{account}|{date.isoformat()}|{amount:.2f}|{shown}|{n}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def stored_lines(account: str, lines: Sequence[StatementLine], file: str) -> list[StoredLine]:
    """`lines` of one file on `account`, each with its identity."""
    seen: Counter[tuple[dt.date, Decimal, Decimal | None]] = Counter()
    out: list[StoredLine] = []
    for line in sorted(lines, key=lambda item: item.position):
        same = (line.date, line.amount, line.balance)
        seen[same] += 1
        n = seen[same]
        out.append(
            StoredLine(
                line_id=line_id(account, line.date, line.amount, line.balance, n),
                account=account,
                bank=line.bank,
                account_tail=line.account_tail,
                date=line.date,
                value_date=line.value_date,
                amount=line.amount,
                balance=line.balance,
                position=n,
                row=line.position,
                description=line.description,
                reference=line.reference,
                layout=line.layout,
                file=file,
            )
        )
    return out


def store_lines(
    con: duckdb.DuckDBPyConnection,
    lines: Sequence[StoredLine],
    *,
    digest: str,
    imported_at: dt.datetime,
) -> StoreResult:
    """Insert the lines not stored yet and record the file's period per account; a line stored
    before (the same file again, an overlapping statement) is left as it is."""
    ensure_statement_tables(con)
    if not lines:
        return StoreResult((), ())
    ids = [line.line_id for line in lines]
    known = {
        row[0]
        for row in con.execute(
            "SELECT line_id FROM statement_lines WHERE line_id IN (SELECT unnest(?))", [ids]
        ).fetchall()
    }
    added = [line for line in lines if line.line_id not in known]
    already = [line for line in lines if line.line_id in known]
    if added:
        # One insert from a frame: executemany runs a statement per row (seconds per thousand).
        import pandas as pd

        frame = pd.DataFrame(
            [(*line, imported_at) for line in added],
            columns=[*StoredLine._fields, "imported_at"],
        )
        frame["amount"] = frame["amount"].astype(str)
        frame["balance"] = frame["balance"].map(lambda b: None if b is None else str(b))
        con.register("new_statement_lines", frame)
        try:
            con.execute(
                "INSERT INTO statement_lines SELECT line_id, account, bank, account_tail,"
                " CAST(date AS DATE), CAST(value_date AS DATE), CAST(amount AS DECIMAL(18,2)),"
                " CAST(balance AS DECIMAL(18,2)), position, row, description, reference, layout,"
                " file, imported_at FROM new_statement_lines"
            )
        finally:
            con.unregister("new_statement_lines")
    for account in sorted({line.account for line in lines}):
        mine = [line for line in lines if line.account == account]
        con.execute(
            "INSERT INTO statement_files VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                digest,
                account,
                mine[0].file,
                min(line.date for line in mine),
                max(line.date for line in mine),
                len(mine),
                imported_at,
            ],
        )
    return StoreResult(tuple(added), tuple(already))


_LINE_COLUMNS = (
    "line_id, account, bank, account_tail, date, value_date, amount, balance, position, row,"
    " description, reference, layout, file"
)


def read_lines(con: duckdb.DuckDBPyConnection) -> list[StoredLine]:
    """Every stored statement line, by account, date and file row (empty before any import)."""
    if not has_table(con, "statement_lines"):
        return []
    rows = con.execute(
        f"SELECT {_LINE_COLUMNS} FROM statement_lines ORDER BY account, date, file, row, line_id"
    ).fetchall()
    return [_line(r) for r in rows]


def _line(r: Iterable[object]) -> StoredLine:
    values = list(r)
    values[6] = Decimal(values[6])  # type: ignore[arg-type]
    values[7] = None if values[7] is None else Decimal(values[7])  # type: ignore[arg-type]
    values[8], values[9] = int(values[8]), int(values[9] or 0)  # type: ignore[call-overload]
    values[10] = values[10] or ""
    return StoredLine(*values)  # type: ignore[arg-type]


def read_periods(con: duckdb.DuckDBPyConnection) -> list[Period]:
    """The periods of every imported statement, by account and first day."""
    if not has_table(con, "statement_files"):
        return []
    rows = con.execute(
        "SELECT account, first_date, last_date, file FROM statement_files"
        " ORDER BY account, first_date, last_date, file"
    ).fetchall()
    return [Period(*r) for r in rows]
