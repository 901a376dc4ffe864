"""Statement benchmark: a year of statements for three accounts (≈ 5,000 lines, in the HDFC
delimited, SBI and Kotak layouts) identified and read into lines, then extracted by the
beangulp importers into Transactions; then imported into a warehouse that holds the SMS of 95 %
of them (read, stored, matched: `homeclerk import`'s work), and the bank books written with
the statement's new lines.

Target (issue 22): a year of statements for three accounts imported and matched in ≤ 5 s. Run:
    python benchmarks/statement_bench.py [--lines 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.books.accounts import parse_account_mapping
from assets.books.generate import write_bank_books
from assets.books.reconcile import stored_reconciliation
from assets.books.statement_import import import_statements
from assets.books.statement_importer import statement_importers
from assets.books.statements import StatementLine, read_statement
from assets.books.statements.layouts import HDFC_DELIMITED, KOTAK, SBI, Layout
from assets.books.statements.writer import write_statement
from assets.common.timezone import DEFAULT_TIMEZONE
from assets.common.warehouse import connect
from assets.transactions.tables import ensure_transactions_table

SMS_SHARE = 0.95  # the share of the lines whose SMS the warehouse holds

ACCOUNTS: tuple[tuple[Layout, str, str], ...] = (
    (HDFC_DELIMITED, "50100012341276", "Assets:Bank:HDFC:Savings"),
    (SBI, "00000031234567890", "Assets:Bank:SBI:Savings"),
    (KOTAK, "0123456789", "Assets:Bank:Kotak:Savings"),
)
PAYEES = ("UPI-SWIGGY", "NEFT CR-ACME CORP", "UPI-BIGBASKET", "ATW-CASH", "ACH D-ZERODHA")


def make_lines(layout: Layout, tail: str, count: int, rng: random.Random) -> list[StatementLine]:
    """A year of lines whose running balance follows from the amounts."""
    balance = Decimal("250000.00")
    start = dt.date(2025, 1, 1)
    lines = []
    for n in range(count):
        day = start + dt.timedelta(days=n * 365 // count)
        amount = Decimal(rng.randint(100, 2_500_000)) / 100 * (1 if n % 6 == 0 else -1)
        balance += amount
        lines.append(
            StatementLine(
                layout.bank,
                tail,
                day,
                day,
                f"{rng.choice(PAYEES)}-{n}",
                f"{rng.randint(10**11, 10**12 - 1)}",
                amount,
                balance,
                5 + n,
                layout.name,
            )
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=5000, help="lines across the three files")
    args = parser.parse_args()
    rng = random.Random(22)
    per_file = args.lines // len(ACCOUNTS)
    mapping = [
        {"bank": layout.bank, "tail": number[-4:], "account": account}
        for layout, number, account in ACCOUNTS
    ]
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for layout, number, _ in ACCOUNTS:
            lines = make_lines(layout, number[-4:], per_file, rng)
            path = Path(folder) / f"{layout.name}.csv"
            paths.append(write_statement(path, layout, lines, account_number=number))

        started = time.perf_counter()
        read = [read_statement(path) for path in paths]
        read_seconds = time.perf_counter() - started
        count = sum(len(lines) for lines, _ in read)
        assert all(not errors for _, errors in read), [errors for _, errors in read]

        importers = statement_importers(mapping)
        started = time.perf_counter()
        entries = 0
        for path in paths:
            [importer] = [i for i in importers if i.identify(str(path))]
            entries += len(importer.extract(str(path), []))
        extract_seconds = time.perf_counter() - started
        import_seconds, books_seconds, matched, new = _import_and_books(
            Path(folder), paths, [lines for lines, _ in read], mapping, rng
        )
    assert entries == count == per_file * len(ACCOUNTS)
    print(f"read {count} statement lines from {len(paths)} files in {read_seconds:.2f} s")
    print(f"identified and extracted {entries} transactions in {extract_seconds:.2f} s")
    print(
        f"imported and matched {count} lines into the warehouse in {import_seconds:.2f} s "
        f"({matched} matched an SMS, {new} new; target ≤ 5 s)"
    )
    print(f"wrote the bank books with the statement lines in {books_seconds:.2f} s")


def _store_sms(warehouse: Path, lines: list[StatementLine], account_digits: dict[str, str]) -> None:
    """The SMS the owner has: one `transactions` row per line, SMS_SHARE of the lines."""
    rows = []
    for n, line in enumerate(lines):
        at = dt.datetime.combine(line.date, dt.time(10), ZoneInfo(DEFAULT_TIMEZONE))
        rows.append(
            (
                f"SMS-{n}",
                n,
                at + dt.timedelta(seconds=n),
                abs(line.amount),
                "debit" if line.amount < 0 else "credit",
                line.description,
                account_digits[line.bank],
                line.balance,
                line.reference,
                line.date,
                line.bank,
            )
        )
    import pandas as pd

    frame = pd.DataFrame(
        [(*r[:3], str(r[3]), r[4], r[5], r[6], str(r[7]), *r[8:]) for r in rows],
        columns=["g", "n", "moment", "amount", "dir", "party", "tail", "bal", "ref", "day", "bank"],
    )
    with connect(warehouse) as con:
        ensure_transactions_table(con)
        con.register("sms_rows", frame)
        con.execute(
            "INSERT INTO transactions SELECT g, n, 'VM-BANK', moment, 'transaction', NULL,"
            " CAST(amount AS DECIMAL(18,2)), dir, party, tail, CAST(bal AS DECIMAL(18,2)), ref,"
            " 'upi', CAST(day AS DATE), TRUE, bank, 'account', NULL, 'transfer', 'INR', NULL"
            " FROM sms_rows"
        )


def _import_and_books(
    folder: Path,
    paths: list[Path],
    read: list[list[StatementLine]],
    mapping: list[dict[str, str]],
    rng: random.Random,
) -> tuple[float, float, int, int]:
    """(seconds to import the files, seconds to write the books, matched, new)."""
    tz = ZoneInfo(DEFAULT_TIMEZONE)
    warehouse = folder / "warehouse.duckdb"
    owner = parse_account_mapping(mapping)
    digits = {entry["bank"]: entry["tail"] for entry in mapping}
    every = [line for lines in read for line in lines]
    _store_sms(warehouse, [ln for ln in every if rng.random() < SMS_SHARE], digits)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    results = import_statements(paths, warehouse, owner, tz, now=now)
    assert all(outcome is not None for outcome, _ in results), results
    import_seconds = time.perf_counter() - started
    with connect(warehouse, read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        statement = stored_reconciliation(con, owner.lookup, tz)
        from assets.transactions.stored import read_stored_transactions

        alerts = read_stored_transactions(con)
    books = folder / "books"
    books.mkdir()
    (books / "main.beancount").write_text('include "generated/index.beancount"\n')
    started = time.perf_counter()
    write_bank_books(books, alerts, owner, tz=tz, today=dt.date(2026, 1, 10), statement=statement)
    books_seconds = time.perf_counter() - started
    return import_seconds, books_seconds, len(statement.matched), len(statement.new)


if __name__ == "__main__":
    main()
