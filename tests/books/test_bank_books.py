"""Bank alerts → generated books: deterministic, idempotent, deduplicated, asserted."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from beancount.parser import parser

from assets.books.accounts import parse_account_mapping
from assets.books.checks import load_books
from assets.books.entries import build_ledger
from assets.books.generate import write_bank_books
from assets.books.handkept import HandKept, hand_kept_from_entries
from assets.books.writer import ensure_generated
from assets.transactions.stored import StoredTransaction
from pipeline.settings import load_settings

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
        "generated/fava.beancount",
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
    assert built.unmapped[0].toml_entry == (
        "[[books.accounts]]  # account, 1 alert(s) 2025-03-31..2025-03-31\n"
        'bank = "ICICI"\ntail = "0042"\naccount = "Assets:Bank:Icici:Savings"'
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


# --- entries in detail: what each transaction says, which hand entry absorbs which alert ------


def _hand(text: str) -> HandKept:
    entries, errors, _options = parser.parse_string(text)
    assert errors == []
    return hand_kept_from_entries(entries)


@contextlib.contextmanager
def _machine_timezone(name: str) -> Iterator[None]:
    """Run with the process in another timezone (the owner's is always passed in)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_each_transaction_names_its_channel_flags_uncategorized_and_is_tagged_sms() -> None:
    upi = alert(1, D1, "250.00", reference="607152602351")
    card = alert(2, D1, "99.00", category=None)._replace(channel="card")
    other = alert(3, D1, "10.00", "credit", category="Interest")._replace(channel="netbanking")
    built = build_ledger([other, card, upi], mapping(), tz=TZ, today=TODAY)
    assert [
        (t.meta["sms_guid"], t.flag, t.payee, t.narration, t.tags, t.links)
        for t in built.transactions
    ] == [
        ("GUID-0001", "*", "SWIGGY", "UPI debit", frozenset({"sms"}), frozenset()),
        ("GUID-0002", "!", "SWIGGY", "Card debit", frozenset({"sms"}), frozenset()),
        ("GUID-0003", "*", "SWIGGY", "Netbanking credit", frozenset({"sms"}), frozenset()),
    ]
    assert built.transactions[0].meta["bank_ref"] == "607152602351"
    assert "bank_ref" not in built.transactions[1].meta


def test_an_undated_alert_takes_its_day_in_the_owner_timezone_not_the_machine_s() -> None:
    # 19:00 UTC is 00:30 the next day in India; 17:00 UTC is still the same day there.
    late = alert(1, D1, "10.00")._replace(
        txn_date=None, received_at=dt.datetime(2025, 3, 30, 19, 0, tzinfo=dt.UTC)
    )
    early = alert(2, D1, "20.00")._replace(
        txn_date=None, received_at=dt.datetime(2025, 3, 30, 17, 0, tzinfo=dt.UTC)
    )
    with _machine_timezone("America/Los_Angeles"):
        built = build_ledger([late, early], mapping(), tz=TZ, today=TODAY)
    assert [(t.date, t.meta["sms_guid"]) for t in built.transactions] == [
        (dt.date(2025, 3, 30), "GUID-0002"),
        (dt.date(2025, 3, 31), "GUID-0001"),
    ]


def test_transactions_come_out_by_date_then_guid_whatever_the_guid_order() -> None:
    later = alert(1, D2, "10.00")
    earlier = alert(2, D1, "20.00")
    built = build_ledger([later, earlier], mapping(), tz=TZ, today=TODAY)
    assert [t.meta["sms_guid"] for t in built.transactions] == ["GUID-0002", "GUID-0001"]


def test_one_hand_entry_absorbs_only_one_of_two_identical_alerts() -> None:
    hand = _hand(f'2025-03-30 * "Chai"\n  {SAVINGS}  -51.00 INR\n  Expenses:Food:Cafe\n')
    alerts = [alert(1, D1, "51.00"), alert(2, D1, "51.00", hour=11)]
    built = build_ledger(alerts, mapping(), tz=TZ, today=TODAY, hand=hand)
    assert built.hand_kept_duplicates == ("GUID-0001",)
    assert [t.meta["sms_guid"] for t in built.transactions] == ["GUID-0002"]


def test_a_hand_entry_two_days_away_is_not_the_alert() -> None:
    hand = _hand(f'2025-04-01 * "Chai"\n  {SAVINGS}  -51.00 INR\n  Expenses:Food:Cafe\n')
    built = build_ledger([alert(1, D1, "51.00")], mapping(), tz=TZ, today=TODAY, hand=hand)
    assert built.hand_kept_duplicates == ()


def test_a_hand_entry_without_a_reference_matches_an_alert_that_has_one() -> None:
    hand = _hand(f'2025-03-30 * "Gift"\n  {SAVINGS}  1200.00 INR\n  Income:Gifts\n')
    gift = alert(1, D1, "1200.00", "credit", reference="607152602351", category="Gifts")
    built = build_ledger([gift], mapping(), tz=TZ, today=TODAY, hand=hand)
    assert built.hand_kept_duplicates == ("GUID-0001",)


def test_hand_entries_that_do_not_fit_do_not_hide_a_later_one_that_does() -> None:
    hand = _hand(
        f'2025-03-20 * "Old"\n  {SAVINGS}  -51.00 INR\n  Expenses:Food:Cafe\n\n'
        f'2025-03-30 * "Other ref"\n  bank_ref: "111"\n  {SAVINGS}  -51.00 INR\n'
        "  Expenses:Food:Cafe\n\n"
        f'2025-03-30 * "This one"\n  {SAVINGS}  -51.00 INR\n  Expenses:Food:Cafe\n'
    )
    chai = alert(1, D1, "51.00", reference="222")
    built = build_ledger([chai], mapping(), tz=TZ, today=TODAY, hand=hand)
    assert built.hand_kept_duplicates == ("GUID-0001",)


def test_a_hand_entry_with_the_same_reference_wins_over_a_nearer_one_without() -> None:
    # The first alert must take the entry with its reference (a day later), leaving the
    # reference-less entry for the second alert, whose own reference matches neither.
    hand = _hand(
        f'2025-03-31 * "Nearer, no ref"\n  {SAVINGS}  -700.00 INR\n  Expenses:Rent\n\n'
        f'2025-04-01 * "Same ref"\n  bank_ref: "R1"\n  {SAVINGS}  -700.00 INR\n'
        "  Expenses:Rent\n"
    )
    first = alert(1, D2, "700.00", reference="R1")
    second = alert(2, D2, "700.00", reference="R2", hour=11)
    built = build_ledger([first, second], mapping(), tz=TZ, today=TODAY, hand=hand)
    assert built.hand_kept_duplicates == ("GUID-0001", "GUID-0002")


def test_a_moved_entry_does_not_absorb_another_alert_of_the_same_amount() -> None:
    # The owner moved GUID-0001's generated entry into their file; GUID-0002 is a new payment.
    hand = _hand(
        f'2025-03-30 * "Chai"\n  sms_guid: "GUID-0001"\n  {SAVINGS}  -51.00 INR\n'
        "  Expenses:Food:Cafe\n"
    )
    alerts = [alert(1, D1, "51.00"), alert(2, D2, "51.00")]
    built = build_ledger(alerts, mapping(), tz=TZ, today=TODAY, hand=hand)
    assert built.hand_kept_duplicates == ("GUID-0001",)
    assert [t.meta["sms_guid"] for t in built.transactions] == ["GUID-0002"]


def test_unmapped_sources_are_reported_in_a_stable_order_and_the_rest_still_booked() -> None:
    unmapped = [
        alert(0, D1, "5.00", tail="0042", bank="ICICI"),  # before every mapped alert
        alert(7, D3, "6.00", tail="0042", bank="ICICI"),
        alert(8, D2, "7.00", tail="7777", bank="AXIS", instrument="credit_card"),
        alert(9, D2, "8.00", tail=None),  # an HDFC alert that names no account
        alert(10, D2, "9.00", tail="0099"),
    ]
    built = build_ledger([*_alerts(), *unmapped], mapping(), tz=TZ, today=TODAY)
    assert [u[:6] for u in built.unmapped] == [
        ("AXIS", "7777", "credit_card", 1, D2, D2),
        ("HDFC", "0099", "account", 1, D2, D2),
        ("HDFC", None, "account", 1, D2, D2),
        ("ICICI", "0042", "account", 2, D1, D3),
    ]
    assert built.unmapped[0].toml_entry.endswith(
        'bank = "AXIS"\ntail = "7777"\naccount = "Liabilities:CreditCard:Axis"'
    )
    # An alert that names no number maps by bank + instrument: never a `tail = "????"`.
    assert built.unmapped[2].toml_entry.endswith(
        'bank = "HDFC"\ninstrument = "account"\naccount = "Assets:Bank:Hdfc:Savings"'
    )
    assert len(built.transactions) == len(_alerts())


def test_a_loan_account_s_alerts_give_no_balance_assertion() -> None:
    # An overdraft or loan SMS states what is still available, not what the ledger holds.
    loan = parse_account_mapping([{"bank": "HDFC", "tail": "5555", "account": "Liabilities:Loan"}])
    alerts = [alert(1, D1, "100.00", balance="900.00", tail="5555")]
    built = build_ledger(alerts, loan, tz=TZ, today=TODAY)
    assert len(built.transactions) == 1 and built.balances == ()


def test_an_account_whose_alerts_were_all_moved_is_opened_before_its_assertion() -> None:
    sbi = parse_account_mapping([{"bank": "SBI", "tail": "3030", "account": "Assets:Bank:SBI"}])
    moved = alert(1, D1, "100.00", balance="900.00", tail="3030", bank="SBI")
    hand = _hand(
        '2025-03-30 * "Moved"\n  sms_guid: "GUID-0001"\n  Assets:Bank:SBI  -100.00 INR\n'
        "  Expenses:Food\n"
    )
    built = build_ledger([moved], sbi, tz=TZ, today=TODAY, hand=hand)
    assert [(b.date, b.account) for b in built.balances] == [(D2, "Assets:Bank:SBI")]
    opened = {o.account: o.date for o in built.opens}
    assert opened["Assets:Bank:SBI"] <= D2


def _bank_timeline(seed: int) -> list[StoredTransaction]:
    """Savings alerts as a bank sends them: balances follow the send order (received_at, then
    the Messages ROWID within one second); some are late for an earlier day, some state no
    balance; ROWIDs (delivery order) and GUIDs are otherwise in no particular order."""
    rng = random.Random(seed)
    count = rng.randint(2, 10)
    guids = rng.sample(range(100, 200), count)
    rowids = rng.sample(range(1, 1000), count)
    balance = Decimal("10000.00")
    sent = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
    times = []
    for _ in range(count):
        sent += dt.timedelta(hours=rng.choice([0, 0, 1, 7, 20, 30]))
        times.append(sent)
    # Within one second Messages keeps the arrival order, so the ROWIDs ascend there.
    for when in set(times):
        slots = [k for k, t in enumerate(times) if t == when]
        for k, rowid in zip(slots, sorted(rowids[k] for k in slots), strict=True):
            rowids[k] = rowid
    alerts = []
    for n, rowid, when in zip(guids, rowids, times, strict=True):
        day = when.date() - dt.timedelta(days=rng.choice([0, 0, 0, 1, 1, 2]))
        amount = Decimal(rng.randint(1, 500))
        direction = rng.choice(["debit", "credit"])
        balance += -amount if direction == "debit" else amount
        stated = None if rng.random() < 0.2 else str(balance)
        row = alert(n, day, f"{amount}.00", direction, stated)
        alerts.append(row._replace(received_at=when, message_rowid=rowid))
    return alerts


@pytest.mark.parametrize("seed", range(200))
def test_every_balance_assertion_is_the_ledger_s_balance_and_every_safe_day_has_one(
    seed: int,
) -> None:
    alerts = _bank_timeline(seed)
    # Mostly every day is complete; every fourth timeline, its last day is today.
    today = max(a.txn_date for a in alerts) + dt.timedelta(days=1 if seed % 4 else 0)
    built = build_ledger(alerts, mapping(), tz=TZ, today=today)
    got = [(b.date, b.account, b.amount.number, b.meta["from_sms"]) for b in built.balances]
    sent = sorted(alerts, key=lambda a: (a.received_at, a.message_rowid))
    expected = []
    for day in sorted({a.txn_date for a in alerts}):
        i = max(k for k, a in enumerate(sent) if a.txn_date == day)
        covered = all(a.txn_date <= day for a in sent[:i]) and all(
            a.txn_date > day for a in sent[i + 1 :]
        )
        if sent[i].balance is not None and day < today and covered:
            expected.append(
                (day + dt.timedelta(days=1), SAVINGS, sent[i].balance, sent[i].message_guid)
            )
    assert got == expected
    # Each figure is what the ledger holds at the start of the assertion's date.
    for date, _account, number, _guid in got:
        booked = sum(
            (
                -a.amount if a.direction == "debit" else a.amount
                for a in alerts
                if a.txn_date < date
            ),
            Decimal(0),
        )
        assert number == Decimal("10000.00") + booked


def test_an_alert_dated_before_its_account_opens_stays_out_and_the_books_load(
    tmp_path: Path,
) -> None:
    # A device clock reset to 1990 (or history older than the books): the owner opens the
    # savings account on 2025-01-01 (write_main), so nothing may post to it before.
    books = tmp_path / "books"
    write_main(books)
    early = alert(7, dt.date(1990, 6, 15), "75.00", balance="9925.00")
    good = alert(8, dt.date(2025, 3, 3), "250.00", balance="9750.00")
    result = write_bank_books(books, [early, good], mapping(), tz=TZ, today=dt.date(2025, 3, 9))
    (line,) = result.build.before_open
    assert line.startswith("GUID-0007 (1990-06-15): dated before Assets:Bank:HDFC:Savings opens")
    assert "(2025-01-01)" in line and "open the account earlier" in line
    assert [t.meta["sms_guid"] for t in result.build.transactions] == ["GUID-0008"]
    assert not (books / "generated" / "bank" / "1990-06.beancount").exists()
    assert load_books(books / "main.beancount").errors == ()


@pytest.mark.parametrize(
    ("bank", "tail", "instrument", "account"),
    [
        ("AMERICAN EXPRESS", "1004", "credit_card", "Liabilities:CreditCard:American-Express"),
        ("PAYTM", None, "wallet", "Assets:Wallet:Paytm"),
    ],
)
def test_the_unmapped_fix_for_a_brand_or_a_name_with_spaces_pastes_and_clears(
    tmp_path: Path, bank: str, tail: str | None, instrument: str, account: str
) -> None:
    # Senders such as "American Express" and "PAYTM" are read under their key, which becomes
    # the alert's bank: the fix the books print for it must load and map its alerts.
    stray = alert(9, D2, "80.00", tail=tail, bank=bank, instrument=instrument)
    fix = build_ledger([stray], mapping(), tz=TZ, today=TODAY).unmapped[0].toml_entry
    assert fix.endswith(f'account = "{account}"')
    config = tmp_path / "homeclerk.toml"
    config.write_text(fix + "\n", encoding="utf-8")
    pasted = build_ledger([stray], load_settings(config).accounts, tz=TZ, today=TODAY)
    assert pasted.unmapped == ()
    assert len(pasted.transactions) == 1
    assert account in {p.account for p in pasted.transactions[0].postings}
