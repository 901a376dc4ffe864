"""Balance-chain gaps against the books: the check, and the owner's entries that close a gap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from beancount.parser import parser
from dagster import AssetSelection, AssetSpec, DagsterInstance, materialize

from assets.books.checks import load_books
from assets.books.definitions import balances_chain_whole
from assets.books.gaps import balance_gaps, close_by_hand, gap_entry, gap_line, read_gaps
from assets.books.generate import write_bank_books
from assets.books.handkept import hand_kept_from_entries
from assets.books.resources import BooksResource
from assets.common.resources import Warehouse
from assets.common.warehouse import connect
from assets.transactions.balance_chain import LEFT

from .helpers import CARD, SAVINGS, TZ, alert, mapping, store_alerts, write_main

D1, D2, D3 = dt.date(2026, 11, 3), dt.date(2026, 11, 4), dt.date(2026, 11, 5)


def _alerts() -> list:
    # 2,340 left the savings account between the first and the third alert with no alert; the
    # card's limit chain is whole.
    return [
        alert(1, D1, "100.00", balance="9900.00", hour=14),
        alert(2, D2, "500.00", tail="9541", instrument="credit_card", balance="49500.00"),
        alert(3, D3, "60.00", balance="7500.00", hour=9),
        alert(4, D3, "40.00", tail="9541", instrument="credit_card", balance="49460.00"),
    ]


def _hand(text: str):
    entries, errors, _ = parser.parse_string(text)
    assert not errors
    return hand_kept_from_entries(entries)


def _gaps(tmp_path: Path, hand_text: str = ""):
    store_alerts(tmp_path / "w.duckdb", _alerts())
    with connect(tmp_path / "w.duckdb", read_only=True) as con:
        return read_gaps(con, mapping(), TZ, _hand(hand_text))


def test_the_gap_names_account_amount_way_and_both_alerts(tmp_path: Path) -> None:
    report = _gaps(tmp_path)
    [gap] = report.open
    assert (gap.ledger_account, gap.amount, gap.direction) == (SAVINGS, Decimal("2340.00"), LEFT)
    assert gap_line(gap, TZ) == (
        "₹2,340 left HDFC XX1276 (Assets:Bank:HDFC:Savings) with no alert, between "
        "2026-11-03 14:01 (GUID-0001) and 2026-11-05 09:03 (GUID-0003)"
    )
    assert report.closed == ()


def test_an_entry_of_the_owner_on_the_account_with_the_amount_in_the_gap_closes_it(
    tmp_path: Path,
) -> None:
    entry = f'2026-11-04 * "Cash"\n  {SAVINGS}  -2340.00 INR\n  Expenses:Cash\n'
    report = _gaps(tmp_path, entry)
    assert report.open == ()
    [closed] = report.closed
    assert (closed.entry.date, closed.entry.amount) == (D2, Decimal("-2340.00"))


def test_entries_that_do_not_explain_the_gap_leave_it_open(tmp_path: Path) -> None:
    not_it = [
        f'2026-11-04 * "x"\n  {SAVINGS}  -2340.01 INR\n  Expenses:Cash\n',  # another amount
        f'2026-11-04 * "x"\n  {SAVINGS}  2340.00 INR\n  Income:Cash\n',  # the other way
        f'2026-11-04 * "x"\n  {CARD}  -2340.00 INR\n  Expenses:Cash\n',  # another account
        f'2026-11-06 * "x"\n  {SAVINGS}  -2340.00 INR\n  Expenses:Cash\n',  # after the gap
        f'2026-11-02 * "x"\n  {SAVINGS}  -2340.00 INR\n  Expenses:Cash\n',  # before it
        # A generated entry the owner moved into their files is the alert's, not new money.
        f'2026-11-04 * "x"\n  sms_guid: "G9"\n  {SAVINGS}  -2340.00 INR\n  Expenses:Cash\n',
    ]
    for text in not_it:
        assert len(_gaps(tmp_path / str(len(text)) / str(hash(text)), text).open) == 1, text


def test_one_entry_explains_one_gap() -> None:
    from assets.transactions.balance_chain import ChainAlert, find_gaps

    def ca(n: int, amount: str, balance: str) -> ChainAlert:
        at = dt.datetime(2026, 11, 3, 10, tzinfo=TZ) + dt.timedelta(hours=n)
        return ChainAlert(
            f"G{n}", at, n, "HDFC", "1276", "account", Decimal(amount), "debit", Decimal(balance)
        )

    gaps = find_gaps([ca(1, "1", "99"), ca(2, "1", "88"), ca(3, "1", "77")], mapping().lookup)
    assert [g.amount for g in gaps] == [Decimal(10), Decimal(10)]
    hand = _hand(f'2026-11-03 * "x"\n  {SAVINGS}  -10.00 INR\n  Expenses:Cash\n')
    report = close_by_hand(gaps, hand, TZ)
    assert len(report.open) == 1 and len(report.closed) == 1
    assert report.open[0].end.message_guid == "G3"  # the older gap took the entry


def test_the_printed_entry_pasted_into_the_owner_s_file_closes_the_gap_and_loads(
    tmp_path: Path,
) -> None:
    books = tmp_path / "books"
    main = write_main(books, opening="10000.00")
    store_alerts(tmp_path / "w.duckdb", _alerts())
    [gap] = balance_gaps(tmp_path / "w.duckdb", books, mapping(), TZ).open
    entry = gap_entry(gap, TZ)
    assert entry is not None
    main.write_text(main.read_text() + "\n" + entry + "\n")
    report = balance_gaps(tmp_path / "w.duckdb", books, mapping(), TZ)
    assert (report.open, len(report.closed)) == ((), 1)
    # The books written with it load clean: every balance assertion holds and the
    # uncategorized account it posts to is opened.
    write_bank_books(books, _alerts(), mapping(), tz=TZ, today=D3 + dt.timedelta(days=5))
    loaded = load_books(main)
    assert not loaded.errors, [e.message for e in loaded.errors]
    assert "2026-11-06 balance Assets:Bank:HDFC:Savings" in "".join(
        p.read_text() for p in (books / "generated" / "bank").glob("*.beancount")
    )


def test_the_printed_entry_is_never_taken_for_an_alert_of_the_same_amount(tmp_path: Path) -> None:
    # 60 left with no alert between the alerts of 3 and 5 Nov, and an alert of 60 on 5 Nov:
    # an entry of -60 dated 5 Nov would be taken for that alert's copy, but not this one.
    books = tmp_path / "books"
    main = write_main(books, opening="10000.00")
    alerts = [
        alert(1, D1, "100.00", balance="9900.00", hour=14),
        alert(3, D3, "60.00", balance="9780.00", hour=9),
    ]
    store_alerts(tmp_path / "w.duckdb", alerts)
    [gap] = balance_gaps(tmp_path / "w.duckdb", books, mapping(), TZ).open
    entry = gap_entry(gap, TZ)
    assert entry is not None and 'balance_gap: "GUID-0001 GUID-0003"' in entry
    main.write_text(main.read_text() + "\n" + entry + "\n")
    assert balance_gaps(tmp_path / "w.duckdb", books, mapping(), TZ).open == ()
    build = write_bank_books(books, alerts, mapping(), tz=TZ, today=D3 + dt.timedelta(days=5))
    assert build.build.hand_kept_duplicates == ()
    loaded = load_books(main)
    assert not loaded.errors, [e.message for e in loaded.errors]


def test_the_check_warns_with_each_gap_and_the_entry_to_keep(tmp_path: Path) -> None:
    store_alerts(tmp_path / "w.duckdb", _alerts())
    resources = {
        "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
        "books_config": BooksResource(
            books_dir=str(tmp_path / "books"),
            account_mapping=mapping().as_config(),
            timezone="Asia/Kolkata",
        ),
    }
    result = materialize(
        [AssetSpec("transactions"), balances_chain_whole],
        resources=resources,
        selection=AssetSelection.checks(balances_chain_whole),
        instance=DagsterInstance.ephemeral(),
    )
    [evaluation] = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert not evaluation.passed
    assert evaluation.severity.value == "WARN"
    assert evaluation.metadata["open_gaps"].value == 1
    assert "₹2,340 left HDFC XX1276" in evaluation.metadata["gaps"].value
    assert f"{SAVINGS}  -2340.00 INR" in evaluation.metadata["entries"].value
    assert "₹2,340 left HDFC XX1276" in (evaluation.description or "")
