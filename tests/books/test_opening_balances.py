"""A newly mapped account opens with the balance its first assertion states, unless the owner
keeps an opening of their own: the books load after the `unmapped_accounts` fix is pasted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from assets.books.accounts import OPENING_EQUITY, parse_account_mapping
from assets.books.checks import load_books
from assets.books.entries import build_ledger
from assets.books.generate import write_bank_books
from assets.books.handkept import HandKept, hand_kept_from_entries
from pipeline.settings import load_settings

from .helpers import SAVINGS, TZ, alert, mapping, sample_alerts, write_main

D1, D2, D3 = dt.date(2025, 3, 30), dt.date(2025, 3, 31), dt.date(2025, 4, 1)
TODAY = dt.date(2025, 4, 10)
UNION = "Assets:Bank:Union"


def _union(n: int, day: dt.date, amount: str, direction: str, balance: str | None, hour: int):
    return alert(n, day, amount, direction, balance, hour=hour, tail="4821", bank="UNION")


def _union_alerts() -> list:
    # 12,500.00 before the first alert; the first two state no balance or a late one.
    return [
        _union(31, D1, "349.00", "debit", None, 9),
        _union(32, D1, "1000.00", "credit", "13151.00", 12),
        _union(33, D2, "151.00", "debit", "13000.00", 10),
    ]


def _union_mapping():
    return parse_account_mapping([{"bank": "UNION", "tail": "4821", "account": UNION}])


def test_an_account_the_owner_keeps_nothing_for_opens_with_its_first_asserted_balance() -> None:
    built = build_ledger(_union_alerts(), _union_mapping(), tz=TZ, today=TODAY)
    (opening,) = built.openings
    assert opening.date == D1  # the account's first entry, before the first assertion (D2)
    assert [(p.account, p.units.number) for p in opening.postings] == [
        (UNION, Decimal("12500.00")),
        (OPENING_EQUITY, Decimal("-12500.00")),
    ]
    assert opening.meta["opening_from_sms"] == "GUID-0032"
    assert opening.tags == opening.links == frozenset()
    assert "Opening balance" in opening.narration
    opens = {o.account: o.date for o in built.opens}
    assert opens[OPENING_EQUITY] == D1 and opens[UNION] == D1


def test_every_assertion_of_a_new_account_holds_with_its_opening(tmp_path: Path) -> None:
    books = tmp_path / "books"
    books.mkdir()
    (books / "main.beancount").write_text(
        'option "operating_currency" "INR"\ninclude "generated/index.beancount"\n',
        encoding="utf-8",
    )
    result = write_bank_books(books, _union_alerts(), _union_mapping(), tz=TZ, today=TODAY)
    assert [str(b.amount.number) for b in result.build.balances] == ["13151.00", "13000.00"]
    assert load_books(books / "main.beancount").errors == ()


def test_an_opening_the_owner_keeps_wins_and_a_missed_alert_still_fails_the_books(
    tmp_path: Path,
) -> None:
    # write_main keeps the savings account's own opening (10,000.00): nothing is inferred, so
    # the assertion still catches an alert that never came.
    main = write_main(tmp_path)
    alerts = [a for a in sample_alerts(D1, D2, D3) if a.message_guid != "GUID-0001"]
    result = write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY)
    assert result.build.openings == ()
    assert any("Balance failed" in e.message for e in load_books(main).errors)


def test_an_owner_entry_before_the_first_assertion_replaces_the_inferred_opening() -> None:
    hand = _hand(
        f"2025-01-01 open {UNION} INR\n2025-01-01 open {OPENING_EQUITY}\n"
        f'2025-03-01 * "Opening"\n  {UNION}  12500.00 INR\n  {OPENING_EQUITY}\n'
    )
    built = build_ledger(_union_alerts(), _union_mapping(), tz=TZ, today=TODAY, hand=hand)
    assert built.openings == ()
    assert OPENING_EQUITY not in {o.account for o in built.opens}


def test_no_opening_when_the_first_assertion_needs_none() -> None:
    alerts = [
        _union(41, D1, "100.00", "credit", "100.00", 9),
        _union(42, D2, "40.00", "debit", "60.00", 9),
    ]
    built = build_ledger(alerts, _union_mapping(), tz=TZ, today=TODAY)
    assert built.openings == ()
    assert OPENING_EQUITY not in {o.account for o in built.opens}


def test_the_pasted_unmapped_fix_for_a_bank_account_with_balances_leaves_the_books_loading(
    tmp_path: Path,
) -> None:
    # As the owner meets it: alerts of a bank account nobody mapped, `unmapped_accounts` prints
    # the entry, the owner appends it to homeclerk.toml as printed and the books are rebuilt.
    books = tmp_path / "books"
    main = write_main(books)
    alerts = [*sample_alerts(D1, D2, D3), *_union_alerts()]
    before = write_bank_books(books, alerts, mapping(), tz=TZ, today=TODAY).build
    (stray,) = before.unmapped
    config = tmp_path / "homeclerk.toml"
    config.write_text(
        "".join(
            f'[[books.accounts]]\nbank = "HDFC"\ntail = "{tail}"\naccount = "{account}"\n\n'
            for tail, account in (
                ("1276", SAVINGS),
                ("4410", SAVINGS),
                ("9541", "Liabilities:CreditCard:HDFC"),
            )
        )
        + stray.toml_entry
        + "\n",
        encoding="utf-8",
    )
    after = write_bank_books(
        books, alerts, load_settings(config).accounts, tz=TZ, today=TODAY
    ).build
    assert after.unmapped == ()
    assert [o.postings[0].account for o in after.openings] == [stray_account(stray.toml_entry)]
    assert load_books(main).errors == ()


def stray_account(toml_entry: str) -> str:
    return toml_entry.rsplit('account = "', 1)[1].rstrip('"')


def _hand(text: str) -> HandKept:
    """What an owner's file of `text` keeps by hand."""
    from beancount.parser import parser

    entries, errors, _ = parser.parse_string(text)
    assert errors == []
    return hand_kept_from_entries(entries)


def test_an_owner_entry_on_the_first_assertion_s_day_leaves_the_opening() -> None:
    # An assertion holds at the start of its day: an entry dated that day is not before it.
    hand = _hand(
        f"2025-01-01 open {UNION} INR\n2025-01-01 open Expenses:Cash\n"
        f'2025-03-31 * "Cash"\n  {UNION}  -10.00 INR\n  Expenses:Cash\n'
    )
    built = build_ledger(_union_alerts(), _union_mapping(), tz=TZ, today=TODAY, hand=hand)
    assert [o.postings[0].units.number for o in built.openings] == [Decimal("12500.00")]


def test_an_account_the_owner_keeps_does_not_stop_the_next_one_s_opening() -> None:
    # Two new accounts, the first (in name order) kept by the owner: the second still opens.
    both = parse_account_mapping(
        [
            {"bank": "HDFC", "tail": "1276", "account": "Assets:Bank:Axis"},
            {"bank": "UNION", "tail": "4821", "account": UNION},
        ]
    )
    kept = alert(51, D1, "100.00", balance="900.00", hour=8)
    hand = _hand(
        f"2025-01-01 open Assets:Bank:Axis INR\n2025-01-01 open {OPENING_EQUITY}\n"
        f'2025-03-01 * "Opening"\n  Assets:Bank:Axis  1000.00 INR\n  {OPENING_EQUITY}\n'
    )
    built = build_ledger([kept, *_union_alerts()], both, tz=TZ, today=TODAY, hand=hand)
    assert [o.postings[0].account for o in built.openings] == [UNION]
