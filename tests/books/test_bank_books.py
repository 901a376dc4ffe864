"""Bank alerts → generated books: deterministic, idempotent, deduplicated, asserted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from beancount.core import data

from assets.books.checks import load_books
from assets.books.generate import write_bank_books
from assets.books.writer import ensure_generated

from .helpers import CARD, SAVINGS, TZ, alert, mapping, sample_alerts, write_main

D1, D2, D3 = dt.date(2025, 3, 30), dt.date(2025, 3, 31), dt.date(2025, 4, 1)
TODAY = dt.date(2025, 4, 10)


def _alerts() -> list:
    return sample_alerts(D1, D2, D3)


def _snapshot(books: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(books)): p.read_bytes()
        for p in sorted((books / "generated").rglob("*.beancount"))
    }


def test_generated_files_are_byte_identical_across_runs_and_input_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_main(first)
    write_main(second)
    write_bank_books(first, _alerts(), mapping(), tz=TZ, today=TODAY)
    write_bank_books(second, list(reversed(_alerts())), mapping(), tz=TZ, today=TODAY)
    assert _snapshot(first) == _snapshot(second)
    assert set(_snapshot(first)) == {
        "generated/accounts.beancount",
        "generated/index.beancount",
        "generated/bank/2025-03.beancount",
        "generated/bank/2025-04.beancount",
    }


def test_rerun_is_idempotent_and_the_ledger_loads_clean(tmp_path: Path) -> None:
    main = write_main(tmp_path)
    first = write_bank_books(tmp_path, _alerts(), mapping(), tz=TZ, today=TODAY)
    before = _snapshot(tmp_path)
    again = write_bank_books(tmp_path, _alerts(), mapping(), tz=TZ, today=TODAY)
    assert _snapshot(tmp_path) == before
    assert again.report.written == () and len(again.report.unchanged) == 2
    assert first.build.transactions == again.build.transactions

    books = load_books(main)
    assert books.errors == ()
    guids = [
        e.meta["sms_guid"]
        for e in books.entries
        if isinstance(e, data.Transaction) and "sms_guid" in e.meta
    ]
    assert sorted(guids) == ["GUID-0001", "GUID-0002", "GUID-0003", "GUID-0004", "GUID-0005"]
    # The savings account is opened by the owner, so the generated accounts never open it again.
    accounts = (tmp_path / "generated" / "accounts.beancount").read_text()
    assert f"open {SAVINGS}" not in accounts and f"open {CARD}" in accounts
    assert "open Expenses:Uncategorized" in accounts


def test_balance_assertions_next_day_bank_only_complete_days(tmp_path: Path) -> None:
    write_main(tmp_path)
    built = write_bank_books(tmp_path, _alerts(), mapping(), tz=TZ, today=D3).build
    # D1 → asserted on D2 from the day's last alert (18:00), D2 → on D3 (debit card counts);
    # D3 is today, so not complete; the credit card's available limit is never asserted.
    assert [(b.date, b.account, str(b.amount.number)) for b in built.balances] == [
        (D2, SAVINGS, "10950.00"),
        (D3, SAVINGS, "10451.00"),
    ]


def test_missed_alert_is_caught_by_a_balance_assertion(tmp_path: Path) -> None:
    main = write_main(tmp_path)
    alerts = [a for a in _alerts() if a.message_guid != "GUID-0001"]  # the SWIGGY SMS never came
    write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY)
    errors = load_books(main).errors
    assert errors, "a missed 250.00 debit must break the next day's balance"
    assert all("Balance failed" in e.message for e in errors)
    assert any("bank/2025-03.beancount" in e.filename for e in errors)


def test_hand_keyed_entry_is_not_generated_again(tmp_path: Path) -> None:
    hand = (
        "2025-01-01 open Expenses:Food:Cafe\n"
        '2025-03-31 * "Chai Point" "keyed in by hand, a day early"\n'
        f"  {SAVINGS}  -51.00 INR\n"
        "  Expenses:Food:Cafe\n"
    )
    main = write_main(tmp_path, extra=hand)
    built = write_bank_books(tmp_path, _alerts(), mapping(), tz=TZ, today=TODAY).build
    assert built.hand_kept_duplicates == ("GUID-0005",)
    assert "GUID-0005" not in {t.meta["sms_guid"] for t in built.transactions}
    text = (tmp_path / "generated" / "accounts.beancount").read_text()
    assert "Expenses:Food:Cafe" not in text  # the owner opens it, so it is not opened twice
    assert load_books(main).errors == ()


def test_moved_generated_entry_is_recognised_by_guid(tmp_path: Path) -> None:
    write_main(tmp_path)
    write_bank_books(tmp_path, _alerts(), mapping(), tz=TZ, today=TODAY)
    generated = (tmp_path / "generated" / "bank" / "2025-04.beancount").read_text()
    moved = generated[generated.index("2025-04-01 *") :]
    moved = moved.replace("Expenses:Food:Cafe", "Expenses:Food:Snacks")
    main = write_main(tmp_path, extra="2025-01-01 open Expenses:Food:Snacks\n" + moved)
    built = write_bank_books(tmp_path, _alerts(), mapping(), tz=TZ, today=TODAY).build
    assert built.hand_kept_duplicates == ("GUID-0005",)
    april = (tmp_path / "generated" / "bank" / "2025-04.beancount").read_text()
    assert 'sms_guid: "GUID-0005"' not in april and "balance" in april  # assertions stay
    assert load_books(main).errors == ()


def test_same_amount_with_a_different_reference_is_not_a_duplicate(tmp_path: Path) -> None:
    hand = (
        "2025-01-01 open Income:Gifts\n"
        '2025-03-30 * "Karan" "gift"\n'
        '  bank_ref: "999999999999"\n'
        f"  {SAVINGS}  1200.00 INR\n"
        "  Income:Gifts\n"
    )
    write_main(tmp_path, extra=hand)
    built = write_bank_books(tmp_path, _alerts(), mapping(), tz=TZ, today=TODAY).build
    assert built.hand_kept_duplicates == ()


def test_unmapped_account_is_skipped_and_reported_with_the_toml_line(tmp_path: Path) -> None:
    write_main(tmp_path)
    stray = alert(9, D2, "80.00", tail="0042", bank="ICICI", balance="500.00")
    built = write_bank_books(tmp_path, [*_alerts(), stray], mapping(), tz=TZ, today=TODAY).build
    assert [u[:4] for u in built.unmapped] == [("ICICI", "0042", "account", 1)]
    assert built.unmapped[0].toml_line == (
        '{ bank = "ICICI", tail = "0042", account = "Assets:Bank:Icici:Savings" },'
    )
    assert "GUID-0009" not in {t.meta["sms_guid"] for t in built.transactions}


def test_late_alert_for_an_earlier_day_suppresses_an_unsafe_assertion(tmp_path: Path) -> None:
    write_main(tmp_path)
    late = alert(6, D1, "100.00", balance="10351.00", hour=9)._replace(
        received_at=dt.datetime(2025, 3, 31, 23, 0, tzinfo=TZ)
    )
    alerts = [*_alerts(), late]
    built = write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY).build
    # D2's last alert (the late one) is dated D1: the figure after it covers D1 and D2, so the
    # assertion on D2 (entries up to D1) would be wrong and is left out.
    assert (D2, SAVINGS) not in {(b.date, b.account) for b in built.balances}


def test_starter_main_loads_clean_with_an_empty_generated_folder(tmp_path: Path) -> None:
    starter = Path(__file__).parents[2] / "ledger" / "main.beancount"
    (tmp_path / "main.beancount").write_text(starter.read_text())
    ensure_generated(tmp_path)
    assert load_books(tmp_path / "main.beancount").errors == ()
