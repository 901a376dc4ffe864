"""Statement benchmark: a year of statements for three accounts (≈ 5,000 lines, in the HDFC
delimited, SBI and Kotak layouts) identified and read into lines, then extracted by the
beangulp importers into Transactions.

Target (issue 22): a year of statements for three accounts read and matched in ≤ 5 s (this
measures the reading and extraction part). Run:
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

from assets.books.statement_importer import statement_importers
from assets.books.statements import StatementLine, read_statement
from assets.books.statements.layouts import HDFC_DELIMITED, KOTAK, SBI, Layout
from assets.books.statements.writer import write_statement

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
    assert entries == count == per_file * len(ACCOUNTS)
    print(f"read {count} statement lines from {len(paths)} files in {read_seconds:.2f} s")
    print(f"identified and extracted {entries} transactions in {extract_seconds:.2f} s")


if __name__ == "__main__":
    main()
